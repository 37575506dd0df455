// The libvirt provider against libvirt's own test driver (test:///default:
// the real libvirt API, in memory, no daemon): its plan, a deploy that gets
// as far as starting the domains and fails at SSH (nothing boots in the test
// driver) and cleans up after itself, and a teardown that removes exactly
// this lab's domains. The test driver keeps its state per process, so the
// domains made here through the binding are the ones the provider sees.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabCa } from '../../../certs/lab-ca.ts';
import type { ImageRole, RoleImage, RoleImages } from '../../images/role-image.ts';
import type { Topology } from '../../state/topology.ts';
import type { TaskHandle } from '../../tasks/task-handle.ts';
import { NodeStartError } from '../local/node-start-error.ts';
import type { ProviderContext } from '../provider.ts';
import { domainXml, type DomainSpec } from './domain-xml.ts';
import { LibvirtConnection } from './libvirt-connection.ts';
import { LibvirtPlanError, LibvirtProvider } from './libvirt-provider.ts';
import { parseLibvirtSettings } from './libvirt-settings.ts';
import { SubnetError } from './network-xml.ts';

const URI = 'test:///default';
const topology: Topology = {
  pr: { id: 'PR' },
  pvs: [
    {
      id: 'PV1',
      verifiers: [
        { id: 'ok', kind: 'dummy-pass', property: 'accepted' },
        { id: 'ext', kind: 'external', property: 'checked', options: { command: ['true'] } },
      ],
      formula: 'accepted & checked',
      epochLengthMs: 1000,
      vm: { memoryMiB: 512 },
    },
  ],
};

let dir: string;
let ca: LabCa;
let conn: LibvirtConnection;

/** Role images made of real files: a qcow2 made by qemu-img, and a kernel and initrd the test driver never reads. */
class FileRoleImages implements RoleImages {
  readonly ensured: ImageRole[] = [];
  constructor(private readonly imagesDir: string) {}
  async ensure(role: ImageRole, task: TaskHandle): Promise<RoleImage> {
    this.ensured.push(role);
    const d = join(this.imagesDir, role);
    mkdirSync(d, { recursive: true });
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(d, 'disk.qcow2'), '1G']);
    for (const f of ['vmlinuz', 'initrd.img']) writeFileSync(join(d, f), f);
    task.log(`${role} image ready`);
    return {
      role,
      id: `${role}-image-id`,
      disk: join(d, 'disk.qcow2'),
      kernel: join(d, 'vmlinuz'),
      initrd: join(d, 'initrd.img'),
      cmdline: 'root=/dev/vda rw console=ttyS0',
      builtMs: Date.now(),
      sizeBytes: 1,
    };
  }
}

function recordingTask(): TaskHandle & { lines: string[]; steps: string[] } {
  const lines: string[] = [];
  const steps: string[] = [];
  return { id: 't', signal: new AbortController().signal, lines, steps, step: (s) => steps.push(s), progress: () => undefined, log: (l) => lines.push(l) };
}

function context(labDir: string): ProviderContext {
  return { labDir, ca, eventsToken: 'libvirt-provider-test-token', emit: () => undefined };
}

function provider(labDir: string, settings: unknown = {}, images: RoleImages = new FileRoleImages(join(labDir, 'images'))): LibvirtProvider {
  return new LibvirtProvider(context(labDir), parseLibvirtSettings({ uri: URI, pool: 'default-pool', ...(settings as object) }), images, { bootTimeoutMs: 1500, healthTimeoutMs: 1000 });
}

function domainSpec(name: string, labId: string): DomainSpec {
  return {
    name,
    labId,
    nodeId: 'X',
    accelerator: 'tcg',
    vcpus: 1,
    memoryMiB: 256,
    kernel: '/k',
    initrd: '/i',
    cmdline: '',
    disk: '/d',
    backingDisk: '/b',
    serialLog: '/s',
    network: { mode: 'user', forwards: [], restrict: true },
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spms-libvirt-provider-'));
  ca = LabCa.init(join(dir, 'ca'), { keyBits: 2048 });
  conn = await LibvirtConnection.open(URI);
});

afterAll(async () => {
  await conn.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('plan', () => {
  it('lists the VMs with their sizes and host, the accelerator and why, and skips external verifiers', async () => {
    const p = provider(join(dir, 'plan'));
    const plan = await p.plan(topology);
    expect(plan.provider).toBe('libvirt');
    expect(plan.vms).toEqual([
      { id: 'PR', role: 'pr', host: URI, domain: `spms-${p.labId}-PR`, vcpus: 1, memoryMiB: 768, diskGiB: 4 },
      { id: 'PV1', role: 'pv', host: URI, domain: `spms-${p.labId}-PV1`, vcpus: 1, memoryMiB: 512, diskGiB: 4 },
    ]);
    expect(plan.accelerator.accelerator).toBe('tcg');
    expect(plan.accelerator.reason).toMatch(/TCG because/);
    expect(plan.skipped).toEqual([{ pvId: 'PV1', verifierId: 'ext', reason: expect.stringContaining('not installed in the PV image') as string }]);
    expect(plan.nodes[1]?.verifiers?.map((v) => v.kind)).toEqual(['dummy-pass', 'unavailable']);
    expect(plan.steps.some((s) => s.startsWith('boot PV1:') && s.includes('512 MiB'))).toBe(true);
  });

  it('warns of overcommit', async () => {
    const big: Topology = { ...topology, pr: { id: 'PR', vm: { vcpus: 64, memoryMiB: 262_144 } } };
    const plan = await provider(join(dir, 'plan-big')).plan(big);
    expect(plan.warnings.some((w) => /^CPU overcommit: 65 vCPUs on \d+ host cores/.test(w))).toBe(true);
    expect(plan.warnings.some((w) => /^memory overcommit: the 2 VMs may use 262\d{3} MiB/.test(w))).toBe(true);
  });

  it('refuses user-mode networking on a remote host and a subnet too small for the lab', async () => {
    const remote: Topology = { ...topology, pr: { id: 'PR', vm: { host: 'qemu+ssh://lab2/system' } } };
    await expect(provider(join(dir, 'plan-remote')).plan(remote)).rejects.toThrow(LibvirtPlanError);
    const natPlan = await provider(join(dir, 'plan-remote'), { network: { mode: 'nat', name: 'spms-lab', subnet: '10.20.3.0/24' } }).plan(remote);
    expect(natPlan.steps).toContainEqual(expect.stringMatching(/^upload to qemu\+ssh:\/\/lab2\/system: the role images into the pool default-pool there/));
    await expect(
      provider(join(dir, 'plan-small'), { network: { mode: 'nat', name: 'n', subnet: '10.20.3.0/29' } }).plan({
        ...topology,
        pvs: Array.from({ length: 6 }, (_, i) => ({ ...topology.pvs[0]!, id: `PV${i}` })),
      }),
    ).rejects.toThrow(SubnetError);
  });
});

const hasDnsmasq = ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq'].some((f) => existsSync(f));
describe.skipIf(hasDnsmasq)('plan without dnsmasq (skipped: dnsmasq is installed)', () => {
  it('refuses NAT mode on a local QEMU host, naming the package', async () => {
    await expect(provider(join(dir, 'plan-nat'), { uri: 'qemu:///system', network: { mode: 'nat', name: 'n', subnet: '10.20.3.0/24' } }).plan(topology)).rejects.toThrow(/dnsmasq-base/);
  });
});

describe('deploy and teardown against test:///default', () => {
  it('starts one domain per node, fails at SSH with the node named, and removes what it made', async () => {
    const labDir = join(dir, 'deploy');
    const images = new FileRoleImages(join(labDir, 'images'));
    const p = provider(labDir, {}, images);
    const task = recordingTask();
    const foreign = 'someone-elses-vm';
    await conn.defineAndStart(domainXml(domainSpec(foreign, 'other')));

    const error = await p.deploy(await p.plan(topology), topology, task).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeStartError);
    expect((error as Error).message).toMatch(/^(PR|PV1) did not answer SSH at 127\.0\.0\.1:\d+/);
    expect(images.ensured).toEqual(['pr', 'pv']);
    expect(task.steps.slice(0, 4)).toEqual(['role images', 'network', 'volumes', 'boot VMs']);
    expect(task.lines).toContainEqual(expect.stringMatching(new RegExp(`^PR: spms-${p.labId}-PR started, waiting for SSH`)));
    expect(task.lines).toContainEqual(expect.stringMatching(new RegExp(`^test:///default: domain spms-${p.labId}-PV1 removed`)));

    // The PR's certificate names the address the PV guests reach it at.
    expect(ca.current('pr', 'PR')?.ipAddresses).toEqual(expect.arrayContaining(['127.0.0.1', '10.0.2.2']));
    expect(ca.current('pv', 'PV1')?.ipAddresses).not.toContain('10.0.2.2');
    const ports = JSON.parse(readFileSync(join(labDir, 'vms', 'ports.json'), 'utf8')) as Record<string, { ssh: number; https: number; mqtt?: number }>;
    expect(Object.keys(ports)).toEqual(['PR', 'PV1']);
    expect(ports.PR?.mqtt).toBeTypeOf('number');

    expect((await conn.domainNames()).filter((n) => n.startsWith('spms-'))).toEqual([]);
    expect(await conn.domainNames()).toContain(foreign);
    expect(p.status().map((s) => [s.id, s.health])).toEqual([
      ['PR', 'stopped'],
      ['PV1', 'stopped'],
    ]);
    expect(p.status()[0]?.logFile).toBe(join(labDir, 'vms', 'PR.log'));
    expect(p.logs('PR', 10).join('\n')).toMatch(/started on test:\/\/\/default/);
    await conn.destroyAndUndefine(foreign);
  });

  it('refuses to take over a NAT network it did not create', async () => {
    const labDir = join(dir, 'nat-foreign');
    const p = provider(labDir, { network: { mode: 'nat', name: 'default', subnet: '10.20.3.0/24' } });
    const task = recordingTask();
    await expect(p.deploy(await p.plan(topology), topology, task)).rejects.toThrow(/^network: test:\/\/\/default already has a network named default that this lab did not create/);
    expect(JSON.parse(readFileSync(join(labDir, 'vms', 'created.json'), 'utf8'))).toEqual({ hosts: [], networks: [], pools: [], owners: [], images: [] });
    expect((await conn.domainNames()).filter((n) => n.startsWith('spms-'))).toEqual([]);
  });

  it("teardown removes this lab's domains only, and is safe twice", async () => {
    const p = provider(join(dir, 'teardown'));
    const mine = p.domainName('PR');
    const otherLab = p.domainName('PV1');
    await conn.defineAndStart(domainXml(domainSpec(mine, p.labId)));
    // The lab's name prefix alone is not enough: this one says it belongs to another lab.
    await conn.defineAndStart(domainXml(domainSpec(otherLab, 'ffffffff')));
    await conn.defineAndStart(domainXml(domainSpec('unrelated', p.labId)));
    const task = recordingTask();
    await p.teardown(task);
    const left = await conn.domainNames();
    expect(left).not.toContain(mine);
    expect(left).toEqual(expect.arrayContaining([otherLab, 'unrelated']));
    expect(task.lines).toEqual([`test:///default: domain ${mine} removed`]);
    await p.teardown();
    for (const n of [otherLab, 'unrelated']) await conn.destroyAndUndefine(n);
  });
});
