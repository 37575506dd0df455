// The role images, built for real (or reused from the cache) and booted with
// plain QEMU: the guest contract of daemon/images/role-image.ts holds — SSH
// as root with the key from `spms.ssh=`, the runtime and the service bundle
// in /opt/spms, clang for the PV, the node unit installed but not enabled.
// Prints build and boot-to-SSH times.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageBuilder } from '../../daemon/images/image-builder.ts';
import type { RoleImage } from '../../daemon/images/role-image.ts';
import type { TaskHandle } from '../../daemon/tasks/task-handle.ts';

/** Built images survive between runs here, so only the first run pays for them. */
const CACHE = process.env.SPMS_VM_CACHE ?? '/var/cache/spms-lab/images';

const task: TaskHandle = {
  id: 'test',
  signal: new AbortController().signal,
  step: (name) => console.log(`  ${name}`),
  progress: () => undefined,
  log: () => undefined,
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function exec(conn: ssh2.Client, command: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    conn.exec(command, (err, stream) => {
      if (err !== undefined) return reject(err);
      let out = '';
      stream.on('data', (c: Buffer) => (out += c.toString()));
      stream.stderr.on('data', (c: Buffer) => (out += c.toString()));
      stream.on('close', (code: number) => resolve({ code, out }));
    });
  });
}

/** Connects as soon as the guest's sshd accepts the key (retrying while it boots). */
async function connect(port: number, privateKey: string, deadline: number): Promise<ssh2.Client> {
  for (;;) {
    try {
      return await new Promise<ssh2.Client>((resolve, reject) => {
        const conn = new ssh2.Client();
        conn.once('ready', () => resolve(conn));
        // While the guest boots, one attempt may report several errors (refused, then lost); the first decides.
        conn.on('error', (e) => {
          conn.end();
          reject(e);
        });
        conn.connect({ host: '127.0.0.1', port, username: 'root', privateKey, readyTimeout: 5000 });
      });
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

let builder: ImageBuilder;
let image: RoleImage;
let dir: string;
let qemu: ChildProcess | undefined;

beforeAll(async () => {
  builder = new ImageBuilder({ dir: CACHE });
  const started = Date.now();
  image = await builder.ensure('pr', task);
  console.log(`pr image ${image.id}: ready after ${((Date.now() - started) / 1000).toFixed(1)} s (${(image.sizeBytes / 2 ** 20).toFixed(0)} MiB)`);
  dir = mkdtempSync(join(tmpdir(), 'spms-vm-image-'));
});

afterAll(() => {
  qemu?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('the PR role image', () => {
  it('boots, lets root in with the key from the kernel command line, and carries the runtime, the bundle and clang', async () => {
    const overlay = join(dir, 'disk.qcow2');
    const create = spawn('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', image.disk, '-F', 'qcow2', overlay], { stdio: 'inherit' });
    expect(await new Promise((r) => create.on('close', r))).toBe(0);
    const key = ssh2.utils.generateKeyPairSync('ed25519');
    const port = await freePort();
    const started = Date.now();
    qemu = spawn(
      'qemu-system-x86_64',
      [
        ...['-machine', 'pc', '-accel', 'tcg,thread=multi,tb-size=64', '-m', '768', '-smp', '2', '-display', 'none', '-monitor', 'none'],
        ...['-kernel', image.kernel, '-initrd', image.initrd, '-append', `${image.cmdline} spms.ssh=${Buffer.from(key.public.trim()).toString('base64url')}`],
        ...['-drive', `file=${overlay},if=virtio,format=qcow2`],
        ...['-netdev', `user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:${port}-:22`, '-device', 'virtio-net-pci,netdev=n0'],
        ...['-serial', `file:${join(dir, 'serial.log')}`],
      ],
      { stdio: 'ignore' },
    );
    const conn = await connect(port, key.private, Date.now() + 180_000);
    console.log(`boot to SSH: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    try {
      const help = await exec(conn, '/opt/spms/bin/node /opt/spms/app/spms.mjs pr --help');
      expect(help.code).toBe(0);
      expect(help.out).toContain('usage: spms pr --config FILE');
      expect((await exec(conn, '/opt/spms/bin/node --version')).out.trim()).toBe(process.version);
      expect((await exec(conn, 'clang --version && llc --version && llvm-objdump --version')).code).toBe(0);
      expect((await exec(conn, 'systemctl is-enabled spms-node.service')).out.trim()).toBe('disabled');
      expect((await exec(conn, 'cat /etc/spms/node.env')).out.trim()).toBe('SPMS_ROLE=pr');
      expect((await exec(conn, 'test -s /etc/machine-id && test -f /etc/ssh/ssh_host_ed25519_key && ls /var/lib/spms')).code).toBe(0);
    } finally {
      conn.end();
    }
  });
});
