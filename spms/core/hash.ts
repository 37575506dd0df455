// H of DESIGN §3: SHA-256 everywhere. The WebAssembly implementation where it
// may run, else the JavaScript one; both are checked against a reference, so
// Node and the browser agree whichever they use.
import { concatBytes } from './bytes.ts';
import { javascriptSha256 } from './sha256.ts';
import type { FixedLengthMessage, Sha256Engine } from './sha256-engine.ts';
import { createWasmSha256 } from './sha256-wasm.ts';

export const HASH_BYTES = 32;

function pickEngine(): Sha256Engine {
  try {
    return createWasmSha256();
  } catch {
    return javascriptSha256;
  }
}

/** The SHA-256 implementation in use here (measures report it). */
export const sha256Engine: Sha256Engine = pickEngine();

/** H(data[0 .. length)); `length` lets hot paths hash a prefix of a scratch buffer without a view. */
export function hash(data: Uint8Array, length: number = data.length): Uint8Array {
  return sha256Engine.digest(data, length);
}

/** H(a || b || ...) without the caller building the concatenation. */
export function hashParts(...parts: Uint8Array[]): Uint8Array {
  const joined = concatBytes(...parts);
  return sha256Engine.digest(joined, joined.length);
}

/** A reusable, pre-padded buffer for hashing many messages of one length. */
export function fixedLengthMessage(length: number): FixedLengthMessage {
  return sha256Engine.fixedLengthMessage(length);
}
