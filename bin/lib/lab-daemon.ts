// The command line's way to a lab's daemon: find it through the lab
// directory, or start it in the background (log in <lab>/daemon.log).
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonClient } from '../../daemon/daemon-client.ts';
import { readDaemonInfo, readToken, type DaemonInfo } from '../../daemon/discovery.ts';
import { labPaths } from '../../daemon/lab-dir.ts';

/** How to start a daemon: the Node runtime, the `spms` entry point and the environment (defaults: this process's). */
export interface DaemonLaunch {
  node?: string;
  spms?: string;
  env?: NodeJS.ProcessEnv;
}

export async function connect(labDir: string): Promise<{ info: DaemonInfo; client: DaemonClient } | undefined> {
  const info = await readDaemonInfo(labDir);
  if (info === undefined) return undefined;
  return { info, client: new DaemonClient(info.url, readToken(labDir)) };
}

/** The lab's daemon, started detached when none runs; resolves once it answers. */
export async function ensureDaemon(labDir: string, port?: number, launch: DaemonLaunch = {}): Promise<{ info: DaemonInfo; client: DaemonClient; started: boolean }> {
  const running = await connect(labDir);
  if (running !== undefined) return { ...running, started: false };
  mkdirSync(labDir, { recursive: true, mode: 0o700 });
  const log = openSync(labPaths(labDir).daemonLog, 'a', 0o600);
  const spms = launch.spms ?? join(import.meta.dirname, '..', 'spms.js');
  const args = [spms, 'daemon', '--lab-dir', labDir, ...(port === undefined ? [] : ['--port', String(port)])];
  const child = spawn(launch.node ?? process.execPath, args, { detached: true, stdio: ['ignore', log, log], env: launch.env ?? process.env });
  closeSync(log);
  let exited: number | null = null;
  let failed: Error | undefined;
  child.once('exit', (code) => (exited = code ?? 1));
  child.once('error', (e) => (failed = e));
  child.unref();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const c = await connect(labDir);
    if (c !== undefined) return { ...c, started: true };
    if (failed !== undefined) throw new Error(`cannot start the daemon (${launch.node ?? process.execPath}): ${failed.message}`);
    if (exited !== null) throw new Error(`the daemon exited with code ${exited} while starting; see ${labPaths(labDir).daemonLog}`);
    if (Date.now() > deadline) throw new Error(`the daemon did not answer within 60 s; see ${labPaths(labDir).daemonLog}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
