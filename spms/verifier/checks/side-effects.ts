// side-effects: what a pluglet changes in the host must be within its
// protocol operation's spec. Writes happen through setters (object in r1,
// access key in r2), through outputs (set_cnx AK_CNX_OUTPUT i), through
// helpers that write memory (my_memcpy...), by direct stores, and through
// other protocol operations run with plugin_run_protoop (which need the
// callee's own spec as an effect summary).
import type { AbsVal } from '../absval.ts';
import { isConst, isScalar } from '../absval.ts';
import type { State } from '../absint.ts';
import type { PlugletAnalysis } from '../analysis.ts';
import type { ObjectKind } from '../api.ts';
import { accessKeyField, accessKeyName, accessorOf, kindOfCType, memoryWriterOf } from '../api.ts';
import type { Finding } from '../finding.ts';
import type { Spec } from '../specs.ts';
import { describeTag } from './memory.ts';

export interface SideEffectOptions {
  specs: ReadonlyMap<string, Spec>;
  /** Pluglets whose operation has no spec: pass with a note, or fail. */
  requireSpec: boolean;
}

const CHECK = 'side-effects';

/** Helpers that change core state by themselves, outside the specs' field model. */
const stateChangingHelpers = new Set([
  'reserve_frames',
  'cancel_head_reservation',
  'picoquic_frame_fair_reserve',
  'picoquic_set_cnx_state',
  'picoquic_reinsert_cnx_by_wake_time',
  'picoquic_create_path',
  'picoquic_register_cnx_id_for_cnx',
  'picoquic_create_random_cnx_id_for_cnx',
  'picoquic_create_cnxid_reset_secret_for_cnx',
  'picoquic_update_pacing_data',
  'picoquic_record_pn_received',
  'picoquic_decode_frames_without_current_time',
]);

const constOf = (v: AbsVal | undefined): bigint | undefined => (v !== undefined && isScalar(v) && isConst(v.num) ? v.num.lo : undefined);

/** (kind, field) pairs a spec lets its pluglets write. */
function summary(spec: Spec): Set<string> {
  const out = new Set<string>();
  for (const [obj, fields] of spec.effects) {
    const kind = obj === 'cnx' ? 'cnx' : (kindOfCType(spec.inputs.find((i) => i.name === obj)?.type ?? '') ?? `input:${obj}`);
    for (const f of fields) out.add(`${kind}.${f}`);
  }
  return out;
}

function readSlot(state: State, ptr: AbsVal | undefined): AbsVal | undefined {
  if (ptr?.stack === undefined || ptr.tags.length !== 1 || ptr.stack[0] !== ptr.stack[1]) return undefined;
  const slot = state.stack.get(ptr.stack[0]);
  return slot?.size === 8 ? slot.val : undefined;
}

/** Name of the operation a plugin_run_protoop call runs: params->pid->id, a string. */
function calleeName(state: State, params: AbsVal | undefined): string | undefined {
  const pid = readSlot(state, params);
  const id = readSlot(state, pid);
  if (id === undefined || id.tags.length !== 1) return undefined;
  const tag = id.tags[0] as string;
  return tag.startsWith('str:') ? tag.slice(4) : undefined;
}

export function checkSideEffects(a: PlugletAnalysis, opts: SideEffectOptions): Finding[] {
  const protoop = a.anchoring?.protoop;
  if (protoop === undefined) return [a.note(CHECK, 'info', 'no protocol operation given for this pluglet: side effects not checked')];
  const spec = opts.specs.get(protoop);
  if (spec === undefined) {
    return [
      a.note(CHECK, opts.requireSpec ? 'error' : 'info', `no side-effect spec for protocol operation "${protoop}"${opts.requireSpec ? ' and this policy requires one' : ': side effects not checked'}`),
    ];
  }
  const blockers = a.structuralBlockers(CHECK);
  if (blockers.length > 0) return blockers;
  const out: Finding[] = [];
  const err = (pc: number, m: string): void => void out.push(a.at(CHECK, 'error', pc, m));
  const allowed = (obj: string, field: string): boolean => spec.effects.get(obj)?.has(field) === true;
  const inputOf = (tag: string): Spec['inputs'][number] | undefined => spec.inputs[Number(tag.slice(3))];

  /** Is a raw memory write into what `v` may point to allowed? */
  const memoryWrite = (pc: number, v: AbsVal, what: string): void => {
    for (const tag of v.tags) {
      if (tag === 'cnx' || tag.startsWith('obj:')) err(pc, `${what} into ${describeTag(tag)}: core memory may only change through setters`);
      else if (tag.startsWith('in:')) {
        const input = inputOf(tag);
        if (input === undefined) err(pc, `${what} into input ${tag.slice(3)}, which "${protoop}" does not have`);
        else if (!allowed(input.name, '*')) err(pc, `${what} into input "${input.name}" (${input.type}${input.pointer ? ' *' : ''}); the spec of "${protoop}" does not let pluglets write its memory`);
      }
    }
  };

  for (const c of a.abs.calls) {
    if (c.name === undefined) continue;
    const acc = accessorOf(c.name);
    if (acc?.write === true) {
      const key = constOf(c.args[1]);
      if (key === undefined) {
        err(c.pc, `${c.name} with an access key (r2) that is not a constant: the field written cannot be determined`);
        continue;
      }
      const keyName = accessKeyName(acc.kind, Number(key));
      if (keyName === undefined) {
        err(c.pc, `${c.name} with access key ${key}, which is not a ${acc.kind} key of PQUIC's API`);
        continue;
      }
      if (acc.kind === 'cnx' && keyName === 'AK_CNX_OUTPUT') {
        const idx = constOf(c.args[2]);
        if (idx === undefined) err(c.pc, `${c.name}(AK_CNX_OUTPUT) with an output index (r3) that is not a constant`);
        else if (idx >= BigInt(spec.outputs.length))
          err(c.pc, `writes output ${idx} of "${protoop}", which has ${spec.outputs.length} output(s)${spec.outputs.length === 0 ? '' : ` (${spec.outputs.map((o) => o.name).join(', ')})`}`);
        continue;
      }
      const field = accessKeyField(acc.kind, keyName);
      for (const tag of c.args[0]?.tags ?? []) {
        if (tag === 'cnx') {
          if (acc.kind !== 'cnx') err(c.pc, `${c.name} applied to the connection handle`);
          else if (!allowed('cnx', field)) err(c.pc, `writes ${keyName} of the connection; the spec of "${protoop}" does not allow it`);
        } else if (tag.startsWith('in:')) {
          const input = inputOf(tag);
          const kind: ObjectKind | undefined = input === undefined ? undefined : kindOfCType(input.type);
          if (input === undefined) err(c.pc, `${c.name} on input ${tag.slice(3)}, which "${protoop}" does not have`);
          else if (kind !== acc.kind) err(c.pc, `${c.name} on input "${input.name}", which is a ${input.type}, not a ${acc.kind} object`);
          else if (!allowed(input.name, field)) err(c.pc, `writes ${keyName} of input "${input.name}"; the spec of "${protoop}" does not allow it`);
        } else {
          err(c.pc, `${c.name} writes ${keyName} of ${describeTag(tag)}, an object the spec of "${protoop}" does not let pluglets write`);
        }
      }
      continue;
    }
    const w = memoryWriterOf(c.name);
    if (w !== undefined) {
      const dst = c.args[w.dst - 1];
      if (dst !== undefined) memoryWrite(c.pc, dst, `${c.name} writes`);
      continue;
    }
    if (stateChangingHelpers.has(c.name)) {
      out.push(a.at(CHECK, 'warning', c.pc, `${c.name} changes core state by itself; the spec of "${protoop}" has no field model for it, so this effect is not checked`));
      continue;
    }
    if (c.name === 'plugin_run_protoop') {
      const callee = calleeName(c.state, c.args[1]);
      if (callee === undefined) {
        err(c.pc, 'runs a protocol operation whose name cannot be determined; its effects are unknown');
        continue;
      }
      const calleeSpec = opts.specs.get(callee);
      if (calleeSpec === undefined) {
        err(c.pc, `runs protocol operation "${callee}", which has no spec: no effect summary to check against "${protoop}"`);
        continue;
      }
      const mine = summary(spec);
      const extra = [...summary(calleeSpec)].filter((e) => !mine.has(e)).sort();
      if (extra.length > 0) err(c.pc, `runs "${callee}", whose effects (${extra.join(', ')}) the spec of "${protoop}" does not allow`);
    }
  }
  for (const e of a.abs.mem) {
    if (e.access === 'store') memoryWrite(e.pc, e.base, `store of ${e.size} byte(s)`);
  }
  return out;
}
