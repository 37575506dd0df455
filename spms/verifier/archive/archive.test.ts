// Real archives made with GNU tar, gzip and bzip2, friendly and hostile.
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ArchiveError, packPluginArchive, readPluginArchive, readPluginDirectory } from './index.ts';

const work = mkdtempSync(join(tmpdir(), 'spms-archive-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;

/** A fresh folder holding a plugin directory `name` with the given files. */
function plugin(files: Record<string, string>, name = 'org.example.fec'): { parent: string; dir: string } {
  const parent = join(work, `case${n++}`);
  const dir = join(parent, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  mkdirSync(dir, { recursive: true });
  return { parent, dir };
}

function tar(parent: string, flags: string[], what = '.'): Uint8Array {
  const out = join(parent, '..', `${n++}.archive`);
  execFileSync('tar', ['-C', parent, ...flags, '-f', out, what === '.' ? '--exclude=./.' : what, ...(what === '.' ? ['.'] : [])]);
  return new Uint8Array(readFileSync(out));
}

const good = { 'fec.plugin': 'org.example.fec\nparse_frame param 0x29 replace parse.o\n', 'parse.c': 'int x;\n', 'include/api.h': '', 'parse.o': '\x7fELF' };

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ArchiveError);
    return (e as ArchiveError).code;
  }
  return 'accepted';
}

describe('plugin archives', () => {
  it('reads tar, tar.gz and tar.bz2 alike', async () => {
    const { parent } = plugin(good);
    const expected = ['fec.plugin', 'include/api.h', 'parse.c', 'parse.o'];
    for (const flags of [['-c'], ['-cz'], ['-cj']]) {
      const tree = await readPluginArchive(tar(parent, flags, 'org.example.fec'));
      expect(tree.name).toBe('org.example.fec');
      expect(tree.files.map((f) => f.path)).toEqual(expected);
      expect(new TextDecoder().decode(tree.files[2]!.data)).toBe('int x;\n');
    }
  });

  it('reads archives made by git archive (a pax global header first), tar and tar.gz', async () => {
    const { dir } = plugin(good);
    const git = (...args: string[]): Buffer => execFileSync('git', ['-C', dir, '-c', 'user.name=dev', '-c', 'user.email=dev@example.org', ...args]);
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'plugin');
    const expected = ['fec.plugin', 'include/api.h', 'parse.c', 'parse.o'];
    for (const args of [['--prefix=org.example.fec/'], ['--prefix=org.example.fec/', '--format=tar.gz']]) {
      const bytes = new Uint8Array(git('archive', ...args, 'HEAD'));
      // The first header is git's pax global header carrying the commit id.
      if (!args.includes('--format=tar.gz')) expect(String.fromCharCode(bytes[156]!)).toBe('g');
      const tree = await readPluginArchive(bytes);
      expect(tree.name).toBe('org.example.fec');
      expect(tree.files.map((f) => f.path)).toEqual(expected);
    }
  });
  it('packs deterministically and reads its own archives back', async () => {
    const { dir } = plugin(good);
    const tree = await readPluginDirectory(dir);
    const a = await packPluginArchive(tree);
    const b = await packPluginArchive({ name: tree.name, files: [...tree.files].reverse() });
    expect(a).toEqual(b);
    expect(await readPluginArchive(a)).toEqual(tree);
  });

  it('refuses traversal, absolute paths and links', async () => {
    const { parent } = plugin(good);
    writeFileSync(join(parent, 'evil'), 'x');
    expect(await refusal(readPluginArchive(tar(join(parent, 'org.example.fec'), ['-c', '--transform=s,^,org.example.fec/../,'], 'fec.plugin')))).toBe('path-traversal');
    expect(await refusal(readPluginArchive(tar(parent, ['-c', '-P'], join(parent, 'evil'))))).toBe('absolute-path');
    symlinkSync('/etc/passwd', join(parent, 'org.example.fec', 'passwd'));
    expect(await refusal(readPluginArchive(tar(parent, ['-c'], 'org.example.fec')))).toBe('link');
    const { parent: p2, dir: d2 } = plugin(good);
    linkSync(join(d2, 'parse.c'), join(d2, 'again.c'));
    expect(await refusal(readPluginArchive(tar(p2, ['-c'], 'org.example.fec')))).toBe('link');
    expect(await refusal(readPluginDirectory(d2))).toBe('link');
  });

  it('refuses folders with links or special layout', async () => {
    const { dir } = plugin(good);
    symlinkSync('/etc', join(dir, 'etc'));
    expect(await refusal(readPluginDirectory(dir))).toBe('link');
    expect(await refusal(readPluginDirectory(join(work, 'missing')))).toBe('unreadable');
  });

  it('enforces the entry, packed and unpacked limits, stopping bombs early', async () => {
    const many: Record<string, string> = { 'm.plugin': 'org.example.m\n' };
    for (let i = 0; i < 20; i++) many[`f${i}.c`] = '';
    const { parent } = plugin(many, 'org.example.m');
    const archive = tar(parent, ['-cz'], 'org.example.m');
    expect(await refusal(readPluginArchive(archive, { packedBytes: 1 << 20, unpackedBytes: 1 << 20, entries: 10 }))).toBe('too-many-entries');
    expect(await refusal(readPluginArchive(archive, { packedBytes: 100, unpackedBytes: 1 << 20, entries: 100 }))).toBe('packed-too-large');
    // 200 MB of zeros in a few hundred KB: refused without unpacking it all.
    const { parent: bp, dir: bd } = plugin({ 'b.plugin': 'org.example.b\n' }, 'org.example.b');
    execFileSync('truncate', ['-s', '200M', join(bd, 'zeros')]);
    for (const flags of [['-cz'], ['-cj']]) {
      const bomb = tar(bp, flags, 'org.example.b');
      expect(bomb.length).toBeLessThan(1 << 20);
      const started = Date.now();
      expect(await refusal(readPluginArchive(bomb))).toBe('unpacked-too-large');
      expect(Date.now() - started).toBeLessThan(20_000);
    }
  }, 60_000);

  it('refuses garbage, truncated and mislaid archives with clear errors', async () => {
    expect(await refusal(readPluginArchive(new TextEncoder().encode('hello, not an archive')))).toBe('not-an-archive');
    const { parent } = plugin(good);
    const gz = tar(parent, ['-cz'], 'org.example.fec');
    expect(await refusal(readPluginArchive(gz.subarray(0, gz.length - 40)))).toBe('corrupt');
    expect(await refusal(readPluginArchive(gzipSync(Buffer.from('not a tar at all'))))).toBe('not-an-archive');
    const bz = tar(parent, ['-cj'], 'org.example.fec');
    expect(await refusal(readPluginArchive(bz.subarray(0, bz.length - 20)))).toBe('corrupt');
    // Two top directories, a file at the top, no manifest, two manifests, a bad plugin name.
    const { parent: p3 } = plugin({ 'a.plugin': 'org.example.a\n' }, 'org.example.a');
    mkdirSync(join(p3, 'org.example.b'));
    writeFileSync(join(p3, 'org.example.b', 'b.plugin'), 'x');
    expect(await refusal(readPluginArchive(tar(p3, ['-c'], '.')))).toBe('layout');
    const { parent: p4 } = plugin({ 'x.c': '' });
    expect(await refusal(readPluginArchive(tar(p4, ['-c'], 'org.example.fec')))).toBe('layout');
    const { parent: p5 } = plugin({ 'a.plugin': '', 'b.plugin': '' });
    await expect(readPluginArchive(tar(p5, ['-c'], 'org.example.fec'))).rejects.toThrow(/exactly one .plugin manifest.*a\.plugin, b\.plugin/);
    const { parent: p6 } = plugin({ 'a.plugin': '' }, 'NotAName');
    await expect(readPluginArchive(tar(p6, ['-c'], 'NotAName'))).rejects.toThrow(/not a valid plugin name/);
  });
});
