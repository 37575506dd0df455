// libvirt's system daemon for the VM tests: used when one already answers on
// qemu:///system, else started here (with virtlogd, which the QEMU driver
// logs through) and stopped again by `stop()`. Hosts without systemd as
// init (containers, CI machines) have no socket activation to rely on.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SYSTEM_URI = 'qemu:///system';

async function answers(): Promise<boolean> {
  try {
    await run('virsh', ['-c', SYSTEM_URI, 'version'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

function pidOf(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function daemonize(command: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(command, ['-d'], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} -d exited with ${code}`))));
  });
}

export interface Libvirtd {
  /** Whether this process started the daemons (and so stops them). */
  started: boolean;
  stop(): Promise<void>;
}

export async function ensureLibvirtd(timeoutMs = 30_000): Promise<Libvirtd> {
  if (await answers()) return { started: false, stop: () => Promise.resolve() };
  await daemonize('virtlogd');
  await daemonize('libvirtd');
  const deadline = Date.now() + timeoutMs;
  while (!(await answers())) {
    if (Date.now() > deadline) throw new Error(`libvirtd did not answer on ${SYSTEM_URI} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    started: true,
    stop: async () => {
      for (const file of ['/run/libvirtd.pid', '/run/virtlogd.pid']) {
        const pid = pidOf(file);
        if (pid === undefined) continue;
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    },
  };
}
