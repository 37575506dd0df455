// Forward abstract interpretation of one function over its CFG: registers and
// 8-byte-aligned stack slots hold abstract values (absval.ts); branches refine
// ranges on each edge; loop headers widen. After the fixpoint, one last pass
// reports what the checks need: every memory access, every helper call (with
// the machine state before it) and every read of an uninitialised register.
import { accessKeyName, accessorOf, helpers, isHeapAllocator, isMetadataHelper, memoryWriterOf, pointerKindOfKey } from './api.ts';
import type { AbsVal, Num } from './absval.ts';
import {
  TOP_NUM,
  U64_MAX,
  UNINIT,
  UNKNOWN,
  addNum,
  andNum,
  constNum,
  eqVal,
  isConst,
  isScalar,
  joinVal,
  lshNum,
  makeNum,
  mulNum,
  negNum,
  numRange,
  orNum,
  rshNum,
  scalar,
  signedRange,
  stackPtr,
  subNum,
  tagged,
  trunc32,
  widenVal,
  xorNum,
} from './absval.ts';
import type { Block, Cfg } from './cfg.ts';
import type { Insn } from './insn.ts';
import { CLASS_ALU, CLASS_ALU64, CLASS_LDX, CLASS_ST, CLASS_STX, OP_CALL, OP_EXIT, OP_LDDW, aluOp, insnClass, isCondJump, memSize, usesRegSource } from './insn.ts';
import type { Program } from './program.ts';

export interface Slot {
  size: number;
  val: AbsVal;
}

export interface State {
  regs: AbsVal[];
  /** Stack slots by frame offset (negative, relative to r10). */
  stack: Map<number, Slot>;
}

export interface MemEvent {
  pc: number;
  access: 'load' | 'store';
  base: AbsVal;
  reg: number;
  off: number;
  size: number;
  value?: AbsVal;
}

export interface CallEvent {
  pc: number;
  name: string | undefined;
  /** r1..r5 before the call (index 0 = r1). */
  args: AbsVal[];
  state: State;
}

export interface AbsResult {
  inState: (State | undefined)[];
  /** State on the edge from block `from` to block `to`, after refinement. */
  edge(from: number, to: number): State | undefined;
  mem: MemEvent[];
  calls: CallEvent[];
  uninit: { pc: number; reg: number }[];
  /** Set when the fixpoint did not settle within its budget. */
  gaveUp: boolean;
}

const MAX_VISITS_PER_BLOCK = 40;
/** Bound on interpreted instructions per fixpoint, so no object can make the analysis run long. */
const MAX_STEPS = 8_000_000;
const WIDEN_AFTER = 3;

function cloneState(s: State): State {
  return { regs: [...s.regs], stack: new Map(s.stack) };
}

function joinState(a: State, b: State, widen: boolean): State {
  const regs = a.regs.map((v, i) => (widen ? widenVal(v, b.regs[i] ?? UNKNOWN) : joinVal(v, b.regs[i] ?? UNKNOWN)));
  const stack = new Map<number, Slot>();
  for (const [off, sa] of a.stack) {
    const sb = b.stack.get(off);
    if (sb === undefined || sb.size !== sa.size) continue;
    stack.set(off, { size: sa.size, val: widen ? widenVal(sa.val, sb.val) : joinVal(sa.val, sb.val) });
  }
  return { regs, stack };
}

function eqState(a: State, b: State): boolean {
  for (let i = 0; i < a.regs.length; i++) if (!eqVal(a.regs[i] as AbsVal, b.regs[i] as AbsVal)) return false;
  if (a.stack.size !== b.stack.size) return false;
  for (const [off, sa] of a.stack) {
    const sb = b.stack.get(off);
    if (sb === undefined || sb.size !== sa.size || !eqVal(sa.val, sb.val)) return false;
  }
  return true;
}

export function helperName(p: Program, insn: Insn): string | undefined {
  const byReloc = p.callNames.get(insn.pc);
  if (byReloc !== undefined) return byReloc;
  if (insn.src !== 0) return undefined; // an unrelocated pseudo call is a BPF-to-BPF call
  return helpers.find((h) => h.id === insn.imm)?.name;
}

/** Removes the slots overlapping [lo, hi). */
function clobberStack(s: State, lo: number, hi: number): void {
  for (const [off, slot] of s.stack) if (off < hi && off + slot.size > lo) s.stack.delete(off);
}

function readStack(s: State, lo: number, hi: number, size: number): AbsVal {
  if (lo !== hi) return UNKNOWN;
  const slot = s.stack.get(lo);
  if (slot !== undefined && slot.size === size) return slot.val;
  return UNKNOWN;
}

const constOf = (v: AbsVal | undefined): bigint | undefined => (v !== undefined && isScalar(v) && isConst(v.num) ? v.num.lo : undefined);

function aluScalar(op: number, a: Num, b: Num, is32: boolean): Num {
  const sh = isConst(b) ? b.lo & (is32 ? 31n : 63n) : undefined;
  switch (op) {
    case 0x00:
      return addNum(a, b);
    case 0x10:
      return subNum(a, b);
    case 0x20:
      return mulNum(a, b);
    case 0x30:
      return isConst(b) && b.lo !== 0n ? makeNum(a.lo / b.lo, a.hi / b.lo, 0n, U64_MAX) : isConst(b) ? constNum(0n) : TOP_NUM;
    case 0x40:
      return orNum(a, b);
    case 0x50:
      return andNum(a, b);
    case 0x60:
      return sh === undefined ? TOP_NUM : lshNum(is32 ? trunc32(a) : a, sh);
    case 0x70:
      return sh === undefined ? TOP_NUM : rshNum(is32 ? trunc32(a) : a, sh);
    case 0x90:
      return isConst(b) && b.lo !== 0n ? makeNum(0n, b.lo - 1n < a.hi ? b.lo - 1n : a.hi, 0n, U64_MAX) : TOP_NUM;
    case 0xa0:
      return xorNum(a, b);
    case 0xb0:
      return b;
    case 0xc0: {
      if (sh === undefined) return TOP_NUM;
      if (isConst(a)) return constNum(BigInt.asIntN(is32 ? 32 : 64, a.lo) >> sh);
      return TOP_NUM;
    }
    default:
      return TOP_NUM;
  }
}

function alu(s: State, insn: Insn, emitUninit: (reg: number) => void): void {
  const is32 = insnClass(insn.opcode) === CLASS_ALU;
  const op = aluOp(insn.opcode);
  if (insn.dst > 9) return;
  const dst = s.regs[insn.dst] as AbsVal;
  let src: AbsVal;
  if (usesRegSource(insn.opcode)) {
    src = s.regs[insn.src] ?? UNKNOWN;
    if (src.tags.includes('uninit')) emitUninit(insn.src);
  } else {
    src = scalar(constNum(is32 ? BigInt(insn.imm >>> 0) : BigInt(insn.imm)));
  }
  if (op !== 0xb0 && dst.tags.includes('uninit')) emitUninit(insn.dst);
  // The number is the value's bits whatever its provenance, so it is always computed.
  const bits = op === 0x80 ? negNum(dst.num) : op === 0xd0 ? TOP_NUM : aluScalar(op, dst.num, src.num, is32);
  const num = is32 ? trunc32(bits) : bits;
  let out: AbsVal;
  if (op === 0xb0) {
    out = is32 ? scalar(num) : src;
  } else if (isScalar(dst) && (isScalar(src) || op === 0x80 || op === 0xd0)) {
    out = scalar(num);
  } else if (!is32 && (op === 0x00 || op === 0x10) && isScalar(src) && !dst.tags.includes('scalar')) {
    // Pointer plus or minus a number: same provenance, shifted frame offset.
    out = { num, tags: dst.tags };
    if (dst.stack !== undefined) {
      const [slo, shi] = signedRange(src.num);
      const lim = 1n << 20n;
      if (slo > -lim && shi < lim) {
        const a = Number(slo),
          b = Number(shi);
        out.stack = op === 0x00 ? [dst.stack[0] + a, dst.stack[1] + b] : [dst.stack[0] - b, dst.stack[1] - a];
      } else out.stack = [-(1 << 20), 1 << 20];
    }
  } else if (!is32 && op === 0x00 && isScalar(dst) && !src.tags.includes('scalar')) {
    out = { num, tags: src.tags };
    if (src.stack !== undefined) {
      const [slo, shi] = signedRange(dst.num);
      const lim = 1n << 20n;
      out.stack = slo > -lim && shi < lim ? [src.stack[0] + Number(slo), src.stack[1] + Number(shi)] : [-(1 << 20), 1 << 20];
    }
  } else if (is32 || (op === 0x10 && dst.stack !== undefined && src.stack !== undefined && dst.tags.length === 1 && src.tags.length === 1)) {
    out = scalar(num); // truncated values and differences of frame pointers are numbers
  } else {
    const tags = [...new Set([...dst.tags, ...src.tags, 'unknown'])].filter((t) => t !== 'scalar' && t !== 'uninit').sort();
    out = { num, tags };
  }
  s.regs[insn.dst] = out;
}

/** Result of a helper call in r0. */
function callResult(name: string | undefined, args: AbsVal[]): AbsVal {
  if (name === undefined) return UNKNOWN;
  if (isHeapAllocator(name)) return tagged('heap');
  if (isMetadataHelper(name)) return tagged('heapval');
  const acc = accessorOf(name);
  if (acc !== undefined && !acc.write) {
    const key = constOf(args[1]);
    if (key === undefined) return UNKNOWN;
    const keyName = accessKeyName(acc.kind, Number(key));
    if (acc.kind === 'cnx' && key === 0n) {
      const i = constOf(args[2]);
      return tagged(`in:${i === undefined ? '?' : String(i)}`);
    }
    if (keyName === undefined) return UNKNOWN;
    const kind = pointerKindOfKey(keyName);
    if (kind !== undefined) return tagged(`obj:${kind}:${keyName}`);
    return scalar(TOP_NUM);
  }
  if (acc !== undefined) return scalar(TOP_NUM);
  if (name === 'picoquic_current_time' || name === 'strlen' || name === 'memcmp' || name === 'strncmp' || name === 'strcmp') return scalar(TOP_NUM);
  return tagged(`helper:${name}`);
}

function callEffect(p: Program, s: State, insn: Insn, emitCall: ((e: CallEvent) => void) | undefined): void {
  const name = helperName(p, insn);
  const args = [1, 2, 3, 4, 5].map((r) => s.regs[r] as AbsVal);
  if (emitCall !== undefined) emitCall({ pc: insn.pc, name, args, state: cloneState(s) });
  const writer = name === undefined ? undefined : memoryWriterOf(name);
  const touched = writer !== undefined ? [args[writer.dst - 1]] : name === undefined || accessorOf(name) === undefined ? args : [];
  for (const a of touched) {
    if (a?.stack === undefined) continue;
    const len = writer?.len !== undefined ? constOf(args[writer.len - 1]) : undefined;
    const lo = a.stack[0];
    const hi = len !== undefined && len < 1n << 20n ? a.stack[1] + Number(len) : 1;
    clobberStack(s, lo, hi);
  }
  s.regs[0] = callResult(name, args);
  for (let r = 1; r <= 5; r++) s.regs[r] = UNINIT;
}

function memLoadResult(base: AbsVal, size: number, s: State, off: number): AbsVal {
  if (base.tags.length === 1 && base.tags[0] === 'stack' && base.stack !== undefined) {
    return readStack(s, base.stack[0] + off, base.stack[1] + off, size);
  }
  if (base.tags.every((t) => t === 'heap' || t === 'heapval')) return tagged('heapval');
  if (base.tags.every((t) => t.startsWith('str:'))) return scalar(size === 8 ? TOP_NUM : makeNum(0n, (1n << BigInt(size * 8)) - 1n, 0n, (1n << BigInt(size * 8)) - 1n));
  return UNKNOWN;
}

/**
 * What a loop proof knows about a loop: at most `trips` back edges per entry,
 * and locations ("r3", "s-16") that move by a fixed step per iteration. At the
 * loop's header these bound the widening: a counter or a pointer walking an
 * array stays within entry + [0, trips] * step instead of going to infinity.
 */
export interface LoopHint {
  body: ReadonlySet<number>;
  trips: bigint;
  steps: ReadonlyMap<string, bigint>;
}

const LIM = 1n << 20n;

function boundedByTrips(entry: AbsVal | undefined, widened: AbsVal, step: bigint, trips: bigint): AbsVal {
  if (entry === undefined) return widened;
  const span = step * trips;
  const out: AbsVal = { ...widened };
  if (entry.stack !== undefined && widened.stack !== undefined) {
    if (span > -LIM && span < LIM) {
      const d = Number(span);
      out.stack = [entry.stack[0] + Math.min(0, d), entry.stack[1] + Math.max(0, d)];
    }
  }
  if (isScalar(entry) && isScalar(widened)) {
    const lo = span < 0n ? entry.num.lo + span : entry.num.lo;
    const hi = span > 0n ? entry.num.hi + span : entry.num.hi;
    if (lo >= 0n && hi <= U64_MAX) out.num = numRange(lo, hi);
  }
  return out;
}

function applyHint(widened: State, entry: State, hint: LoopHint): void {
  for (const [loc, step] of hint.steps) {
    if (loc.startsWith('r')) {
      const r = Number(loc.slice(1));
      const w = widened.regs[r];
      if (w !== undefined) widened.regs[r] = boundedByTrips(entry.regs[r], w, step, hint.trips);
    } else {
      const off = Number(loc.slice(1));
      const w = widened.stack.get(off);
      const e = entry.stack.get(off);
      if (w !== undefined && e !== undefined && e.size === w.size) widened.stack.set(off, { size: w.size, val: boundedByTrips(e.val, w.val, step, hint.trips) });
    }
  }
}

export interface StepHooks {
  mem?: (e: MemEvent) => void;
  call?: (e: CallEvent) => void;
  uninit?: (pc: number, reg: number) => void;
}

export function step(p: Program, s: State, insn: Insn, hooks: StepHooks = {}): void {
  const cls = insnClass(insn.opcode);
  const emitUninit = (reg: number): void => hooks.uninit?.(insn.pc, reg);
  const readReg = (r: number): AbsVal => {
    const v = s.regs[r] ?? UNKNOWN;
    if (v.tags.includes('uninit')) emitUninit(r);
    return v;
  };
  if (insn.opcode === OP_LDDW) {
    if (insn.dst > 9) return;
    const load = p.loads.get(insn.pc);
    s.regs[insn.dst] = load !== undefined ? tagged(`str:${load.pquicString ?? load.symbol}`) : scalar(constNum(insn.imm64 ?? 0n));
    return;
  }
  if (cls === CLASS_ALU || cls === CLASS_ALU64) return alu(s, insn, emitUninit);
  if (cls === CLASS_LDX) {
    const base = readReg(insn.src);
    const size = memSize(insn.opcode);
    hooks.mem?.({ pc: insn.pc, access: 'load', base, reg: insn.src, off: insn.off, size });
    if (insn.dst <= 9) {
      const v = memLoadResult(base, size, s, insn.off);
      // Narrow loads yield data, whatever the slot held.
      s.regs[insn.dst] = size === 8 ? v : scalar(isScalar(v) ? trunc(v.num, size) : numRange(0n, (1n << BigInt(size * 8)) - 1n));
    }
    return;
  }
  if (cls === CLASS_ST || cls === CLASS_STX) {
    const base = readReg(insn.dst);
    const size = memSize(insn.opcode);
    const value = cls === CLASS_STX ? readReg(insn.src) : scalar(constNum(BigInt(insn.imm)));
    hooks.mem?.({ pc: insn.pc, access: 'store', base, reg: insn.dst, off: insn.off, size, value });
    if (base.stack !== undefined) {
      const lo = base.stack[0] + insn.off;
      const hi = base.stack[1] + insn.off;
      clobberStack(s, lo, hi + size);
      if (lo === hi && base.tags.length === 1) s.stack.set(lo, { size, val: size === 8 ? value : isScalar(value) ? scalar(trunc(value.num, size)) : scalar(TOP_NUM) });
    }
    return;
  }
  if (insn.opcode === OP_CALL) return callEffect(p, s, insn, hooks.call);
  if (insn.opcode === OP_EXIT) {
    readReg(0);
    return;
  }
  if (isCondJump(insn.opcode)) {
    readReg(insn.dst);
    if (usesRegSource(insn.opcode)) readReg(insn.src);
  }
}

function trunc(n: Num, size: number): Num {
  const max = (1n << BigInt(size * 8)) - 1n;
  if (n.hi <= max) return n;
  return isConst(n) ? constNum(n.lo & max) : makeNum(0n, max, n.value & max, n.mask & max);
}

/** Refines the state for the edge of a conditional jump (taken or not). */
export function refine(s: State, insn: Insn, taken: boolean): State {
  const op = insn.opcode & 0xf0;
  const dst = s.regs[insn.dst];
  const srcVal = usesRegSource(insn.opcode) ? s.regs[insn.src] : scalar(constNum(BigInt(insn.imm)));
  if (dst === undefined || srcVal === undefined) return s;
  const out = cloneState(s);
  // Refinement applies to the value's bits, whatever its provenance.
  const apply = (reg: number, v: AbsVal, cmp: number, c: bigint, flip: boolean): void => {
    let { lo, hi } = v.num;
    // Normalise to "value OP c holds".
    let o = cmp;
    if (flip) o = ({ 0x20: 0xa0, 0x30: 0xb0, 0xa0: 0x20, 0xb0: 0x30 } as Record<number, number>)[cmp] ?? cmp;
    switch (o) {
      case 0x10:
        lo = c;
        hi = c;
        break;
      case 0x50:
        if (lo === c) lo = c + 1n;
        if (hi === c) hi = c - 1n;
        break;
      case 0x20:
        if (lo < c + 1n) lo = c + 1n;
        break;
      case 0x30:
        if (lo < c) lo = c;
        break;
      case 0xa0:
        if (hi > c - 1n) hi = c - 1n;
        break;
      case 0xb0:
        if (hi > c) hi = c;
        break;
      default:
        return;
    }
    if (lo > hi || lo < 0n || hi > U64_MAX) return;
    out.regs[reg] = { ...v, num: makeNum(lo, hi, v.num.value, v.num.mask) };
  };
  const negate: Record<number, number> = { 0x10: 0x50, 0x50: 0x10, 0x20: 0xb0, 0x30: 0xa0, 0xa0: 0x30, 0xb0: 0x20 };
  const cmp = taken ? op : negate[op];
  if (cmp === undefined) return s;
  const c = constOf(srcVal);
  if (c !== undefined) apply(insn.dst, dst, cmp, c, false);
  const d = constOf(dst);
  if (d !== undefined && usesRegSource(insn.opcode) && srcVal !== undefined) apply(insn.src, srcVal, cmp, d, true);
  return out;
}

export function entryState(isEntry: boolean): State {
  const regs: AbsVal[] = [];
  for (let r = 0; r <= 10; r++) regs.push(UNINIT);
  regs[1] = isEntry ? tagged('cnx') : UNKNOWN;
  regs[10] = stackPtr(0);
  return { regs, stack: new Map() };
}

function blockOut(p: Program, b: Block, s: State, hooks: StepHooks): State {
  const out = cloneState(s);
  for (let pc = b.start; pc <= b.end; pc++) {
    const insn = p.insns[pc];
    if (insn === undefined) break;
    step(p, out, insn, hooks);
    if (insn.opcode === OP_LDDW) pc++;
  }
  return out;
}

export function interpret(p: Program, cfg: Cfg, isEntry: boolean, hints?: ReadonlyMap<number, LoopHint>): AbsResult {
  const n = cfg.blocks.length;
  const inState: (State | undefined)[] = new Array<State | undefined>(n).fill(undefined);
  const edges = new Map<string, State>();
  const visits = new Int32Array(n);
  const headers = new Set(cfg.loops.map((l) => l.header));
  for (const [, to] of cfg.irreducible) headers.add(to);
  const order = new Int32Array(n);
  cfg.rpo.forEach((b, i) => (order[b] = i));
  let gaveUp = false;
  let steps = 0;
  if (n > 0) inState[0] = entryState(isEntry);
  const pending = new Set<number>(n > 0 ? [0] : []);
  const edgeOut = (b: Block, out: State): [number, State][] => {
    const last = p.insns[b.end];
    if (last === undefined) return [];
    if (isCondJump(last.opcode)) {
      const target = cfg.blockOf[b.end + 1 + last.off] ?? -1;
      const fall = cfg.blockOf[b.end + 1] ?? -1;
      const res: [number, State][] = [];
      if (target >= 0) res.push([target, refine(out, last, true)]);
      if (fall >= 0 && fall !== target) res.push([fall, refine(out, last, false)]);
      else if (fall >= 0) res.push([fall, out]);
      return res;
    }
    return b.succs.map((s) => [s, out]);
  };
  while (pending.size > 0) {
    let best = -1;
    for (const b of pending) if (best < 0 || (order[b] ?? 0) < (order[best] ?? 0)) best = b;
    pending.delete(best);
    const b = cfg.blocks[best] as Block;
    const s = inState[best];
    if (s === undefined) continue;
    visits[best] = (visits[best] ?? 0) + 1;
    if ((visits[best] ?? 0) > MAX_VISITS_PER_BLOCK) {
      gaveUp = true;
      break;
    }
    // Work is instructions plus the state carried through the block.
    steps += b.end - b.start + 1 + s.stack.size;
    if (steps > MAX_STEPS) {
      gaveUp = true;
      break;
    }
    const out = blockOut(p, b, s, {});
    for (const [succ, es] of edgeOut(b, out)) {
      edges.set(`${best}>${succ}`, es);
      const old = inState[succ];
      const widen = headers.has(succ) && (visits[succ] ?? 0) >= WIDEN_AFTER;
      const next = old === undefined ? es : joinState(old, es, widen);
      const hint = widen ? hints?.get(succ) : undefined;
      if (hint !== undefined) {
        let entry: State | undefined;
        for (const pred of (cfg.blocks[succ] as Block).preds) {
          if (hint.body.has(pred)) continue;
          const e = edges.get(`${pred}>${succ}`);
          if (e !== undefined) entry = entry === undefined ? e : joinState(entry, e, false);
        }
        if (entry !== undefined) applyHint(next, entry, hint);
      }
      if (old === undefined || !eqState(old, next)) {
        inState[succ] = next;
        pending.add(succ);
      }
    }
  }
  const mem: MemEvent[] = [];
  const calls: CallEvent[] = [];
  const uninit: { pc: number; reg: number }[] = [];
  const seen = new Set<string>();
  if (!gaveUp) {
    for (const bid of cfg.rpo) {
      const s = inState[bid];
      if (s === undefined) continue;
      blockOut(p, cfg.blocks[bid] as Block, s, {
        mem: (e) => void mem.push(e),
        call: (e) => void calls.push(e),
        uninit: (pc, reg) => {
          const k = `${pc}:${reg}`;
          if (!seen.has(k)) {
            seen.add(k);
            uninit.push({ pc, reg });
          }
        },
      });
    }
  }
  mem.sort((a, b) => a.pc - b.pc);
  calls.sort((a, b) => a.pc - b.pc);
  uninit.sort((a, b) => a.pc - b.pc || a.reg - b.reg);
  return { inState, edge: (from, to) => edges.get(`${from}>${to}`), mem, calls, uninit, gaveUp };
}

/** The state just before slot `pc` of block `b`, given the block's entry state. */
export function stateBefore(p: Program, b: Block, entry: State, pc: number): State {
  const out = cloneState(entry);
  for (let at = b.start; at < pc && at <= b.end; at++) {
    const insn = p.insns[at];
    if (insn === undefined) break;
    step(p, out, insn);
    if (insn.opcode === OP_LDDW) at++;
  }
  return out;
}
