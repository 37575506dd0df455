// virsh, for what the libvirt binding lacks: networks, storage pools and
// volumes, and the host's capabilities. Each call is one `virsh -c URI …`
// process; XML goes through a private temporary file since virsh reads
// definitions only from files. Uploads stream a file to virsh through a
// FIFO, so that this process counts the bytes sent (virsh reports no
// progress); libvirt carries them over the connection, also to a remote host.
import { execFile, spawn } from 'node:child_process';
import { closeSync, constants, createReadStream, createWriteStream, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

export class VirshError extends Error {
  readonly code = 'virsh-failed';
  constructor(
    readonly args: string[],
    readonly stderr: string,
  ) {
    super(`virsh ${args.join(' ')} failed: ${stderr.trim() || 'no message'}`);
    this.name = 'VirshError';
  }
}

const TIMEOUT_MS = 60_000;

export class Virsh {
  constructor(
    readonly uri: string,
    private readonly binary = 'virsh',
  ) {}

  run(args: string[]): Promise<string> {
    const full = ['-q', '-c', this.uri, ...args];
    return new Promise((resolve, reject) => {
      execFile(this.binary, full, { timeout: TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error !== null) reject(new VirshError(args, stderr === '' ? error.message : stderr));
        else resolve(stdout);
      });
    });
  }

  private async withXmlFile<T>(xml: string, use: (file: string) => Promise<T>): Promise<T> {
    const dir = mkdtempSync(join(tmpdir(), 'spms-virsh-'));
    try {
      const file = join(dir, 'definition.xml');
      writeFileSync(file, xml, { mode: 0o600 });
      return await use(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private async names(args: string[]): Promise<string[]> {
    return (await this.run(args)).split('\n').flatMap((l) => (l.trim() === '' ? [] : [l.trim()]));
  }

  networkNames(): Promise<string[]> {
    return this.names(['net-list', '--all', '--name']);
  }

  async networkActive(name: string): Promise<boolean> {
    return (await this.names(['net-list', '--name'])).includes(name);
  }

  async networkDefine(xml: string): Promise<void> {
    await this.withXmlFile(xml, (file) => this.run(['net-define', file]));
  }

  async networkStart(name: string): Promise<void> {
    await this.run(['net-start', name]);
  }

  async networkDestroy(name: string): Promise<void> {
    await this.run(['net-destroy', name]);
  }

  async networkUndefine(name: string): Promise<void> {
    await this.run(['net-undefine', name]);
  }

  poolNames(): Promise<string[]> {
    return this.names(['pool-list', '--all', '--name']);
  }

  async poolActive(name: string): Promise<boolean> {
    return (await this.names(['pool-list', '--name'])).includes(name);
  }

  async poolDefine(xml: string): Promise<void> {
    await this.withXmlFile(xml, (file) => this.run(['pool-define', file]));
  }

  async poolBuild(name: string): Promise<void> {
    await this.run(['pool-build', name]);
  }

  async poolStart(name: string): Promise<void> {
    await this.run(['pool-start', name]);
  }

  async poolDestroy(name: string): Promise<void> {
    await this.run(['pool-destroy', name]);
  }

  /** Removes an inactive pool's storage: for a dir pool, its directory, which must be empty. */
  async poolDelete(name: string): Promise<void> {
    await this.run(['pool-delete', name]);
  }

  async poolUndefine(name: string): Promise<void> {
    await this.run(['pool-undefine', name]);
  }

  /** Picks up files created or removed in the pool's directory behind libvirt's back. */
  async poolRefresh(name: string): Promise<void> {
    await this.run(['pool-refresh', name]);
  }

  volumeNames(pool: string): Promise<string[]> {
    // `vol-list --name` is not in every virsh; the first column of the plain listing is the name.
    return this.run(['vol-list', pool]).then((out) => out.split('\n').flatMap((l) => (l.trim() === '' ? [] : [l.trim().split(/\s+/)[0] ?? ''])));
  }

  async volumeCreate(pool: string, xml: string): Promise<void> {
    await this.withXmlFile(xml, (file) => this.run(['vol-create', pool, file]));
  }

  /**
   * The directory a file-based pool (dir, fs, netfs) keeps its volumes in,
   * where a volume's path is the directory and its name; the only kind of
   * pool that can hold qcow2 overlays.
   */
  async poolDirectory(pool: string): Promise<string> {
    const xml = await this.run(['pool-dumpxml', pool]);
    const type = /<pool\s+type=['"]([^'"]+)['"]/.exec(xml)?.[1];
    if (type === undefined || !['dir', 'fs', 'netfs'].includes(type))
      throw new VirshError(['pool-dumpxml', pool], `the pool ${pool} is of type ${type ?? 'unknown'}; qcow2 overlays need a dir, fs or netfs pool`);
    const path = /<target>\s*<path>([^<]+)<\/path>/.exec(xml)?.[1];
    if (path === undefined) throw new VirshError(['pool-dumpxml', pool], `the pool ${pool} has no target path`);
    return path.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e] ?? '');
  }

  async volumeDelete(pool: string, name: string): Promise<void> {
    await this.run(['vol-delete', '--pool', pool, name]);
  }

  /** A volume's path on its host. */
  async volumePath(pool: string, name: string): Promise<string> {
    return (await this.run(['vol-path', '--pool', pool, name])).trim();
  }

  /** A raw volume of `bytes`, allocated only as it is written. */
  async volumeCreateRaw(pool: string, name: string, bytes: number): Promise<void> {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`a volume's size is a whole number of bytes, not ${bytes}`);
    await this.run(['vol-create-as', '--pool', pool, name, String(bytes), '--allocation', '0', '--format', 'raw']);
  }

  /**
   * Writes `file` into the volume through libvirt's stream API; `progress`
   * gets the bytes sent so far. virsh reads the file from a FIFO this
   * process fills, which is how the bytes are counted (a pipe on virsh's
   * stdin is a socket, which virsh cannot open by path). Aborting `signal`
   * ends virsh, leaving a partly written volume for the caller to delete.
   */
  async volumeUpload(pool: string, name: string, file: string, opts: { signal?: AbortSignal; progress?: (sentBytes: number, totalBytes: number) => void } = {}): Promise<void> {
    opts.signal?.throwIfAborted();
    const total = statSync(file).size;
    const dir = mkdtempSync(join(tmpdir(), 'spms-virsh-'));
    const fifo = join(dir, 'upload');
    const args = ['vol-upload', '--pool', pool, name, fifo];
    try {
      await new Promise<void>((resolve, reject) => execFile('mkfifo', ['-m', '600', fifo], (e) => (e === null ? resolve() : reject(e))));
      const child = spawn(this.binary, ['-q', '-c', this.uri, ...args], { stdio: ['ignore', 'ignore', 'pipe'], signal: opts.signal });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
      const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
      let sent = 0;
      const input = createReadStream(file);
      // Opening the FIFO for writing waits for virsh to open it for reading; if virsh fails first, its exit ends the wait.
      const output = createWriteStream(fifo);
      input.on('data', (c) => {
        sent += c.length;
        opts.progress?.(sent, total);
      });
      const copied = pipeline(input, output).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      const code = await Promise.race([exited, spawnError]);
      if (code !== 0) {
        input.destroy();
        output.destroy();
        // A writer still waiting for the FIFO to open is let go by opening it for reading.
        if (!output.pending) await copied;
        else closeSync(openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK));
        opts.signal?.throwIfAborted();
        throw new VirshError(args, stderr === '' ? `exit code ${code}` : stderr);
      }
      const copyError = await copied;
      if (copyError !== undefined) throw new VirshError(args, copyError.message);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Copies a volume's content into a local file. */
  async volumeDownload(pool: string, name: string, file: string): Promise<void> {
    await this.run(['vol-download', '--pool', pool, name, file]);
  }

  /** The host's capabilities XML (its CPU and the domain types it offers). */
  capabilities(): Promise<string> {
    return this.run(['capabilities']);
  }
}
