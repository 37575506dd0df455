// submit, proof, bundle and check-bundle without URL or certificate flags,
// taking them from a running lab: a real daemon (in this process) with a PR
// and one PV as processes, driven by the real command line. Without a lab
// daemon, they say what to pass or run and exit with 3.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../daemon/daemon.ts';
import { DaemonClient } from '../../daemon/daemon-client.ts';
import type { LabStatus } from '../../daemon/lab.ts';
import type { Task } from '../../daemon/tasks/task.ts';
import { packPluginArchive, readPluginDirectory } from '../../spms/verifier/archive/index.ts';
import { EventLog } from '../../test/support/event-log.ts';
import { runSpms, type CliResult } from '../../test/support/spms-cli.ts';

const NAME = 'org.example.hello';
const HELLO = resolve(import.meta.dirname, '../../test/fixtures/plugins', NAME);

let dir: string;
let empty: string;
let daemon: Daemon;
let client: DaemonClient;
let log: EventLog;

/** The command line run against the lab in `labDir` (SPMS_LAB_DIR). */
const spms = (args: string[], labDir = dir): Promise<CliResult> => runSpms(args, { SPMS_LAB_DIR: labDir });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spms-lab-defaults-'));
  empty = mkdtempSync(join(tmpdir(), 'spms-no-lab-'));
  daemon = await Daemon.start({ labDir: dir, port: 0, caKeyBits: 2048, deploy: 'never' });
  client = new DaemonClient(daemon.url, daemon.token);
  log = await EventLog.follow(client);
  await client.put('/api/lab/topology', {
    topology: { pr: { id: 'PR' }, pvs: [{ id: 'PV1', verifiers: [{ id: 'ok', kind: 'dummy-pass', property: 'accepted' }], formula: 'accepted', epochLengthMs: 500 }] },
  });
  const { task } = await client.post<{ task: Task }>('/api/lab/deploy');
  const done = await client.waitForTask(task.id);
  if (done.status !== 'succeeded') throw new Error(`deploy ${done.status}: ${done.error?.message ?? ''}`);
});

afterAll(async () => {
  if (client !== undefined) {
    const { task } = await client.post<{ task: Task }>('/api/lab/teardown');
    await client.waitForTask(task.id);
  }
  log?.close();
  await daemon?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(empty, { recursive: true, force: true });
});

describe('commands with a lab running', () => {
  it('submits through the daemon as the lab developer, which records the submission', async () => {
    const r = await spms(['submit', HELLO]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { name: string; version: number; archiveHash: string; submissionId: string; created: boolean };
    expect(out).toMatchObject({ name: NAME, version: 1, created: true });
    expect(out.archiveHash).toMatch(/^[0-9a-f]{64}$/);
    const submitted = await log.waitFor((e) => e.type === 'plugin-submitted' && e.payload.submissionId === out.submissionId);
    expect(submitted.payload.form).toBe('files');
    const decided = await log.waitFor((e) => e.node === 'PV1' && e.type === 'decision' && e.payload.name === NAME, 60_000);
    expect(decided.payload.valid).toBe(true);
    await log.waitFor((e) => e.node === 'PV1' && e.type === 'epoch-published' && (e.payload.changes as { name: string }[]).some((c) => c.name === NAME), 60_000, decided.seq);
  });

  it('submits an archive through the daemon as one file: the same archive, not created again', async () => {
    const file = join(dir, 'hello.tgz');
    writeFileSync(file, await packPluginArchive(await readPluginDirectory(HELLO)));
    const r = await spms(['submit', file]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { archiveHash: string; created: boolean };
    expect(out.created).toBe(false);
    const recorded = await log.waitFor((e) => e.type === 'plugin-submitted' && e.payload.form === 'archive');
    expect(recorded.payload.archiveHash).toBe(out.archiveHash);
  });

  it('given only --pr, submits straight to that PR with the lab CA and the lab developer filled in', async () => {
    const pr = (await client.get<LabStatus>('/api/lab/status')).deployment.nodes.find((n) => n.role === 'pr');
    const before = log.lastSeq;
    const r = await spms(['submit', HELLO, '--pr', pr?.url ?? '']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: NAME, version: 1, created: false });
    // Straight to the PR: the daemon saw no upload.
    expect(log.events.filter((e) => e.seq > before && e.type === 'plugin-submitted')).toEqual([]);
  });

  it('proves inclusion from a PV named by its lab id', async () => {
    const r = await spms(['proof', NAME, '--pv', 'PV1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^PV1 epoch \\d+: ${NAME.replaceAll('.', '\\.')} is included, binding [0-9a-f]{64} version 1`));
    const unknown = await spms(['proof', NAME, '--pv', 'PV9']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no PV "PV9" (its PVs: PV1)');
  });

  it('writes a bundle from the lab PR and accepts it against the lab CA and CRL', async () => {
    const file = join(dir, 'bundle.json');
    const b = await spms(['bundle', NAME, '--formula', 'PV1', '--out', file]);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject({ name: NAME, pvs: ['PV1'] });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ name: NAME });
    const c = await spms(['check-bundle', file, '--formula', 'PV1', '--plugin', HELLO]);
    expect(c.code, c.stdout + c.stderr).toBe(0);
    expect(c.stdout).toMatch(/PV1: ok \(epoch \d+\)/);
  });

  it('reaches the lab named by --lab-dir over SPMS_LAB_DIR, and keeps explicit flags', async () => {
    const byFlag = await spms(['proof', NAME, '--pv', 'PV1', '--lab-dir', dir], empty);
    expect(byFlag.code, byFlag.stderr).toBe(0);
    const pv1 = (await client.get<LabStatus>('/api/lab/status')).deployment.nodes.find((n) => n.id === 'PV1');
    const explicit = await spms(['proof', NAME, '--pv', pv1?.url ?? '', '--ca', join(dir, 'ca', 'ca.crt')], empty);
    expect(explicit.code, explicit.stderr).toBe(0);
    expect(explicit.stdout).toContain(`${NAME} is included`);
  });
});

describe('commands without a lab', () => {
  it('exit with 3, naming the lab directory, the flags to pass and "spms lab up"', async () => {
    const runs: [string[], string][] = [
      [['submit', HELLO], '--pr, --ca, --cert, --key'],
      [['proof', NAME, '--pv', 'PV1'], '--pv, --ca'],
      [['bundle', NAME, '--formula', 'PV1', '--out', join(empty, 'b.json')], '--pr, --ca, --cert, --key'],
      [['check-bundle', join(dir, 'bundle.json'), '--formula', 'PV1', '--plugin', HELLO], '--ca'],
    ];
    const results = await Promise.all(runs.map(([args]) => spms(args, empty)));
    results.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toContain(`no lab daemon runs for ${empty}`);
      expect(r.stderr).toContain(`pass ${runs[i]?.[1]}`);
      expect(r.stderr).toContain('"spms lab up"');
    });
  });
});
