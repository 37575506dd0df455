// One lab node as a supervised child process, `spms pr|pv --config FILE`: its
// output kept (NodeLog), its health checked, and, once it has been healthy,
// restarted with exponential backoff whenever it exits unexpectedly, until
// too many restarts in a row fail. Every change is a lab event about the node.
//
// The child gets a stdin pipe and SPMS_EXIT_WITH_PARENT=1: the pipe closes
// however the daemon dies, even by SIGKILL, and the node then stops itself
// (bin/lib/stop-request.ts), so no node outlives the daemon.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EmitLabEvent } from '../../events/lab-event.ts';
import type { NodeHealth, NodeRole, NodeStatus } from '../provider.ts';
import { probeHealth } from './health-probe.ts';
import { SUPERVISOR_PREFIX, type NodeLog } from './node-log.ts';
import { NodeStartError } from './node-start-error.ts';

const SPMS = fileURLToPath(new URL('../../../bin/spms.js', import.meta.url));

/** The supervisor's limits and delays; tests shorten them. */
export interface Supervision {
  /** A process not healthy by then is killed: a failed start. */
  startTimeoutMs: number;
  /** Health checks while a process starts, and once it runs. */
  startProbeMs: number;
  probeMs: number;
  probeTimeoutMs: number;
  /** Consecutive failed checks before a running node counts as unhealthy. */
  unhealthyAfter: number;
  /** Restart delays: the first, doubled each time up to the cap, back to the first after a stable run. */
  restartFirstMs: number;
  restartMaxMs: number;
  stableMs: number;
  /** Consecutive restarts that never became healthy before the node is given up as failed. */
  maxFailedRestarts: number;
  /** From SIGTERM to SIGKILL. */
  stopGraceMs: number;
  /** Log lines quoted in a start failure and in a give-up. */
  quotedLines: number;
}

export const SUPERVISION: Readonly<Supervision> = {
  startTimeoutMs: 60_000,
  startProbeMs: 200,
  probeMs: 2_000,
  probeTimeoutMs: 1_500,
  unhealthyAfter: 3,
  restartFirstMs: 500,
  restartMaxMs: 30_000,
  stableMs: 60_000,
  maxFailedRestarts: 10,
  stopGraceMs: 10_000,
  quotedLines: 20,
};

export interface NodeProcessOptions {
  id: string;
  role: NodeRole;
  configFile: string;
  /** The node's HTTPS gateway, where /healthz answers. */
  url: string;
  mqttUrl?: string;
  /** The lab root, the only authority the health checks trust. */
  caPem: string;
  log: NodeLog;
  emit: EmitLabEvent;
  /** Each time a new process is spawned: whatever it numbers starts again. */
  onSpawn?: () => void;
  /** Overrides of the default limits and delays. */
  supervision?: Partial<Supervision>;
}

function describeExit(code: number | null, signal: string | null): string {
  return signal === null ? `exited with code ${String(code)}` : `was killed by ${signal}`;
}

export class NodeProcess {
  private child: ChildProcessWithoutNullStreams | undefined;
  /** Which spawn the timers and checks in flight belong to; older ones are ignored. */
  private generation = 0;
  private health: NodeHealth = 'stopped';
  private detail: string | undefined;
  private restarts = 0;
  private startedMs: number | undefined;
  private lastExit: NodeStatus['lastExit'];
  private probeTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private probeFailures = 0;
  /** Whether the current process has been healthy, and since when. */
  private healthySinceMs: number | undefined;
  private startTimedOut: string | undefined;
  /** Restarts happen only once the first process has been healthy: before that, an exit is a failed deploy. */
  private supervised = false;
  private failedRestarts = 0;
  private backoffAttempt = 0;
  private firstStart: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private stopping: Promise<void> | undefined;

  private readonly limits: Supervision;

  constructor(private readonly opts: NodeProcessOptions) {
    this.limits = { ...SUPERVISION, ...opts.supervision };
  }

  get id(): string {
    return this.opts.id;
  }

  get role(): NodeRole {
    return this.opts.role;
  }

  /** Spawns the node; resolves once it is healthy, from then on it is supervised. */
  start(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error);
      const onAbort = (): void => this.settleFirstStart(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      this.firstStart = {
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (e) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      this.spawnProcess();
    });
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.terminate();
    return this.stopping;
  }

  status(): NodeStatus {
    return {
      id: this.opts.id,
      role: this.opts.role,
      health: this.health,
      url: this.opts.url,
      ...(this.opts.mqttUrl === undefined ? {} : { mqttUrl: this.opts.mqttUrl }),
      ...(this.child?.pid === undefined ? {} : { pid: this.child.pid }),
      restarts: this.restarts,
      ...(this.startedMs === undefined ? {} : { startedMs: this.startedMs }),
      ...(this.lastExit === undefined ? {} : { lastExit: this.lastExit }),
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      logFile: this.opts.log.path,
    };
  }

  logs(tail: number): string[] {
    return this.opts.log.tail(tail);
  }

  private emit(type: string, payload: Record<string, unknown> = {}): void {
    this.opts.emit({ node: this.opts.id, type, payload });
  }

  private spawnProcess(): void {
    const generation = ++this.generation;
    const child = spawn(process.execPath, [SPMS, this.opts.role, '--config', this.opts.configFile], {
      stdio: 'pipe',
      env: { ...process.env, SPMS_EXIT_WITH_PARENT: '1' },
    });
    this.child = child;
    this.health = 'starting';
    this.detail = undefined;
    this.probeFailures = 0;
    this.healthySinceMs = undefined;
    this.startTimedOut = undefined;
    this.startedMs = Date.now();
    child.stdout.on('data', (chunk: Buffer) => this.opts.log.write('stdout', chunk));
    child.stderr.on('data', (chunk: Buffer) => this.opts.log.write('stderr', chunk));
    // The pipe is only there to close when the daemon dies; writing to it after the child is gone fails, harmlessly.
    child.stdin.on('error', () => undefined);
    child.on('error', (e) => this.opts.log.note(`cannot run the node: ${e.message}`));
    // 'close' rather than 'exit': by then every line the process wrote has been read, so a failure can quote them.
    child.on('close', (code, signal) => this.exited(generation, code, signal));
    this.opts.log.note(`started ${this.opts.role} ${this.opts.id}, pid ${String(child.pid)}`);
    this.emit('node-starting', { pid: child.pid ?? null, restarts: this.restarts });
    this.opts.onSpawn?.();
    this.scheduleProbe(generation, this.limits.startProbeMs);
  }

  private scheduleProbe(generation: number, delayMs: number): void {
    this.probeTimer = setTimeout(() => void this.probe(generation), delayMs);
  }

  private async probe(generation: number): Promise<void> {
    const answer = await probeHealth(this.opts.url, this.opts.caPem, this.limits.probeTimeoutMs);
    const child = this.child;
    if (generation !== this.generation || child === undefined || this.stopping !== undefined) return;
    if (this.health === 'starting') {
      if (answer.ok) {
        this.becameHealthy();
      } else if (Date.now() - (this.startedMs ?? 0) > this.limits.startTimeoutMs) {
        this.startTimedOut = `did not become healthy within ${this.limits.startTimeoutMs / 1000} s (last check: ${answer.reason})`;
        this.opts.log.note(`${this.startTimedOut}: killing it`);
        child.kill('SIGKILL');
        return;
      }
    } else if (answer.ok) {
      this.probeFailures = 0;
      if (this.health === 'unhealthy') {
        this.health = 'healthy';
        this.detail = undefined;
        this.emit('node-healthy', { pid: child.pid ?? null });
      }
    } else if (++this.probeFailures >= this.limits.unhealthyAfter && this.health === 'healthy') {
      this.health = 'unhealthy';
      this.detail = answer.reason;
      this.emit('node-unhealthy', { reason: answer.reason });
    }
    this.scheduleProbe(generation, this.health === 'starting' ? this.limits.startProbeMs : this.limits.probeMs);
  }

  private becameHealthy(): void {
    this.health = 'healthy';
    this.healthySinceMs = Date.now();
    this.failedRestarts = 0;
    this.opts.log.note('healthy');
    this.emit('node-healthy', { pid: this.child?.pid ?? null });
    this.supervised = true;
    this.settleFirstStart();
  }

  private settleFirstStart(error?: Error): void {
    const pending = this.firstStart;
    this.firstStart = undefined;
    if (error === undefined) pending?.resolve();
    else pending?.reject(error);
  }

  private exited(generation: number, code: number | null, signal: NodeJS.Signals | null): void {
    if (generation !== this.generation) return;
    clearTimeout(this.probeTimer);
    this.child = undefined;
    this.lastExit = { code, signal, timeMs: Date.now() };
    this.opts.log.note(describeExit(code, signal));
    if (this.stopping !== undefined) return;
    this.emit('node-exited', { code, signal });
    const wasHealthy = this.healthySinceMs !== undefined;
    const reason = this.startTimedOut ?? `${describeExit(code, signal)}${wasHealthy ? '' : ' before becoming healthy'}`;
    if (!this.supervised) {
      this.fail(reason);
      this.settleFirstStart(new NodeStartError(this.opts.id, reason, this.opts.log.tail(this.limits.quotedLines)));
      return;
    }
    if (!wasHealthy && ++this.failedRestarts >= this.limits.maxFailedRestarts) {
      this.fail(`${reason}, after ${this.failedRestarts} failed restarts in a row`);
      return;
    }
    if (wasHealthy && Date.now() - (this.healthySinceMs ?? 0) >= this.limits.stableMs) this.backoffAttempt = 0;
    this.backoffAttempt += 1;
    const delayMs = Math.min(this.limits.restartFirstMs * 2 ** (this.backoffAttempt - 1), this.limits.restartMaxMs);
    this.health = 'restarting';
    this.detail = reason;
    this.opts.log.note(`restarting in ${delayMs} ms (attempt ${this.backoffAttempt})`);
    this.emit('node-restarting', { attempt: this.backoffAttempt, delayMs });
    this.restartTimer = setTimeout(() => {
      this.restarts += 1;
      this.spawnProcess();
    }, delayMs);
  }

  /** Gives the node up: its status and event say why, quoting the last line the node itself wrote. */
  private fail(reason: string): void {
    const lastLines = this.opts.log.tail(this.limits.quotedLines);
    const said = lastLines.filter((l) => !l.startsWith(SUPERVISOR_PREFIX)).at(-1);
    this.health = 'failed';
    this.detail = said === undefined ? reason : `${reason}; its last line: ${said}`;
    this.opts.log.note(`failed: ${reason}`);
    this.emit('node-failed', { reason, restarts: this.restarts, exit: this.lastExit ?? null, lastLines });
  }

  private async terminate(): Promise<void> {
    clearTimeout(this.probeTimer);
    clearTimeout(this.restartTimer);
    const child = this.child;
    const wasUp = child !== undefined || this.health === 'restarting';
    if (child !== undefined) {
      const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
      child.kill('SIGTERM');
      const kill = setTimeout(() => {
        this.opts.log.note(`still running ${this.limits.stopGraceMs / 1000} s after SIGTERM: SIGKILL`);
        child.kill('SIGKILL');
      }, this.limits.stopGraceMs);
      await closed;
      clearTimeout(kill);
    }
    this.settleFirstStart(new NodeStartError(this.opts.id, 'was stopped before it became healthy', this.opts.log.tail(this.limits.quotedLines)));
    if (wasUp) {
      this.health = 'stopped';
      this.detail = undefined;
      this.emit('node-stopped');
    }
    this.opts.log.close();
  }
}
