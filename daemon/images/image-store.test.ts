import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImageStore, type ImageManifest } from './image-store.ts';

let dir: string;
let store: ImageStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spms-image-store-'));
  store = new ImageStore(join(dir, 'images'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const manifest = (kind: ImageManifest['kind'], id: string, builtMs: number): ImageManifest => ({
  kind,
  id,
  disk: 'disk.qcow2',
  kernel: 'vmlinuz',
  initrd: 'initrd.img',
  cmdline: 'root=/dev/vda',
  builtMs,
  buildDurationMs: 1000,
});

function built(kind: ImageManifest['kind'], id: string, builtMs: number): string {
  const work = store.workDir(`${kind}-${id}`);
  for (const f of ['disk.qcow2', 'vmlinuz', 'initrd.img']) writeFileSync(join(work, f), 'x'.repeat(5000));
  return store.commit(work, manifest(kind, id, builtMs)).dir;
}

describe('ImageStore', () => {
  it('finds and lists committed images, newest first, with absolute paths and their size', () => {
    built('base', 'aaaaaaaaaaaaaaaa', 1);
    built('pr', 'bbbbbbbbbbbbbbbb', 2);
    expect(store.list().map((i) => `${i.kind}-${i.id}`)).toEqual(['pr-bbbbbbbbbbbbbbbb', 'base-aaaaaaaaaaaaaaaa']);
    const pr = store.find('pr', 'bbbbbbbbbbbbbbbb');
    expect(pr?.disk).toBe(join(dir, 'images', 'pr-bbbbbbbbbbbbbbbb', 'disk.qcow2'));
    expect(pr?.sizeBytes).toBeGreaterThanOrEqual(3 * 5000);
    expect(store.find('pv', 'bbbbbbbbbbbbbbbb')).toBeUndefined();
  });

  it('ignores an image with a file missing or a manifest it cannot read', () => {
    const image = built('pv', 'cccccccccccccccc', 1);
    rmSync(join(image, 'initrd.img'));
    mkdirSync(join(dir, 'images', 'pr-dddddddddddddddd'));
    writeFileSync(join(dir, 'images', 'pr-dddddddddddddddd', 'image.json'), '{"kind":"pr"}');
    expect(store.list()).toEqual([]);
    expect(store.find('pv', 'cccccccccccccccc')).toBeUndefined();
  });

  it('tells the work directories of gone processes from those of running ones', () => {
    const mine = store.workDir('pr-eeeeeeeeeeeeeeee');
    const gone = join(dir, 'images', '.work', 'pr-eeeeeeeeeeeeeeee-999999999-1');
    mkdirSync(gone);
    expect(store.abandonedWork()).toEqual([gone]);
    expect(existsSync(mine)).toBe(true);
  });

  it('removes an image with its log', () => {
    built('base', 'ffffffffffffffff', 1);
    writeFileSync(store.logFile('base', 'ffffffffffffffff'), 'log\n');
    const image = store.find('base', 'ffffffffffffffff');
    store.remove(image as NonNullable<typeof image>);
    expect(store.list()).toEqual([]);
    expect(existsSync(store.logFile('base', 'ffffffffffffffff'))).toBe(false);
  });
});

describe('Debian refresh stamp', () => {
  it('is 0 until a refresh is asked for, then the time it was asked, kept across instances', () => {
    expect(store.debianRefreshMs()).toBe(0);
    store.markDebianRefresh(1_700_000_000_000);
    expect(store.debianRefreshMs()).toBe(1_700_000_000_000);
    expect(new ImageStore(join(dir, 'images')).debianRefreshMs()).toBe(1_700_000_000_000);
  });

  it('refuses a damaged stamp with a message naming the file and the way out', () => {
    mkdirSync(join(dir, 'images'), { recursive: true });
    writeFileSync(join(dir, 'images', 'debian-refresh'), 'yesterday\n');
    expect(() => store.debianRefreshMs()).toThrow(/debian-refresh does not hold a time in ms: delete it or run spms images build --refresh/);
  });
});
