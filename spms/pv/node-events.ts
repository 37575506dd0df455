// What the PV does, as one ordered stream of typed events: logged as JSON
// lines, kept in a bounded history, and served to authenticated subscribers
// (the lab daemon) over Server-Sent Events.
import type { ServerResponse } from 'node:http';

export type PvEventType =
  | 'started'
  | 'announcement'
  | 'archive-fetched'
  | 'binding-built'
  | 'binding-failed'
  | 'verifier-started'
  | 'verifier-finished'
  | 'decision'
  | 'epoch-published'
  | 'str-pushed'
  | 'failure-reported'
  | 'pr-unreachable'
  | 'error';

export interface PvEvent {
  seq: number;
  time: number;
  node: string;
  type: PvEventType;
  payload: Record<string, unknown>;
}

const HISTORY = 500;

export class NodeEvents {
  private seq = 0;
  private readonly history: PvEvent[] = [];
  private readonly listeners = new Set<(e: PvEvent) => void>();

  constructor(
    private readonly node: string,
    private readonly log: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  emit(type: PvEventType, payload: Record<string, unknown> = {}): PvEvent {
    const event: PvEvent = { seq: ++this.seq, time: Date.now(), node: this.node, type, payload };
    this.history.push(event);
    if (this.history.length > HISTORY) this.history.shift();
    this.log(JSON.stringify({ level: type === 'error' ? 'error' : 'info', ...event }));
    for (const l of this.listeners) l(event);
    return event;
  }

  subscribe(listener: (e: PvEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  since(seq: number): PvEvent[] {
    return this.history.filter((e) => e.seq > seq);
  }

  /** Streams events after `lastSeq` to an SSE response until the client leaves. */
  serveSse(res: ServerResponse, lastSeq: number): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    const send = (e: PvEvent): void => {
      res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    };
    for (const e of this.since(lastSeq)) send(e);
    const unsubscribe = this.subscribe(send);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    res.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
  }
}
