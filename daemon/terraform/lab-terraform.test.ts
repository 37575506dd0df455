// The export from a lab directory: the lab's SSH key file, the newest built
// role images of its image store, its libvirt settings from the state.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageStore } from '../images/image-store.ts';
import type { ImageRole } from '../images/role-image.ts';
import { defaultTopology } from '../state/topology.ts';
import { labSshPublicKeyFile, labTerraformExport } from './lab-terraform.ts';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHn3cRQ9tq0ZGh1v0x3eYbMNbz1fhb3+T1r2wq9V0p3K spms-lab';
let dir: string;

function build(store: ImageStore, kind: ImageRole, id: string, builtMs: number): string {
  const work = join(store.dir, `.test-${kind}-${id}`);
  mkdirSync(work, { recursive: true });
  for (const f of ['disk.qcow2', 'vmlinuz', 'initrd.img']) writeFileSync(join(work, f), f);
  return store.commit(work, { kind, id, disk: 'disk.qcow2', kernel: 'vmlinuz', initrd: 'initrd.img', cmdline: `root=/dev/vda rw console=ttyS0 build=${id}`, builtMs, buildDurationMs: 1 }).dir;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spms-tf-lab-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('labTerraformExport', () => {
  it('names what a fresh lab lacks: its key and its images', () => {
    const { tfvars, notes } = labTerraformExport(dir, { topology: defaultTopology(), provider: { kind: 'local', settings: {} } });
    expect(tfvars.ssh_public_key).toBe('');
    expect(tfvars.images.pv.disk).toBe(join(dir, 'images', 'pv-not-built', 'disk.qcow2'));
    expect(notes[0]).toMatch(/runs with the local provider/);
    expect(notes.join('\n')).toMatch(/no SSH public key/);
    expect(notes.join('\n')).toMatch(/pr and pv images not built yet/);
  });

  it('uses the lab key, the newest built image of each role and the stored libvirt settings', () => {
    mkdirSync(join(dir, 'ssh'));
    writeFileSync(labSshPublicKeyFile(dir), `${KEY}\n`);
    const store = new ImageStore(join(dir, 'images'));
    build(store, 'pr', '000000000000000a', 1000);
    const newest = build(store, 'pr', '000000000000000b', 2000);
    const pv = build(store, 'pv', '000000000000000c', 1500);
    const settings = { libvirt: { uri: 'qemu+ssh://lab2/system', accelerator: 'kvm', network: { mode: 'nat', name: 'net', subnet: '10.30.0.0/24' } } };
    const { tfvars, notes } = labTerraformExport(dir, { topology: defaultTopology(), provider: { kind: 'libvirt', settings } });
    expect(tfvars.ssh_public_key).toBe(KEY);
    expect(tfvars.images).toEqual({
      pr: { disk: join(newest, 'disk.qcow2'), kernel: join(newest, 'vmlinuz'), initrd: join(newest, 'initrd.img'), cmdline: 'root=/dev/vda rw console=ttyS0 build=000000000000000b' },
      pv: { disk: join(pv, 'disk.qcow2'), kernel: join(pv, 'vmlinuz'), initrd: join(pv, 'initrd.img'), cmdline: 'root=/dev/vda rw console=ttyS0 build=000000000000000c' },
    });
    expect(tfvars.hosts).toEqual({ lab2: 'qemu+ssh://lab2/system' });
    expect(tfvars.accelerator).toBe('kvm');
    expect(tfvars.nodes.PR?.address).toBe('10.30.0.2');
    expect(notes).toEqual([]);
  });
});
