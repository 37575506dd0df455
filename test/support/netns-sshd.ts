// An OpenSSH server of its own inside a test's network namespace, standing
// in for a remote libvirt host: it listens on 127.0.0.1:<port> of the
// namespace only, with a host key and one authorized client key generated
// for the test, and nothing else of the machine's sshd configuration.
// `libvirtUri()` names a libvirt daemon through it the way a multi-host lab
// names another host (qemu+ssh://root@host/system): libvirt runs the `ssh`
// client, which runs `nc -U <socket>` on the "remote" side (proxy=netcat:
// virt-ssh-helper would ignore the socket and look for libvirt's default
// one). The client checks the host key against a known_hosts file of the
// test's, through an ssh wrapper (the URI's command=), so that neither the
// check is skipped nor root's ~/.ssh/known_hosts written.
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { NetnsLibvirtd } from './netns-libvirtd.ts';

const run = promisify(execFile);
const SSHD = '/usr/sbin/sshd';
/**
 * sshd refuses to start without its privilege separation directory, which
 * Debian makes when its ssh service starts; made here when missing and left
 * in place (empty, root's), as another sshd of the machine may need it too.
 */
const PRIVSEP_DIR = '/run/sshd';

export class NetnsSshdError extends Error {
  readonly code = 'netns-sshd-failed';
  constructor(message: string) {
    super(message);
    this.name = 'NetnsSshdError';
  }
}

export interface NetnsSshd {
  port: number;
  /** The client's private key, authorized for root. */
  keyFile: string;
  /** A qemu+ssh URI of the namespace's libvirtd through this server. */
  libvirtUri(): string;
  stop(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts sshd in `ns`'s namespace on 127.0.0.1:`port`; its files go to `dir` (created). */
export async function startNetnsSshd(ns: NetnsLibvirtd, dir: string, port: number, timeoutMs = 20_000): Promise<NetnsSshd> {
  if (!existsSync(SSHD)) throw new NetnsSshdError(`${SSHD} is missing: install openssh-server (scripts/setup.sh --vm)`);
  const { stdout: ncPath } = await run('sh', ['-c', 'command -v nc || true']);
  if (ncPath.trim() === '') throw new NetnsSshdError('nc is missing: libvirt reaches the daemon on the ssh side with nc -U; install netcat-openbsd (scripts/setup.sh --vm)');
  mkdirSync(dir, { recursive: true });
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  const keyFile = join(dir, 'client_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'spms-remote-host', '-f', hostKey]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'spms-remote-client', '-f', keyFile]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${keyFile}.pub`), { mode: 0o600 });
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${readFileSync(`${hostKey}.pub`, 'utf8').trim()}\n`);
  const pidFile = join(dir, 'sshd.pid');
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${pidFile}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // The test's directory is not root's home: its modes are not sshd's business.
      'StrictModes no',
      'X11Forwarding no',
      'AllowTcpForwarding no',
      '',
    ].join('\n'),
  );
  const ssh = join(dir, 'ssh');
  writeFileSync(ssh, `#!/bin/sh\nexec ssh -o UserKnownHostsFile=${join(dir, 'known_hosts')} -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes "$@"\n`);
  chmodSync(ssh, 0o755);

  mkdirSync(PRIVSEP_DIR, { recursive: true, mode: 0o755 });
  // sshd daemonizes and writes its pid file once it listens.
  const log = join(dir, 'sshd.log');
  await new Promise<void>((resolve, reject) => {
    const [command = 'ip', ...args] = ns.inside([SSHD, '-f', join(dir, 'sshd_config'), '-E', log]);
    const child = spawn(command, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new NetnsSshdError(`sshd exited with ${code}: ${existsSync(log) ? readFileSync(log, 'utf8') : ''}`))));
  });
  const pid = (): number | undefined => {
    const n = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
    return Number.isInteger(n) && n > 0 ? n : undefined;
  };
  const handle: NetnsSshd = {
    port,
    keyFile,
    libvirtUri: () => `qemu+ssh://root@127.0.0.1:${port}/system?keyfile=${keyFile}&proxy=netcat&socket=${/[?&]socket=([^&]+)/.exec(ns.uri)?.[1] ?? ''}&command=${ssh}`,
    stop: async () => {
      const p = pid();
      if (p !== undefined && alive(p)) process.kill(p, 'SIGTERM');
      const deadline = Date.now() + 10_000;
      while (p !== undefined && alive(p) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    },
  };
  // The server is up when a client gets through: one command over the test's key and known_hosts.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const [command = 'ip', ...args] = ns.inside([ssh, '-i', keyFile, '-p', String(port), 'root@127.0.0.1', 'true']);
      await run(command, args, { timeout: 10_000 });
      return handle;
    } catch (e) {
      if (Date.now() > deadline) {
        await handle.stop();
        throw new NetnsSshdError(`sshd in ${ns.netns} did not let the test's key in within ${timeoutMs} ms: ${(e as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
