// The PV's PR link over the PR's HTTPS API (docs/pr-api.md) with live
// announcements over MQTT/TLS. Catch-up by cursor runs at start, on every
// (re)connection of the broker, when a gap in cursors shows a missed message,
// and periodically as a safety net; announcements are handed on one at a
// time, in cursor order.
import mqtt, { type MqttClient } from 'mqtt';
import { z } from 'zod';
import { strToJson, type SignedStr } from '../core/index.ts';
import { nodeTransport, type NodeTlsOptions } from '../client/node-transport.ts';
import type { Transport } from '../client/transport.ts';
import type { NodeEvents } from './node-events.ts';
import type { Announcement, PrLink, StrPushResult } from './pr-link.ts';
import type { FailureReport } from './validation.ts';

const announcementSchema = z.object({
  id: z.string().min(1).max(128),
  cursor: z.number().int().min(1),
  name: z.string().min(1).max(255),
  archiveHash: z.string().regex(/^[0-9a-f]{64}$/),
  submittedMs: z.number().int().min(0),
});
const pageSchema = z.object({ announcements: z.array(announcementSchema), next: z.number().int().min(0), more: z.boolean().optional() });

export interface HttpPrLinkOptions {
  prUrl: string;
  mqttUrl?: string;
  tls: NodeTlsOptions & { cert: Buffer; key: Buffer };
  /** Where peers reach this PV's user gateway (known once it listens). */
  gatewayUrl: () => string;
  topics: string[];
  events: NodeEvents;
  pollMs: number;
}

export class PrHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PrHttpError';
  }
}

export class HttpPrLink implements PrLink {
  private readonly http: Transport;
  private mqttClient: MqttClient | undefined;
  private cursor = 0;
  private chain: Promise<void> = Promise.resolve();
  private handler: ((a: Announcement) => Promise<void>) | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private registered = false;

  constructor(private readonly opts: HttpPrLinkOptions) {
    this.http = nodeTransport(opts.tls);
  }

  private url(path: string): string {
    return `${this.opts.prUrl.replace(/\/$/, '')}${path}`;
  }

  private async call(method: 'GET' | 'POST', path: string, body?: Uint8Array, contentType?: string): Promise<{ status: number; body: Uint8Array }> {
    const res = await this.http.request(method, this.url(path), { accept: 'application/json', ...(body === undefined ? {} : { body, contentType: contentType ?? 'application/json' }) });
    if (res.status >= 400) {
      let code = 'http-error';
      let message = `HTTP ${res.status}`;
      try {
        const err = (JSON.parse(new TextDecoder().decode(res.body)) as { error?: { code?: string; message?: string } }).error;
        code = err?.code ?? code;
        message = err?.message ?? message;
      } catch {
        // not a JSON error body
      }
      throw new PrHttpError(res.status, code, `${method} ${path}: ${message}`);
    }
    return res;
  }

  private json(value: unknown): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(value));
  }

  async start(cursor: number, onAnnouncement: (a: Announcement) => Promise<void>): Promise<void> {
    this.cursor = cursor;
    this.handler = onAnnouncement;
    this.enqueueCatchUp();
    if (this.opts.mqttUrl !== undefined) {
      const client = mqtt.connect(this.opts.mqttUrl, {
        ca: this.opts.tls.ca,
        cert: this.opts.tls.cert,
        key: this.opts.tls.key,
        rejectUnauthorized: true,
        reconnectPeriod: 1000,
        connectTimeout: 10_000,
        clean: true,
      });
      this.mqttClient = client;
      client.on('connect', () => {
        client.subscribe(this.opts.topics, { qos: 1 }, (err) => {
          if (err) this.opts.events.emit('error', { where: 'mqtt-subscribe', message: err.message });
        });
        // Whatever was announced while disconnected.
        this.enqueueCatchUp();
      });
      client.on('message', (_topic, payload) => this.onMessage(payload));
      client.on('error', (e) => this.opts.events.emit('pr-unreachable', { via: 'mqtt', message: e.message }));
    }
    this.pollTimer = setInterval(() => this.enqueueCatchUp(), this.opts.pollMs);
  }

  private onMessage(payload: Buffer): void {
    let a: Announcement;
    try {
      a = announcementSchema.parse(JSON.parse(payload.toString('utf8')));
    } catch (e) {
      this.opts.events.emit('error', { where: 'mqtt-message', message: `malformed announcement ignored: ${(e as Error).message}` });
      return;
    }
    this.chain = this.chain.then(async () => {
      if (a.cursor <= this.cursor) return;
      // A gap means a message was missed: catch up by cursor instead.
      if (a.cursor > this.cursor + 1) return this.catchUp();
      await this.deliver(a);
    });
  }

  private enqueueCatchUp(): void {
    this.chain = this.chain.then(() => this.catchUp());
  }

  private async deliver(a: Announcement): Promise<void> {
    if (this.stopped || this.handler === undefined) return;
    await this.handler(a);
    this.cursor = Math.max(this.cursor, a.cursor);
  }

  private async catchUp(): Promise<void> {
    if (this.stopped) return;
    try {
      if (!this.registered) {
        await this.call('POST', '/v1/pvs/register', this.json({ gatewayUrl: this.opts.gatewayUrl() }));
        this.registered = true;
      }
      for (;;) {
        const res = await this.call('GET', `/v1/announcements?after=${this.cursor}&limit=100`);
        const page = pageSchema.parse(JSON.parse(new TextDecoder().decode(res.body)));
        for (const a of page.announcements) if (a.cursor > this.cursor) await this.deliver(a);
        if (page.announcements.length === 0 || page.more === false || this.stopped) break;
      }
    } catch (e) {
      this.opts.events.emit('pr-unreachable', { via: 'https', message: (e as Error).message });
    }
  }

  async fetchArchive(a: Announcement): Promise<Uint8Array> {
    const res = await this.http.request('GET', this.url(`/v1/plugins/${encodeURIComponent(a.name)}/archives/${a.archiveHash}`), { accept: 'application/octet-stream' });
    if (res.status !== 200) throw new PrHttpError(res.status, 'archive-fetch', `archive ${a.archiveHash} of ${a.name}: HTTP ${res.status}`);
    return res.body;
  }

  async postStr(str: SignedStr): Promise<StrPushResult> {
    try {
      await this.call('POST', '/v1/strs', this.json(strToJson(str)));
      return { accepted: true };
    } catch (e) {
      if (e instanceof PrHttpError && (e.status === 409 || e.status === 403 || e.status === 400)) return { accepted: false, reason: `${e.code}: ${e.message}` };
      throw e;
    }
  }

  async postFailure(report: FailureReport): Promise<void> {
    await this.call('POST', '/v1/failures', this.json(report));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer !== undefined) clearInterval(this.pollTimer);
    await new Promise<void>((resolve) => (this.mqttClient === undefined ? resolve() : this.mqttClient.end(true, {}, () => resolve())));
    await this.chain.catch(() => undefined);
  }
}
