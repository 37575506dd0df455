// Where a lab keeps everything: its state, CA, node data and logs, the
// daemon's token and address. Chosen by --lab-dir, else SPMS_LAB_DIR, else
// the user's data directory, so several labs can coexist side by side.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function resolveLabDir(flag?: string): string {
  if (flag !== undefined && flag !== '') return resolve(flag);
  const env = process.env.SPMS_LAB_DIR;
  if (env !== undefined && env !== '') return resolve(env);
  const data = process.env.XDG_DATA_HOME !== undefined && process.env.XDG_DATA_HOME !== '' ? process.env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(data, 'spms-lab');
}

export interface LabPaths {
  dir: string;
  /** The lab's state (lowdb JSON). */
  state: string;
  ca: string;
  nodes: string;
  /** The daemon's per-install API token (0600). */
  token: string;
  /** Address and pid of the running daemon; present only while it runs. */
  daemonInfo: string;
  daemonLog: string;
}

export function labPaths(dir: string): LabPaths {
  return {
    dir,
    state: join(dir, 'lab.json'),
    ca: join(dir, 'ca'),
    nodes: join(dir, 'nodes'),
    token: join(dir, 'daemon.token'),
    daemonInfo: join(dir, 'daemon.json'),
    daemonLog: join(dir, 'daemon.log'),
  };
}
