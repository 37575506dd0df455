import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabCa } from '../../certs/lab-ca.ts';
import { parsePrConfig } from '../pr/config.ts';
import { PrEvents } from '../pr/pr-events.ts';
import { PrNode } from '../pr/pr-node.ts';
import { buildBindingFromArchive } from './binding-generator.ts';
import { parsePvConfig } from './config.ts';
import { HttpPrLink } from './http-pr-link.ts';
import { NodeEvents, type PvEvent } from './node-events.ts';
import { PvNode } from './pv-node.ts';
import { loadOrCreateStrKey } from './str-key.ts';

/**
 * A TCP relay to the PR that holds every byte from the PV until released:
 * the PR looks unresponsive (connections open, no answer), the way a PR
 * saturated by work looks to its PVs.
 */
class HoldingRelay {
  private held = true;
  private readonly waiting: { socket: Socket; upstream: Socket; chunks: Buffer[] }[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  port = 0;

  constructor(private readonly upstreamPort: number) {}

  async listen(): Promise<void> {
    this.server = createServer((socket) => {
      const upstream = createConnection(this.upstreamPort, '127.0.0.1');
      for (const s of [socket, upstream]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => this.sockets.delete(s));
      }
      upstream.pipe(socket);
      if (!this.held) {
        socket.pipe(upstream);
        return;
      }
      const entry = { socket, upstream, chunks: [] as Buffer[] };
      socket.on('data', (c: Buffer) => entry.chunks.push(c));
      this.waiting.push(entry);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  release(): void {
    this.held = false;
    for (const { socket, upstream, chunks } of this.waiting.splice(0)) {
      socket.removeAllListeners('data');
      for (const c of chunks) upstream.write(c);
      socket.pipe(upstream);
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }
}

function nextEvent(events: NodeEvents, match: (e: PvEvent) => boolean): Promise<PvEvent> {
  return new Promise((resolve) => {
    const stop = events.subscribe((e) => {
      if (match(e)) {
        stop();
        resolve(e);
      }
    });
  });
}

let pr: PrNode;
let relay: HoldingRelay;
let dir: string;
let ca: LabCa;
const strPosts: number[] = [];
const onRequest = (message: unknown): void => {
  const req = (message as { request: IncomingMessage }).request;
  if (req.method === 'POST' && req.url === '/v1/strs') strPosts.push(Date.now());
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spms-pv-node-'));
  ca = LabCa.init(join(dir, 'ca'), { keyBits: 2048 });
  const prCert = ca.issue({ role: 'pr', name: 'pr', ipAddresses: ['127.0.0.1'] });
  const prConfig = parsePrConfig(
    {
      dataDir: join(dir, 'pr'),
      listen: { host: '127.0.0.1', port: 0 },
      tls: { cert: prCert.certFile, key: prCert.keyFile, ca: ca.paths.cert, crl: ca.paths.crl },
      mqtt: { mode: 'embedded', port: 0 },
    },
    dir,
  );
  pr = await PrNode.start(prConfig, { events: new PrEvents('pr', () => undefined) });
  relay = new HoldingRelay(pr.port);
  await relay.listen();
  subscribe('http.server.request.start', onRequest);
});

afterAll(async () => {
  unsubscribe('http.server.request.start', onRequest);
  await relay?.close();
  await pr?.stop();
});

describe('PV node: pushing STRs to the PR', () => {
  it('keeps one push in flight while the PR does not answer, and sends each STR once when it does', async () => {
    const key = loadOrCreateStrKey(join(dir, 'PV1', 'str-ed25519.key'));
    const cert = ca.issue({ role: 'pv', name: 'PV1', strPublicKey: key.publicKey, ipAddresses: ['127.0.0.1'] });
    const config = parsePvConfig(
      {
        id: 'PV1',
        dataDir: join(dir, 'PV1'),
        listen: { host: '127.0.0.1', port: 0 },
        tls: { cert: cert.certFile, key: cert.keyFile, ca: ca.paths.cert },
        pr: { url: `https://127.0.0.1:${relay.port}` },
        epochLengthMs: 100,
        pollMs: 100,
        verifiers: [{ id: 'ok', kind: 'dummy-pass', property: 'ok' }],
        formula: 'ok',
        retry: { minMs: 10, maxMs: 100 },
      },
      dir,
    );
    const events = new NodeEvents('PV1', () => undefined);
    const prLink = new HttpPrLink({
      prUrl: config.pr.url,
      tls: { ca: readFileSync(config.tls.ca), cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) },
      gatewayUrl: () => 'https://127.0.0.1:1',
      topics: config.topics,
      events,
      pollMs: config.pollMs,
    });
    const sixEpochs = nextEvent(events, (e) => e.type === 'epoch-published' && (e.payload.epoch as number) >= 5);
    const pv = await PvNode.start(config, { prLink, buildBinding: buildBindingFromArchive, events });
    try {
      // Six epochs pass while the first push waits on the PR.
      await sixEpochs;
      expect(strPosts).toEqual([]);
      const caughtUp = nextEvent(events, (e) => e.type === 'str-pushed' && (e.payload.epoch as number) >= 8);
      relay.release();
      await caughtUp;
    } finally {
      await pv.stop();
    }
    const stored = pr.db.prepare<[], { epoch: number }>("SELECT epoch FROM strs WHERE pv_id = 'PV1' ORDER BY epoch").all();
    expect(stored.map((r) => r.epoch)).toEqual(stored.map((_, i) => i));
    // Every STR reached the PR in exactly one request: none was sent by two pushes.
    expect(strPosts).toHaveLength(stored.length);
  });
});
