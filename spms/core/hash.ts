// H of DESIGN §3: SHA-256 everywhere, one pure implementation so Node and the browser agree.
import { sha256 } from './sha256.ts';
import { concatBytes } from './bytes.ts';

export const HASH_BYTES = 32;

/** H(data[0 .. length)); `length` lets hot paths hash a prefix of a scratch buffer without a view. */
export function hash(data: Uint8Array, length: number = data.length): Uint8Array {
  return sha256(data, length);
}

/** H(a || b || ...) without the caller building the concatenation. */
export function hashParts(...parts: Uint8Array[]): Uint8Array {
  return sha256(concatBytes(...parts));
}
