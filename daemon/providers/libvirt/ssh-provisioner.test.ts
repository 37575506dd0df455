// The SSH side of provisioning against real SSH servers on loopback: an
// ssh2 server that runs the commands in a local shell, and OpenSSH's sshd
// when it is installed.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, describe, expect, it } from 'vitest';
import { LabSshKeyError, loadOrCreateLabSshKey, sshKernelArg } from './lab-ssh-key.ts';
import { GuestShell, SshCommandError, SshUnreachableError, shellQuote } from './ssh-provisioner.ts';

const dir = mkdtempSync(join(tmpdir(), 'spms-ssh-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const key = loadOrCreateLabSshKey(join(dir, 'lab'));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** An SSH server that accepts only the lab key and runs each exec request with /bin/sh. */
function shellServer(port: number): Promise<ssh2.Server> {
  const allowed = ssh2.utils.parseKey(key.publicKey);
  if (allowed instanceof Error) throw allowed;
  const server = new ssh2.Server({ hostKeys: [ssh2.utils.generateKeyPairSync('ed25519').private] }, (client) => {
    client.on('authentication', (ctx) => {
      if (
        ctx.method === 'publickey' &&
        ctx.username === 'root' &&
        ctx.key.data.equals(allowed.getPublicSSH()) &&
        (ctx.signature === undefined || allowed.verify(ctx.blob ?? Buffer.alloc(0), ctx.signature, ctx.hashAlgo) === true)
      )
        ctx.accept();
      else ctx.reject(['publickey']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        accept().on('exec', (acceptExec, _reject, info) => {
          const channel = acceptExec();
          const child = spawn('/bin/sh', ['-c', info.command], { stdio: 'pipe' });
          channel.pipe(child.stdin);
          child.stdout.pipe(channel, { end: false });
          child.stderr.pipe(channel.stderr, { end: false });
          channel.on('close', () => child.kill());
          child.on('close', (code) => {
            channel.exit(code ?? 255);
            channel.end();
          });
        });
      });
    });
    client.on('error', () => undefined);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

describe('the lab SSH key', () => {
  it('is an OpenSSH ed25519 key, 0600, and the same on the next load', () => {
    expect(key.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    expect(key.publicKey).toMatch(/^ssh-ed25519 [A-Za-z0-9+/=]+ spms-lab$/);
    expect(statSync(key.privateKeyFile).mode & 0o777).toBe(0o600);
    expect(loadOrCreateLabSshKey(join(dir, 'lab')).publicKey).toBe(key.publicKey);
    expect(Buffer.from(sshKernelArg(key.publicKey).slice('spms.ssh='.length), 'base64url').toString()).toBe(key.publicKey);
  });

  it('refuses a damaged key file', () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'id_ed25519'), 'garbage');
    writeFileSync(join(bad, 'id_ed25519.pub'), key.publicKey);
    expect(() => loadOrCreateLabSshKey(bad)).toThrow(LabSshKeyError);
  });
});

describe('GuestShell against an SSH server', () => {
  it('waits for a server that comes up late, runs commands, writes files and follows output', async () => {
    const port = await freePort();
    let server: Promise<ssh2.Server> | undefined;
    const shell = await GuestShell.connect({ host: '127.0.0.1', port, privateKey: key.privateKey }, { deadlineMs: Date.now() + 15_000, retryMs: 100, onRetry: () => (server ??= shellServer(port)) });
    try {
      expect(shell.hostKeySha256).toMatch(/^[0-9a-f]{64}$/);
      expect(await shell.run('echo hello; echo oops >&2')).toBe('hello\n');
      await expect(shell.run('echo broken >&2; exit 3')).rejects.toThrow(SshCommandError);
      await expect(shell.run('exit 3')).rejects.toMatchObject({ exitCode: 3 });

      const target = join(dir, 'guest', "it's", 'node.json');
      const binary = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256));
      const script = join(dir, 'guest', 'bin', 'run.sh');
      await shell.writeFiles(
        [
          { path: target, content: '{"id":"PR"}\n', mode: 0o640 },
          { path: join(dir, 'guest', 'tls', 'key.bin'), content: binary, mode: 0o600 },
          { path: script, content: "#!/bin/sh\necho 'it''s %s here' $1\n", mode: 0o755 },
        ],
        `${shellQuote(script)} ran > ${shellQuote(join(dir, 'guest', 'after'))}`,
      );
      expect(readFileSync(target, 'utf8')).toBe('{"id":"PR"}\n');
      expect(readFileSync(script, 'utf8')).toBe("#!/bin/sh\necho 'it''s %s here' $1\n");
      expect(statSync(script).mode & 0o777).toBe(0o755);
      // The command after the files ran, with them in place (and a usual umask for what it creates).
      expect(readFileSync(join(dir, 'guest', 'after'), 'utf8')).toBe('its %s here ran\n');
      expect(statSync(join(dir, 'guest', 'after')).mode & 0o777).toBe(0o644);
      expect(statSync(target).mode & 0o777).toBe(0o640);
      expect(readFileSync(join(dir, 'guest', 'tls', 'key.bin')).equals(binary)).toBe(true);
      expect(statSync(join(dir, 'guest', 'tls', 'key.bin')).mode & 0o777).toBe(0o600);
      await expect(shell.writeFiles([{ path: 'relative/file', content: 'x', mode: 0o600 }])).rejects.toThrow(/must be absolute/);

      const lines: string[] = [];
      const f = shell.follow('printf "one\\ntwo\\nthree"', (l) => lines.push(l));
      await f.ended;
      expect(lines).toEqual(['one', 'two', 'three']);

      const live: string[] = [];
      let stop: () => void = () => undefined;
      const firstLine = new Promise<void>((resolve) => {
        const g = shell.follow('while true; do echo tick; sleep 0.1; done', (l) => {
          live.push(l);
          resolve();
        });
        stop = g.stop;
      });
      await firstLine;
      stop();
      expect(live[0]).toBe('tick');

      // The pinned host key is accepted again, another one is refused.
      const again = await GuestShell.connect({ host: '127.0.0.1', port, privateKey: key.privateKey, hostKeySha256: shell.hostKeySha256 }, { deadlineMs: Date.now() + 5000 });
      again.close();
      await expect(GuestShell.connect({ host: '127.0.0.1', port, privateKey: key.privateKey, hostKeySha256: '0'.repeat(64) }, { deadlineMs: Date.now() + 1500, retryMs: 200 })).rejects.toThrow(
        SshUnreachableError,
      );
    } finally {
      shell.close();
      (await server)?.close();
    }
  });

  it('gives up at the deadline with the last error and the number of attempts', async () => {
    const port = await freePort();
    const started = Date.now();
    const e = await GuestShell.connect({ host: '127.0.0.1', port, privateKey: key.privateKey }, { deadlineMs: Date.now() + 1000, retryMs: 100 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SshUnreachableError);
    expect((e as SshUnreachableError).message).toMatch(/ECONNREFUSED/);
    expect((e as SshUnreachableError).attempts).toBeGreaterThan(1);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('quotes for the shell', () => {
    expect(execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote("a'b $HOME `x`")}`]).toString()).toBe("a'b $HOME `x`");
  });
});

const SSHD = '/usr/sbin/sshd';
// sshd refuses to start without its privilege separation directory, which its service unit makes (none without systemd).
describe.skipIf(!existsSync(SSHD) || !existsSync('/run/sshd'))('GuestShell against OpenSSH sshd (skipped: /usr/sbin/sshd is not installed, or /run/sshd is missing)', () => {
  it('runs a command', async () => {
    const port = await freePort();
    const hostKey = join(dir, 'sshd_host_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
    writeFileSync(join(dir, 'authorized_keys'), `${key.publicKey}\n`, { mode: 0o600 });
    const config = join(dir, 'sshd_config');
    writeFileSync(config, `ListenAddress 127.0.0.1\nHostKey ${hostKey}\nAuthorizedKeysFile ${join(dir, 'authorized_keys')}\nPermitRootLogin prohibit-password\nStrictModes no\nPidFile none\n`);
    const sshd = spawn(SSHD, ['-D', '-e', '-p', String(port), '-f', config], { stdio: 'ignore' });
    try {
      const shell = await GuestShell.connect({ host: '127.0.0.1', port, privateKey: key.privateKey }, { deadlineMs: Date.now() + 10_000, retryMs: 100 });
      expect(await shell.run('echo ok')).toBe('ok\n');
      shell.close();
    } finally {
      sshd.kill();
    }
  });
});
