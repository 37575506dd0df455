// Signed Tree Roots (DESIGN §3.4). The message bytes are fixed:
//   "SPMS-STR-v1" || u8(len(pvId)) || pvId || treeId || u64(epoch) ||
//   u64(timestamp ms) || root || prevStrHash || policyHash
// signed with Ed25519; strHash = H(message || signature) links the chain.
import { ed25519 } from '@noble/curves/ed25519.js';
import { concatBytes, fromHex, readU64, toHex, u64, u8, utf8 } from './bytes.ts';
import { EncodingError } from './errors.ts';
import { HASH_BYTES, hash } from './hash.ts';

export interface StrFields {
  pvId: string;
  treeId: Uint8Array;
  epoch: number;
  timestampMs: number;
  root: Uint8Array;
  prevStrHash: Uint8Array;
  policyHash: Uint8Array;
}

export interface SignedStr extends StrFields {
  signature: Uint8Array;
}

/** The JSON form for APIs and the UI: byte fields as lowercase hex, integers as numbers. */
export interface SignedStrJson {
  pvId: string;
  treeId: string;
  epoch: number;
  timestampMs: number;
  root: string;
  prevStrHash: string;
  policyHash: string;
  signature: string;
}

const MAGIC = utf8('SPMS-STR-v1');
export const MAX_PV_ID_BYTES = 255;
export const SIGNATURE_BYTES = 64;
export const STR_PUBLIC_KEY_BYTES = 32;
export const STR_SECRET_KEY_BYTES = 32;
/** prevStrHash of the genesis STR (epoch 0). */
export const ZERO_HASH: Uint8Array = new Uint8Array(HASH_BYTES);

const HASH_FIELDS = ['treeId', 'root', 'prevStrHash', 'policyHash'] as const;
const INT_FIELDS = ['epoch', 'timestampMs'] as const;
const JSON_KEYS = new Set<string>(['pvId', ...HASH_FIELDS, ...INT_FIELDS, 'signature']);
// With the u flag this matches only unpaired surrogates, which UTF-8 cannot carry:
// TextEncoder would silently replace them, so the signed pvId would differ from the given one.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** The pvId's UTF-8 bytes, after checking every field can be encoded without loss. */
function checkFields(f: StrFields): Uint8Array {
  if (typeof f.pvId !== 'string' || LONE_SURROGATE.test(f.pvId)) throw new EncodingError('str-pv-id', 'pvId must be a well-formed Unicode string');
  const id = utf8(f.pvId);
  if (id.length < 1 || id.length > MAX_PV_ID_BYTES) throw new EncodingError('str-pv-id', `pvId must be 1 to ${MAX_PV_ID_BYTES} bytes of UTF-8, got ${id.length}`);
  for (const field of HASH_FIELDS) {
    const value = f[field];
    if (!(value instanceof Uint8Array) || value.length !== HASH_BYTES) throw new EncodingError('str-field', `${field} must be ${HASH_BYTES} bytes`);
  }
  for (const field of INT_FIELDS) {
    const value = f[field];
    if (!Number.isSafeInteger(value) || value < 0) throw new EncodingError('str-field', `${field} must be an integer from 0 to 2^53-1, got ${String(value)}`);
  }
  return id;
}

export function encodeStrMessage(f: StrFields): Uint8Array {
  const id = checkFields(f);
  return concatBytes(MAGIC, u8(id.length), id, f.treeId, u64(f.epoch), u64(f.timestampMs), f.root, f.prevStrHash, f.policyHash);
}

export function signStr(f: StrFields, secretKey: Uint8Array): SignedStr {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== STR_SECRET_KEY_BYTES) throw new EncodingError('str-key', `an STR secret key must be ${STR_SECRET_KEY_BYTES} bytes`);
  const signature = ed25519.sign(encodeStrMessage(f), secretKey);
  // Copies only the STR's own fields, so extra properties of `f` never travel with it.
  return { pvId: f.pvId, treeId: f.treeId, epoch: f.epoch, timestampMs: f.timestampMs, root: f.root, prevStrHash: f.prevStrHash, policyHash: f.policyHash, signature };
}

/**
 * Strict RFC 8032 verification (no ZIP-215 leniency): non-canonical point
 * encodings are refused, so nobody but the key holder can produce a second
 * valid byte string, and thus a second strHash, for the same message.
 */
export function verifyStrSignature(s: SignedStr, publicKey: Uint8Array): boolean {
  try {
    if (s.signature.length !== SIGNATURE_BYTES || publicKey.length !== STR_PUBLIC_KEY_BYTES) return false;
    return ed25519.verify(s.signature, encodeStrMessage(s), publicKey, { zip215: false });
  } catch {
    // Malformed keys, fields or signatures are simply not valid signatures.
    return false;
  }
}

export function encodeSignedStr(s: SignedStr): Uint8Array {
  if (!(s.signature instanceof Uint8Array) || s.signature.length !== SIGNATURE_BYTES) throw new EncodingError('str-signature', `signature must be ${SIGNATURE_BYTES} bytes`);
  return concatBytes(encodeStrMessage(s), s.signature);
}

/** H(message || signature): what the next epoch's prevStrHash must hold. */
export function strHash(s: SignedStr): Uint8Array {
  return hash(encodeSignedStr(s));
}

/** Decodes message || signature, refusing any byte string encodeSignedStr would not produce. */
export function decodeSignedStr(bytes: Uint8Array): SignedStr {
  if (!(bytes instanceof Uint8Array)) throw new EncodingError('str-type', 'an encoded STR must be a Uint8Array');
  const head = MAGIC.length + 1;
  if (bytes.length < head) throw new EncodingError('str-truncated', `an STR is at least ${head} bytes, got ${bytes.length}`);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw new EncodingError('str-magic', 'not an SPMS-STR-v1 message');
  const idLen = bytes[MAGIC.length] as number;
  if (idLen === 0) throw new EncodingError('str-pv-id', 'pvId must not be empty');
  const expected = head + idLen + HASH_BYTES + 8 + 8 + HASH_BYTES * 3 + SIGNATURE_BYTES;
  if (bytes.length !== expected) throw new EncodingError(bytes.length < expected ? 'str-truncated' : 'str-trailing', `an STR with a ${idLen}-byte pvId is ${expected} bytes, got ${bytes.length}`);
  let o = head;
  let pvId: string;
  try {
    pvId = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(o, o + idLen));
  } catch {
    throw new EncodingError('str-pv-id', 'pvId is not valid UTF-8');
  }
  o += idLen;
  const take = (n: number): Uint8Array => {
    const out = bytes.slice(o, o + n);
    o += n;
    return out;
  };
  const treeId = take(HASH_BYTES);
  let epoch: number;
  let timestampMs: number;
  try {
    epoch = readU64(bytes, o);
    timestampMs = readU64(bytes, o + 8);
  } catch {
    throw new EncodingError('str-field', 'epoch or timestamp exceeds 2^53-1');
  }
  o += 16;
  return { pvId, treeId, epoch, timestampMs, root: take(HASH_BYTES), prevStrHash: take(HASH_BYTES), policyHash: take(HASH_BYTES), signature: take(SIGNATURE_BYTES) };
}

export function strToJson(s: SignedStr): SignedStrJson {
  return {
    pvId: s.pvId,
    treeId: toHex(s.treeId),
    epoch: s.epoch,
    timestampMs: s.timestampMs,
    root: toHex(s.root),
    prevStrHash: toHex(s.prevStrHash),
    policyHash: toHex(s.policyHash),
    signature: toHex(s.signature),
  };
}

/** Guard for STRs arriving as JSON: exactly the SignedStrJson keys, each checked. */
export function strFromJson(json: unknown): SignedStr {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new EncodingError('str-json', 'an STR must be a JSON object');
  const j = json as Record<string, unknown>;
  for (const key of Object.keys(j)) if (!JSON_KEYS.has(key)) throw new EncodingError('str-json', `unknown STR field "${key}"`);
  const hex = (field: string, bytes: number): Uint8Array => {
    const v = j[field];
    if (typeof v !== 'string' || v.length !== bytes * 2 || !/^[0-9a-f]*$/.test(v)) throw new EncodingError('str-json', `${field} must be ${bytes * 2} lowercase hex digits`);
    return fromHex(v);
  };
  const int = (field: string): number => {
    const v = j[field];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new EncodingError('str-json', `${field} must be an integer from 0 to 2^53-1`);
    return v;
  };
  if (typeof j.pvId !== 'string') throw new EncodingError('str-json', 'pvId must be a string');
  const s: SignedStr = {
    pvId: j.pvId,
    treeId: hex('treeId', HASH_BYTES),
    epoch: int('epoch'),
    timestampMs: int('timestampMs'),
    root: hex('root', HASH_BYTES),
    prevStrHash: hex('prevStrHash', HASH_BYTES),
    policyHash: hex('policyHash', HASH_BYTES),
    signature: hex('signature', SIGNATURE_BYTES),
  };
  checkFields(s);
  return s;
}

/** A fresh STR key pair, or the pair of a given 32-byte seed (test vectors, key files). */
export function generateStrKeyPair(seed?: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array } {
  if (seed !== undefined && (!(seed instanceof Uint8Array) || seed.length !== STR_SECRET_KEY_BYTES)) throw new EncodingError('str-key', `an STR key seed must be ${STR_SECRET_KEY_BYTES} bytes`);
  const secretKey = seed === undefined ? ed25519.utils.randomSecretKey() : Uint8Array.from(seed);
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}
