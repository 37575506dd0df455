// termination: every natural loop must be shown to end. For each exit test
// that runs on every iteration (its block dominates all latches), a symbolic
// pass over the loop body expresses the compared values as "location at the
// header + constant". A location (register or 8-byte frame slot) that moves
// by a non-zero constant of one sign on every path back to the header is an
// induction variable; compared against a loop-invariant bound it yields a
// ranking argument, once the ranges from the abstract interpretation show the
// variable cannot wrap around before the bound (and, for "!=" exits, that it
// starts on the right side of the bound and meets it exactly: congruence).
// A list walk (p = get_X(p, AK_*_NEXT_*) until p == 0) is accepted only under
// an explicit assumption the policy may turn off. Irreducible control flow
// and loops without any exit fail.
import type { Num } from '../absval.ts';
import { TOP_NUM, U64_MAX, addNum, constNum, subNum, isConst, isScalar, joinNum, signedRange } from '../absval.ts';
import type { MemEvent, State } from '../absint.ts';
import type { LoopHint } from '../absint.ts';
import { stateBefore } from '../absint.ts';
import type { PlugletAnalysis } from '../analysis.ts';
import { accessKeyName, accessorOf, isNextKey } from '../api.ts';
import type { Block, Loop } from '../cfg.ts';
import { dominates } from '../cfg.ts';
import type { Finding } from '../finding.ts';
import type { Insn } from '../insn.ts';
import { CLASS_ALU64, CLASS_LDX, CLASS_ST, CLASS_STX, OP_CALL, OP_LDDW, aluOp, insnClass, isCondJump, memSize, usesRegSource } from '../insn.ts';

export interface TerminationOptions {
  /** Accept walks of core linked lists through next-pointer getters. */
  assumeFiniteLists: boolean;
}

const CHECK = 'termination';

/** Symbolic value: a header location plus a constant, a constant, or a list step. */
type Sym = { loc: string; k: bigint } | { c: bigint } | { next: number } | 'top';
type SymState = Map<string, Sym>;

const regLoc = (r: number): string => `r${r}`;
const slotLoc = (off: number): string => `s${off}`;

function symEq(a: Sym | undefined, b: Sym | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === 'top' || b === 'top') return false;
  if ('loc' in a && 'loc' in b) return a.loc === b.loc && a.k === b.k;
  if ('c' in a && 'c' in b) return a.c === b.c;
  if ('next' in a && 'next' in b) return a.next === b.next;
  return false;
}

function get(s: SymState, loc: string): Sym {
  return s.get(loc) ?? 'top';
}

function addK(v: Sym, d: bigint): Sym {
  if (v === 'top') return 'top';
  if ('loc' in v) return { loc: v.loc, k: v.k + d };
  if ('c' in v) return { c: BigInt.asUintN(64, v.c + d) };
  return 'top';
}

function transfer(a: PlugletAnalysis, s: SymState, insn: Insn, memAt: Map<number, MemEvent>): void {
  const cls = insnClass(insn.opcode);
  const dst = regLoc(insn.dst);
  if (insn.opcode === OP_LDDW) {
    s.set(dst, a.program.loads.has(insn.pc) ? 'top' : { c: insn.imm64 ?? 0n });
    return;
  }
  if (cls === CLASS_ALU64 || cls === 0x04) {
    const op = aluOp(insn.opcode);
    const is64 = cls === CLASS_ALU64;
    const src: Sym = usesRegSource(insn.opcode) ? get(s, regLoc(insn.src)) : { c: BigInt.asUintN(64, BigInt(insn.imm)) };
    if (!is64) {
      s.set(dst, 'top');
      return;
    }
    if (op === 0xb0) s.set(dst, src);
    else if ((op === 0x00 || op === 0x10) && src !== 'top' && 'c' in src) {
      const d = op === 0x00 ? BigInt.asIntN(64, src.c) : -BigInt.asIntN(64, src.c);
      s.set(dst, addK(get(s, dst), d));
    } else s.set(dst, 'top');
    return;
  }
  if (cls === CLASS_LDX) {
    const e = memAt.get(insn.pc);
    const base = e?.base;
    if (memSize(insn.opcode) === 8 && base?.stack !== undefined && base.tags.length === 1 && base.stack[0] === base.stack[1]) {
      s.set(dst, get(s, slotLoc(base.stack[0] + insn.off)));
    } else s.set(dst, 'top');
    return;
  }
  if (cls === CLASS_ST || cls === CLASS_STX) {
    const e = memAt.get(insn.pc);
    const base = e?.base;
    if (base?.stack === undefined) return;
    if (base.stack[0] === base.stack[1] && base.tags.length === 1) {
      const off = base.stack[0] + insn.off;
      const size = memSize(insn.opcode);
      for (const loc of [...s.keys()]) {
        if (!loc.startsWith('s')) continue;
        const o = Number(loc.slice(1));
        if (o < off + size && o + 8 > off) s.set(loc, 'top');
      }
      if (size === 8) s.set(slotLoc(off), cls === CLASS_STX ? get(s, regLoc(insn.src)) : { c: BigInt.asUintN(64, BigInt(insn.imm)) });
    } else {
      for (const loc of [...s.keys()]) if (loc.startsWith('s')) s.set(loc, 'top');
    }
    return;
  }
  if (insn.opcode === OP_CALL) {
    const call = a.plainAbs.calls.find((c) => c.pc === insn.pc);
    let r0: Sym = 'top';
    const acc = call?.name === undefined ? undefined : accessorOf(call.name);
    if (call !== undefined && acc !== undefined && !acc.write) {
      const key = call.args[1];
      if (key !== undefined && isScalar(key) && isConst(key.num)) {
        const name = accessKeyName(acc.kind, Number(key.num.lo));
        if (name !== undefined && isNextKey(name)) r0 = { next: insn.pc };
      }
    }
    s.set('r0', r0);
    for (let r = 1; r <= 5; r++) s.set(regLoc(r), 'top');
    const stackArg = call === undefined || call.args.some((v) => v.stack !== undefined);
    if (stackArg && acc === undefined) for (const loc of [...s.keys()]) if (loc.startsWith('s')) s.set(loc, 'top');
  }
}

interface LoopFacts {
  /** Symbolic state at the end of each body block. */
  outAt: Map<number, SymState>;
  /** Per-location step on every latch, when it is a constant. */
  steps: Map<string, bigint[]>;
}

/** Bound on symbolic instruction steps over all loops of one pluglet. */
const MAX_SYMBOLIC_STEPS = 2_000_000;

function symbolic(a: PlugletAnalysis, loop: Loop, locs: string[], memAt: Map<number, MemEvent>, budget: { steps: number }): LoopFacts {
  const cfg = a.cfg;
  const start: SymState = new Map(locs.map((l) => [l, { loc: l, k: 0n } as Sym]));
  const inAt = new Map<number, SymState>([[loop.header, start]]);
  const outAt = new Map<number, SymState>();
  const order = cfg.rpo.filter((b) => loop.body.has(b));
  for (let round = 0, changed = true; changed && round < 20; round++) {
    changed = false;
    for (const bid of order) {
      const sin = inAt.get(bid);
      if (sin === undefined) continue;
      const s = new Map(sin);
      const b = cfg.blocks[bid] as Block;
      budget.steps += (b.end - b.start + 1) * Math.max(1, locs.length >> 4);
      for (let pc = b.start; pc <= b.end; pc++) {
        const insn = a.program.insns[pc];
        if (insn === undefined) break;
        transfer(a, s, insn, memAt);
        if (insn.opcode === OP_LDDW) pc++;
      }
      outAt.set(bid, s);
      for (const succ of b.succs) {
        if (succ === loop.header || !loop.body.has(succ)) continue;
        const old = inAt.get(succ);
        let next: SymState;
        if (old === undefined) next = new Map(s);
        else {
          next = new Map();
          for (const loc of new Set([...old.keys(), ...s.keys()])) {
            const x = get(old, loc);
            next.set(loc, symEq(x, get(s, loc)) ? x : 'top');
          }
        }
        if (old === undefined || [...next].some(([k, v]) => !symEq(v, old.get(k)))) {
          inAt.set(succ, next);
          changed = true;
        }
      }
    }
  }
  const steps = new Map<string, bigint[]>();
  for (const loc of locs) {
    const ks: bigint[] = [];
    for (const l of loop.latches) {
      const v = outAt.get(l)?.get(loc);
      if (v === undefined || v === 'top' || !('loc' in v) || v.loc !== loc) break;
      ks.push(v.k);
    }
    if (ks.length === loop.latches.length) steps.set(loc, ks);
  }
  return { outAt, steps };
}

function valueOfLoc(state: State, loc: string): Num {
  if (loc.startsWith('r')) {
    return state.regs[Number(loc.slice(1))]?.num ?? TOP_NUM;
  }
  const slot = state.stack.get(Number(loc.slice(1)));
  return slot?.val.num ?? TOP_NUM;
}

/** Adds a constant to a range; undefined when the result may wrap. */
function shift(n: Num, k: bigint): Num | undefined {
  const lo = n.lo + k;
  const hi = n.hi + k;
  if (lo < 0n || hi > U64_MAX) return undefined;
  if (k === 0n) return n;
  return k > 0n ? addNum(n, constNum(k)) : subNum(n, constNum(-k));
}

const swapOp: Record<number, number> = { 0x20: 0xa0, 0x30: 0xb0, 0xa0: 0x20, 0xb0: 0x30, 0x60: 0xc0, 0x70: 0xd0, 0xc0: 0x60, 0xd0: 0x70, 0x10: 0x10, 0x50: 0x50 };
const negOp: Record<number, number> = { 0x10: 0x50, 0x50: 0x10, 0x20: 0xb0, 0x30: 0xa0, 0xa0: 0x30, 0xb0: 0x20, 0x60: 0xd0, 0x70: 0xc0, 0xc0: 0x70, 0xd0: 0x60 };

function lowBitsAgree(a: Num, b: Num, bits: bigint): boolean {
  const m = (1n << bits) - 1n;
  return ((a.mask | b.mask) & m) === 0n && (a.value & m) === (b.value & m);
}

/** Tries to prove the exit test at the end of block `from` bounds the loop. Returns a reason when it cannot. */
type ExitProof = { ok: true; assumption?: string; trips?: bigint } | { ok: false; reason: string };

/**
 * Back edges taken at most, from the distance the variable covers towards the
 * bound: while it stays strictly before the bound (ceil), up to and including
 * it (floor + 1), or until it meets the bound exactly.
 */
function tripsOf(span: bigint, step: bigint, kind: 'strict' | 'inclusive' | 'exact'): bigint {
  if (span < 0n) return 0n;
  if (kind === 'exact') return span / step;
  if (kind === 'strict') return (span + step - 1n) / step;
  return span / step + 1n;
}

function proveExit(a: PlugletAnalysis, loop: Loop, from: number, facts: LoopFacts, entry: State | undefined): ExitProof {
  const cfg = a.cfg;
  const b = cfg.blocks[from] as Block;
  const insn = a.program.insns[b.end] as Insn;
  if (!isCondJump(insn.opcode)) return { ok: false, reason: 'the loop is left only through an unconditional jump' };
  const targetInLoop = loop.body.has(cfg.blockOf[b.end + 1 + insn.off] ?? -1);
  let op = insn.opcode & 0xf0;
  if (op === 0x40) return { ok: false, reason: `the exit test at ${b.end} is a bit test` };
  if (!targetInLoop) op = negOp[op] as number; // the loop continues on the fall-through edge
  for (const s of loop.latches) if (!dominates(cfg, from, s)) return { ok: false, reason: `the exit test at ${b.end} does not run on every iteration` };
  const sym = facts.outAt.get(from);
  if (sym === undefined) return { ok: false, reason: 'no symbolic facts' };
  const left = get(sym, regLoc(insn.dst));
  let right: Sym = usesRegSource(insn.opcode) ? get(sym, regLoc(insn.src)) : { c: BigInt.asUintN(64, BigInt(insn.imm)) };
  const ivOf = (v: Sym): { loc: string; k: bigint; step: bigint[] } | undefined => {
    if (v === 'top' || !('loc' in v)) return undefined;
    const st = facts.steps.get(v.loc);
    if (st === undefined || st.some((x) => x === 0n) || !(st.every((x) => x > 0n) || st.every((x) => x < 0n))) return undefined;
    return { loc: v.loc, k: v.k, step: st };
  };
  const isInvariant = (v: Sym): boolean => v !== 'top' && ('c' in v || ('loc' in v && (facts.steps.get(v.loc)?.every((x) => x === 0n) ?? false)));

  // List walks: continue while p != 0 with p from a next-pointer getter of this iteration.
  const isNull = (v: Sym): boolean => v !== 'top' && 'c' in v && v.c === 0n;
  const listStep = (v: Sym): boolean => v !== 'top' && 'next' in v && loop.body.has(cfg.blockOf[v.next] ?? -1);
  if (op === 0x50 && ((listStep(left) && isNull(right)) || (listStep(right) && isNull(left)))) {
    // Whether the policy accepts the assumption is decided by the check.
    return { ok: true, assumption: "walks a core linked list until a null next pointer; accepted under the assumption that PQUIC's lists are finite and acyclic" };
  }

  let iv = ivOf(left);
  let rightReg: number | undefined = usesRegSource(insn.opcode) ? insn.src : undefined;
  if (iv === undefined || !isInvariant(right)) {
    const iv2 = ivOf(right);
    if (iv2 !== undefined && isInvariant(left)) {
      right = left;
      rightReg = insn.dst;
      iv = iv2;
      op = swapOp[op] as number;
    }
  }
  if (iv === undefined)
    return {
      ok: false,
      reason: `no induction variable in the exit test at ${b.end} (${a.program.insns[b.end] === undefined ? '' : 'the compared values do not change by a constant on every iteration'})`,
    };
  if (!isInvariant(right)) return { ok: false, reason: `the bound of the exit test at ${b.end} changes inside the loop` };

  // Ranges: the bound at the test, the variable when the loop is entered.
  const atTest = a.plainAbs.inState[from] === undefined ? undefined : stateBefore(a.program, b, a.plainAbs.inState[from] as State, b.end);
  let bound: Num = TOP_NUM;
  if (right !== 'top' && 'c' in right) bound = constNum(right.c);
  else if (rightReg !== undefined && atTest !== undefined) bound = valueOfLoc(atTest, regLoc(rightReg));
  const up = iv.step.every((x) => x > 0n);
  const stepMin = iv.step.reduce((m, x) => ((x < 0n ? -x : x) < m ? (x < 0n ? -x : x) : m), 1n << 64n);
  const signed = op >= 0x60 && op !== 0xa0 && op !== 0xb0;
  const S_MAX = (1n << 63n) - 1n;
  const S_MIN = -(1n << 63n);
  const [bs, bsHi] = signedRange(bound);
  const loc = iv.loc;
  switch (op) {
    case 0xa0:
    case 0xb0:
    case 0xc0:
    case 0xd0: {
      // continue while x < b / x <= b
      if (!up) return { ok: false, reason: `the variable of the exit test at ${b.end} decreases while the loop runs as long as it stays below the bound` };
      const strict = op === 0xa0 || op === 0xc0;
      const stepMax = iv.step.reduce((m, x) => (x > m ? x : m), 0n);
      const limit = signed ? bsHi + (strict ? -1n : 0n) + stepMax <= S_MAX : bound.hi + (strict ? -1n : 0n) + stepMax <= U64_MAX;
      if (!limit) return { ok: false, reason: `the variable of the exit test at ${b.end} may wrap around past the bound (step ${stepMax})` };
      const start = entry === undefined ? undefined : shift(valueOfLoc(entry, loc), iv.k);
      if (start === undefined) return { ok: true };
      return { ok: true, trips: tripsOf(signed ? bsHi - signedRange(start)[0] : bound.hi - start.lo, stepMin, strict ? 'strict' : 'inclusive') };
    }
    case 0x20:
    case 0x30:
    case 0x60:
    case 0x70: {
      // continue while x > b / x >= b
      if (up) return { ok: false, reason: `the variable of the exit test at ${b.end} increases while the loop runs as long as it stays above the bound` };
      const strict = op === 0x20 || op === 0x60;
      const stepMax = iv.step.reduce((m, x) => (-x > m ? -x : m), 0n);
      const limit = signed ? bs + (strict ? 1n : 0n) - stepMax >= S_MIN : bound.lo + (strict ? 1n : 0n) >= stepMax;
      if (!limit) return { ok: false, reason: `the variable of the exit test at ${b.end} may wrap around below the bound (step ${stepMax})` };
      const start = entry === undefined ? undefined : shift(valueOfLoc(entry, loc), iv.k);
      if (start === undefined) return { ok: true };
      return { ok: true, trips: tripsOf(signed ? signedRange(start)[1] - bs : start.hi - bound.lo, stepMin, strict ? 'strict' : 'inclusive') };
    }
    case 0x10: // continue while x == b: after one step x differs
      return { ok: true, trips: 1n };
    case 0x50: {
      // continue while x != b: x must meet b exactly
      if (iv.step.some((x) => x !== iv.step[0])) return { ok: false, reason: `the variable of the "!=" exit test at ${b.end} moves by different steps on different paths` };
      let start: Num | undefined;
      if (entry !== undefined) start = shift(valueOfLoc(entry, loc), iv.k);
      if (start === undefined) return { ok: false, reason: `the start value of the variable of the "!=" exit test at ${b.end} is unknown or may wrap` };
      const step = stepMin;
      let bits = 0n;
      while (((step >> bits) & 1n) === 0n) bits++;
      const oddPart = step >> bits;
      const congruent = isConst(start) && isConst(bound) ? (up ? bound.lo - start.lo : start.lo - bound.lo) % step === 0n : oddPart === 1n && lowBitsAgree(start, bound, bits);
      if (!congruent) return { ok: false, reason: `the "!=" exit test at ${b.end} may be stepped over: the distance to the bound is not known to be a multiple of the step ${step}` };
      const meets = up ? start.hi <= bound.lo : start.lo >= bound.hi;
      if (!meets)
        return {
          ok: false,
          reason: `the "!=" exit test at ${b.end} may never hold: nothing shows the variable starts ${up ? 'below' : 'above'} the bound (start ${start.lo}..${start.hi}, bound ${bound.lo}..${bound.hi}); add a guard`,
        };
      return { ok: true, trips: tripsOf(up ? bound.hi - start.lo : start.hi - bound.lo, step, 'exact') };
    }
    default:
      return { ok: false, reason: `unsupported comparison in the exit test at ${b.end}` };
  }
}

export interface LoopVerdict {
  loop: Loop;
  proven: boolean;
  /** Set when the proof rests on the list assumption. */
  assumption?: string;
  reasons: string[];
  /** At most this many back edges per entry into the loop, when known. */
  trips?: bigint;
  /** Locations moving by the same constant on every latch. */
  steps: Map<string, bigint>;
  /** Set when the analysis budget ran out before this loop. */
  skipped?: boolean;
}

const verdictCache = new WeakMap<PlugletAnalysis, LoopVerdict[]>();

/** The proof attempt for every natural loop (cached per pluglet). */
export function analyseLoops(a: PlugletAnalysis): LoopVerdict[] {
  const hit = verdictCache.get(a);
  if (hit !== undefined) return hit;
  const cfg = a.cfg;
  const memAt = new Map(a.plainAbs.mem.map((e) => [e.pc, e]));
  const slots = new Set<string>();
  for (const e of a.plainAbs.mem) {
    if (e.base.stack !== undefined && e.base.stack[0] === e.base.stack[1] && e.size === 8) slots.add(slotLoc(e.base.stack[0] + e.off));
  }
  const locs = [...Array.from({ length: 10 }, (_, r) => regLoc(r)), ...slots];
  const budget = { steps: 0 };
  const out: LoopVerdict[] = [];
  for (const loop of cfg.loops) {
    const v: LoopVerdict = { loop, proven: false, reasons: [], steps: new Map() };
    out.push(v);
    if (loop.exits.length === 0) continue;
    if (budget.steps > MAX_SYMBOLIC_STEPS) {
      v.skipped = true;
      continue;
    }
    const header = cfg.blocks[loop.header] as Block;
    const facts = symbolic(a, loop, locs, memAt, budget);
    for (const [loc, ks] of facts.steps) if (ks.every((k) => k === ks[0]) && ks[0] !== 0n) v.steps.set(loc, ks[0] as bigint);
    let entry: State | undefined;
    for (const p of header.preds) {
      if (loop.body.has(p)) continue;
      const es = a.plainAbs.edge(p, loop.header);
      if (es === undefined) continue;
      entry = entry === undefined ? es : joinEntry(entry, es);
    }
    for (const from of [...new Set(loop.exits.map(([f]) => f))]) {
      const r = proveExit(a, loop, from, facts, entry);
      if (!r.ok) {
        v.reasons.push(r.reason);
        continue;
      }
      if (r.assumption === undefined) {
        v.proven = true;
        delete v.assumption;
        if (r.trips !== undefined && (v.trips === undefined || r.trips < v.trips)) v.trips = r.trips;
      } else if (!v.proven) {
        v.proven = true;
        v.assumption = r.assumption;
      }
    }
  }
  verdictCache.set(a, out);
  return out;
}

/** Trip bounds of proven loops, for the interpreter's widening. */
export function loopHints(a: PlugletAnalysis): Map<number, LoopHint> {
  const hints = new Map<number, LoopHint>();
  for (const v of analyseLoops(a)) {
    if (v.proven && v.assumption === undefined && v.trips !== undefined && v.steps.size > 0) hints.set(v.loop.header, { body: v.loop.body, trips: v.trips, steps: v.steps });
  }
  return hints;
}

export function checkTermination(a: PlugletAnalysis, opts: TerminationOptions): Finding[] {
  const blockers = a.structuralBlockers(CHECK);
  if (blockers.length > 0) return blockers;
  const cfg = a.cfg;
  const out: Finding[] = [];
  for (const [from, to] of cfg.irreducible) {
    const t = cfg.blocks[to] as Block;
    out.push(
      a.at(
        CHECK,
        'error',
        t.start,
        `irreducible control flow: the cycle entered at ${t.start} (edge from ${(cfg.blocks[from] as Block).end}) has several entries, so no loop bound can be established`,
      ),
    );
  }
  for (const v of analyseLoops(a)) {
    const header = cfg.blocks[v.loop.header] as Block;
    if (v.loop.exits.length === 0) out.push(a.at(CHECK, 'error', header.start, `the loop starting at ${header.start} has no exit: it never terminates`));
    else if (v.skipped === true) out.push(a.at(CHECK, 'error', header.start, `the loop starting at ${header.start} was not analysed: the pluglet exceeds the analysis budget`));
    else if (!v.proven) out.push(a.at(CHECK, 'error', header.start, `cannot prove that the loop starting at ${header.start} terminates: ${v.reasons.join('; ')}`));
    else if (v.assumption !== undefined) {
      if (opts.assumeFiniteLists) out.push(a.at(CHECK, 'warning', header.start, `the loop starting at ${header.start} ${v.assumption}`));
      else out.push(a.at(CHECK, 'error', header.start, `cannot prove that the loop starting at ${header.start} terminates: walks a core linked list; this policy does not assume lists are finite`));
    }
  }
  return out;
}

function joinEntry(x: State, y: State): State {
  const regs = x.regs.map((v, i) => {
    const w = y.regs[i];
    return { num: w === undefined ? TOP_NUM : joinNum(v.num, w.num), tags: ['unknown'] };
  });
  const stack = new Map<number, { size: number; val: State['regs'][number] }>();
  for (const [off, s] of x.stack) {
    const t = y.stack.get(off);
    if (t !== undefined && t.size === s.size) stack.set(off, { size: s.size, val: { num: joinNum(s.val.num, t.val.num), tags: ['unknown'] } });
  }
  return { regs, stack };
}
