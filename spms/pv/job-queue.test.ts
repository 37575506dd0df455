// The verifier runner with real worker processes: verdicts, timeouts, memory
// caps, retries, cancellation, and resumption after a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeBinding, utf8 } from '../core/index.ts';
import { pvConfigSchema, type VerifierConfig } from './config.ts';
import { JobQueue } from './job-queue.ts';
import { NodeEvents } from './node-events.ts';
import { openPvDatabase, type PvDatabase } from './pv-db.ts';
import { runInWorker } from './verifier-pool.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const binding = encodeBinding({ v: 1, name: 'org.example.q', manifest: utf8('org.example.q\n'), pluglets: { 'a.o': utf8('x') } });

function verifier(id: string, command: string[], extra: Partial<VerifierConfig> = {}, options: Record<string, unknown> = {}): VerifierConfig {
  const parsed = pvConfigSchema.shape.verifiers.element.parse({ id, kind: 'external', property: id, options: { command, sandbox: 'none', ...options }, ...extra });
  return parsed;
}

function setup(verifiers: VerifierConfig[]): { db: PvDatabase; done: string[]; queue: JobQueue; events: NodeEvents; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'spms-jobs-'));
  dirs.push(dir);
  const db = openPvDatabase(dir);
  db.prepare("INSERT INTO submissions (id, name, archive_hash, state, announced_ms) VALUES ('s1', 'org.example.q', 'h', 'verifying', 0)").run();
  const done: string[] = [];
  const events = new NodeEvents('PV1', () => undefined);
  const queue = new JobQueue(
    db,
    verifiers,
    events,
    runInWorker,
    () => ({ binding, sources: [] }),
    (id) => done.push(id),
  );
  return { db, done, queue, events, dir };
}

const jobs = (db: PvDatabase): unknown[] => db.prepare('SELECT verifier_id, state, verdict, attempts FROM jobs ORDER BY verifier_id').all();

describe('verifier job queue', () => {
  it('runs every verifier in a worker and reports the submission done once', async () => {
    const { db, done, queue } = setup([verifier('ok', ['true']), verifier('no', ['false']), verifier('slow', ['sleep', '20'], { retries: 1 }, { timeoutMs: 300 })]);
    queue.enqueue('s1');
    await queue.idle();
    await waitFor(() => done.length === 1);
    expect(done).toEqual(['s1']);
    expect(jobs(db)).toEqual([
      { verifier_id: 'no', state: 'done', verdict: 'fail', attempts: 1 },
      { verifier_id: 'ok', state: 'done', verdict: 'pass', attempts: 1 },
      { verifier_id: 'slow', state: 'done', verdict: 'error', attempts: 1 },
    ]);
    const slow = JSON.parse((db.prepare("SELECT result FROM jobs WHERE verifier_id = 'slow'").get() as { result: string }).result) as { findings: { message: string }[] };
    expect(slow.findings[0]!.message).toMatch(/exceeded 300 ms/);
    db.close();
  });

  it('retries a worker that exceeds the job timeout, then gives up with an error', async () => {
    const { db, queue } = setup([verifier('hang', ['sleep', '20'], { timeoutMs: 60_000, retries: 1 })]);
    // The worker's own limit is shorter than the tool's: the worker is killed.
    const tight = new JobQueue(
      db,
      [{ ...verifier('hang', ['sleep', '20']), timeoutMs: 1500, retries: 1 }],
      new NodeEvents('PV1', () => undefined),
      runInWorker,
      () => ({ binding, sources: [] }),
      () => undefined,
    );
    tight.enqueue('s1');
    await waitFor(() => (jobs(db)[0] as { state: string }).state === 'done', 20_000);
    expect(jobs(db)).toEqual([{ verifier_id: 'hang', state: 'done', verdict: 'error', attempts: 2 }]);
    await queue.stop();
    db.close();
  });

  it('resumes jobs a crash left running', async () => {
    const { db, dir, queue } = setup([verifier('ok', ['true'])]);
    db.prepare("INSERT INTO jobs (submission_id, verifier_id, state, attempts) VALUES ('s1', 'ok', 'running', 1)").run();
    await queue.stop();
    db.close();
    const again = openPvDatabase(dir);
    const done: string[] = [];
    const q = new JobQueue(
      again,
      [verifier('ok', ['true'])],
      new NodeEvents('PV1', () => undefined),
      runInWorker,
      () => ({ binding, sources: [] }),
      (id) => done.push(id),
    );
    q.pump();
    await waitFor(() => done.length === 1);
    expect(jobs(again)).toEqual([{ verifier_id: 'ok', state: 'done', verdict: 'pass', attempts: 2 }]);
    again.close();
  });

  it('cancels the jobs of a superseded submission', async () => {
    const { db, done, queue } = setup([verifier('a', ['sleep', '20']), verifier('b', ['sleep', '20']), verifier('c', ['true'])]);
    queue.enqueue('s1');
    await waitFor(() => (db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE state = 'running'").get() as { n: number }).n === 2);
    queue.cancel('s1');
    await queue.idle();
    expect((jobs(db) as { state: string }[]).map((j) => j.state)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(done).toEqual([]);
    db.close();
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
