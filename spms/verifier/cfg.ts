// Control-flow graph of one function: basic blocks, dominators (Cooper-Harvey-
// Kennedy), natural loops (one per header, merged over its back edges) and the
// retreating edges that make control flow irreducible. Built only over slots
// reachable from the function entry; malformed jumps are recorded, not followed.
import type { Insn } from './insn.ts';
import { OP_EXIT, OP_JA, OP_LDDW, isCondJump } from './insn.ts';

export interface Block {
  id: number;
  start: number;
  /** Last slot of the block (inclusive). */
  end: number;
  succs: number[];
  preds: number[];
}

export interface Loop {
  header: number;
  /** Block ids of the loop body, header included. */
  body: Set<number>;
  /** Blocks with a back edge to the header. */
  latches: number[];
  /** Edges leaving the loop: [from block, to block]. */
  exits: [number, number][];
}

export interface Cfg {
  blocks: Block[];
  /** Block id of each slot, -1 for unreachable slots and lddw second halves. */
  blockOf: Int32Array;
  rpo: number[];
  idom: number[];
  loops: Loop[];
  /** Retreating edges whose target does not dominate their source. */
  irreducible: [number, number][];
  /** Slots whose jump leaves the function or lands inside an lddw. */
  badJumps: number[];
  /** Slots from which execution falls off the end of the function. */
  fallsOff: number[];
}

export function buildCfg(insns: readonly Insn[], start: number, end: number): Cfg {
  const isHi = new Uint8Array(insns.length);
  for (let pc = start; pc < end; pc++) if (insns[pc]?.opcode === OP_LDDW) isHi[pc + 1] = 1;
  const valid = (t: number): boolean => t >= start && t < end && isHi[t] !== 1;
  const badJumps: number[] = [];
  const fallsOff: number[] = [];
  const next = (pc: number): number => (insns[pc]?.opcode === OP_LDDW ? pc + 2 : pc + 1);

  // Reachable slots and leaders.
  const reach = new Uint8Array(insns.length);
  const leader = new Uint8Array(insns.length + 1);
  leader[start] = 1;
  const work = [start];
  reach[start] = 1;
  const succOf = (pc: number): number[] => {
    const i = insns[pc];
    if (i === undefined || i.opcode === OP_EXIT) return [];
    const out: number[] = [];
    const fall = next(pc);
    if (i.opcode === OP_JA || isCondJump(i.opcode)) {
      const t = pc + 1 + i.off;
      if (valid(t)) out.push(t);
      else badJumps.push(pc);
      if (i.opcode === OP_JA) return out;
    }
    if (fall < end) out.push(fall);
    else fallsOff.push(pc);
    return out;
  };
  const succSlots = new Map<number, number[]>();
  while (work.length > 0) {
    const pc = work.pop() as number;
    const s = succOf(pc);
    succSlots.set(pc, s);
    const i = insns[pc];
    const branches = i !== undefined && (i.opcode === OP_JA || isCondJump(i.opcode) || i.opcode === OP_EXIT);
    for (const t of s) {
      if (branches) leader[t] = 1;
      if (i !== undefined && (i.opcode === OP_JA || isCondJump(i.opcode))) leader[next(pc)] = 1;
      if (reach[t] === 0) {
        reach[t] = 1;
        work.push(t);
      }
    }
  }
  for (const [pc] of succSlots) {
    const i = insns[pc];
    if (i !== undefined && (i.opcode === OP_JA || isCondJump(i.opcode))) {
      const t = pc + 1 + i.off;
      if (valid(t)) leader[t] = 1;
    }
  }

  const blocks: Block[] = [];
  const blockOf = new Int32Array(insns.length).fill(-1);
  for (let pc = start; pc < end; pc = next(pc)) {
    if (reach[pc] !== 1) continue;
    if (leader[pc] === 1 || blocks.length === 0 || blocks[blocks.length - 1]?.end !== prevSlot(pc)) {
      blocks.push({ id: blocks.length, start: pc, end: pc, succs: [], preds: [] });
    } else {
      (blocks[blocks.length - 1] as Block).end = pc;
    }
    blockOf[pc] = blocks.length - 1;
  }
  function prevSlot(pc: number): number {
    return pc >= 2 && insns[pc - 2]?.opcode === OP_LDDW && isHi[pc - 1] === 1 ? pc - 2 : pc - 1;
  }
  for (const b of blocks) {
    for (const t of succSlots.get(b.end) ?? []) {
      const id = blockOf[t] ?? -1;
      if (id >= 0 && !b.succs.includes(id)) {
        b.succs.push(id);
        (blocks[id] as Block).preds.push(b.id);
      }
    }
  }

  // Reverse postorder, retreating edges.
  const rpo: number[] = [];
  const state = new Uint8Array(blocks.length); // 0 new, 1 on stack, 2 done
  const retreating: [number, number][] = [];
  if (blocks.length > 0) {
    const stack: [number, number][] = [[0, 0]];
    state[0] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as [number, number];
      const b = blocks[top[0]] as Block;
      if (top[1] < b.succs.length) {
        const s = b.succs[top[1]++] as number;
        if (state[s] === 0) {
          state[s] = 1;
          stack.push([s, 0]);
        } else if (state[s] === 1) retreating.push([b.id, s]);
      } else {
        state[b.id] = 2;
        rpo.push(b.id);
        stack.pop();
      }
    }
    rpo.reverse();
  }

  // Dominators.
  const order = new Int32Array(blocks.length).fill(-1);
  rpo.forEach((b, i) => (order[b] = i));
  const idom = new Array<number>(blocks.length).fill(-1);
  if (blocks.length > 0) idom[0] = 0;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while ((order[a] ?? 0) > (order[b] ?? 0)) a = idom[a] as number;
      while ((order[b] ?? 0) > (order[a] ?? 0)) b = idom[b] as number;
    }
    return a;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const b of rpo) {
      if (b === 0) continue;
      let nd = -1;
      for (const p of (blocks[b] as Block).preds) {
        if (idom[p] === -1) continue;
        nd = nd === -1 ? p : intersect(p, nd);
      }
      if (nd !== idom[b]) {
        idom[b] = nd;
        changed = true;
      }
    }
  }
  const dominates = (a: number, b: number): boolean => {
    for (let x = b; ; x = idom[x] as number) {
      if (x === a) return true;
      if (x === 0 || x === -1) return a === x;
    }
  };

  const irreducible = retreating.filter(([from, to]) => !dominates(to, from));
  const byHeader = new Map<number, Loop>();
  for (const [from, to] of retreating) {
    if (!dominates(to, from)) continue;
    let loop = byHeader.get(to);
    if (loop === undefined) {
      loop = { header: to, body: new Set([to]), latches: [], exits: [] };
      byHeader.set(to, loop);
    }
    loop.latches.push(from);
    const stack = [from];
    while (stack.length > 0) {
      const x = stack.pop() as number;
      if (loop.body.has(x)) continue;
      loop.body.add(x);
      for (const p of (blocks[x] as Block).preds) stack.push(p);
    }
  }
  const loops = [...byHeader.values()].sort((a, b) => (blocks[a.header] as Block).start - (blocks[b.header] as Block).start);
  for (const loop of loops) {
    for (const b of [...loop.body].sort((x, y) => x - y)) {
      for (const s of (blocks[b] as Block).succs) if (!loop.body.has(s)) loop.exits.push([b, s]);
    }
  }
  return { blocks, blockOf, rpo, idom, loops, irreducible, badJumps: [...new Set(badJumps)].sort((a, b) => a - b), fallsOff: [...new Set(fallsOff)].sort((a, b) => a - b) };
}

export function dominates(cfg: Cfg, a: number, b: number): boolean {
  for (let x = b; ; x = cfg.idom[x] as number) {
    if (x === a) return true;
    if (x === 0 || x === -1) return a === x;
  }
}
