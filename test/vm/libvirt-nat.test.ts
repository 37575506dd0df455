// The libvirt provider's NAT mode with real VMs. Everything runs in a
// network namespace this test creates: a libvirtd of its own (state and
// sockets under the test's directory, test/support/netns-libvirtd.ts), the
// lab's NAT network with its bridge and dnsmasq, the VMs, and the daemon's
// side (test/vm/libvirt-nat-deploy.ts, through `ip netns exec`), which alone
// can reach the nodes' NAT addresses. The driver deploys a PR and PVs
// (1 vCPU, 768 MiB each), waits until they are healthy at their fixed
// addresses and until each PV's STR reached the PR, and tears the lab down;
// the test then checks that libvirt holds nothing of the lab, stops the
// daemons and deletes the namespace, leaving no process behind.
//
// Needs root (ip netns, libvirt's system instance) and dnsmasq.
// SPMS_VM_NAT_PVS: how many PVs (default 1, which keeps npm run test:vm under
// 20 minutes; the user-mode tests run two). Role images: as in
// test/vm/libvirt-nat-deploy.ts (SPMS_VM_ROLE_IMAGES or SPMS_VM_CACHE).
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNetnsLibvirtd, type NetnsLibvirtd } from '../support/netns-libvirtd.ts';
import { NAT_TEST_NETWORK, NAT_TEST_POOL, type NatDeployResult } from './libvirt-nat-lab.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const DRIVER = join(ROOT, 'test/vm/libvirt-nat-deploy.ts');
const NETNS = `spms-nat-test-${process.pid}`;
const PVS = Number(process.env.SPMS_VM_NAT_PVS ?? '1');

let libvirtd: NetnsLibvirtd | undefined;

/** Runs the driver inside the namespace, its progress shown as it goes; resolves with what it printed on stdout. */
function deployInside(ns: NetnsLibvirtd, labDir: string): Promise<NatDeployResult> {
  const [command = 'ip', ...args] = ns.inside([process.execPath, '--import', 'tsx', DRIVER, ns.uri, labDir, String(PVS)]);
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', fail);
    child.once('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        done(JSON.parse(last) as NatDeployResult);
      } catch {
        fail(new Error(`the driver exited with ${code} without results: ${out.slice(-2000)}`));
      }
    });
  });
}

async function listed(uri: string, args: string[]): Promise<string[]> {
  const { stdout } = await run('virsh', ['-q', '-c', uri, ...args]);
  return stdout.split('\n').flatMap((l) => (l.trim() === '' ? [] : [l.trim()]));
}

beforeAll(async () => {
  const started = Date.now();
  libvirtd = await startNetnsLibvirtd(NETNS, join(tmpdir(), NETNS));
  console.log(`libvirtd answers in the namespace ${NETNS} after ${((Date.now() - started) / 1000).toFixed(1)} s at ${libvirtd.uri}`);
});

afterAll(async () => {
  // Only when the test stopped short of its own cleanup.
  await libvirtd?.stop();
});

describe('the libvirt provider in NAT mode, inside a network namespace', () => {
  it('deploys a PR and PVs at fixed NAT addresses that reach each other, then leaves nothing behind', async () => {
    const ns = libvirtd;
    if (ns === undefined) throw new Error('libvirtd did not start');
    const result = await deployInside(ns, join(ns.dir, 'lab'));
    console.log(
      `accelerator: ${result.accelerator}\n` +
        `SSH after ${JSON.stringify(result.times.ssh)} ms, healthy after ${JSON.stringify(result.times.healthy)} ms, deploy returned after ${result.times.deployed} ms\n` +
        `STRs: ${JSON.stringify(result.strs)}`,
    );
    expect(result.error).toBeUndefined();
    expect(result.planNetwork).toBe('nat');

    // Each node at its fixed address: the PR first, at .2, then the PVs; DHCP gave each the address reserved for its MAC.
    const pvIds = Array.from({ length: PVS }, (_, i) => `PV${i + 1}`);
    const expected = [{ id: 'PR', ip: '10.20.3.2' }, ...pvIds.map((id, i) => ({ id, ip: `10.20.3.${i + 3}` }))];
    expect(result.nodes).toEqual(expected.map(({ id, ip }) => ({ id, health: 'healthy', url: `https://${ip}:8443`, ...(id === 'PR' ? { mqttUrl: `mqtts://${ip}:8883` } : {}) })));
    for (const { id, ip } of expected) expect(result.networkXml).toMatch(new RegExp(`<host mac='52:54:00(:[0-9a-f]{2}){3}' name='${id}' ip='${ip.replace(/\./g, '\\.')}'/>`));
    expect(result.networkXml).toContain(`<name>${NAT_TEST_NETWORK.name}</name>`);
    expect(result.networkXml).toMatch(/<forward mode='nat'>/);

    // Each PV connected to the PR's broker and pushed an STR the PR accepted, over the NAT network.
    for (const pv of pvIds) expect(result.strs[pv]).toMatchObject({ mqttHolder: true, accepted: true });

    // The provider removed all it created; the network's bridge went with the network.
    expect(result.left).toEqual({ domains: [], networks: [], pools: [], poolFiles: [] });
    expect(await listed(ns.uri, ['list', '--all', '--name'])).toEqual([]);
    expect(await listed(ns.uri, ['net-list', '--all', '--name'])).toEqual([]);
    expect(await listed(ns.uri, ['pool-list', '--all', '--name'])).not.toContain(NAT_TEST_POOL);
    expect(await ns.links()).toEqual([]);
    // Only the two daemons still run in the namespace: no QEMU, no dnsmasq.
    const left = await ns.pids();
    const commands = await Promise.all(left.map(async (pid) => (await run('ps', ['-o', 'comm=', '-p', String(pid)]).catch(() => ({ stdout: '' }))).stdout.trim()));
    expect(commands.filter((c) => c !== '').sort()).toEqual(['libvirtd', 'virtlogd']);

    libvirtd = undefined;
    await ns.stop();
    const { stdout: namespaces } = await run('ip', ['netns', 'list']);
    expect(namespaces.split('\n').map((l) => l.split(' ')[0])).not.toContain(NETNS);
    expect(left.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
    expect(existsSync(ns.dir)).toBe(false);
  });
});
