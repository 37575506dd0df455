// virsh, for what the libvirt binding lacks: networks, storage pools and
// volumes. Each call is one `virsh -c URI …` process; XML goes through a
// private temporary file since virsh reads definitions only from files.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
}
