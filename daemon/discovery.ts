// Finding a lab's running daemon: daemon.json names its pid and URL; it
// counts only when that process is alive and the daemon answers /healthz.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { labPaths } from './lab-dir.ts';

export interface DaemonInfo {
  pid: number;
  port: number;
  url: string;
  startedMs: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function healthy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${url}/healthz`, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** The running daemon of `labDir`, or undefined (a stale file is ignored). */
export async function readDaemonInfo(labDir: string): Promise<DaemonInfo | undefined> {
  let info: DaemonInfo;
  try {
    info = JSON.parse(readFileSync(labPaths(labDir).daemonInfo, 'utf8')) as DaemonInfo;
  } catch {
    return undefined;
  }
  if (typeof info.pid !== 'number' || typeof info.url !== 'string' || !alive(info.pid)) return undefined;
  return (await healthy(info.url)) ? info : undefined;
}

export function readToken(labDir: string): string {
  return readFileSync(labPaths(labDir).token, 'utf8').trim();
}
