// One run of the lab benchmark, on a fresh lab directory: `spms lab up` as a
// user runs it (daemon start with a new root CA, deploy of the default
// topology, until every node is healthy), then a plugin uploaded through
// the daemon's API until every PV that accepts it has published an epoch
// including it, then `spms lab down`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../../bin/lib/lab-daemon.ts';
import type { DaemonClient } from '../../daemon/daemon-client.ts';
import type { PvSpec, Topology } from '../../daemon/state/topology.ts';
import type { Task } from '../../daemon/tasks/task.ts';
import { EventLog } from '../../test/support/event-log.ts';
import { runSpms } from '../../test/support/spms-cli.ts';

const EVENT_TIMEOUT_MS = 180_000;

export interface BenchPlugin {
  name: string;
  files: { path: string; data: Uint8Array }[];
}

export interface PvOutcome {
  pvId: string;
  formula: string;
  decision: 'accepted' | 'refused' | 'binding-failed';
  /** Upload → the PV's decision (or its failure to build the binding), by the PV's event time. */
  decisionMs: number;
  /** Properties the PV's verifiers established (a refusing PV's formula needs others). */
  passed?: string[];
  reason?: string;
  /** Accepting PVs: upload → the PV's epoch-published event whose changes include the plugin. */
  inclusionMs?: number;
  epoch?: number;
  /** Epochs between the one current at upload and the one including the plugin. */
  epochsWaited?: number;
}

export interface RunSample {
  run: number;
  /** `spms lab up` wall time, from launching the command to its exit with every node healthy. */
  upMs: number;
  /** Launching `spms lab up` → the daemon listening (its daemon.json start time): process starts and the root CA. */
  daemonStartMs: number;
  /** The deploy task's own record: created → ended. */
  deployTaskMs: number;
  deploySteps: Record<string, number>;
  /** The upload request through the daemon (it submits to the PR before answering). */
  uploadMs: number;
  pvs: PvOutcome[];
  /** Upload → the last accepting PV's inclusion (null when none accepts). */
  allIncludedMs: number | null;
  /** `spms lab down` wall time (nodes torn down, daemon exited). */
  downMs: number;
}

async function outcome(log: EventLog, pv: PvSpec, name: string, afterSeq: number, uploadedMs: number): Promise<PvOutcome> {
  const decided = await log.waitFor((e) => e.node === pv.id && (e.type === 'decision' || e.type === 'binding-failed') && e.payload.name === name, EVENT_TIMEOUT_MS, afterSeq);
  const base = { pvId: pv.id, formula: pv.formula, decisionMs: decided.time - uploadedMs };
  if (decided.type === 'binding-failed') return { ...base, decision: 'binding-failed', reason: String(decided.payload.message) };
  const passed = decided.payload.passed as string[];
  if (decided.payload.valid !== true) return { ...base, decision: 'refused', passed, reason: `the formula "${pv.formula}" does not hold over ${JSON.stringify(passed)}` };
  const published = await log.waitFor((e) => e.node === pv.id && e.type === 'epoch-published' && (e.payload.changes as { name: string }[]).some((c) => c.name === name), EVENT_TIMEOUT_MS, decided.seq);
  const epoch = published.payload.epoch as number;
  const current = log.events.filter((e) => e.node === pv.id && e.type === 'epoch-published' && e.time <= uploadedMs).at(-1)?.payload.epoch as number | undefined;
  return { ...base, decision: 'accepted', passed, inclusionMs: published.time - uploadedMs, epoch, epochsWaited: epoch - (current ?? 0) };
}

/** The inclusion the event announced, as the daemon's proof route serves and checks it. */
async function confirmInclusion(client: DaemonClient, name: string, pvId: string): Promise<void> {
  const p = await client.get<{ kind: string; verdict: { ok: boolean } }>(`/api/proofs/${encodeURIComponent(name)}?pv=${encodeURIComponent(pvId)}`);
  if (p.kind !== 'inclusion' || !p.verdict.ok) throw new Error(`${pvId} published ${name} but its proof is ${p.kind} (verified: ${p.verdict.ok})`);
}

export async function measureRun(run: number, plugin: BenchPlugin): Promise<RunSample> {
  const dir = mkdtempSync(join(tmpdir(), 'spms-bench-lab-'));
  const env = { SPMS_LAB_DIR: dir, DISPLAY: '' };
  let log: EventLog | undefined;
  let downMs: number | undefined;
  try {
    const launched = Date.now();
    const up = await runSpms(['lab', 'up', '--port', '0'], env, 600_000);
    const upMs = Date.now() - launched;
    if (up.code !== 0) throw new Error(`spms lab up exited with ${up.code}:\n${up.stderr}`);
    const lab = await connect(dir);
    if (lab === undefined) throw new Error(`spms lab up succeeded but no daemon answers for ${dir}`);
    const { client, info } = lab;
    const deploy = (await client.get<{ tasks: Task[] }>('/api/tasks')).tasks.find((t) => t.kind === 'deploy' && t.status === 'succeeded');
    if (deploy?.endedMs === undefined) throw new Error('no succeeded deploy task in the daemon');
    const { topology } = await client.get<{ topology: Topology }>('/api/lab/topology');

    log = await EventLog.follow(client);
    const before = log.lastSeq;
    const uploadedMs = Date.now();
    await client.upload(plugin.files);
    const uploadMs = Date.now() - uploadedMs;
    const pvs = await Promise.all(topology.pvs.map((pv) => outcome(log as EventLog, pv, plugin.name, before, uploadedMs)));
    for (const o of pvs) if (o.decision === 'accepted') await confirmInclusion(client, plugin.name, o.pvId);
    // An open event socket holds the daemon's shutdown back: close it before "down".
    log.close();

    const downAt = Date.now();
    const down = await runSpms(['lab', 'down'], env);
    downMs = Date.now() - downAt;
    if (down.code !== 0) throw new Error(`spms lab down exited with ${down.code}:\n${down.stderr}`);
    return {
      run,
      upMs,
      daemonStartMs: info.startedMs - launched,
      deployTaskMs: deploy.endedMs - deploy.createdMs,
      deploySteps: Object.fromEntries(deploy.steps.map((s) => [s.name, (s.endedMs ?? NaN) - s.startedMs])),
      uploadMs,
      pvs,
      allIncludedMs: pvs.some((o) => o.inclusionMs !== undefined) ? Math.max(...pvs.map((o) => o.inclusionMs ?? 0)) : null,
      downMs,
    };
  } finally {
    log?.close();
    // Whatever failed, nothing of this lab keeps running.
    if (downMs === undefined) await runSpms(['lab', 'down'], env);
    rmSync(dir, { recursive: true, force: true });
  }
}
