// What the PR does, as one ordered stream of typed events: logged as JSON
// lines, kept in a bounded history, and served to authenticated subscribers
// (the lab daemon) over Server-Sent Events.
import type { ServerResponse } from 'node:http';

export type PrEventType =
  | 'started'
  | 'stopping'
  | 'namespace-registered'
  | 'submission'
  | 'submission-refused'
  | 'announced'
  | 'archive-fetched'
  | 'str-accepted'
  | 'str-refused'
  | 'failure-reported'
  | 'pv-registered'
  | 'client-refused'
  | 'mqtt-client'
  | 'error';

export interface PrEvent {
  seq: number;
  time: number;
  node: string;
  type: PrEventType;
  payload: Record<string, unknown>;
}

const HISTORY = 500;

export class PrEvents {
  private seq = 0;
  private readonly history: PrEvent[] = [];
  private readonly listeners = new Set<(e: PrEvent) => void>();

  constructor(
    private readonly node: string,
    private readonly log: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  emit(type: PrEventType, payload: Record<string, unknown> = {}): PrEvent {
    const event: PrEvent = { seq: ++this.seq, time: Date.now(), node: this.node, type, payload };
    this.history.push(event);
    if (this.history.length > HISTORY) this.history.shift();
    const level = type === 'error' ? 'error' : type.endsWith('-refused') ? 'warn' : 'info';
    this.log(JSON.stringify({ level, ...event }));
    for (const l of this.listeners) l(event);
    return event;
  }

  subscribe(listener: (e: PrEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  since(seq: number): PrEvent[] {
    return this.history.filter((e) => e.seq > seq);
  }

  /** Streams events after `lastSeq` to an SSE response until the client leaves. */
  serveSse(res: ServerResponse, lastSeq: number): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    const send = (e: PrEvent): void => {
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
