// memory: every load and store goes through a pointer the pluglet owns: its
// frame (within the stack profile), its heap, or (reads only) a string
// literal. Core objects are reached through getters/setters only; a direct
// dereference of a core handle is an error. Frame pointers handed to helpers
// must stay within the frame for the length the helper touches.
import type { AbsVal } from '../absval.ts';
import { isConst } from '../absval.ts';
import type { PlugletAnalysis } from '../analysis.ts';
import { kindOfCType, memoryWriterOf } from '../api.ts';
import type { Finding } from '../finding.ts';
import type { Spec } from '../specs.ts';

export interface MemoryOptions {
  stackSize: number;
  spec: Spec | undefined;
}

const CHECK = 'memory';

/** Helpers reading memory: pointer register and length register. */
const readers: Record<string, { ptr: number; len: number }[]> = {
  my_memcpy: [{ ptr: 2, len: 3 }],
  memcmp: [
    { ptr: 1, len: 3 },
    { ptr: 2, len: 3 },
  ],
  strncmp: [
    { ptr: 1, len: 3 },
    { ptr: 2, len: 3 },
  ],
};

export function describeTag(tag: string): string {
  if (tag === 'cnx') return 'the connection handle';
  if (tag.startsWith('obj:')) return `a core object handle (${tag.split(':')[2] ?? '?'})`;
  if (tag.startsWith('in:')) return `input ${tag.slice(3)} of the protocol operation`;
  if (tag.startsWith('helper:')) return `the result of ${tag.slice(7)}`;
  if (tag === 'scalar') return 'a number, not a pointer';
  if (tag === 'uninit') return 'an uninitialised register';
  return 'a value of unknown origin';
}

export function checkMemory(a: PlugletAnalysis, opts: MemoryOptions): Finding[] {
  const blockers = a.structuralBlockers(CHECK);
  if (blockers.length > 0) return blockers;
  const out: Finding[] = [];
  const frame = (pc: number, base: AbsVal, off: number, size: number, what: string): void => {
    const s = base.stack;
    if (s === undefined) return;
    const lo = s[0] + off;
    const hi = s[1] + off + size;
    if (lo < -opts.stackSize || hi > 0) {
      out.push(a.at(CHECK, 'error', pc, `${what} at frame offsets [${lo}, ${hi}) leaves the ${opts.stackSize}-byte stack [-${opts.stackSize}, 0)`));
    }
  };
  for (const e of a.abs.mem) {
    const what = e.access === 'load' ? `load of ${e.size} byte(s)` : `store of ${e.size} byte(s)`;
    for (const tag of e.base.tags) {
      if (tag === 'stack') frame(e.pc, e.base, e.off, e.size, what);
      else if (tag === 'heap' || tag === 'heapval') continue;
      else if (tag.startsWith('str:')) {
        if (e.access === 'store') out.push(a.at(CHECK, 'error', e.pc, `${what} into a string literal, which is read-only`));
      } else if (tag.startsWith('in:')) {
        const input = opts.spec?.inputs[Number(tag.slice(3))];
        const core = input !== undefined && kindOfCType(input.type) !== undefined;
        out.push(
          a.at(
            CHECK,
            core ? 'error' : 'warning',
            e.pc,
            `${what} through r${e.reg}, which may be ${describeTag(tag)}${input === undefined ? '' : ` (${input.name}: ${input.type})`}${core ? ': a core object must be accessed through getters and setters' : ": only PQUIC's run-time bounds check protects this access"}`,
          ),
        );
      } else if (tag === 'cnx' || tag.startsWith('obj:') || tag === 'scalar') {
        out.push(a.at(CHECK, 'error', e.pc, `${what} through r${e.reg}, which may be ${describeTag(tag)}${tag === 'scalar' ? '' : ': core objects are accessed through getters and setters only'}`));
      } else {
        out.push(a.at(CHECK, 'warning', e.pc, `${what} through r${e.reg}, which may be ${describeTag(tag)}; its provenance cannot be established`));
      }
    }
  }
  for (const c of a.abs.calls) {
    if (c.name === undefined) continue;
    const spans: { ptr: number; len?: number; what: string }[] = [];
    const w = memoryWriterOf(c.name);
    if (w !== undefined) spans.push({ ptr: w.dst, ...(w.len === undefined ? {} : { len: w.len }), what: `${c.name} writes` });
    for (const r of readers[c.name] ?? []) spans.push({ ptr: r.ptr, len: r.len, what: `${c.name} reads` });
    const covered = new Set(spans.map((s) => s.ptr));
    for (const sp of spans) {
      const ptr = c.args[sp.ptr - 1];
      if (ptr?.stack === undefined) continue;
      const len = sp.len === undefined ? undefined : c.args[sp.len - 1];
      if (len === undefined || !len.tags.includes('scalar') || len.tags.length !== 1) {
        out.push(a.at(CHECK, 'error', c.pc, `${sp.what} through a frame pointer (r${sp.ptr}) with a length that is not a known number`));
        continue;
      }
      const maxLen = len.num.hi;
      if (maxLen > BigInt(opts.stackSize)) {
        out.push(a.at(CHECK, 'error', c.pc, `${sp.what} up to ${isConst(len.num) ? '' : 'at most '}${maxLen} bytes through a frame pointer (r${sp.ptr}), more than the whole stack`));
        continue;
      }
      frame(c.pc, ptr, 0, Number(maxLen), `${sp.what} (r${sp.ptr})`);
    }
    // Other frame pointers handed to helpers must at least point into the frame.
    c.args.forEach((v, i) => {
      if (covered.has(i + 1) || v.stack === undefined || !v.tags.includes('stack')) return;
      frame(c.pc, v, 0, 1, `frame pointer passed to ${c.name} in r${i + 1}`);
    });
  }
  return out;
}
