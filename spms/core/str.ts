// Signed Tree Roots (DESIGN §3.4). The message bytes are fixed:
//   "SPMS-STR-v1" || u8(len(pvId)) || pvId || treeId || u64(epoch) ||
//   u64(timestamp ms) || root || prevStrHash || policyHash
// signed with Ed25519; strHash = H(message || signature) links the chain.
import { ed25519 } from '@noble/curves/ed25519.js';
import { concatBytes, fromHex, readU64, toHex, u64, u8, utf8 } from './bytes.ts';
import { EncodingError } from './errors.ts';
import { hash } from './hash.ts';

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
export const SIGNATURE_BYTES = 64;
export const ZERO_HASH: Uint8Array = new Uint8Array(32);

function checkFields(f: StrFields): Uint8Array {
  const id = utf8(f.pvId);
  if (id.length < 1 || id.length > 255) throw new EncodingError('str-pv-id', 'pvId must be 1 to 255 bytes of UTF-8');
  for (const [field, value] of [['treeId', f.treeId], ['root', f.root], ['prevStrHash', f.prevStrHash], ['policyHash', f.policyHash]] as const) {
    if (!(value instanceof Uint8Array) || value.length !== 32) throw new EncodingError('str-field', `${field} must be 32 bytes`);
  }
  for (const [field, value] of [['epoch', f.epoch], ['timestampMs', f.timestampMs]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new EncodingError('str-field', `${field} must be a non-negative safe integer`);
  }
  return id;
}

export function encodeStrMessage(f: StrFields): Uint8Array {
  const id = checkFields(f);
  return concatBytes(MAGIC, u8(id.length), id, f.treeId, u64(f.epoch), u64(f.timestampMs), f.root, f.prevStrHash, f.policyHash);
}

export function signStr(f: StrFields, secretKey: Uint8Array): SignedStr {
  const signature = ed25519.sign(encodeStrMessage(f), secretKey);
  return { pvId: f.pvId, treeId: f.treeId, epoch: f.epoch, timestampMs: f.timestampMs, root: f.root, prevStrHash: f.prevStrHash, policyHash: f.policyHash, signature };
}

export function verifyStrSignature(s: SignedStr, publicKey: Uint8Array): boolean {
  try {
    return s.signature.length === SIGNATURE_BYTES && ed25519.verify(s.signature, encodeStrMessage(s), publicKey);
  } catch {
    // Malformed keys, fields or signatures are simply not valid signatures.
    return false;
  }
}

export function encodeSignedStr(s: SignedStr): Uint8Array {
  if (s.signature.length !== SIGNATURE_BYTES) throw new EncodingError('str-signature', 'signature must be 64 bytes');
  return concatBytes(encodeStrMessage(s), s.signature);
}

export function strHash(s: SignedStr): Uint8Array {
  return hash(encodeSignedStr(s));
}

export function decodeSignedStr(bytes: Uint8Array): SignedStr {
  const need = MAGIC.length + 1;
  if (bytes.length < need) throw new EncodingError('str-truncated', 'STR is truncated');
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw new EncodingError('str-magic', 'not an SPMS-STR-v1 message');
  const idLen = bytes[MAGIC.length] as number;
  const expected = need + idLen + 32 + 8 + 8 + 32 * 3 + SIGNATURE_BYTES;
  if (idLen === 0) throw new EncodingError('str-pv-id', 'pvId must not be empty');
  if (bytes.length !== expected) throw new EncodingError(bytes.length < expected ? 'str-truncated' : 'str-trailing', `STR must be ${expected} bytes for this pvId, got ${bytes.length}`);
  let o = need;
  let pvId: string;
  try {
    pvId = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(o, o + idLen));
  } catch {
    throw new EncodingError('str-pv-id', 'pvId is not valid UTF-8');
  }
  o += idLen;
  const take = (n: number): Uint8Array => {
    const out = bytes.slice(o, o + n);
    o += n;
    return out;
  };
  const treeId = take(32);
  let epoch: number;
  let timestampMs: number;
  try {
    epoch = readU64(bytes, o);
    timestampMs = readU64(bytes, o + 8);
  } catch {
    throw new EncodingError('str-field', 'epoch or timestamp exceeds 2^53-1');
  }
  o += 16;
  return { pvId, treeId, epoch, timestampMs, root: take(32), prevStrHash: take(32), policyHash: take(32), signature: take(SIGNATURE_BYTES) };
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

export function strFromJson(json: unknown): SignedStr {
  if (typeof json !== 'object' || json === null) throw new EncodingError('str-json', 'STR must be an object');
  const j = json as Record<string, unknown>;
  const hex = (field: string, bytes: number): Uint8Array => {
    const v = j[field];
    if (typeof v !== 'string' || v.length !== bytes * 2 || !/^[0-9a-f]*$/.test(v)) throw new EncodingError('str-json', `${field} must be ${bytes * 2} lowercase hex digits`);
    return fromHex(v);
  };
  const int = (field: string): number => {
    const v = j[field];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new EncodingError('str-json', `${field} must be a non-negative integer`);
    return v;
  };
  if (typeof j.pvId !== 'string') throw new EncodingError('str-json', 'pvId must be a string');
  const s: SignedStr = {
    pvId: j.pvId,
    treeId: hex('treeId', 32),
    epoch: int('epoch'),
    timestampMs: int('timestampMs'),
    root: hex('root', 32),
    prevStrHash: hex('prevStrHash', 32),
    policyHash: hex('policyHash', 32),
    signature: hex('signature', SIGNATURE_BYTES),
  };
  checkFields(s);
  return s;
}

export function generateStrKeyPair(seed?: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const secretKey = seed ?? ed25519.utils.randomSecretKey();
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}
