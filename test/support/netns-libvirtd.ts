// A libvirt system daemon of its own, inside a network namespace made for
// one test: what it creates (bridges, NAT rules, dnsmasq, VMs' taps) exists
// only in that namespace, and its state never meets a libvirtd of the root
// namespace. libvirtd and virtlogd run in a private mount namespace too,
// where the test's directories are bind-mounted over libvirt's fixed state
// paths (/run/libvirt, /etc/libvirt, /var/lib/libvirt, /var/cache/libvirt,
// /var/log/libvirt); libvirtd listens in a socket directory of the test's
// (unix_sock_dir), which clients name with `qemu:///system?socket=…`.
// Processes that must reach the namespace's addresses run through
// `ip netns exec`. `stop()` ends the daemons and whatever still runs in
// the namespace, deletes the namespace and the directories.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** libvirt's state paths for the system instance, each replaced by a directory of the test's. */
const STATE_PATHS = { run: '/run/libvirt', etc: '/etc/libvirt', lib: '/var/lib/libvirt', cache: '/var/cache/libvirt', log: '/var/log/libvirt' } as const;

export class NetnsLibvirtdError extends Error {
  readonly code = 'netns-libvirtd-failed';
  constructor(message: string) {
    super(message);
    this.name = 'NetnsLibvirtdError';
  }
}

export interface NetnsLibvirtd {
  /** The network namespace's name (`ip netns`). */
  netns: string;
  /** `qemu:///system?socket=…`: this daemon, from any namespace. */
  uri: string;
  /** The directory holding the sockets, pid files and libvirt's state. */
  dir: string;
  /** Where libvirt's state directories really are (e.g. log → /var/log/libvirt as the daemon sees it). */
  stateDir(which: keyof typeof STATE_PATHS): string;
  /** The command line that runs `argv` inside the namespace. */
  inside(argv: string[]): string[];
  /** Network links of the namespace other than lo. */
  links(): Promise<string[]>;
  /** Process ids still in the namespace. */
  pids(): Promise<number[]>;
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

/** Waits for processes that are not this process's children to end: polling is all there is. */
async function ended(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(alive)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

function pidFile(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

async function netnsPids(netns: string): Promise<number[]> {
  const { stdout } = await run('ip', ['netns', 'pids', netns]);
  return stdout.split('\n').flatMap((l) => (/^\d+$/.test(l.trim()) ? [Number(l.trim())] : []));
}

/**
 * Creates the namespace `netns` (its lo up) and starts virtlogd and libvirtd
 * in it, with their state under `dir` (created; must not exist yet).
 */
export async function startNetnsLibvirtd(netns: string, dir: string, timeoutMs = 60_000): Promise<NetnsLibvirtd> {
  if (!/^[A-Za-z0-9_.-]{1,40}$/.test(netns)) throw new NetnsLibvirtdError(`"${netns}" is not a usable namespace name`);
  if (existsSync(dir)) throw new NetnsLibvirtdError(`${dir} exists already`);
  const { stdout: namespaces } = await run('ip', ['netns', 'list']);
  if (namespaces.split('\n').some((l) => l.split(' ')[0] === netns)) throw new NetnsLibvirtdError(`the network namespace ${netns} exists already`);

  const socketDir = join(dir, 'sock');
  const state = (which: keyof typeof STATE_PATHS): string => join(dir, 'state', which);
  mkdirSync(socketDir, { recursive: true });
  for (const which of Object.keys(STATE_PATHS) as (keyof typeof STATE_PATHS)[]) if (which !== 'etc') mkdirSync(state(which), { recursive: true });
  // The host's configuration (qemu.conf and the rest), without its networks: nothing of the host autostarts here.
  cpSync(STATE_PATHS.etc, state('etc'), { recursive: true });
  const networks = join(state('etc'), 'qemu', 'networks');
  for (const sub of [networks, join(networks, 'autostart')]) {
    if (existsSync(sub)) for (const f of readdirSync(sub)) if (f.endsWith('.xml')) rmSync(join(sub, f));
  }
  writeFileSync(join(state('etc'), 'libvirtd.conf'), `# libvirtd of the network namespace ${netns}\nunix_sock_dir = "${socketDir}"\n`);

  await run('ip', ['netns', 'add', netns]);
  const handle: NetnsLibvirtd = {
    netns,
    uri: `qemu:///system?socket=${join(socketDir, 'libvirt-sock')}`,
    dir,
    stateDir: state,
    inside: (argv) => ['ip', 'netns', 'exec', netns, ...argv],
    links: async () => {
      const { stdout } = await run('ip', ['-n', netns, '-o', 'link', 'show']);
      return stdout.split('\n').flatMap((l) => {
        const name = /^\d+:\s+([^:@]+)/.exec(l)?.[1];
        return name === undefined || name === 'lo' ? [] : [name];
      });
    },
    pids: () => netnsPids(netns),
    stop: async () => {
      const daemons = ['libvirtd.pid', 'virtlogd.pid'].flatMap((f) => pidFile(join(dir, f)) ?? []);
      for (const pid of daemons) if (alive(pid)) process.kill(pid, 'SIGTERM');
      await ended(daemons, 15_000);
      // What the daemons leave running (VMs, dnsmasq) belongs to this namespace alone.
      const rest = await netnsPids(netns).catch(() => []);
      for (const pid of rest) if (alive(pid)) process.kill(pid, 'SIGTERM');
      if (!(await ended(rest, 10_000))) for (const pid of rest) if (alive(pid)) process.kill(pid, 'SIGKILL');
      await ended([...daemons, ...rest], 5000);
      await run('ip', ['netns', 'delete', netns]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await run('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    const mounts = Object.entries(STATE_PATHS).map(([which, path]) => `mount --bind ${shellQuote(state(which as keyof typeof STATE_PATHS))} ${shellQuote(path)}`);
    const script = [...mounts, `virtlogd -d -p ${shellQuote(join(dir, 'virtlogd.pid'))}`, `libvirtd -d -p ${shellQuote(join(dir, 'libvirtd.pid'))}`].join(' && ');
    // unshare's mount namespace is private: the bind mounts stay with the daemons and end with them.
    await run('ip', ['netns', 'exec', netns, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', script]);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await run('virsh', ['-c', handle.uri, 'version'], { timeout: 10_000 });
        break;
      } catch (e) {
        if (Date.now() > deadline) throw new NetnsLibvirtdError(`libvirtd in ${netns} did not answer on ${handle.uri} within ${timeoutMs} ms: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } catch (e) {
    await handle.stop().catch(() => undefined);
    throw e;
  }
  return handle;
}
