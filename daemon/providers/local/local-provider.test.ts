// The local provider with real node processes over real TLS on loopback: a
// PR and one PV, their events, a crash and its restart, teardown, a redeploy,
// a node that cannot start, and a daemon killed with SIGKILL.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LabCa } from '../../../certs/lab-ca.ts';
import type { LabEventInput } from '../../events/lab-event.ts';
import type { Topology } from '../../state/topology.ts';
import type { TaskHandle } from '../../tasks/task-handle.ts';
import type { NodeStatus } from '../provider.ts';
import { LocalProvider } from './local-provider.ts';

const FIXTURE = fileURLToPath(new URL('./local-provider.fixture.ts', import.meta.url));
const TOKEN = 'local-provider-test-events-token';
const topology: Topology = {
  pr: { id: 'PR' },
  pvs: [{ id: 'PV1', verifiers: [{ id: 'ok', kind: 'dummy-pass', property: 'accepted' }], formula: 'accepted', epochLengthMs: 500 }],
};

/** Every lab event emitted, and a way to await the next one that matches. */
class EventLog {
  readonly events: LabEventInput[] = [];
  private readonly waiters = new Set<() => void>();

  readonly emit = (e: LabEventInput): void => {
    this.events.push(e);
    for (const w of this.waiters) w();
  };

  /** The first event from index `from` on about `node` of `type`. */
  next(node: string, type: string, from = 0, timeoutMs = 20_000): Promise<LabEventInput> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.events.slice(from).find((e) => e.node === node && e.type === type);
        if (found === undefined) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no ${type} event from ${node} within ${timeoutMs} ms; got: ${this.events.map((e) => `${e.node}:${e.type}`).join(' ')}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}

function recordingTask(onStep: (name: string) => void = () => undefined, signal = new AbortController().signal): TaskHandle & { steps: string[] } {
  const steps: string[] = [];
  return {
    id: 'test',
    signal,
    steps,
    step: (name) => {
      steps.push(name);
      onStep(name);
    },
    progress: () => undefined,
    log: () => undefined,
  };
}

/** Whether a process still runs; an exited one its parent has not reaped yet counts as gone. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

function portsOf(nodes: NodeStatus[]): number[] {
  return nodes.flatMap((n) => [n.url, ...(n.mqttUrl === undefined ? [] : [n.mqttUrl])]).map((u) => Number(new URL(u).port));
}

let dir: string;
let ca: LabCa;
const log = new EventLog();
let provider: LocalProvider;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spms-local-provider-'));
  ca = LabCa.init(join(dir, 'ca'), { keyBits: 2048 });
  provider = new LocalProvider({ labDir: join(dir, 'lab'), ca, eventsToken: TOKEN, emit: log.emit });
});

afterAll(async () => {
  await provider.teardown();
  rmSync(dir, { recursive: true, force: true });
});

// Generous per test: node processes start slower on a loaded machine; the file runs in about 15 s.
describe('LocalProvider', { timeout: 60_000 }, () => {
  let deployed: NodeStatus[];

  it('deploys a PR and a PV that become healthy, and hands on their events', async () => {
    const plan = await provider.plan(topology);
    expect(plan.nodes.map((n) => `${n.role}:${n.id}`)).toEqual(['pr:PR', 'pv:PV1']);
    expect(plan.skipped).toEqual([]);
    const task = recordingTask();
    deployed = await provider.deploy(plan, topology, task);
    expect(task.steps).toEqual(plan.steps);
    expect(deployed.map((n) => [n.id, n.health, n.restarts])).toEqual([
      ['PR', 'healthy', 0],
      ['PV1', 'healthy', 0],
    ]);
    expect(deployed[0]?.mqttUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    expect(deployed.every((n) => n.pid !== undefined && running(n.pid))).toBe(true);
    await log.next('PR', 'started');
    await log.next('PV1', 'started');
    const epoch = await log.next('PV1', 'epoch-published');
    expect(epoch.time).toBeTypeOf('number');
    expect(provider.logs('PV1', 5).length).toBeGreaterThan(0);
    // The whole log is on disk, where the status says (the desktop shell shows it in the file manager).
    const file = deployed[1]?.logFile ?? '';
    await vi.waitFor(() => expect(readFileSync(file, 'utf8')).toContain(provider.logs('PV1', 1)[0]));
  });

  it('restarts a PV killed with SIGKILL, and its events flow again', async () => {
    const pid = deployed[1]?.pid ?? 0;
    const mark = log.events.length;
    process.kill(pid, 'SIGKILL');
    expect((await log.next('PV1', 'node-exited', mark)).payload).toEqual({ code: null, signal: 'SIGKILL' });
    expect((await log.next('PV1', 'node-restarting', mark)).payload).toEqual({ attempt: 1, delayMs: 500 });
    await log.next('PV1', 'node-healthy', mark);
    const pv = provider.status().find((n) => n.id === 'PV1');
    expect(pv).toMatchObject({ health: 'healthy', restarts: 1, lastExit: { code: null, signal: 'SIGKILL' } });
    expect(pv?.pid).not.toBe(pid);
    // The new process numbers its events from 1 again: its 'started' arrives, then its epochs.
    await log.next('PV1', 'started', mark);
    await log.next('PV1', 'epoch-published', mark);
  });

  it('tears everything down: every process gone, every port closed', async () => {
    const nodes = provider.status();
    const mark = log.events.length;
    await provider.teardown();
    expect(provider.status().map((n) => n.health)).toEqual(['stopped', 'stopped']);
    expect(nodes.map((n) => running(n.pid ?? 0))).toEqual([false, false]);
    expect(await Promise.all(portsOf(nodes).map(refusesConnections))).toEqual([true, true, true]);
    expect(
      log.events
        .slice(mark)
        .filter((e) => e.type === 'node-stopped')
        .map((e) => e.node),
    ).toEqual(['PV1', 'PR']);
    await provider.teardown();
  });

  it('redeploys on the same ports with the same certificates', async () => {
    const certificates = ca.list().length;
    const again = await provider.deploy(await provider.plan(topology), topology, recordingTask());
    expect(again.map((n) => [n.url, n.mqttUrl])).toEqual(deployed.map((n) => [n.url, n.mqttUrl]));
    expect(ca.list().length).toBe(certificates);
    await provider.teardown();
  });

  it('stops what it started when the deploy is cancelled', async () => {
    const mark = log.events.length;
    const cancel = new AbortController();
    const task = recordingTask((step) => {
      if (step === 'start PVs') cancel.abort();
    }, cancel.signal);
    await expect(provider.deploy(await provider.plan(topology), topology, task)).rejects.toThrow(/abort/i);
    expect(provider.status().map((n) => [n.id, n.health, n.pid])).toEqual([
      ['PR', 'stopped', undefined],
      ['PV1', 'stopped', undefined],
    ]);
    const pr = await log.next('PR', 'node-starting', mark);
    expect(running(pr.payload.pid as number)).toBe(false);
  });

  it('fails a deploy that a teardown interrupts, and stops its nodes', async () => {
    const mark = log.events.length;
    const deploying = provider.deploy(await provider.plan(topology), topology, recordingTask());
    const starting = await log.next('PV1', 'node-starting', mark);
    await provider.teardown();
    await expect(deploying).rejects.toThrow('the lab was torn down while it was being deployed');
    expect(provider.status().map((n) => n.health)).toEqual(['stopped', 'stopped']);
    expect(running(starting.payload.pid as number)).toBe(false);
  });

  it('fails the deploy with the name and the last log lines of a node that cannot start', async () => {
    const blockers: Server[] = [];
    // Once the configuration is written and before any PV starts, another program takes PV1's port.
    const task = recordingTask((step) => {
      if (step !== 'start PR') return;
      const ports = JSON.parse(readFileSync(join(dir, 'lab', 'nodes', 'ports.json'), 'utf8')) as Record<string, { http: number }>;
      blockers.push(createServer().listen(ports.PV1?.http, '127.0.0.1'));
    });
    try {
      await expect(provider.deploy(await provider.plan(topology), topology, task)).rejects.toThrow(/^PV1 exited with code 1 before becoming healthy; its last log lines:\n[^]*EADDRINUSE/);
    } finally {
      for (const b of blockers) b.close();
    }
    const status = provider.status();
    expect(status.map((n) => [n.id, n.health])).toEqual([
      ['PR', 'stopped'],
      ['PV1', 'failed'],
    ]);
    expect(status.every((n) => n.pid === undefined)).toBe(true);
  });

  it('leaves no node behind when the daemon is killed with SIGKILL', async () => {
    const daemon = spawn(process.execPath, ['--import', 'tsx', FIXTURE, ca.dir, join(dir, 'orphans'), JSON.stringify(topology), TOKEN], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      daemon.stdout.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
      });
      daemon.once('exit', (code) => reject(new Error(`the fixture exited with ${String(code)} before deploying`)));
    });
    const pids = JSON.parse(line) as number[];
    expect(pids.map(running)).toEqual([true, true]);
    daemon.kill('SIGKILL');
    await vi.waitFor(() => expect(pids.map(running)).toEqual([false, false]), { timeout: 20_000, interval: 100 });
  });
});
