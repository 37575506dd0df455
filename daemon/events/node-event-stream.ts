// Follows one node's event stream, GET {url}/v1/events (Server-Sent Events
// over HTTPS, the daemon's bearer token), and hands each event on as a lab
// event about that node. Whenever the stream breaks it reconnects with
// backoff, asking only for what came after the last event it saw. A node's
// new process numbers its events from 1 again, so whoever restarts the node
// says so (newProcess), and the stream starts over from the beginning.
import type { ClientRequest } from 'node:http';
import { request } from 'node:https';
import { z } from 'zod';
import type { EmitLabEvent } from './lab-event.ts';

const nodeEventSchema = z.object({
  seq: z.number().int().min(1),
  time: z.number(),
  type: z.string().min(1),
  payload: z.record(z.string(), z.unknown()),
});

export interface NodeEventStreamOptions {
  /** The node's id in the lab; the events handed on carry it, whatever the node calls itself. */
  node: string;
  url: string;
  /** The lab root, the only authority trusted for the node's certificate. */
  caPem: string;
  token: string;
  emit: EmitLabEvent;
  retry?: { minMs: number; maxMs: number };
}

export class NodeEventStream {
  private lastSeq = 0;
  private following = false;
  private current: ClientRequest | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly retry: { minMs: number; maxMs: number };
  private delayMs: number;

  constructor(private readonly opts: NodeEventStreamOptions) {
    this.retry = opts.retry ?? { minMs: 200, maxMs: 2000 };
    this.delayMs = this.retry.minMs;
  }

  /** Starts following; does nothing when already following. */
  start(): void {
    if (this.following) return;
    this.following = true;
    this.connect();
  }

  /** The node now runs in a new process: its numbering starts again, and it is worth asking again soon. */
  newProcess(): void {
    this.lastSeq = 0;
    this.delayMs = this.retry.minMs;
    if (!this.following) return;
    // A stream still open belongs to the old process.
    this.disconnect();
    this.scheduleReconnect();
  }

  stop(): void {
    this.following = false;
    this.disconnect();
  }

  private disconnect(): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const open = this.current;
    this.current = undefined;
    open?.destroy();
  }

  private connect(): void {
    this.reconnectTimer = undefined;
    let buffer = '';
    const req = request(
      `${this.opts.url}/v1/events?after=${this.lastSeq}`,
      { ca: this.opts.caPem, agent: false, headers: { authorization: `Bearer ${this.opts.token}`, accept: 'text/event-stream' } },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          req.destroy();
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk.replace(/\r\n?/g, '\n');
          let end;
          while (this.current === req && (end = buffer.indexOf('\n\n')) >= 0) {
            this.onBlock(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        });
        // A broken response ends in the request's 'close', which reconnects.
        res.on('error', () => undefined);
      },
    );
    req.on('error', () => undefined);
    req.on('close', () => {
      if (this.current !== req) return;
      this.current = undefined;
      if (this.following) this.scheduleReconnect();
    });
    req.end();
    this.current = req;
  }

  private scheduleReconnect(): void {
    this.reconnectTimer = setTimeout(() => this.connect(), this.delayMs);
    this.delayMs = Math.min(this.delayMs * 2, this.retry.maxMs);
  }

  /** One SSE block: its data lines joined; comments (keep-alives) and blocks without data are skipped. */
  private onBlock(block: string): void {
    const data = block
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5))
      .join('\n');
    if (data === '') return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    const event = nodeEventSchema.safeParse(json);
    // An event this daemon cannot read, or one already handed on, is skipped rather than breaking the stream.
    if (!event.success || event.data.seq <= this.lastSeq) return;
    this.lastSeq = event.data.seq;
    this.delayMs = this.retry.minMs;
    this.opts.emit({ node: this.opts.node, type: event.data.type, payload: event.data.payload, time: event.data.time });
  }
}
