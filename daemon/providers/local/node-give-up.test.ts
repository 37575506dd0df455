// A node that crashes at every start, supervised by the local provider with
// short delays: a real PV process whose configuration has been broken behind
// the supervisor's back. Restarts come with growing delays, each one an
// event, until the supervisor gives the node up; then nothing of it runs,
// its status says why, and a redeploy brings it back.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabCa } from '../../../certs/lab-ca.ts';
import type { LabEventInput } from '../../events/lab-event.ts';
import type { Topology } from '../../state/topology.ts';
import type { TaskHandle } from '../../tasks/task-handle.ts';
import { LocalProvider } from './local-provider.ts';

const topology: Topology = {
  pr: { id: 'PR' },
  pvs: [{ id: 'PV1', verifiers: [{ id: 'ok', kind: 'dummy-pass', property: 'accepted' }], formula: 'accepted', epochLengthMs: 500 }],
};
const MAX_FAILED = 3;

const task: TaskHandle = { id: 'test', signal: new AbortController().signal, step: () => undefined, progress: () => undefined, log: () => undefined };

const events: LabEventInput[] = [];
const waiters = new Set<() => void>();
function emit(e: LabEventInput): void {
  events.push(e);
  for (const w of waiters) w();
}

/** Resolves with the first event of `type` about PV1 from index `from` on. */
function next(type: string, from: number, timeoutMs = 20_000): Promise<LabEventInput> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const found = events.slice(from).find((e) => e.node === 'PV1' && e.type === type);
      if (found === undefined) return;
      waiters.delete(check);
      clearTimeout(timer);
      resolve(found);
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`no ${type} from PV1 within ${timeoutMs} ms; got: ${events.map((e) => `${e.node}:${e.type}`).join(' ')}`));
    }, timeoutMs);
    waiters.add(check);
    check();
  });
}

/** Whether a process runs (a zombie its parent has not reaped counts as gone). */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

let dir: string;
let provider: LocalProvider;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spms-give-up-'));
  const ca = LabCa.init(join(dir, 'ca'), { keyBits: 2048 });
  provider = new LocalProvider({ labDir: join(dir, 'lab'), ca, eventsToken: 'give-up-test-token', emit }, { supervision: { restartFirstMs: 50, maxFailedRestarts: MAX_FAILED } });
});

afterAll(async () => {
  await provider.teardown();
  rmSync(dir, { recursive: true, force: true });
});

describe('a node that crashes at every start', { timeout: 60_000 }, () => {
  it('is restarted with growing delays, then given up with the reason, leaving no process; a redeploy brings it back', async () => {
    const deployed = await provider.deploy(await provider.plan(topology), topology, task);
    const firstPid = deployed.find((n) => n.id === 'PV1')?.pid ?? 0;
    expect(running(firstPid)).toBe(true);

    // From now on every start of PV1 reads a configuration it refuses, and exits with code 1.
    const configFile = join(dir, 'lab', 'nodes', 'PV1.json');
    const goodConfig = readFileSync(configFile, 'utf8');
    writeFileSync(configFile, '{"id": 5}\n');
    const mark = events.length;
    process.kill(firstPid, 'SIGKILL');
    const failed = await next('node-failed', mark);

    const seen = events.slice(mark).filter((e) => e.node === 'PV1' && e.type.startsWith('node-'));
    expect(seen.map((e) => e.type)).toEqual(['node-exited', ...Array.from({ length: MAX_FAILED }, () => ['node-restarting', 'node-starting', 'node-exited']).flat(), 'node-failed']);
    expect(seen.filter((e) => e.type === 'node-restarting').map((e) => e.payload)).toEqual([
      { attempt: 1, delayMs: 50 },
      { attempt: 2, delayMs: 100 },
      { attempt: 3, delayMs: 200 },
    ]);
    const exits = seen.filter((e) => e.type === 'node-exited').map((e) => e.payload);
    expect(exits).toEqual([{ code: null, signal: 'SIGKILL' }, ...Array.from({ length: MAX_FAILED }, () => ({ code: 1, signal: null }))]);
    expect(failed.payload).toMatchObject({
      reason: `exited with code 1 before becoming healthy, after ${MAX_FAILED} failed restarts in a row`,
      restarts: MAX_FAILED,
      exit: { code: 1, signal: null },
    });
    expect((failed.payload.lastLines as string[]).join('\n')).toContain('invalid PV configuration');

    const pv = provider.status().find((n) => n.id === 'PV1');
    expect(pv).toMatchObject({ health: 'failed', restarts: MAX_FAILED, lastExit: { code: 1, signal: null } });
    expect(pv?.pid).toBeUndefined();
    expect(pv?.detail).toMatch(/^exited with code 1 before becoming healthy, after 3 failed restarts in a row; its last line: spms pv: invalid PV configuration: /);
    const pids = [firstPid, ...seen.filter((e) => e.type === 'node-starting').map((e) => e.payload.pid as number)];
    expect(new Set(pids).size).toBe(1 + MAX_FAILED);
    expect(pids.filter(running)).toEqual([]);
    // Given up means given up: no restart is pending (longer than the next delay would have been).
    await new Promise((r) => setTimeout(r, 500));
    expect(events.slice(mark).filter((e) => e.node === 'PV1' && e.type.startsWith('node-'))).toHaveLength(seen.length);
    // The PR was left alone.
    expect(provider.status().find((n) => n.id === 'PR')?.health).toBe('healthy');

    // A redeploy writes the configuration again and brings the node back.
    const again = await provider.deploy(await provider.plan(topology), topology, task);
    expect(readFileSync(configFile, 'utf8')).toBe(goodConfig);
    expect(again.map((n) => [n.id, n.health, n.restarts])).toEqual([
      ['PR', 'healthy', 0],
      ['PV1', 'healthy', 0],
    ]);
    expect(running(again.find((n) => n.id === 'PV1')?.pid ?? 0)).toBe(true);
  });
});
