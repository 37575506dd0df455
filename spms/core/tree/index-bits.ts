// Name indexes and their bits (DESIGN §3.3): index(name) =
// H("spms/index/v1" || 0x00 || utf8(name)), read most significant bit first.
import { concatBytes, utf8 } from '../bytes.ts';
import { hash } from '../hash.ts';

export const INDEX_BITS = 256;
const INDEX_TAG = concatBytes(utf8('spms/index/v1'), Uint8Array.of(0));

let scratch = new Uint8Array(INDEX_TAG.length + 256);
scratch.set(INDEX_TAG);

export function indexOf(name: string): Uint8Array {
  // Names are ASCII (DESIGN §3.1), so copying char codes is their UTF-8; anything else takes the general path.
  const n = name.length;
  if (INDEX_TAG.length + n > scratch.length) {
    scratch = new Uint8Array(INDEX_TAG.length + n);
    scratch.set(INDEX_TAG);
  }
  const base = INDEX_TAG.length;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    if (c > 0x7f) return hash(concatBytes(INDEX_TAG, utf8(name)));
    scratch[base + i] = c;
  }
  return hash(scratch.subarray(0, base + n));
}

/** Bit `i` of `index` (0 = most significant bit of byte 0). */
export function bitAt(index: Uint8Array, i: number): 0 | 1 {
  return (((index[i >>> 3] as number) >>> (7 - (i & 7))) & 1) as 0 | 1;
}

/** Whether `a` and `b` agree on their first `d` bits. */
export function samePrefix(a: Uint8Array, b: Uint8Array, d: number): boolean {
  const full = d >>> 3;
  for (let i = 0; i < full; i++) if (a[i] !== b[i]) return false;
  const rest = d & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (((a[full] as number) ^ (b[full] as number)) & mask) === 0;
}

/** Unsigned comparison of two indexes, for sorting batches. */
export function compareIndex(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}
