// The verifier runner's persistent queue: one job per (submission, verifier),
// in SQLite so a restart resumes unfinished work. Jobs run in worker
// processes, retried on crashes and timeouts up to the verifier's retries.
import type { VerifierConfig } from './config.ts';
import type { NodeEvents } from './node-events.ts';
import type { PvDatabase } from './pv-db.ts';
import type { VerifierJobMessage, VerifierOutcome } from './verifier-job.ts';

export type JobRunner = (job: VerifierJobMessage, limits: { timeoutMs: number; memoryMb: number }, signal: AbortSignal) => Promise<VerifierOutcome>;

interface JobRow {
  id: number;
  submission_id: string;
  verifier_id: string;
  attempts: number;
}

export interface JobInputs {
  binding: Uint8Array;
  sources: { path: string; data: Uint8Array }[];
}

export class JobQueue {
  private running = 0;
  private readonly controllers = new Map<number, AbortController>();
  private stopped = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly db: PvDatabase,
    private readonly verifiers: readonly VerifierConfig[],
    private readonly events: NodeEvents,
    private readonly runner: JobRunner,
    /** Loads what a job needs (binding bytes, sources) for a submission. */
    private readonly inputs: (submissionId: string) => JobInputs,
    /** Called once every job of a submission has an outcome. */
    private readonly onSubmissionDone: (submissionId: string) => void,
    private readonly concurrency = 2,
  ) {
    // Jobs a crash left running are run again.
    db.prepare("UPDATE jobs SET state = 'queued' WHERE state = 'running'").run();
  }

  enqueue(submissionId: string): void {
    const insert = this.db.prepare("INSERT OR IGNORE INTO jobs (submission_id, verifier_id, state) VALUES (?, ?, 'queued')");
    this.db.transaction(() => {
      for (const v of this.verifiers) insert.run(submissionId, v.id);
    })();
    this.pump();
  }

  /** Cancels queued and running jobs of a submission (e.g. superseded by a newer one). */
  cancel(submissionId: string): void {
    const rows = this.db.prepare<[string], { id: number }>("SELECT id FROM jobs WHERE submission_id = ? AND state IN ('queued', 'running')").all(submissionId);
    this.db.prepare("UPDATE jobs SET state = 'cancelled', finished_ms = ? WHERE submission_id = ? AND state = 'queued'").run(Date.now(), submissionId);
    for (const r of rows) this.controllers.get(r.id)?.abort();
  }

  pump(): void {
    while (!this.stopped && this.running < this.concurrency) {
      const job = this.db.prepare<[], JobRow>("SELECT id, submission_id, verifier_id, attempts FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1").get();
      if (job === undefined) break;
      this.db.prepare("UPDATE jobs SET state = 'running', attempts = attempts + 1, started_ms = ? WHERE id = ?").run(Date.now(), job.id);
      this.running++;
      void this.run(job).finally(() => {
        this.running--;
        this.pump();
        if (this.running === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
  }

  /** Resolves when no job is running (queued jobs may remain after stop()). */
  idle(): Promise<void> {
    return this.running === 0 ? Promise.resolve() : new Promise((r) => this.idleWaiters.push(r));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const c of this.controllers.values()) c.abort();
    await this.idle();
  }

  private async run(job: JobRow): Promise<void> {
    const verifier = this.verifiers.find((v) => v.id === job.verifier_id);
    const controller = new AbortController();
    this.controllers.set(job.id, controller);
    try {
      if (verifier === undefined) {
        this.finish(job, {
          verdict: 'error',
          property: '?',
          findings: [{ check: 'runner', severity: 'error', message: `verifier ${job.verifier_id} is no longer configured` }],
          log: '',
          durationMs: 0,
        });
        return;
      }
      this.events.emit('verifier-started', { submission: job.submission_id, verifier: verifier.id, kind: verifier.kind, attempt: job.attempts + 1 });
      const { binding, sources } = this.inputs(job.submission_id);
      const outcome = await this.runner({ verifier: { id: verifier.id, kind: verifier.kind, property: verifier.property, options: verifier.options }, binding, sources }, verifier, controller.signal);
      if (this.stopped) {
        // Shutting down: the job stays queued and runs again after the restart.
        this.db.prepare("UPDATE jobs SET state = 'queued', attempts = attempts - 1 WHERE id = ? AND state = 'running'").run(job.id);
        return;
      }
      const cancelled = controller.signal.aborted;
      const crashed = outcome.verdict === 'error' && !cancelled && outcome.findings.some((f) => /timeout|exited|memory cap/.test(f.message));
      if (crashed && job.attempts + 1 <= verifier.retries) {
        this.db.prepare("UPDATE jobs SET state = 'queued' WHERE id = ?").run(job.id);
        this.events.emit('verifier-finished', { submission: job.submission_id, verifier: verifier.id, verdict: 'retry', reason: outcome.findings[0]?.message });
        return;
      }
      this.finish(job, outcome, cancelled);
    } finally {
      this.controllers.delete(job.id);
    }
  }

  private finish(job: JobRow, outcome: VerifierOutcome, cancelled = false): void {
    this.db
      .prepare('UPDATE jobs SET state = ?, verdict = ?, result = ?, finished_ms = ? WHERE id = ?')
      .run(cancelled ? 'cancelled' : 'done', outcome.verdict, JSON.stringify(outcome), Date.now(), job.id);
    this.events.emit('verifier-finished', {
      submission: job.submission_id,
      verifier: job.verifier_id,
      verdict: cancelled ? 'cancelled' : outcome.verdict,
      durationMs: outcome.durationMs,
      findings: outcome.findings.length,
    });
    const open = this.db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE submission_id = ? AND state IN ('queued', 'running')").get(job.submission_id)?.n ?? 0;
    if (open === 0 && !cancelled) this.onSubmissionDone(job.submission_id);
  }
}
