// The abstract values of the interpreter: a number (unsigned interval plus
// known bits, for ranges and congruences) and a set of provenance tags saying
// where a value may come from (stack, plugin heap, a string, the connection,
// an input, an object returned by a getter...). Tags are sets so joins keep
// every origin: a pointer that may be the connection stays suspect.

export const U64_MAX = (1n << 64n) - 1n;
export const U32_MAX = (1n << 32n) - 1n;

export interface Num {
  lo: bigint;
  hi: bigint;
  /** Known-bits: bits set in `mask` are unknown; other bits equal `value`. */
  value: bigint;
  mask: bigint;
}

export const TOP_NUM: Num = { lo: 0n, hi: U64_MAX, value: 0n, mask: U64_MAX };

export function constNum(v: bigint): Num {
  const x = BigInt.asUintN(64, v);
  return { lo: x, hi: x, value: x, mask: 0n };
}

/** Number of significant bits of a non-negative value. */
function bitLength(v: bigint): bigint {
  return v === 0n ? 0n : BigInt(v.toString(2).length);
}

/** Number of trailing zero bits (64 for zero). */
function trailingZeros(v: bigint): bigint {
  if (v === 0n) return 64n;
  return bitLength(v & -v) - 1n;
}

function tnumRange(lo: bigint, hi: bigint): { value: bigint; mask: bigint } {
  const mask = (1n << bitLength(lo ^ hi)) - 1n;
  return { value: lo & ~mask & U64_MAX, mask };
}

/** Intersects interval and known bits so each sharpens the other. */
export function makeNum(lo: bigint, hi: bigint, value: bigint, mask: bigint): Num {
  const tmin = value & ~mask & U64_MAX;
  const tmax = (value | mask) & U64_MAX;
  let l = lo > tmin ? lo : tmin;
  let h = hi < tmax ? hi : tmax;
  // Known low bits are a congruence: move the bounds onto values that satisfy it.
  const k = trailingZeros(mask);
  if (k > 0n && k < 64n) {
    const m = 1n << k;
    const r = value & (m - 1n);
    l = l + ((((r - l) % m) + m) % m);
    h = h - ((((h - r) % m) + m) % m);
  }
  if (l > h) {
    l = lo;
    h = hi;
  } // contradictory facts: keep the interval (dead path)
  const r = tnumRange(l, h);
  const m = mask & r.mask;
  const v = (value | r.value) & ~m & U64_MAX;
  return { lo: l, hi: h, value: v, mask: m };
}

export function numRange(lo: bigint, hi: bigint): Num {
  const t = tnumRange(lo, hi);
  return { lo, hi, value: t.value, mask: t.mask };
}

export function isConst(n: Num): boolean {
  return n.lo === n.hi;
}

export function joinNum(a: Num, b: Num): Num {
  if (a === b || eqNum(a, b)) return a;
  const mask = a.mask | b.mask | (a.value ^ b.value);
  return makeNum(a.lo < b.lo ? a.lo : b.lo, a.hi > b.hi ? a.hi : b.hi, a.value & ~mask, mask);
}

export function eqNum(a: Num, b: Num): boolean {
  return a.lo === b.lo && a.hi === b.hi && a.value === b.value && a.mask === b.mask;
}

/** Widening: bounds that moved jump to the extreme. */
export function widenNum(old: Num, next: Num): Num {
  const j = joinNum(old, next);
  let mask = j.mask;
  if (mask !== old.mask) {
    // Keep only the known low bits (a congruence), so known bits cannot erode one per iteration.
    mask = U64_MAX & ~((1n << trailingZeros(mask)) - 1n);
  }
  return makeNum(j.lo < old.lo ? 0n : j.lo, j.hi > old.hi ? U64_MAX : j.hi, j.value & ~mask, mask);
}

export function addNum(a: Num, b: Num): Num {
  const lo = a.lo + b.lo;
  const hi = a.hi + b.hi;
  const sv = a.value + b.value;
  const sm = a.mask + b.mask;
  const sigma = sv + sm;
  const chi = sigma ^ sv;
  const mu = (chi | a.mask | b.mask) & U64_MAX;
  const tn = { value: sv & ~mu & U64_MAX, mask: mu };
  if (hi > U64_MAX) return makeNum(0n, U64_MAX, tn.value, tn.mask);
  return makeNum(lo, hi, tn.value, tn.mask);
}

export function negNum(a: Num): Num {
  if (isConst(a)) return constNum(-a.lo);
  return TOP_NUM;
}

export function subNum(a: Num, b: Num): Num {
  if (isConst(b)) {
    if (a.lo >= b.lo) return makeNum(a.lo - b.lo, a.hi - b.lo, 0n, U64_MAX);
    if (isConst(a)) return constNum(a.lo - b.lo);
    if (a.hi < b.lo) return makeNum(BigInt.asUintN(64, a.lo - b.lo), BigInt.asUintN(64, a.hi - b.lo), 0n, U64_MAX);
    return TOP_NUM;
  }
  if (a.lo >= b.hi) return makeNum(a.lo - b.hi, a.hi - b.lo, 0n, U64_MAX);
  return TOP_NUM;
}

export function andNum(a: Num, b: Num): Num {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  const m = alpha & beta & ~v;
  const hi = a.hi < b.hi ? a.hi : b.hi;
  return makeNum(0n, hi, v, m);
}

export function orNum(a: Num, b: Num): Num {
  const v = a.value | b.value;
  const m = (a.mask | b.mask) & ~v;
  const lo = a.lo > b.lo ? a.lo : b.lo;
  return makeNum(lo, U64_MAX, v, m);
}

export function xorNum(a: Num, b: Num): Num {
  if (isConst(a) && isConst(b)) return constNum(a.lo ^ b.lo);
  const m = a.mask | b.mask;
  return makeNum(0n, U64_MAX, (a.value ^ b.value) & ~m, m);
}

export function lshNum(a: Num, s: bigint): Num {
  const v = (a.value << s) & U64_MAX;
  const m = (a.mask << s) & U64_MAX;
  if (a.hi << s <= U64_MAX) return makeNum(a.lo << s, a.hi << s, v, m);
  return makeNum(0n, U64_MAX, v, m);
}

export function rshNum(a: Num, s: bigint): Num {
  return makeNum(a.lo >> s, a.hi >> s, a.value >> s, a.mask >> s);
}

export function mulNum(a: Num, b: Num): Num {
  if (isConst(a) && isConst(b)) return constNum(a.lo * b.lo);
  const hi = a.hi * b.hi;
  if (hi <= U64_MAX) {
    // Multiplying by 2^k keeps k known low zero bits.
    const k = isConst(b) ? trailingZeros(b.lo) : isConst(a) ? trailingZeros(a.lo) : 0n;
    const low = (1n << k) - 1n;
    return makeNum(a.lo * b.lo, hi, 0n, U64_MAX & ~low);
  }
  return TOP_NUM;
}

/** Truncation of an ALU32 result: the upper half is zeroed. */
export function trunc32(a: Num): Num {
  if (a.hi <= U32_MAX) return a;
  if (isConst(a)) return constNum(a.lo & U32_MAX);
  return makeNum(0n, U32_MAX, a.value & U32_MAX, a.mask & U32_MAX);
}

export function toSigned(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** Signed range of a number, when its unsigned range does not straddle the sign bit. */
export function signedRange(n: Num): [bigint, bigint] {
  const half = 1n << 63n;
  if (n.hi < half || n.lo >= half) return [toSigned(n.lo), toSigned(n.hi)];
  return [-half, half - 1n];
}

/** Where a value may come from. */
export type Tag = string;
// 'scalar'       a plain number (num is meaningful)
// 'uninit'       a register never written (or clobbered by a call)
// 'stack'        a pointer into the frame (offsets in `stack`)
// 'heap'         plugin heap memory (my_malloc...)
// 'heapval'      a value read from plugin memory or plugin metadata
// 'str:<text>'   a string literal
// 'cnx'          the connection handle
// 'in:<i>'       protocol operation input i
// 'obj:<kind>:<AK>' a core object returned by a getter with access key AK
// 'helper:<name>' the result of another helper
// 'unknown'      anything

export interface AbsVal {
  num: Num;
  tags: readonly Tag[];
  /** Frame offsets (relative to r10) when tags include 'stack'. */
  stack?: [number, number];
}

export const UNINIT: AbsVal = { num: TOP_NUM, tags: ['uninit'] };
export const UNKNOWN: AbsVal = { num: TOP_NUM, tags: ['unknown'] };

export function scalar(n: Num): AbsVal {
  return { num: n, tags: ['scalar'] };
}

export function tagged(tag: Tag, num: Num = TOP_NUM): AbsVal {
  return { num, tags: [tag] };
}

export function stackPtr(lo: number, hi: number = lo): AbsVal {
  return { num: TOP_NUM, tags: ['stack'], stack: [lo, hi] };
}

export function isScalar(v: AbsVal): boolean {
  return v.tags.length === 1 && v.tags[0] === 'scalar';
}

const MAX_TAGS = 12;

export function joinVal(a: AbsVal, b: AbsVal): AbsVal {
  if (a === b || eqVal(a, b)) return a;
  let tags: Tag[];
  if (a.tags === b.tags) tags = [...a.tags];
  else {
    tags = [...new Set([...a.tags, ...b.tags])].sort();
    if (tags.length > MAX_TAGS) tags = [...tags.filter((t) => !t.startsWith('str:')).slice(0, MAX_TAGS - 1), 'unknown'].sort();
  }
  const out: AbsVal = { num: joinNum(a.num, b.num), tags };
  if (a.stack !== undefined || b.stack !== undefined) {
    const s1 = a.stack ?? (b.stack as [number, number]);
    const s2 = b.stack ?? s1;
    out.stack = [Math.min(s1[0], s2[0]), Math.max(s1[1], s2[1])];
  }
  return out;
}

export function eqVal(a: AbsVal, b: AbsVal): boolean {
  if (a === b) return true;
  if (!eqNum(a.num, b.num) || a.tags.length !== b.tags.length) return false;
  for (let i = 0; i < a.tags.length; i++) if (a.tags[i] !== b.tags[i]) return false;
  return a.stack?.[0] === b.stack?.[0] && a.stack?.[1] === b.stack?.[1];
}

export function widenVal(old: AbsVal, next: AbsVal): AbsVal {
  if (old === next || eqVal(old, next)) return old;
  const j = joinVal(old, next);
  const out: AbsVal = { ...j, num: widenNum(old.num, j.num) };
  if (j.stack !== undefined && old.stack !== undefined) {
    out.stack = [j.stack[0] < old.stack[0] ? -1 << 20 : j.stack[0], j.stack[1] > old.stack[1] ? 1 << 20 : j.stack[1]];
  }
  return out;
}
