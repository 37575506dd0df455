// A real lab on loopback for integration tests: a lab CA, one PR and several
// PVs as separate `spms` processes over real TLS and MQTT, developers with
// their own certificates, and waits on the nodes' event streams.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LabCa } from '../../certs/lab-ca.ts';
import { nodeTransport } from '../../spms/client/node-transport.ts';
import { PvClient } from '../../spms/client/pv-client.ts';
import type { Transport } from '../../spms/client/transport.ts';
import { loadOrCreateStrKey } from '../../spms/pv/str-key.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SPMS = join(ROOT, 'bin/spms.js');

export interface PvSpec {
  id: string;
  verifiers: { id: string; kind: string; property: string; options?: Record<string, unknown> }[];
  formula: string;
}

interface Node {
  name: string;
  config: string;
  child?: ChildProcess;
  log: string[];
  url: string;
}

export interface Developer {
  name: string;
  http: Transport;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => resolvePort(port));
    });
  });
}

export interface NodeEvent {
  seq: number;
  time: number;
  node: string;
  type: string;
  payload: Record<string, unknown>;
}

export class TestLab {
  readonly ca: LabCa;
  readonly pr: Node;
  readonly pvs = new Map<string, Node>();
  readonly token = 'integration-test-events-token';
  private readonly ca_pem: string;

  private constructor(
    readonly dir: string,
    private readonly epochMs: number,
  ) {
    this.ca = LabCa.init(join(dir, 'ca'), { keyBits: 2048 });
    this.ca_pem = this.ca.rootPem;
    this.pr = { name: 'PR', config: join(dir, 'pr.json'), log: [], url: '' };
  }

  static async create(pvs: PvSpec[], epochMs = 1000): Promise<TestLab> {
    const lab = new TestLab(mkdtempSync(join(tmpdir(), 'spms-lab-')), epochMs);
    await lab.configure(pvs);
    return lab;
  }

  get caFile(): string {
    return this.ca.paths.cert;
  }

  private async configure(pvs: PvSpec[]): Promise<void> {
    const prPort = await freePort();
    const mqttPort = await freePort();
    const pr = this.ca.issue({ role: 'pr', name: 'pr', ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] });
    this.pr.url = `https://127.0.0.1:${prPort}`;
    writeFileSync(
      this.pr.config,
      JSON.stringify({
        id: 'pr',
        dataDir: join(this.dir, 'pr'),
        listen: { host: '127.0.0.1', port: prPort },
        tls: { cert: pr.certFile, key: pr.keyFile, ca: this.ca.paths.cert, crl: this.ca.paths.crl },
        mqtt: { mode: 'embedded', host: '127.0.0.1', port: mqttPort },
        eventsToken: this.token,
      }),
    );
    for (const spec of pvs) {
      const port = await freePort();
      const dataDir = join(this.dir, spec.id);
      mkdirSync(dataDir, { recursive: true });
      const key = loadOrCreateStrKey(join(dataDir, 'str-ed25519.key'));
      const cert = this.ca.issue({ role: 'pv', name: spec.id, strPublicKey: key.publicKey, ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] });
      const config = join(this.dir, `${spec.id}.json`);
      writeFileSync(
        config,
        JSON.stringify({
          id: spec.id,
          dataDir,
          listen: { host: '127.0.0.1', port },
          tls: { cert: cert.certFile, key: cert.keyFile, ca: this.ca.paths.cert },
          pr: { url: this.pr.url, mqttUrl: `mqtts://127.0.0.1:${mqttPort}` },
          epochLengthMs: this.epochMs,
          pollMs: 1000,
          verifiers: spec.verifiers,
          formula: spec.formula,
          eventsToken: this.token,
          retry: { minMs: 100, maxMs: 1000 },
        }),
      );
      this.pvs.set(spec.id, { name: spec.id, config, log: [], url: `https://127.0.0.1:${port}` });
    }
  }

  developer(name: string, namespaces: string[]): Developer {
    const issued = this.ca.issue({ role: 'developer', name, namespaces });
    return { name, http: nodeTransport({ ca: this.ca_pem, cert: issued.certPem, key: issued.keyPem }) };
  }

  pvClient(id: string): PvClient {
    return new PvClient(this.node(id).url, nodeTransport({ ca: this.ca_pem }));
  }

  private node(id: string): Node {
    const n = id === 'PR' ? this.pr : this.pvs.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  /** Starts a node process and resolves once its /healthz answers. */
  async start(id: string): Promise<void> {
    const n = this.node(id);
    const child = spawn(process.execPath, [SPMS, id === 'PR' ? 'pr' : 'pv', '--config', n.config], { stdio: ['ignore', 'pipe', 'pipe'] });
    n.child = child;
    const keep = (c: Buffer): void => {
      n.log.push(
        ...c
          .toString('utf8')
          .split('\n')
          .filter((l) => l !== ''),
      );
      if (n.log.length > 2000) n.log.splice(0, n.log.length - 2000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${id} exited with ${String(code)} while starting:\n${n.log.slice(-20).join('\n')}`))));
    await Promise.race([this.healthy(n), exited]);
  }

  private async healthy(n: Node): Promise<void> {
    const until = Date.now() + 30_000;
    for (;;) {
      const ok = await new Promise<boolean>((res) => {
        const req = request(`${n.url}/healthz`, { ca: this.ca_pem, timeout: 1000 }, (r) => {
          r.resume();
          res(r.statusCode === 200);
        });
        req.on('error', () => res(false));
        req.on('timeout', () => req.destroy());
        req.end();
      });
      if (ok) return;
      if (Date.now() > until) throw new Error(`${n.name} did not become healthy:\n${n.log.slice(-20).join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async startAll(): Promise<void> {
    await this.start('PR');
    await Promise.all([...this.pvs.keys()].map((id) => this.start(id)));
  }

  /** Stops a node: SIGTERM (clean) or SIGKILL (crash). */
  async stop(id: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.node(id).child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    await gone;
  }

  /**
   * Resolves with the first event of `id` that matches, from the node's SSE
   * stream (its history first, then live). While the node is down or
   * restarting, it reconnects until the deadline.
   */
  waitForEvent(id: string, match: (e: NodeEvent) => boolean, timeoutMs = 30_000): Promise<NodeEvent> {
    const n = this.node(id);
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolveEvent, reject) => {
      let done = false;
      let current: ReturnType<typeof request> | undefined;
      const timer = setTimeout(() => {
        done = true;
        current?.destroy();
        reject(new Error(`no matching event from ${id} within ${timeoutMs} ms; last log lines:\n${n.log.slice(-15).join('\n')}`));
      }, timeoutMs);
      const connect = (): void => {
        if (done) return;
        let buffer = '';
        const retry = (): void => {
          if (!done && Date.now() < deadline) setTimeout(connect, 100);
        };
        const req = request(`${n.url}/v1/events`, { ca: this.ca_pem, headers: { authorization: `Bearer ${this.token}` } }, (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            return retry();
          }
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffer += chunk;
            let idx;
            while (!done && (idx = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, idx);
              buffer = buffer.slice(idx + 2);
              const data = block.split('\n').find((l) => l.startsWith('data: '));
              if (data === undefined) continue;
              const event = JSON.parse(data.slice(6)) as NodeEvent;
              if (match(event)) {
                done = true;
                clearTimeout(timer);
                req.destroy();
                resolveEvent(event);
              }
            }
          });
          res.on('end', retry);
          res.on('error', () => undefined);
        });
        current = req;
        req.on('error', () => {
          if (!done) retry();
        });
        req.end();
      };
      connect();
    });
  }

  /** Process id of a running node (for RSS measures). */
  pid(id: string): number | undefined {
    return this.node(id).child?.pid;
  }

  logs(id: string): string[] {
    return this.node(id).log;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pvs.keys()].map((id) => this.stop(id)));
    await this.stop('PR');
    rmSync(this.dir, { recursive: true, force: true });
  }

  readCaCert(): string {
    return readFileSync(this.ca.paths.cert, 'utf8');
  }
}
