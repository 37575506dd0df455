// The role images' Packer template, checked by the real `packer validate`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RECIPES, IMAGE_CMDLINE } from './image-builder.ts';

const packer = spawnSync('packer', ['version'], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
const havePacker = packer.error === undefined && packer.status === 0;
if (!havePacker) console.warn('packer is not installed (scripts/setup.sh installs it): the role template is not validated');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spms-packer-'));
  writeFileSync(join(dir, 'key'), ssh2.utils.generateKeyPairSync('ed25519').private, { mode: 0o600 });
  writeFileSync(join(dir, 'not-a-key'), 'hello\n');
  // The file provisioner's source must exist.
  writeFileSync(join(dir, 'spms-bundle.tar'), '');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function validate(vars: Record<string, string>): { status: number | null; output: string } {
  const args = ['validate', ...Object.entries(vars).flatMap(([k, v]) => ['-var', `${k}=${v}`]), join(DEFAULT_RECIPES, 'role', 'role.json')];
  const r = spawnSync('packer', args, { encoding: 'utf8', cwd: dir, env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const vars = (): Record<string, string> => ({
  role: 'pv',
  base_disk: join(dir, 'rootfs.qcow2'),
  kernel: join(dir, 'vmlinuz'),
  initrd: join(dir, 'initrd.img'),
  cmdline: IMAGE_CMDLINE,
  ssh_authorized_key: 'c3NoLWVkMjU1MTkgQUFBQQ',
  ssh_private_key_file: join(dir, 'key'),
  bundle_tarball: join(dir, 'spms-bundle.tar'),
  output_dir: join(dir, 'out'),
});

describe.skipIf(!havePacker)('vm-images/role/role.json', () => {
  it('passes packer validate with the variables the image builder passes', () => {
    const r = validate(vars());
    // Packer 1.6.6 prints only its warning about `iso_checksum: none` (the base image is built locally) when the template is valid.
    expect(r.output).not.toMatch(/error/i);
    expect(r.status).toBe(0);
  });

  it('is refused when the build key is not a key', () => {
    const r = validate({ ...vars(), ssh_private_key_file: join(dir, 'not-a-key') });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('ssh_private_key_file is invalid');
  });
});
