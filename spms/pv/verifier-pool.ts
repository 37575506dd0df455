// Runs one verifier job in its own child process, with a wall-clock timeout
// and a heap cap, so a verifier that loops, leaks or crashes costs only its
// own job. A crash or timeout is an 'error' outcome, never an exception.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VerifierJobMessage, VerifierOutcome, WorkerReply } from './verifier-job.ts';

const WORKER = fileURLToPath(new URL('./verifier-worker.ts', import.meta.url));
/** The side-effect specs, located from the sources (a bundled worker cannot find them itself). */
const SPEC_DIR = fileURLToPath(new URL('../verifier/data/hl_specs/', import.meta.url));

let bundled: Promise<string | undefined> | undefined;

/**
 * The worker as one plain JavaScript file, built once per process: a fresh
 * worker then starts in a fraction of the time the TypeScript loader needs.
 * Without esbuild, workers run from source.
 */
function workerScript(): Promise<string | undefined> {
  bundled ??= (async () => {
    try {
      const { build } = await import('esbuild');
      const dir = mkdtempSync(join(tmpdir(), 'spms-worker-'));
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      const outfile = join(dir, 'verifier-worker.mjs');
      await build({
        entryPoints: [WORKER],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        outfile,
        logLevel: 'silent',
        // CommonJS dependencies inside an ES module bundle need a require.
        banner: { js: "import { createRequire as __spmsRequire } from 'node:module'; const require = __spmsRequire(import.meta.url);" },
      });
      return outfile;
    } catch {
      return undefined;
    }
  })();
  return bundled;
}

/** Builds the worker script now, so that the node's first job does not wait for it. */
export function prepareWorkers(): void {
  void workerScript();
}

export interface JobLimits {
  timeoutMs: number;
  memoryMb: number;
}

export function runInWorker(job: VerifierJobMessage, limits: JobLimits, signal?: AbortSignal): Promise<VerifierOutcome> {
  const started = performance.now();
  const failure = (message: string): VerifierOutcome => ({
    verdict: 'error',
    property: job.verifier.property,
    findings: [{ check: job.verifier.kind, severity: 'error', message }],
    log: '',
    durationMs: Math.round(performance.now() - started),
  });
  return workerScript().then(
    (script) =>
      new Promise((resolve) => {
        const child = fork(script ?? WORKER, [], {
          execArgv: [...(script === undefined ? ['--import', 'tsx'] : []), `--max-old-space-size=${limits.memoryMb}`],
          env: { ...process.env, SPMS_SPEC_DIR: SPEC_DIR },
          serialization: 'advanced',
          stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        });
        let stderr = '';
        child.stderr?.on('data', (c: Buffer) => {
          if (stderr.length < 8192) stderr += c.toString('utf8');
        });
        let settled = false;
        const finish = (outcome: VerifierOutcome): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          if (child.exitCode === null) child.kill('SIGKILL');
          resolve(outcome);
        };
        const onAbort = (): void => finish(failure('cancelled'));
        signal?.addEventListener('abort', onAbort, { once: true });
        const timer = setTimeout(() => finish(failure(`verifier ${job.verifier.id} exceeded its ${limits.timeoutMs} ms timeout`)), limits.timeoutMs);
        child.on('message', (reply: WorkerReply) => finish(reply.ok ? reply.result : failure(reply.error)));
        child.on('exit', (code, sig) => {
          const oom = /heap out of memory|Allocation failed/i.test(stderr);
          finish(
            failure(
              oom
                ? `verifier ${job.verifier.id} exceeded its ${limits.memoryMb} MB memory cap`
                : `verifier worker exited (${sig ?? `code ${String(code)}`})${stderr === '' ? '' : `: ${stderr.trim().split('\n').slice(-3).join(' | ')}`}`,
            ),
          );
        });
        child.send(job);
      }),
  );
}
