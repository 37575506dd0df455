// How each plugin makes its way through the lab, folded from the event
// stream: per plugin the latest submission, and per PV that submission's
// binding, each verifier's state, the decision and the epoch that took it in.
// The PR's status of a plugin fills in what the stream no longer holds.
// Pure and immutable: every change returns new objects along its path, so a
// view can keep the state in one $state.raw and compare by identity.
import type { FailureReport, LabEvent, PluginStatus, SkippedVerifier, Topology } from './api-types.ts';

/** 'unknown': the PV's outcome came from the PR's status, and the event history no longer tells this verifier's. */
export type VerifierState = 'queued' | 'running' | 'pass' | 'fail' | 'error' | 'unknown';
export type Decision = 'pending' | 'valid' | 'invalid';
/** How far a PV has come with the submission. */
export type PvStage = 'waiting' | 'announced' | 'fetched' | 'built' | 'binding-failed' | 'decided';

export interface VerifierProgress {
  state: VerifierState;
  attempt?: number;
  durationMs?: number;
  /** How many findings the verifier reported. */
  findings?: number;
  /** Why it is queued again, errs or was cancelled. */
  note?: string;
}

export interface PvProgress {
  submission: string | null;
  stage: PvStage;
  bindingHash: string | null;
  bindingError: { code: string; message: string } | null;
  verifiers: Record<string, VerifierProgress>;
  decision: Decision;
  /** Properties that passed, as the decision lists them. */
  passed: string[];
  /** The epoch whose tree took the binding in. */
  epoch: number | null;
  /** 'event': the epoch that published it; 'proof': an epoch known to hold it (the first one is no longer known). */
  epochSource: 'event' | 'proof' | null;
  /** Whether the PR has received the PV's failure report. */
  failureReported: boolean;
  /** Whether this comes from the PR's status rather than from the PV's events. */
  seeded: boolean;
}

export interface PluginProgress {
  name: string;
  /** Submission ids in the order they were first seen; the last one is shown. */
  submissions: string[];
  version: number | null;
  archiveHash: string | null;
  /** When the plugin was first seen (event time), for ordering. */
  firstSeenMs: number;
  /** The binding the daemon computed for the submission it made, when it made it. */
  expectedBinding: string | null;
  expectedBindingError: string | null;
  pvs: Record<string, PvProgress>;
}

export interface PluginProgressState {
  lastSeq: number;
  plugins: Record<string, PluginProgress>;
  /** Submission id → plugin name, for events that carry only the id. */
  names: Record<string, string>;
}

export function emptyProgress(): PluginProgressState {
  return { lastSeq: 0, plugins: {}, names: {} };
}

export function waitingPv(submission: string | null = null): PvProgress {
  return { submission, stage: 'waiting', bindingHash: null, bindingError: null, verifiers: {}, decision: 'pending', passed: [], epoch: null, epochSource: null, failureReported: false, seeded: false };
}

/** The submission a plugin's progress is about, if any. */
export function currentSubmission(p: PluginProgress): string | null {
  return p.submissions.at(-1) ?? null;
}

/** A PV's progress with the plugin's current submission (waiting when it has not started on it). */
export function pvProgress(p: PluginProgress, pvId: string): PvProgress {
  const pv = p.pvs[pvId];
  const current = currentSubmission(p);
  return pv !== undefined && pv.submission === current ? pv : waitingPv(current);
}

/**
 * One verifier's state at a PV: queued until it starts; an error for all
 * when the binding could not be built; unknown when only the PR's status
 * told about the PV.
 */
export function verifierProgress(pv: PvProgress, verifierId: string): VerifierProgress {
  const v = pv.verifiers[verifierId];
  if (v !== undefined) return v;
  if (pv.bindingError !== null) return { state: 'error', note: `binding not built: ${pv.bindingError.message}` };
  if (pv.seeded) return { state: 'unknown', note: 'not in the event history any more' };
  return { state: 'queued' };
}

function withPlugin(s: PluginProgressState, p: PluginProgress): PluginProgressState {
  return { ...s, plugins: { ...s.plugins, [p.name]: p } };
}

function withPv(s: PluginProgressState, p: PluginProgress, pvId: string, pv: PvProgress): PluginProgressState {
  return withPlugin(s, { ...p, pvs: { ...p.pvs, [pvId]: pv } });
}

export interface SubmissionNote {
  name: string;
  submissionId: string;
  version?: number;
  archiveHash?: string;
  timeMs: number;
}

/** Records a submission of a plugin; a submission not seen before becomes the one shown. */
export function noteSubmission(s: PluginProgressState, n: SubmissionNote): PluginProgressState {
  const names = s.names[n.submissionId] === n.name ? s.names : { ...s.names, [n.submissionId]: n.name };
  const old = s.plugins[n.name];
  const base: PluginProgress = old ?? {
    name: n.name,
    submissions: [],
    version: null,
    archiveHash: null,
    firstSeenMs: n.timeMs,
    expectedBinding: null,
    expectedBindingError: null,
    pvs: {},
  };
  let p = base;
  if (!p.submissions.includes(n.submissionId)) {
    p = { ...p, submissions: [...p.submissions, n.submissionId], version: null, archiveHash: null, expectedBinding: null, expectedBindingError: null };
  }
  if (currentSubmission(p) === n.submissionId && ((n.version !== undefined && p.version !== n.version) || (n.archiveHash !== undefined && p.archiveHash !== n.archiveHash))) {
    p = { ...p, version: n.version ?? p.version, archiveHash: n.archiveHash ?? p.archiveHash };
  }
  if (p === old && names === s.names) return s;
  return { ...withPlugin(s, p), names };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function verdictState(verdict: string): VerifierState {
  return verdict === 'pass' || verdict === 'fail' ? verdict : 'error';
}

/** The plugin and the PV's progress an event about `submission` at `pvId` applies to, when it is the PV's current one. */
function target(s: PluginProgressState, submission: string | undefined, pvId: string): { p: PluginProgress; pv: PvProgress } | undefined {
  if (submission === undefined) return undefined;
  const name = s.names[submission];
  const p = name === undefined ? undefined : s.plugins[name];
  const pv = p?.pvs[pvId];
  if (p === undefined || pv === undefined || pv.submission !== submission) return undefined;
  return { p, pv };
}

function applyPvEvent(s: PluginProgressState, e: LabEvent): PluginProgressState {
  const pay = e.payload;
  const submission = str(pay.submission);
  if (e.type === 'announcement') {
    const name = str(pay.name);
    if (submission === undefined || name === undefined) return s;
    const seen = s.plugins[name]?.submissions.includes(submission) === true;
    const noted = noteSubmission(s, { name, submissionId: submission, ...(str(pay.archiveHash) === undefined ? {} : { archiveHash: str(pay.archiveHash) }), timeMs: e.time });
    const p = noted.plugins[name] as PluginProgress;
    // An older submission announced late (a PV catching up) is superseded already.
    if (seen && currentSubmission(p) !== submission) return noted;
    const pv = p.pvs[e.node];
    // The same announcement again changes nothing; one the PR's status got ahead of starts the PV's events over.
    if (pv !== undefined && pv.submission === submission && pv.stage !== 'waiting' && !pv.seeded) return noted;
    return withPv(noted, p, e.node, { ...waitingPv(submission), stage: 'announced' });
  }
  if (e.type === 'epoch-published') {
    const epoch = num(pay.epoch);
    const changes = Array.isArray(pay.changes) ? (pay.changes as Record<string, unknown>[]) : [];
    let next = s;
    for (const c of changes) {
      const t = target(next, str(c.submission), e.node);
      if (t === undefined || epoch === undefined || t.pv.epochSource === 'event' || c.bindingHash === null) continue;
      next = withPv(next, t.p, e.node, { ...t.pv, epoch, epochSource: 'event', decision: 'valid', stage: 'decided' });
    }
    return next;
  }
  const t = target(s, submission, e.node);
  if (t === undefined) return s;
  const { p, pv } = t;
  switch (e.type) {
    case 'archive-fetched':
      return pv.stage === 'announced' ? withPv(s, p, e.node, { ...pv, stage: 'fetched' }) : s;
    case 'binding-built':
      return withPv(s, p, e.node, { ...pv, stage: pv.stage === 'decided' ? 'decided' : 'built', bindingHash: str(pay.bindingHash) ?? null });
    case 'binding-failed':
      return withPv(s, p, e.node, {
        ...pv,
        stage: 'binding-failed',
        decision: 'invalid',
        bindingError: { code: str(pay.code) ?? 'build-failed', message: str(pay.message) ?? 'the binding could not be built' },
      });
    case 'verifier-started': {
      const id = str(pay.verifier);
      if (id === undefined) return s;
      const attempt = num(pay.attempt);
      return withPv(s, p, e.node, { ...pv, verifiers: { ...pv.verifiers, [id]: { state: 'running', ...(attempt === undefined ? {} : { attempt }) } } });
    }
    case 'verifier-finished': {
      const id = str(pay.verifier);
      const verdict = str(pay.verdict) ?? 'error';
      if (id === undefined) return s;
      const before = pv.verifiers[id];
      let v: VerifierProgress;
      if (verdict === 'retry') v = { state: 'queued', ...(before?.attempt === undefined ? {} : { attempt: before.attempt }), note: `retrying: ${str(pay.reason) ?? 'the worker stopped'}` };
      else {
        const durationMs = num(pay.durationMs);
        const findings = num(pay.findings);
        v = {
          state: verdictState(verdict),
          ...(before?.attempt === undefined ? {} : { attempt: before.attempt }),
          ...(durationMs === undefined ? {} : { durationMs }),
          ...(findings === undefined ? {} : { findings }),
          ...(verdict === 'cancelled' ? { note: 'cancelled' } : {}),
        };
      }
      return withPv(s, p, e.node, { ...pv, verifiers: { ...pv.verifiers, [id]: v } });
    }
    case 'decision': {
      const passed = Array.isArray(pay.passed) ? pay.passed.filter((x): x is string => typeof x === 'string') : [];
      return withPv(s, p, e.node, { ...pv, stage: 'decided', decision: pay.valid === true ? 'valid' : 'invalid', passed });
    }
    default:
      return s;
  }
}

function applyPrEvent(s: PluginProgressState, e: LabEvent): PluginProgressState {
  const pay = e.payload;
  if (e.type === 'submission') {
    const name = str(pay.name);
    const id = str(pay.id);
    if (name === undefined || id === undefined) return s;
    const version = num(pay.version);
    const archiveHash = str(pay.archiveHash);
    return noteSubmission(s, { name, submissionId: id, ...(version === undefined ? {} : { version }), ...(archiveHash === undefined ? {} : { archiveHash }), timeMs: e.time });
  }
  if (e.type === 'failure-reported') {
    const pvId = str(pay.pv);
    const t = pvId === undefined ? undefined : target(s, str(pay.submission), pvId);
    if (pvId === undefined || t === undefined || t.pv.failureReported) return s;
    return withPv(s, t.p, pvId, { ...t.pv, failureReported: true, decision: 'invalid', stage: t.pv.stage === 'binding-failed' ? t.pv.stage : 'decided' });
  }
  return s;
}

function applyDaemonEvent(s: PluginProgressState, e: LabEvent): PluginProgressState {
  const pay = e.payload;
  const name = str(pay.name);
  const id = str(pay.submissionId);
  if (name === undefined || id === undefined) return s;
  if (e.type === 'plugin-submitted') {
    const version = num(pay.version);
    const archiveHash = str(pay.archiveHash);
    return noteSubmission(s, { name, submissionId: id, ...(version === undefined ? {} : { version }), ...(archiveHash === undefined ? {} : { archiveHash }), timeMs: e.time });
  }
  if (e.type === 'binding-expected') {
    const p = s.plugins[name];
    if (p === undefined || currentSubmission(p) !== id) return s;
    return withPlugin(s, { ...p, expectedBinding: str(pay.bindingHash) ?? null, expectedBindingError: str(pay.bindingError) ?? null });
  }
  return s;
}

/** Applies one lab event (events at or below `lastSeq` are ignored: each counts once). */
export function applyEvent(s: PluginProgressState, e: LabEvent, prId: string): PluginProgressState {
  if (e.seq <= s.lastSeq) return s;
  const next = e.node === 'daemon' ? applyDaemonEvent(s, e) : e.node === prId ? applyPrEvent(s, e) : applyPvEvent(s, e);
  return { ...next, lastSeq: e.seq };
}

export function foldEvents(events: readonly LabEvent[], prId: string, s: PluginProgressState = emptyProgress()): PluginProgressState {
  return events.reduce((acc, e) => applyEvent(acc, e, prId), s);
}

function fromFailure(submission: string, f: FailureReport): PvProgress {
  const binding = f.verifiers.find((v) => v.id === 'binding' && v.property === 'binding');
  const verifiers: Record<string, VerifierProgress> = {};
  for (const v of f.verifiers) if (v !== binding) verifiers[v.id] = { state: verdictState(v.verdict), findings: v.findings.length };
  return {
    ...waitingPv(submission),
    stage: binding === undefined ? 'decided' : 'binding-failed',
    bindingHash: f.bindingHash,
    bindingError: binding === undefined ? null : { code: 'build-failed', message: f.reason },
    verifiers,
    decision: 'invalid',
    failureReported: true,
    seeded: true,
  };
}

/**
 * Fills in, from the PR's status of a plugin, the PVs the event stream told
 * nothing about for its current (or else latest) version: a failure report
 * decides it, a fetch means the PV has it in hand.
 */
export function seedFromStatus(s: PluginProgressState, status: PluginStatus): PluginProgressState {
  const latest = [...status.versions].sort((a, b) => b.version - a.version)[0];
  if (latest === undefined) return s;
  const known = s.plugins[status.name];
  const chosen = (known === undefined ? undefined : status.versions.find((v) => v.id === currentSubmission(known))) ?? latest;
  let next = noteSubmission(s, { name: status.name, submissionId: chosen.id, version: chosen.version, archiveHash: chosen.archiveHash, timeMs: chosen.submittedMs });
  const p0 = next.plugins[status.name] as PluginProgress;
  if (currentSubmission(p0) !== chosen.id) return next;
  const lab = status.submittedByLab.find((x) => x.submissionId === chosen.id);
  if (lab !== undefined && p0.expectedBinding === null && p0.expectedBindingError === null && (lab.bindingHash !== undefined || lab.bindingError !== undefined)) {
    next = withPlugin(next, { ...p0, expectedBinding: lab.bindingHash ?? null, expectedBindingError: lab.bindingError ?? null });
  }
  for (const st of chosen.pvs) {
    const p = next.plugins[status.name] as PluginProgress;
    const pv = p.pvs[st.pvId];
    if (st.failure !== null && st.failure.submissionId === chosen.id) {
      if (pv !== undefined && pv.submission === chosen.id && pv.decision !== 'pending') continue;
      next = withPv(next, p, st.pvId, fromFailure(chosen.id, st.failure));
    } else if (pv === undefined || pv.submission !== chosen.id) {
      next = withPv(next, p, st.pvId, { ...waitingPv(chosen.id), stage: st.state === 'not-fetched' ? 'waiting' : 'fetched', seeded: st.state !== 'not-fetched' });
    }
  }
  return next;
}

/** PVs whose outcome for the plugin's current submission is unknown although they fetched it: a lookup proof can tell. */
export function undecidedFetched(p: PluginProgress): string[] {
  const current = currentSubmission(p);
  return Object.entries(p.pvs)
    .filter(([, pv]) => pv.submission === current && pv.stage === 'fetched' && pv.decision === 'pending')
    .map(([id]) => id);
}

/** A lookup proof showed the PV's tree holding `bindingHash` for the name at `epoch`. */
export function seedInclusion(s: PluginProgressState, name: string, pvId: string, epoch: number, bindingHash: string): PluginProgressState {
  const p = s.plugins[name];
  const pv = p?.pvs[pvId];
  if (p === undefined || pv === undefined || pv.submission !== currentSubmission(p) || pv.decision !== 'pending') return s;
  // Only the binding of this very submission proves it valid (the tree may hold an older version's).
  const expected = pv.bindingHash ?? p.expectedBinding;
  if (expected === null || expected !== bindingHash) return s;
  return withPv(s, p, pvId, { ...pv, stage: 'decided', decision: 'valid', bindingHash, epoch, epochSource: 'proof' });
}

export interface VerifierColumn {
  id: string;
  kind: string;
  property: string;
  /** Why this host cannot run it (it answers error through a stand-in). */
  unavailable?: string;
}

export interface PvColumns {
  id: string;
  verifiers: VerifierColumn[];
}

/**
 * The PVs and their verifiers a plugin's rows show: the topology's, each
 * verifier marked when it runs as the unavailable stand-in, then any PV or
 * verifier the events name that the topology does not (a PV of an older
 * deployment).
 */
export function pvColumns(topology: Topology | undefined, skipped: readonly SkippedVerifier[], p?: PluginProgress): PvColumns[] {
  const cols: PvColumns[] = (topology?.pvs ?? []).map((pv) => ({
    id: pv.id,
    verifiers: pv.verifiers.map((v) => {
      const s = skipped.find((x) => x.pvId === pv.id && x.verifierId === v.id);
      return { id: v.id, kind: v.kind, property: v.property, ...(s === undefined ? {} : { unavailable: s.reason }) };
    }),
  }));
  if (p === undefined) return cols;
  for (const [pvId, pv] of Object.entries(p.pvs)) {
    if (pv.submission !== currentSubmission(p)) continue;
    let col = cols.find((c) => c.id === pvId);
    if (col === undefined) {
      col = { id: pvId, verifiers: [] };
      cols.push(col);
    }
    for (const id of Object.keys(pv.verifiers)) if (!col.verifiers.some((v) => v.id === id)) col.verifiers.push({ id, kind: '?', property: '?' });
  }
  return cols;
}
