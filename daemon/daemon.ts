// The lab daemon: one lab directory, its Lab, the HTTP API and event socket
// on 127.0.0.1, and a discovery file (daemon.json) so the command line finds
// it. One daemon per lab directory.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { WebSocketServer } from 'ws';
import { DaemonAuth, loadOrCreateToken } from './http/auth.ts';
import { createApp } from './http/app.ts';
import { attachEventSocket } from './http/ws-events.ts';
import { readDaemonInfo, type DaemonInfo } from './discovery.ts';
import { Lab, type LabOptions } from './lab.ts';
import { labPaths } from './lab-dir.ts';

export const DEFAULT_PORT = 7780;
const ROOT = join(import.meta.dirname, '..');

export interface DaemonOptions extends LabOptions {
  labDir: string;
  /** Explicit port (0: any free one). Without it: the lab's last port, else 7780, else any free one. */
  port?: number;
  staticDir?: string;
  resultsDir?: string;
  /** Deploy at start: "always", or "resume" (only when the lab was deployed when the daemon last stopped). */
  deploy?: 'always' | 'resume' | 'never';
}

export class DaemonError extends Error {
  constructor(
    readonly code: 'daemon-running' | 'port-in-use',
    message: string,
  ) {
    super(message);
    this.name = 'DaemonError';
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, '127.0.0.1');
  });
}

export class Daemon {
  private closing: Promise<void> | undefined;

  private constructor(
    readonly lab: Lab,
    readonly auth: DaemonAuth,
    private readonly server: Server,
    private readonly sockets: WebSocketServer,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get token(): string {
    return this.auth.token;
  }

  /** A browser URL that logs in once. */
  loginUrl(): string {
    return `${this.url}/login?code=${this.auth.newLoginCode()}`;
  }

  static async start(opts: DaemonOptions): Promise<Daemon> {
    const paths = labPaths(opts.labDir);
    const running = await readDaemonInfo(opts.labDir);
    if (running !== undefined) throw new DaemonError('daemon-running', `a daemon already runs for ${opts.labDir} at ${running.url} (pid ${running.pid})`);
    const lab = await Lab.open(opts.labDir, opts);
    const auth = new DaemonAuth(loadOrCreateToken(paths.token));
    const app = createApp(lab, auth, { staticDir: opts.staticDir ?? join(ROOT, 'app', 'dist'), resultsDir: opts.resultsDir ?? join(ROOT, 'measures', 'results') });
    const server = createServer(app);
    // Long uploads and event streams: no global request timeout, but headers must come quickly.
    server.requestTimeout = 0;
    server.headersTimeout = 30_000;
    const sockets = attachEventSocket(server, lab.hub, auth);
    let port: number;
    const wanted = opts.port ?? lab.store.state.daemon.port ?? DEFAULT_PORT;
    try {
      port = await listen(server, wanted);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      if (opts.port !== undefined) throw new DaemonError('port-in-use', `port ${opts.port} on 127.0.0.1 is in use; choose another with --port`);
      port = await listen(server, 0);
    }
    auth.setPort(port);
    if (lab.store.state.daemon.port !== port) {
      await lab.store.update((s) => {
        s.daemon.port = port;
      });
    }
    const daemon = new Daemon(lab, auth, server, sockets, port);
    const info: DaemonInfo = { pid: process.pid, port, url: daemon.url, startedMs: Date.now() };
    writeFileSync(paths.daemonInfo, `${JSON.stringify(info)}\n`, { mode: 0o600 });
    lab.hub.emit({ node: 'daemon', type: 'daemon-started', payload: { url: daemon.url, pid: process.pid, labDir: opts.labDir } });
    if (opts.deploy === 'always' || (opts.deploy === 'resume' && lab.wasDeployed)) lab.deploy();
    return daemon;
  }

  /** Stops every node, then the server; the discovery file goes last. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.lab.close();
      // Upgraded event sockets are not HTTP connections: close them, or the server never closes.
      for (const ws of this.sockets.clients) ws.terminate();
      this.sockets.close();
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
      const paths = labPaths(this.lab.paths.dir);
      try {
        const info = JSON.parse(readFileSync(paths.daemonInfo, 'utf8')) as DaemonInfo;
        if (info.pid === process.pid) rmSync(paths.daemonInfo, { force: true });
      } catch {
        // already gone
      }
    })();
    return this.closing;
  }
}
