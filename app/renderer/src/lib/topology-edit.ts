// Editing a lab topology in the browser: the verifier kinds a PV can run,
// fresh PVs and verifiers with ids that do not collide, the live check of a
// validation formula (parsed with spms/core, as the PV parses it), and the
// daemon's field errors (`pvs[1].formula`) matched back to their fields.
import { atomsOf, FormulaError, parseFormula } from '../../../../spms/core/index.ts';
import { PRESETS } from '../../../../spms/verifier/external/presets.ts';
import type { PvSpec, Topology, VerifierSpec } from './api-types.ts';

export const VERIFIER_KINDS = ['wellformed', 'termination', 'side-effects', 'memory', 'compile', 'dummy-pass', 'dummy-fail', 'external'] as const;
export type VerifierKind = (typeof VERIFIER_KINDS)[number];

/** Preset names of the external verifier (cppcheck, cbmc, …). */
export const EXTERNAL_PRESETS: readonly string[] = Object.keys(PRESETS);

const ID_PREFIX: Record<VerifierKind, string> = {
  wellformed: 'wf',
  termination: 'term',
  'side-effects': 'fx',
  memory: 'mem',
  compile: 'cc',
  'dummy-pass': 'ok',
  'dummy-fail': 'no',
  external: 'ext',
};

const PROPERTY: Record<VerifierKind, string> = {
  wellformed: 'wellformed',
  termination: 'termination',
  'side-effects': 'side_effects',
  memory: 'memory_safe',
  compile: 'compiles',
  'dummy-pass': 'accepted',
  'dummy-fail': 'refused',
  external: 'checked',
};

export function isVerifierKind(kind: string): kind is VerifierKind {
  return (VERIFIER_KINDS as readonly string[]).includes(kind);
}

function unused(base: string, taken: ReadonlySet<string>, alwaysNumber = false): string {
  if (!alwaysNumber && !taken.has(base)) return base;
  for (let n = alwaysNumber ? 1 : 2; ; n++) if (!taken.has(`${base}${n}`)) return `${base}${n}`;
}

/** A new verifier of `kind` for `pv`: an id and a property no other verifier of the PV uses. */
export function newVerifier(pv: PvSpec, kind: VerifierKind, preset = EXTERNAL_PRESETS[0] ?? 'cppcheck'): VerifierSpec {
  const ids = new Set(pv.verifiers.map((v) => v.id));
  const properties = new Set(pv.verifiers.map((v) => v.property));
  const base = kind === 'external' ? preset.replace(/[^A-Za-z0-9_]/g, '_') : PROPERTY[kind];
  const v: VerifierSpec = { id: unused(kind === 'external' ? base : ID_PREFIX[kind], ids), kind, property: unused(base, properties) };
  if (kind === 'external') v.options = { preset };
  return v;
}

/** `pv.verifiers[index]` changed to another kind: same id; the new kind's property when it had the old kind's default one. */
export function withKind(pv: PvSpec, index: number, kind: VerifierKind): VerifierSpec {
  const v = pv.verifiers[index];
  if (v === undefined) throw new RangeError(`no verifier ${index}`);
  const fresh = newVerifier({ ...pv, verifiers: pv.verifiers.filter((_, i) => i !== index) }, kind);
  const hadDefault = isVerifierKind(v.kind) && v.property === PROPERTY[v.kind];
  const next: VerifierSpec = { ...v, kind, property: hadDefault ? fresh.property : v.property };
  // Only the external verifier takes a preset; the built-ins keep their own options.
  if (kind === 'external') next.options = { preset: typeof v.options?.preset === 'string' ? v.options.preset : fresh.options?.preset };
  else if (v.kind === 'external') delete next.options;
  return next;
}

/** A new PV for `topology`: the first free PVn id, one well-formedness verifier, the formula it satisfies. */
export function newPv(topology: Topology): PvSpec {
  const ids = new Set([topology.pr.id, ...topology.pvs.map((p) => p.id)]);
  return {
    id: unused('PV', ids, true),
    verifiers: [{ id: 'wf', kind: 'wellformed', property: 'wellformed' }],
    formula: 'wellformed',
    epochLengthMs: topology.pvs[0]?.epochLengthMs ?? 5000,
  };
}

export interface FormulaProblem {
  message: string;
  /** 1-based column of a syntax error. */
  column?: number;
}

/** What is wrong with a PV's formula, or null: a syntax error (with its column) or a property no verifier checks. */
export function formulaProblem(formula: string, properties: readonly string[]): FormulaProblem | null {
  let atoms: string[];
  try {
    atoms = atomsOf(parseFormula(formula));
  } catch (e) {
    if (e instanceof FormulaError) return { message: e.message, column: e.column };
    return { message: (e as Error).message };
  }
  const known = new Set(properties);
  const unknown = atoms.filter((a) => !known.has(a));
  if (unknown.length === 0) return null;
  return {
    message: `${unknown.map((a) => `"${a}"`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} checked by no verifier of this PV (known: ${[...known].join(', ') || 'none'})`,
  };
}

export interface FieldIssue {
  path: string;
  message: string;
}

/** The daemon's issues about one field, e.g. `fieldIssues(issues, 'pvs[1].formula')`; `prefix` also takes the issues below it. */
export function fieldIssues(issues: readonly FieldIssue[], path: string, prefix = false): string[] {
  return issues.filter((i) => i.path === path || (prefix && (i.path.startsWith(`${path}.`) || i.path.startsWith(`${path}[`)))).map((i) => i.message);
}

/** Issues that name no field the editor shows (the whole topology, the PR, the PV list, a PV as a whole). */
export function generalIssues(issues: readonly FieldIssue[], topology: Topology): FieldIssue[] {
  const shown = (path: string): boolean =>
    topology.pvs.some((_, i) => ['id', 'formula', 'epochLengthMs', 'verifiers'].some((f) => path === `pvs[${i}].${f}`) || path.startsWith(`pvs[${i}].verifiers[`));
  return issues.filter((i) => !shown(i.path));
}

/** Whether two topologies are the same (the editor's unsaved-changes test). */
export function sameTopology(a: Topology, b: Topology): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
