import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageStore } from '../../daemon/images/image-store.ts';

const spms = join(dirname(fileURLToPath(import.meta.url)), '..', 'spms.js');

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [spms, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spms-images-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('spms images', () => {
  it('lists the images of a directory, as text and as JSON', async () => {
    const images = join(dir, 'images');
    expect((await runCli(['images', 'list', '--dir', images])).stdout).toContain(`no images in ${images}`);
    const store = new ImageStore(images);
    const work = store.workDir('pr-0123456789abcdef');
    for (const f of ['disk.qcow2', 'vmlinuz', 'initrd.img']) writeFileSync(join(work, f), 'x');
    store.commit(work, {
      kind: 'pr',
      id: '0123456789abcdef',
      disk: 'disk.qcow2',
      kernel: 'vmlinuz',
      initrd: 'initrd.img',
      cmdline: 'root=/dev/vda',
      builtMs: 1_700_000_000_000,
      buildDurationMs: 61_000,
      baseId: 'fedcba9876543210',
    });
    const text = await runCli(['images', 'list', '--lab-dir', dir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^pr\s+0123456789abcdef\s+\d+ MiB\s+built 2023-11-14T22:13:20.000Z in 61 s\s+\(base fedcba9876543210\)$/m);
    const json = JSON.parse((await runCli(['images', 'list', '--dir', images, '--json'])).stdout) as { images: { kind: string; disk: string }[] };
    expect(json.images).toMatchObject([{ kind: 'pr', disk: join(images, 'pr-0123456789abcdef', 'disk.qcow2') }]);
  });

  it('exits 2 on usage errors', async () => {
    const bad = await runCli(['images', 'build', 'router', '--dir', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('images build takes pr, pv or all');
    expect((await runCli(['images'])).code).toBe(2);
    expect((await runCli(['images', 'list', 'extra'])).code).toBe(2);
  });
});
