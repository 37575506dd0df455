// The three node hashes of DESIGN §3.3. Each writes into a scratch buffer of
// the exact encoding so building a large tree does not allocate per field;
// leaves and interiors have one length each, so their buffers keep SHA-256's
// padding in place between calls.
import { fixedLengthMessage, hash } from '../hash.ts';

const EMPTY_TAG = 0x00;
const LEAF_TAG = 0x01;
const INTERIOR_TAG = 0x02;

// One scratch buffer per encoding, each as long as its longest message.
const emptyBuf = new Uint8Array(1 + 32 + 2 + 32);
const leafMessage = fixedLengthMessage(1 + 32 + 2 + 32 + 8 + 32);
const interiorMessage = fixedLengthMessage(1 + 32 + 32);
leafMessage.bytes[0] = LEAF_TAG;
interiorMessage.bytes[0] = INTERIOR_TAG;

/**
 * E(d, p) = H(0x00 || treeId || u16(d) || bits(p, d)): the empty subtree at
 * depth `d` whose prefix is the first `d` bits of `index`, with bit d-1
 * flipped when `flipLast` (the sibling of a node on `index`'s path).
 */
export function emptyHash(treeId: Uint8Array, depth: number, index: Uint8Array, flipLast = false): Uint8Array {
  const prefixBytes = (depth + 7) >>> 3;
  const buf = emptyBuf;
  buf[0] = EMPTY_TAG;
  buf.set(treeId, 1);
  buf[33] = depth >>> 8;
  buf[34] = depth & 0xff;
  for (let i = 0; i < prefixBytes; i++) buf[35 + i] = index[i] as number;
  const rest = depth & 7;
  if (rest !== 0) buf[35 + prefixBytes - 1]! &= (0xff << (8 - rest)) & 0xff;
  if (flipLast && depth > 0) {
    const bit = depth - 1;
    buf[35 + (bit >>> 3)]! ^= 0x80 >>> (bit & 7);
  }
  return hash(buf, 35 + prefixBytes);
}

/** L = H(0x01 || treeId || u16(d) || index || u64(version) || bindingHash). */
export function leafHash(treeId: Uint8Array, depth: number, index: Uint8Array, version: number, bindingHash: Uint8Array): Uint8Array {
  const buf = leafMessage.bytes;
  buf.set(treeId, 1);
  buf[33] = depth >>> 8;
  buf[34] = depth & 0xff;
  buf.set(index, 35);
  const hi = Math.floor(version / 2 ** 32);
  const lo = version >>> 0;
  buf[67] = hi >>> 24;
  buf[68] = (hi >>> 16) & 0xff;
  buf[69] = (hi >>> 8) & 0xff;
  buf[70] = hi & 0xff;
  buf[71] = lo >>> 24;
  buf[72] = (lo >>> 16) & 0xff;
  buf[73] = (lo >>> 8) & 0xff;
  buf[74] = lo & 0xff;
  buf.set(bindingHash, 75);
  return leafMessage.digest();
}

/** I = H(0x02 || left || right). */
export function interiorHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = interiorMessage.bytes;
  buf.set(left, 1);
  buf.set(right, 33);
  return interiorMessage.digest();
}
