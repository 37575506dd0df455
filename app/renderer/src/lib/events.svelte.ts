// The lab's live event stream for every view: one WebSocket to the daemon,
// reconnecting with ?after=<last seq> so nothing is missed or repeated, a
// bounded reactive list of recent events, and listeners for views that react
// to particular events.
import type { LabEvent } from './api-types.ts';

const KEEP = 3000;

export type Connection = 'connecting' | 'open' | 'closed';

class LabEvents {
  events = $state<LabEvent[]>([]);
  connection = $state<Connection>('connecting');
  private lastSeq = 0;
  private socket: WebSocket | undefined;
  private retryMs = 500;
  private readonly listeners = new Set<(e: LabEvent) => void>();

  start(): void {
    if (this.socket !== undefined) return;
    this.connect();
  }

  private connect(): void {
    this.connection = 'connecting';
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${proto}://${location.host}/api/events?after=${this.lastSeq}`);
    this.socket = ws;
    ws.onopen = () => {
      this.connection = 'open';
      this.retryMs = 500;
    };
    ws.onmessage = (m) => {
      const e = JSON.parse(String(m.data)) as LabEvent;
      if (e.seq <= this.lastSeq) return;
      this.lastSeq = e.seq;
      this.events.push(e);
      if (this.events.length > KEEP) this.events.splice(0, this.events.length - KEEP);
      for (const l of this.listeners) l(e);
    };
    ws.onclose = () => {
      this.connection = 'closed';
      this.socket = undefined;
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
    };
  }

  /** Calls `listener` for every new event; returns the unsubscribe function (use it in $effect cleanups). */
  on(listener: (e: LabEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export const labEvents = new LabEvents();
