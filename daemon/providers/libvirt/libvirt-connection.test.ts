// The libvirt wrappers against libvirt's test driver (test:///default): the
// binding for domains, virsh for networks, pools and volumes. The test driver
// keeps its state per process: the binding's connections in this process
// share it, while every virsh call starts from the driver's defaults (a
// "default" network and a "default-pool" dir pool), so a definition that
// must persist across commands is checked within one virsh process.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { domainXml } from './domain-xml.ts';
import { LibvirtConnection, LibvirtConnectionError } from './libvirt-connection.ts';
import { natNetworkXml } from './network-xml.ts';
import { dirPoolXml, overlayVolumeXml } from './storage-xml.ts';
import { Virsh, VirshError } from './virsh.ts';

const URI = 'test:///default';
const dir = mkdtempSync(join(tmpdir(), 'spms-libvirt-conn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('LibvirtConnection', () => {
  it('defines, starts, lists, reads back, stops and removes a domain made from the generated XML', async () => {
    const conn = await LibvirtConnection.open(URI);
    try {
      const name = 'spms-0badcafe-PR';
      const xml = domainXml({
        name,
        labId: '0badcafe',
        nodeId: 'PR',
        accelerator: 'tcg',
        vcpus: 2,
        memoryMiB: 512,
        kernel: '/k',
        initrd: '/i',
        cmdline: 'root=/dev/vda',
        disk: '/d.qcow2',
        backingDisk: '/b.qcow2',
        serialLog: '/s.log',
        network: { mode: 'user', forwards: [{ hostPort: 2222, guestPort: 22 }], restrict: true },
      });
      await conn.defineAndStart(xml);
      expect(await conn.domainNames()).toContain(name);
      expect(await conn.domainState(name)).toBe('running');
      const back = await conn.domainXml(name);
      expect(back).toContain("<tb-cache unit='KiB'>65536</tb-cache>");
      expect(back).toMatch(/<spms:node xmlns:spms="https:\/\/spms-lab\.dev\/libvirt\/1" lab="0badcafe" id="PR"\/>/);
      await expect(conn.defineAndStart('<domain type=')).rejects.toThrow(LibvirtConnectionError);
      expect(await conn.destroyAndUndefine(name)).toBe(true);
      expect(await conn.domainNames()).not.toContain(name);
      expect(await conn.destroyAndUndefine(name)).toBe(false);
      expect(await conn.domainState(name)).toBeUndefined();
    } finally {
      await conn.close();
    }
  });

  it('names the URI when it cannot connect', async () => {
    await expect(LibvirtConnection.open('test:///nonexistent/config.xml')).rejects.toThrow(/libvirt \(test:\/\/\/nonexistent\/config\.xml\) could not connect/);
  });
});

describe('Virsh', () => {
  const virsh = new Virsh(URI);

  it('lists networks and pools, and reports a failing command with its message', async () => {
    expect(await virsh.networkNames()).toEqual(['default']);
    expect(await virsh.networkActive('default')).toBe(true);
    expect(await virsh.poolNames()).toEqual(['default-pool']);
    expect(await virsh.poolDirectory('default-pool')).toBe('/default-pool');
    const e = await virsh.networkStart('default').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VirshError);
    expect((e as VirshError).message).toMatch(/^virsh net-start default failed: .*already running/s);
    await expect(virsh.volumeDelete('default-pool', 'missing.qcow2')).rejects.toThrow(VirshError);
  });

  it('accepts the generated network, pool and volume definitions', async () => {
    await virsh.networkDefine(natNetworkXml({ name: 'spms-lab', subnet: '10.20.3.0/24', nodes: [{ name: 'PR', mac: '52:54:00:00:00:01' }] }));
    await virsh.poolDefine(dirPoolXml('spms-lab', join(dir, 'pool')));
    await virsh.volumeCreate('default-pool', overlayVolumeXml('spms-x-PR.qcow2', 4, '/images/pr.qcow2'));
    await expect(virsh.networkDefine("<network><forward mode='nat'/></network>")).rejects.toThrow(/net-define .* failed: .*name/s);
  });

  it('starts, inspects and destroys the generated NAT network within one virsh process', async () => {
    const file = join(dir, 'net.xml');
    writeFileSync(file, natNetworkXml({ name: 'spms-lab', subnet: '10.20.3.0/24', nodes: [{ name: 'PR', mac: '52:54:00:00:00:01' }] }));
    const { stdout } = await promisify(execFile)('virsh', [
      '-q',
      '-c',
      URI,
      `net-define ${file}; net-start spms-lab; net-dumpxml spms-lab; net-destroy spms-lab; net-undefine spms-lab; net-list --all --name`,
    ]);
    expect(stdout).toContain("<host mac='52:54:00:00:00:01' name='PR' ip='10.20.3.2'/>");
    expect(stdout.trim().split('\n').at(-1)?.trim()).toBe('default');
  });
});
