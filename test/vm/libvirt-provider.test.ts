// The libvirt provider on its own with real VMs on qemu:///system: a PR and
// two PVs from role images, user-mode networking, provisioned over SSH; the
// PVs reach the PR through 10.0.2.2 (they connect to the broker and push
// their STRs), the daemon sees both nodes' events, and teardown leaves no
// domain, volume, pool or changed file owner behind. Prints each phase's time.
//
// Role images: SPMS_VM_ROLE_IMAGES names a directory with pr/ and pv/, each
// holding disk.qcow2, vmlinuz, initrd.img and image.json (as the image
// builder writes them); without it they are built (or reused) in
// SPMS_VM_CACHE (default /var/cache/spms-lab/images).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabCa } from '../../certs/lab-ca.ts';
import type { LabEventInput } from '../../daemon/events/lab-event.ts';
import { ImageBuilder } from '../../daemon/images/image-builder.ts';
import type { ImageRole, RoleImage, RoleImages } from '../../daemon/images/role-image.ts';
import { LibvirtProvider } from '../../daemon/providers/libvirt/libvirt-provider.ts';
import { parseLibvirtSettings } from '../../daemon/providers/libvirt/libvirt-settings.ts';
import type { Topology } from '../../daemon/state/topology.ts';
import type { TaskHandle } from '../../daemon/tasks/task-handle.ts';
import { ensureLibvirtd, type Libvirtd } from '../support/libvirtd.ts';

const run = promisify(execFile);
const URI = 'qemu:///system';
const POOL = 'spms-vm-test';

/** SPMS_VM_VCPUS sets every VM's vCPUs (default: the provider's default, 2), to compare boot times. */
const vm = { memoryMiB: 768, ...(process.env.SPMS_VM_VCPUS === undefined ? {} : { vcpus: Number(process.env.SPMS_VM_VCPUS) }) };
const topology: Topology = {
  pr: { id: 'PR', vm },
  pvs: ['PV1', 'PV2'].map((id) => ({ id, verifiers: [{ id: 'ok', kind: 'dummy-pass', property: 'accepted' }], formula: 'accepted', epochLengthMs: 2000, vm })),
};

/** Images built elsewhere, as the image builder lays them out. */
class PrebuiltRoleImages implements RoleImages {
  constructor(private readonly dir: string) {}
  ensure(role: ImageRole): Promise<RoleImage> {
    const d = join(this.dir, role);
    const manifest = JSON.parse(readFileSync(join(d, 'image.json'), 'utf8')) as { id: string; cmdline: string; builtMs: number };
    const disk = join(d, 'disk.qcow2');
    return Promise.resolve({
      role,
      id: manifest.id,
      disk,
      kernel: join(d, 'vmlinuz'),
      initrd: join(d, 'initrd.img'),
      cmdline: manifest.cmdline,
      builtMs: manifest.builtMs,
      sizeBytes: statSync(disk).size,
    });
  }
}

const t0 = Date.now();
const stamp = (): string => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s`;

function printingTask(): TaskHandle {
  return { id: 'vm', signal: new AbortController().signal, step: (s) => console.log(`${stamp()} step ${s}`), progress: () => undefined, log: (l) => console.log(`${stamp()}   ${l}`) };
}

function ownerOf(file: string): string {
  const st = statSync(file);
  return `${st.uid}:${st.gid}`;
}

let dir: string;
let images: RoleImages;
let libvirtd: Libvirtd;
let provider: LibvirtProvider;
const events: LabEventInput[] = [];
const waiters = new Set<() => void>();

function nextEvent(node: string, type: string, timeoutMs: number, matches: (payload: Record<string, unknown>) => boolean = () => true): Promise<LabEventInput> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const e = events.find((x) => x.node === node && x.type === type && matches(x.payload));
      if (e === undefined) return;
      waiters.delete(check);
      clearTimeout(timer);
      resolve(e);
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`no ${type} from ${node} within ${timeoutMs} ms; got ${events.map((x) => `${x.node}:${x.type}`).join(' ')}`));
    }, timeoutMs);
    waiters.add(check);
    check();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spms-vm-provider-'));
  libvirtd = await ensureLibvirtd();
  images =
    process.env.SPMS_VM_ROLE_IMAGES !== undefined ? new PrebuiltRoleImages(process.env.SPMS_VM_ROLE_IMAGES) : new ImageBuilder({ dir: process.env.SPMS_VM_CACHE ?? '/var/cache/spms-lab/images' });
  const ca = LabCa.init(join(dir, 'ca'), { keyBits: 2048 });
  provider = new LibvirtProvider(
    {
      labDir: dir,
      ca,
      eventsToken: 'vm-provider-test-events-token',
      emit: (e) => {
        events.push(e);
        for (const w of waiters) w();
      },
    },
    parseLibvirtSettings({ uri: URI, pool: POOL }),
    images,
  );
});

afterAll(async () => {
  await provider.teardown().catch((e: unknown) => console.log(`teardown after the test: ${(e as Error).message}`));
  await libvirtd.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the libvirt provider with real VMs', () => {
  it('deploys a PR and a PV that reach each other, then tears everything down', async () => {
    const plan = await provider.plan(topology);
    console.log(`${stamp()} plan: ${plan.accelerator.reason}${plan.warnings.map((w) => `\n         warning: ${w}`).join('')}`);
    // Who owns the images' files before the VMs use them: nothing may change it.
    const owners = new Map<string, string>();
    for (const role of ['pr', 'pv'] as const) {
      const image = await images.ensure(role, printingTask());
      for (const f of [image.disk, image.kernel, image.initrd]) owners.set(f, ownerOf(f));
    }
    const nodes = await provider.deploy(plan, topology, printingTask());
    console.log(`${stamp()} deployed: ${nodes.map((n) => `${n.id} ${n.health} ${n.url}`).join(', ')}`);
    expect(nodes.map((n) => n.health)).toEqual(['healthy', 'healthy', 'healthy']);

    // Each PV reached the PR through 10.0.2.2: its broker over MQTT/TLS, its gateway over HTTPS (an STR accepted).
    for (const pv of ['PV1', 'PV2']) {
      await nextEvent('PR', 'mqtt-client', 60_000, (p) => p.holder === pv);
      expect((await nextEvent(pv, 'str-pushed', 60_000)).payload).toMatchObject({ accepted: true });
      expect(provider.logs(pv, 200).some((l) => l.includes('"type":"started"'))).toBe(true);
    }
    console.log(`${stamp()} both PVs connected to the PR's broker and pushed STRs the PR accepted`);

    await provider.teardown(printingTask());
    console.log(`${stamp()} torn down`);
    const domains = (await run('virsh', ['-c', URI, 'list', '--all', '--name'])).stdout;
    expect(domains).not.toContain(provider.namePrefix);
    const volumes = (await run('virsh', ['-c', URI, 'pool-list', '--all', '--name'])).stdout;
    expect(volumes).not.toContain(POOL);
    for (const [path, owner] of owners) expect(ownerOf(path)).toBe(owner);
  });
});
