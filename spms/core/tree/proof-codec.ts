// Proof encodings: a compact binary form (wire, storage, sizes) and a JSON
// form (APIs, the UI). Both decoders are strict and raise EncodingError.
//
// Binary, version 1:
//   u8 1 || u8 terminal (0 empty, 1 leaf of the queried index, 2 leaf of another index) || u16 depth
//   [terminal 2: index(32)] [terminal 1|2: u64 version || bindingHash(32)]
//   bitmap(ceil(depth/8)), bit i MSB-first set when siblings[i] is empty
//   the non-empty siblings, 32 bytes each, in order (terminal's sibling first)
import { fromHex, readU16, readU64, toHex, u64 } from '../bytes.ts';
import { EncodingError } from '../errors.ts';
import { INDEX_BITS } from './index-bits.ts';
import type { LookupProof } from './proof.ts';

const FORMAT = 1;

export function encodeProof(proof: LookupProof): Uint8Array {
  const d = proof.depth;
  if (proof.siblings.length !== d) throw new EncodingError('proof-shape', 'siblings must number the depth');
  const t = proof.terminal;
  const kind = t.kind === 'empty' ? 0 : t.index === null ? 1 : 2;
  const present = proof.siblings.filter((s) => s !== null).length;
  const bitmapBytes = (d + 7) >>> 3;
  const size = 4 + (kind === 2 ? 32 : 0) + (kind === 0 ? 0 : 40) + bitmapBytes + 32 * present;
  const out = new Uint8Array(size);
  out[0] = FORMAT;
  out[1] = kind;
  out[2] = d >>> 8;
  out[3] = d & 0xff;
  let o = 4;
  if (t.kind === 'leaf') {
    if (t.index !== null) {
      out.set(t.index, o);
      o += 32;
    }
    out.set(u64(t.version), o);
    out.set(t.bindingHash, o + 8);
    o += 40;
  }
  const bitmap = o;
  o += bitmapBytes;
  proof.siblings.forEach((s, i) => {
    if (s === null) out[bitmap + (i >>> 3)]! |= 0x80 >>> (i & 7);
    else {
      out.set(s, o);
      o += 32;
    }
  });
  return out;
}

export function decodeProof(bytes: Uint8Array): LookupProof {
  const need = (n: number, what: string): void => {
    if (bytes.length < n) throw new EncodingError('proof-truncated', `proof truncated in ${what}`);
  };
  need(4, 'header');
  if (bytes[0] !== FORMAT) throw new EncodingError('proof-format', `unknown proof format ${bytes[0]}`);
  const kind = bytes[1] as number;
  if (kind > 2) throw new EncodingError('proof-terminal', `unknown terminal kind ${kind}`);
  const d = readU16(bytes, 2);
  if (d > INDEX_BITS) throw new EncodingError('proof-depth', `depth ${d} exceeds ${INDEX_BITS}`);
  let o = 4;
  let proofTerminal: LookupProof['terminal'] = { kind: 'empty' };
  if (kind !== 0) {
    let index: Uint8Array | null = null;
    if (kind === 2) {
      need(o + 32, 'leaf index');
      index = bytes.slice(o, o + 32);
      o += 32;
    }
    need(o + 40, 'leaf');
    let version: number;
    try {
      version = readU64(bytes, o);
    } catch {
      throw new EncodingError('proof-version', 'leaf version exceeds 2^53-1');
    }
    proofTerminal = { kind: 'leaf', index, version, bindingHash: bytes.slice(o + 8, o + 40) };
    o += 40;
  }
  const bitmapBytes = (d + 7) >>> 3;
  need(o + bitmapBytes, 'bitmap');
  const bitmap = o;
  o += bitmapBytes;
  if (d % 8 !== 0 && ((bytes[bitmap + bitmapBytes - 1] as number) & (0xff >>> (d % 8))) !== 0) {
    throw new EncodingError('proof-bitmap', 'bitmap has bits set past the depth');
  }
  const siblings: (Uint8Array | null)[] = [];
  for (let i = 0; i < d; i++) {
    if (((bytes[bitmap + (i >>> 3)] as number) & (0x80 >>> (i & 7))) !== 0) siblings.push(null);
    else {
      need(o + 32, `sibling ${i}`);
      siblings.push(bytes.slice(o, o + 32));
      o += 32;
    }
  }
  if (o !== bytes.length) throw new EncodingError('proof-trailing', `${bytes.length - o} trailing bytes after the proof`);
  return { depth: d, terminal: proofTerminal, siblings };
}

export interface LookupProofJson {
  depth: number;
  terminal: { kind: 'empty' } | { kind: 'leaf'; index?: string; version: number; bindingHash: string };
  /** Hex hashes from the terminal's sibling up; null = empty subtree. */
  siblings: (string | null)[];
}

export function proofToJson(proof: LookupProof): LookupProofJson {
  const t = proof.terminal;
  const terminal: LookupProofJson['terminal'] =
    t.kind === 'empty' ? { kind: 'empty' } : { kind: 'leaf', ...(t.index === null ? {} : { index: toHex(t.index) }), version: t.version, bindingHash: toHex(t.bindingHash) };
  return { depth: proof.depth, terminal, siblings: proof.siblings.map((s) => (s === null ? null : toHex(s))) };
}

function hash32(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) throw new EncodingError('proof-json', `${what} must be 64 lowercase hex digits`);
  return fromHex(value);
}

export function proofFromJson(json: unknown): LookupProof {
  if (typeof json !== 'object' || json === null) throw new EncodingError('proof-json', 'proof must be an object');
  const j = json as Record<string, unknown>;
  const depth = j.depth;
  if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 0 || depth > INDEX_BITS) throw new EncodingError('proof-json', `depth must be an integer in 0..${INDEX_BITS}`);
  if (!Array.isArray(j.siblings) || j.siblings.length !== depth) throw new EncodingError('proof-json', 'siblings must be an array of depth entries');
  const siblings = j.siblings.map((s: unknown, i: number) => (s === null ? null : hash32(s, `siblings[${i}]`)));
  const t = j.terminal as Record<string, unknown> | null | undefined;
  if (typeof t !== 'object' || t === null) throw new EncodingError('proof-json', 'terminal must be an object');
  if (t.kind === 'empty') return { depth, terminal: { kind: 'empty' }, siblings };
  if (t.kind !== 'leaf') throw new EncodingError('proof-json', 'terminal.kind must be "empty" or "leaf"');
  const version = t.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) throw new EncodingError('proof-json', 'terminal.version must be a positive integer');
  const index = t.index === undefined ? null : hash32(t.index, 'terminal.index');
  return { depth, terminal: { kind: 'leaf', index, version, bindingHash: hash32(t.bindingHash, 'terminal.bindingHash') }, siblings };
}
