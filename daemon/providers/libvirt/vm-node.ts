// One node of the lab running as a VM: its health as the daemon sees it,
// its log on the host (the node's journal, streamed over SSH, and the
// provider's notes), the serial console log libvirt writes, and, once it is
// up, the follow-up of its health and its event stream.
import { readFileSync } from 'node:fs';
import { NodeEventStream } from '../../events/node-event-stream.ts';
import type { EmitLabEvent } from '../../events/lab-event.ts';
import { probeHealth } from '../local/health-probe.ts';
import { NodeLog } from '../local/node-log.ts';
import type { NodeHealth, NodeRole, NodeStatus } from '../provider.ts';
import type { NodeEndpoints } from './guest-network.ts';
import { pause } from './pause.ts';
import type { GuestShell } from './ssh-provisioner.ts';

export interface VmNodeOptions {
  id: string;
  role: NodeRole;
  /** The libvirt domain and the host it runs on. */
  domain: string;
  uri: string;
  endpoints: NodeEndpoints;
  logFile: string;
  serialLog: string;
  caPem: string;
  eventsToken: string;
  emit: EmitLabEvent;
}

const JOURNAL = 'journalctl -b -n all -f -u spms-node -o cat --no-pager';

/** The last `n` lines of a file, or none when it cannot be read (not written yet). */
export function fileTail(file: string, n: number): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const lines = text.replace(/\r/g, '').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return n <= 0 ? [] : lines.slice(-n);
}

export class VmNode {
  readonly log: NodeLog;
  private health: NodeHealth = 'starting';
  private detail: string | undefined;
  private startedMs: number | undefined;
  private shell: GuestShell | undefined;
  private journal: { stop: () => void } | undefined;
  private journalLines = 0;
  private readonly events: NodeEventStream;
  private monitor: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(readonly opts: VmNodeOptions) {
    this.log = new NodeLog(opts.logFile);
    this.events = new NodeEventStream({ node: opts.id, url: opts.endpoints.url, caPem: opts.caPem, token: opts.eventsToken, emit: opts.emit });
  }

  get id(): string {
    return this.opts.id;
  }

  get role(): NodeRole {
    return this.opts.role;
  }

  status(): NodeStatus {
    return {
      id: this.opts.id,
      role: this.opts.role,
      health: this.health,
      url: this.opts.endpoints.url,
      ...(this.opts.endpoints.mqttUrl === undefined ? {} : { mqttUrl: this.opts.endpoints.mqttUrl }),
      restarts: 0,
      ...(this.startedMs === undefined ? {} : { startedMs: this.startedMs }),
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      logFile: this.opts.logFile,
    };
  }

  /** The node's journal as collected; before it has any, the serial console (the boot). */
  logs(tail: number): string[] {
    if (tail <= 0) return [];
    return this.journalLines === 0 ? [...fileTail(this.opts.serialLog, tail), ...this.log.tail(tail)].slice(-tail) : this.log.tail(tail);
  }

  serialTail(n: number): string[] {
    return fileTail(this.opts.serialLog, n);
  }

  note(line: string): void {
    this.log.note(line);
  }

  booted(): void {
    this.startedMs = Date.now();
    this.emit('node-starting', { domain: this.opts.domain, host: this.opts.uri });
  }

  /** How long ago the domain started, for the log's milestones ("after 12.3 s"). */
  sinceBoot(): string {
    return `after ${(this.startedMs === undefined ? 0 : (Date.now() - this.startedMs) / 1000).toFixed(1)} s`;
  }

  /** Takes the SSH session the node is provisioned through (and, once it is healthy, its journal is followed over). */
  attach(shell: GuestShell): void {
    this.shell = shell;
  }

  /**
   * Streams the node's journal, from the boot on, into the log. Started once
   * the node is healthy: one more program in a guest that is still starting
   * would slow it down under emulation, and the journal loses nothing.
   */
  private followJournal(): void {
    if (this.shell === undefined || this.journal !== undefined || this.stopped) return;
    this.journal = this.shell.follow(JOURNAL, (line) => {
      this.journalLines++;
      this.log.write('stdout', Buffer.from(`${line}\n`));
    });
  }

  /** The node's last journal lines, read once (why a node that never became healthy failed); the log's tail when that fails. */
  async recentJournal(n: number): Promise<string[]> {
    const r = await this.shell?.exec(`journalctl -b -n ${n} -u spms-node -o cat --no-pager`).catch(() => undefined);
    if (r === undefined || r.code !== 0) return this.log.tail(n);
    for (const line of r.stdout.split('\n').filter((l) => l !== '')) this.log.write('stdout', Buffer.from(`${line}\n`));
    return this.log.tail(n);
  }

  setHealth(health: NodeHealth, detail?: string): void {
    const changed = health !== this.health;
    this.health = health;
    this.detail = detail;
    if (!changed) return;
    if (health === 'healthy') this.emit('node-healthy', {});
    else if (health === 'unhealthy') this.emit('node-unhealthy', { reason: detail ?? '' });
    else if (health === 'failed') this.emit('node-failed', { reason: detail ?? '' });
    else if (health === 'stopped') this.emit('node-stopped', {});
  }

  /** Resolves once /healthz answers 200 through the node's address; throws with the last reason at the deadline. */
  async waitHealthy(deadlineMs: number, signal: AbortSignal): Promise<void> {
    let reason = 'not probed';
    while (Date.now() < deadlineMs) {
      signal.throwIfAborted();
      const answer = await probeHealth(this.opts.endpoints.url, this.opts.caPem, 3000);
      if (answer.ok) {
        this.setHealth('healthy');
        this.events.start();
        this.followJournal();
        return;
      }
      reason = answer.reason;
      await pause(500, signal);
    }
    throw new Error(`did not become healthy at ${this.opts.endpoints.url}/healthz: ${reason}`);
  }

  /**
   * Checks health every `everyMs`; `vmState` says why when the VM itself is
   * gone. One missed answer is not enough to call a node unhealthy: under
   * TCG on a loaded host a healthy guest can be slow to answer now and then.
   */
  startMonitoring(everyMs: number, vmState: () => Promise<string | undefined>): void {
    let misses = 0;
    const round = async (): Promise<void> => {
      const answer = await probeHealth(this.opts.endpoints.url, this.opts.caPem, Math.min(5000, everyMs));
      if (this.monitor === undefined) return;
      misses = answer.ok ? 0 : misses + 1;
      if (answer.ok) this.setHealth('healthy');
      else {
        const state = await vmState().catch(() => undefined);
        if (state !== undefined && state !== 'running') this.setHealth('failed', `the VM ${this.opts.domain} is ${state}`);
        else if (misses >= 2) this.setHealth('unhealthy', answer.reason);
      }
      if (this.monitor !== undefined) this.monitor = setTimeout(() => void round(), everyMs).unref();
    };
    this.monitor = setTimeout(() => void round(), everyMs).unref();
  }

  /** Stops following the node (the VM itself is the provider's to remove); the log stays readable. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.monitor);
    this.monitor = undefined;
    this.events.stop();
    this.journal?.stop();
    this.shell?.close();
    this.shell = undefined;
    if (this.health !== 'failed') this.setHealth('stopped');
    this.log.close();
  }

  private emit(type: string, payload: Record<string, unknown>): void {
    this.opts.emit({ node: this.opts.id, type, payload });
  }
}
