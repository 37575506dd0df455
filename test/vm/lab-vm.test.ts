// The lab as real VMs, from nothing: images built (or reused from the cache),
// a PR and two PVs booted through libvirt with user-mode networking, a plugin
// submitted from the host and included by both PVs, its proof verified with
// spms/client, then a teardown that leaves no domain, volume or network.
// Prints the time of every phase.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../daemon/daemon.ts';
import { DaemonClient } from '../../daemon/daemon-client.ts';
import type { LabStatus, ProviderInfo } from '../../daemon/lab.ts';
import type { Topology } from '../../daemon/state/topology.ts';
import type { Task } from '../../daemon/tasks/task.ts';
import { fromHex, proofFromJson, strFromJson, verifyLookup } from '../../spms/core/index.ts';
import { EventLog } from '../support/event-log.ts';
import { ensureLibvirtd, type Libvirtd } from '../support/libvirtd.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const HELLO = join(ROOT, 'test/fixtures/plugins/org.example.hello');
const NAME = 'org.example.hello';
/** Built images survive between runs here, so only the first run pays for them. */
const CACHE = process.env.SPMS_VM_CACHE ?? '/var/cache/spms-lab/images';

const TOPOLOGY: Topology = {
  pr: { id: 'PR', vm: { memoryMiB: 768 } },
  pvs: [
    {
      id: 'PV1',
      verifiers: [
        { id: 'wf', kind: 'wellformed', property: 'wellformed' },
        { id: 'term', kind: 'termination', property: 'termination' },
      ],
      formula: 'wellformed & termination',
      epochLengthMs: 5000,
      vm: { memoryMiB: 768 },
    },
    {
      id: 'PV2',
      verifiers: [
        { id: 'cc', kind: 'compile', property: 'compiles' },
        { id: 'ok', kind: 'dummy-pass', property: 'accepted' },
      ],
      formula: 'compiles & accepted',
      epochLengthMs: 5000,
      vm: { memoryMiB: 768 },
    },
  ],
};

let dir: string;
let daemon: Daemon;
let client: DaemonClient;
let log: EventLog;
let libvirtd: Libvirtd;
const phases: [string, number][] = [];

async function timed<T>(phase: string, work: () => Promise<T>): Promise<T> {
  const start = Date.now();
  try {
    return await work();
  } finally {
    phases.push([phase, Date.now() - start]);
    console.log(`[vm] ${phase}: ${((Date.now() - start) / 1000).toFixed(1)} s`);
  }
}

async function finished(task: Task, timeoutMs: number): Promise<Task> {
  const done = await log.waitFor((e) => e.node === 'daemon' && e.type === 'task-finished' && e.payload.taskId === task.id, timeoutMs);
  const t = (await client.get<{ task: Task }>(`/api/tasks/${task.id}`)).task;
  if (t.status !== 'succeeded')
    throw new Error(`${task.kind} ${t.status} at step ${t.error?.step ?? '?'}: ${t.error?.message ?? ''}\n${t.logTail.slice(-40).join('\n')} (${JSON.stringify(done.payload)})`);
  return t;
}

async function virsh(...args: string[]): Promise<string[]> {
  const { stdout } = await run('virsh', ['-c', 'qemu:///system', ...args]);
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

beforeAll(async () => {
  libvirtd = await ensureLibvirtd();
  dir = mkdtempSync(join(tmpdir(), 'spms-vm-lab-'));
  mkdirSync(CACHE, { recursive: true });
  symlinkSync(CACHE, join(dir, 'images'));
  daemon = await Daemon.start({ labDir: dir, port: 0, caKeyBits: 2048, deploy: 'never' });
  client = new DaemonClient(daemon.url, daemon.token);
  log = await EventLog.follow(client);
});

afterAll(async () => {
  log?.close();
  await daemon?.close();
  await libvirtd?.stop();
  rmSync(dir, { recursive: true, force: true });
  console.log(`[vm] phases: ${phases.map(([p, ms]) => `${p} ${(ms / 1000).toFixed(1)} s`).join(', ')}`);
});

describe('the lab on libvirt VMs', () => {
  it('deploys a PR and two PVs as VMs, healthy', async () => {
    await client.put('/api/lab/topology', { topology: TOPOLOGY });
    const info = await client.put<ProviderInfo>('/api/lab/provider', { kind: 'libvirt', settings: { uri: 'qemu:///system', network: { mode: 'user' } } });
    console.log(`[vm] accelerator: ${info.accelerator.accelerator} (${info.accelerator.reason})`);
    const { task } = await client.post<{ task: Task }>('/api/lab/deploy');
    const done = await timed('deploy (images built or reused, VMs booted, nodes healthy)', () => finished(task, 18 * 60_000));
    for (const s of done.steps) console.log(`[vm]   step ${s.name}: ${(((s.endedMs ?? Date.now()) - s.startedMs) / 1000).toFixed(1)} s`);
    const status = await client.get<LabStatus>('/api/lab/status');
    expect(status.nodes.map((n) => [n.id, n.health])).toEqual([
      ['PR', 'healthy'],
      ['PV1', 'healthy'],
      ['PV2', 'healthy'],
    ]);
    expect((await virsh('list', '--name')).filter((d) => d.includes('PR') || d.includes('PV')).length).toBe(3);
  });

  it('includes a plugin submitted from the host in both PVs, with proofs spms/client verifies', async () => {
    const files = readdirSync(HELLO).map((f) => ({ path: `${NAME}/${f}`, data: new Uint8Array(readFileSync(join(HELLO, f))) }));
    await timed('upload to inclusion in both PVs', async () => {
      await client.upload(files);
      for (const pv of ['PV1', 'PV2']) {
        await log.waitFor((e) => e.node === pv && e.type === 'epoch-published' && ((e.payload.changes ?? []) as { name: string }[]).some((c) => c.name === NAME), 5 * 60_000);
      }
    });
    for (const pv of ['PV1', 'PV2']) {
      const p = await client.get<{ kind: string; bindingHash: string; str: unknown; proof: unknown }>(`/api/proofs/${NAME}?pv=${pv}`);
      expect(p.kind).toBe('inclusion');
      const str = strFromJson(p.str);
      expect(verifyLookup(proofFromJson(p.proof), NAME, fromHex(p.bindingHash), str.root, str.treeId).ok).toBe(true);
    }
  });

  it('tears down leaving no domain, volume or network of the lab', async () => {
    const before = { networks: await virsh('net-list', '--all', '--name') };
    const { task } = await client.post<{ task: Task }>('/api/lab/teardown');
    await timed('teardown', () => finished(task, 5 * 60_000));
    const domains = await virsh('list', '--all', '--name');
    expect(domains.filter((d) => /spms/i.test(d))).toEqual([]);
    const pools = await virsh('pool-list', '--all', '--name');
    for (const pool of pools.filter((p) => /spms/i.test(p))) expect(await virsh('vol-list', pool)).toHaveLength(2); // header lines only
    expect((await virsh('net-list', '--all', '--name')).filter((n) => /spms/i.test(n) && !before.networks.includes(n))).toEqual([]);
  });
});
