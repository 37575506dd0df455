// The generated domain, network, pool and volume XML, checked against
// libvirt's own schemas with virt-xml-validate.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { domainXml, userNetdevArgs, type DomainSpec } from './domain-xml.ts';
import { natNetworkXml, planSubnet, SubnetError } from './network-xml.ts';
import { dirPoolXml, overlayVolumeXml } from './storage-xml.ts';
import { xmlEscape } from './xml-text.ts';

const VALIDATOR = '/usr/bin/virt-xml-validate';
const dir = mkdtempSync(join(tmpdir(), 'spms-libvirt-xml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function validate(xml: string, schema: 'domain' | 'network' | 'storagepool' | 'storagevol'): Promise<void> {
  const file = join(dir, `${schema}-${Math.random().toString(36).slice(2)}.xml`);
  writeFileSync(file, xml);
  await promisify(execFile)(VALIDATOR, [file, schema]);
}

const spec: DomainSpec = {
  name: 'spms-0123abcd-PR',
  labId: '0123abcd',
  nodeId: 'PR',
  accelerator: 'tcg',
  vcpus: 2,
  memoryMiB: 768,
  kernel: "/lab/images/pr/vmlinuz-'odd'&<name>",
  initrd: '/lab/images/pr/initrd.img',
  cmdline: 'root=/dev/vda rw console=ttyS0 spms.ssh=c3NoLWVkMjU1MTk',
  disk: '/lab/pool/spms-0123abcd-PR.qcow2',
  backingDisk: '/lab/images/pr/disk.qcow2',
  serialLog: '/lab/vms/PR.serial.log',
  network: {
    mode: 'user',
    restrict: true,
    forwards: [
      { hostPort: 40022, guestPort: 22 },
      { hostPort: 40443, guestPort: 8443 },
    ],
  },
};

describe.skipIf(!existsSync(VALIDATOR))('libvirt XML against libvirt schemas', () => {
  it('a TCG domain with user-mode networking validates and carries the measured settings', async () => {
    const xml = domainXml(spec);
    await validate(xml, 'domain');
    expect(xml).toContain("<domain type='qemu'");
    expect(xml).toContain("<tb-cache unit='MiB'>64</tb-cache>");
    expect(xml).toContain("<qemu:arg value='user,id=spmsnet0,restrict=on,hostfwd=tcp:127.0.0.1:40022-:22,hostfwd=tcp:127.0.0.1:40443-:8443'/>");
    expect(xml).toContain("<qemu:arg value='virtio-net-pci,netdev=spmsnet0,bus=pci.0,addr=0x10'/>");
    expect(xml).toContain('vmlinuz-&apos;odd&apos;&amp;&lt;name&gt;');
    expect(xml).not.toContain('<interface');
  });

  it('a KVM domain on the NAT network, run as the lab user, validates', async () => {
    const xml = domainXml({ ...spec, accelerator: 'kvm', network: { mode: 'nat', network: 'spms-lab', mac: '52:54:00:12:34:56' }, runAs: { uid: 1000, gid: 1000 } });
    await validate(xml, 'domain');
    expect(xml).toContain("<domain type='kvm'");
    expect(xml).not.toContain('tb-cache');
    expect(xml).not.toContain('qemu:commandline');
    expect(xml).toContain("<source network='spms-lab'/>");
    expect(xml).toContain('<label>+1000:+1000</label>');
  });

  it('the NAT network validates, with a fixed address per node', async () => {
    const xml = natNetworkXml({
      name: 'spms-lab',
      subnet: '10.20.3.0/24',
      nodes: [
        { name: 'PR', mac: '52:54:00:00:00:01' },
        { name: 'PV1', mac: '52:54:00:00:00:02' },
      ],
    });
    await validate(xml, 'network');
    expect(xml).toContain("<ip address='10.20.3.1' prefix='24'>");
    expect(xml).toContain("<host mac='52:54:00:00:00:02' name='PV1' ip='10.20.3.3'/>");
  });

  it('the pool and an overlay volume validate', async () => {
    await validate(dirPoolXml('spms-lab', '/lab/pool'), 'storagepool');
    const vol = overlayVolumeXml('spms-0123abcd-PR.qcow2', 4, '/lab/images/pr/disk.qcow2');
    await validate(vol, 'storagevol');
    expect(vol).toContain('<path>/lab/images/pr/disk.qcow2</path>');
  });
});

describe('XML inputs', () => {
  it('rejects what XML cannot carry or QEMU cannot forward', () => {
    expect(() => xmlEscape('a\u0001b')).toThrow(/control character/);
    expect(() => userNetdevArgs([{ hostPort: 70000, guestPort: 22 }], true)).toThrow(/not a TCP port/);
    expect(() => domainXml({ ...spec, vcpus: 0 })).toThrow(/vcpus/);
    expect(() => overlayVolumeXml('v', 0, '/b')).toThrow(/GiB/);
  });

  it('plans subnets and refuses bad ones', () => {
    expect(planSubnet('192.168.50.0/29', 2)).toEqual({ gateway: '192.168.50.1', prefix: 29, dhcpStart: '192.168.50.2', dhcpEnd: '192.168.50.6', hosts: ['192.168.50.2', '192.168.50.3'] });
    expect(() => planSubnet('10.20.3.7/24', 1)).toThrow(/host bits set: the network address is 10.20.3.0\/24/);
    expect(() => planSubnet('10.20.3.0/29', 6)).toThrow(SubnetError);
    expect(() => planSubnet('10.20.300.0/24', 1)).toThrow(/not an IPv4 address/);
  });
});
