// What the libvirt provider does differently for a remote host, as far as it
// can be seen without one: which URIs are remote, the accelerator chosen
// from a host's libvirt capabilities (never from this machine's /proc), the
// names of uploaded image volumes, virsh's upload against libvirt's test
// driver (which keeps no volume from one virsh process to the next, so only
// its failures show here; test/vm/libvirt-remote.test.ts uploads for real),
// and the plan of a lab with a remote node.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LabCa } from '../../../certs/lab-ca.ts';
import type { RoleImages } from '../../images/role-image.ts';
import type { Topology } from '../../state/topology.ts';
import { acceleratorForHost, chooseAccelerator, isLocalUri, virtFactsFromCapabilities } from './accelerator.ts';
import { LibvirtPlanError, LibvirtProvider } from './libvirt-provider.ts';
import { parseLibvirtSettings } from './libvirt-settings.ts';
import { imageVolumeNames } from './remote-image-volumes.ts';
import { Virsh, VirshError } from './virsh.ts';

const dir = mkdtempSync(join(tmpdir(), 'spms-libvirt-remote-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const REMOTE = 'qemu+ssh://root@127.0.0.1:2222/system?keyfile=/k&socket=/s';
const LABEL = 'qemu+ssh://root@127.0.0.1:2222/system';
const testCaps = execFileSync('virsh', ['-c', 'test:///default', 'capabilities'], { encoding: 'utf8' });
/** The test driver's capabilities as a KVM host's would read: vmx among the host CPU's features, KVM domains offered. */
const kvmCaps = testCaps.replace(/(<host>[\s\S]*?<cpu>)/, "$1\n      <feature name='vmx'/>").replace(/<domain type='test'\/>/, "<domain type='test'/>\n      <domain type='kvm'/>");

describe('isLocalUri', () => {
  it('takes a URI without a host part as this machine, and any host, even 127.0.0.1, as remote', () => {
    for (const uri of ['qemu:///system', 'qemu:///system?socket=/tmp/x/libvirt-sock', 'qemu+unix:///system', 'test:///default']) expect(isLocalUri(uri)).toBe(true);
    for (const uri of [REMOTE, 'qemu+ssh://lab2/system', 'qemu+tcp://localhost/system', 'qemu://10.0.0.5/system']) expect(isLocalUri(uri)).toBe(false);
  });
});

describe('the accelerator of a remote host', () => {
  it('reads the host CPU and the domain types from its libvirt capabilities', () => {
    const facts = virtFactsFromCapabilities(testCaps);
    expect(facts.devKvm).toBe(false);
    expect(facts.modules).toBeUndefined();
    expect(virtFactsFromCapabilities(kvmCaps)).toMatchObject({ devKvm: true });
    expect(virtFactsFromCapabilities(kvmCaps).cpuFlags?.has('vmx')).toBe(true);
    expect(virtFactsFromCapabilities('<capabilities/>').cpuFlags).toBeUndefined();
  });

  it('chooses from those facts alone: KVM on a remote KVM host although this host cannot run KVM guests', () => {
    expect(chooseAccelerator('auto').accelerator).toBe('tcg');
    expect(acceleratorForHost('auto', REMOTE, virtFactsFromCapabilities(kvmCaps))).toEqual({ accelerator: 'kvm', reason: `KVM on ${LABEL}: its CPU has vmx and its libvirt offers KVM domains` });
    expect(acceleratorForHost('auto', REMOTE, virtFactsFromCapabilities(testCaps))).toEqual({
      accelerator: 'tcg',
      reason: `TCG on ${LABEL} because its CPU has neither vmx nor svm (no hardware virtualisation, or PVM)`,
    });
    const noKvmDomains = virtFactsFromCapabilities(kvmCaps.replace("<domain type='kvm'/>", ''));
    expect(acceleratorForHost('auto', REMOTE, noKvmDomains).reason).toMatch(/offers no KVM domains$/);
    expect(acceleratorForHost('auto', REMOTE).reason).toMatch(/capabilities could not be read/);
    expect(acceleratorForHost('tcg', REMOTE, virtFactsFromCapabilities(kvmCaps)).accelerator).toBe('tcg');
  });
});

describe('image volume names', () => {
  it('name the lab, role and image, outside the prefix of the volumes teardown removes', () => {
    const names = imageVolumeNames('0badcafe', 'pv', 'c7c8ca3baae865d9aa');
    expect(names).toEqual({
      disk: 'spms-image-0badcafe-pv-c7c8ca3baae865d9.qcow2',
      kernel: 'spms-image-0badcafe-pv-c7c8ca3baae865d9.vmlinuz',
      initrd: 'spms-image-0badcafe-pv-c7c8ca3baae865d9.initrd',
    });
    for (const n of Object.values(names)) expect(n.startsWith('spms-0badcafe-')).toBe(false);
    expect(() => imageVolumeNames('0badcafe', 'pr', '../etc')).toThrow(RangeError);
  });
});

describe('Virsh uploads (test driver)', () => {
  const virsh = new Virsh('test:///default');
  const file = join(dir, 'image.bin');
  writeFileSync(file, Buffer.alloc(256 * 1024, 7));

  it('creates a raw volume of a given size, and refuses a size that is not whole bytes', async () => {
    await virsh.volumeCreateRaw('default-pool', 'spms-image-x.qcow2', 256 * 1024);
    await expect(virsh.volumeCreateRaw('default-pool', 'x', 1.5)).rejects.toThrow(RangeError);
  });

  it("reports an upload that libvirt refuses with virsh's message, and does not wait on the file it never read", async () => {
    const e = await virsh.volumeUpload('default-pool', 'missing.qcow2', file).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VirshError);
    expect((e as VirshError).message).toMatch(/^virsh vol-upload --pool default-pool missing\.qcow2 \S+ failed: .*missing\.qcow2/s);
    await expect(virsh.volumeUpload('default-pool', 'x', join(dir, 'no-such-file'))).rejects.toThrow(/ENOENT/);
  });
});

describe('the plan of a lab with a remote node', () => {
  const topology: Topology = { pr: { id: 'PR' }, pvs: [{ id: 'PV1', verifiers: [], formula: 'true', epochLengthMs: 1000, vm: { host: REMOTE } }] };
  const images: RoleImages = { ensure: () => Promise.reject(new Error('not in a plan')) };
  const ca = LabCa.init(join(dir, 'ca'), { keyBits: 2048 });
  const provider = (network: object): LibvirtProvider =>
    new LibvirtProvider({ labDir: join(dir, 'lab'), ca, eventsToken: 't', emit: () => undefined }, parseLibvirtSettings({ uri: 'test:///default', pool: 'spms-lab', network }), images);

  it("uploads the images to the remote host, into the pool in libvirt's images directory there", async () => {
    const plan = await provider({ mode: 'nat', name: 'spms-lab', subnet: '10.20.3.0/24' }).plan(topology);
    expect(plan.steps).toContainEqual(`upload to ${LABEL}: the role images into the pool spms-lab there (/var/lib/libvirt/images/spms-lab), unless an earlier deploy left them`);
    expect(plan.steps.filter((s) => s.startsWith('upload to '))).toHaveLength(1);
    expect(plan.warnings.join('\n')).not.toMatch(/same paths/);
  });

  it('refuses user-mode networking for it, even on 127.0.0.1', async () => {
    await expect(provider({ mode: 'user' }).plan(topology)).rejects.toThrow(LibvirtPlanError);
  });
});
