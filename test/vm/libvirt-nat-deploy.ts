// The daemon's side of test/vm/libvirt-nat.test.ts, run inside the test's
// network namespace (`ip netns exec NS node --import tsx …`), where the lab's
// NAT addresses exist: deploys a PR and PVs through the libvirt provider in
// NAT mode on the namespace's libvirtd, waits until they are healthy, waits
// for each PV's STR to reach the PR, tears the lab down and lists what is
// left in libvirt. Progress goes to stderr; the results, one JSON object, to
// stdout.
//
// Usage: libvirt-nat-deploy.ts URI LAB_DIR [PV_COUNT, default 1]
// Role images: SPMS_VM_ROLE_IMAGES (a directory with pr/ and pv/ as the
// image builder lays them out), else built or reused in SPMS_VM_CACHE
// (default /var/cache/spms-lab/images).
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LabCa } from '../../certs/lab-ca.ts';
import type { LabEventInput } from '../../daemon/events/lab-event.ts';
import { ImageBuilder } from '../../daemon/images/image-builder.ts';
import type { RoleImages } from '../../daemon/images/role-image.ts';
import { LibvirtProvider } from '../../daemon/providers/libvirt/libvirt-provider.ts';
import { parseLibvirtSettings } from '../../daemon/providers/libvirt/libvirt-settings.ts';
import type { Topology } from '../../daemon/state/topology.ts';
import type { TaskHandle } from '../../daemon/tasks/task-handle.ts';
import { PrebuiltRoleImages } from '../support/prebuilt-role-images.ts';
import { NAT_TEST_NETWORK, NAT_TEST_POOL, type NatDeployResult } from './libvirt-nat-lab.ts';

const run = promisify(execFile);
const [uri, labDir, pvCountArg] = process.argv.slice(2);
const pvCount = Number(pvCountArg ?? '1');
if (uri === undefined || labDir === undefined || !Number.isInteger(pvCount) || pvCount < 1) {
  console.error('usage: libvirt-nat-deploy.ts URI LAB_DIR [PV_COUNT ≥ 1]');
  process.exit(2);
}

const t0 = Date.now();
const since = (): number => Date.now() - t0;
const stamp = (): string => `${(since() / 1000).toFixed(1).padStart(6)} s`;
const task: TaskHandle = {
  id: 'nat',
  signal: new AbortController().signal,
  step: (s) => console.error(`${stamp()} step ${s}`),
  progress: () => undefined,
  log: (l) => console.error(`${stamp()}   ${l}`),
};

const vm = { vcpus: 1, memoryMiB: 768 };
const pvIds = Array.from({ length: pvCount }, (_, i) => `PV${i + 1}`);
const topology: Topology = {
  pr: { id: 'PR', vm },
  pvs: pvIds.map((id) => ({ id, verifiers: [{ id: 'ok', kind: 'dummy-pass', property: 'accepted' }], formula: 'accepted', epochLengthMs: 2000, vm })),
};

const events: LabEventInput[] = [];
const waiters = new Set<() => void>();
const result: NatDeployResult = {
  accelerator: '',
  planNetwork: '',
  nodes: [],
  times: { ssh: {}, healthy: {}, deployed: 0 },
  strs: {},
  networkXml: '',
  left: { domains: [], networks: [], pools: [], poolFiles: [] },
};

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

async function names(args: string[]): Promise<string[]> {
  const { stdout } = await run('virsh', ['-q', '-c', uri ?? '', ...args]);
  return stdout.split('\n').flatMap((l) => (l.trim() === '' ? [] : [l.trim()]));
}

const images: RoleImages =
  process.env.SPMS_VM_ROLE_IMAGES !== undefined ? new PrebuiltRoleImages(process.env.SPMS_VM_ROLE_IMAGES) : new ImageBuilder({ dir: process.env.SPMS_VM_CACHE ?? '/var/cache/spms-lab/images' });
const provider = new LibvirtProvider(
  {
    labDir,
    ca: LabCa.init(join(labDir, 'ca'), { keyBits: 2048 }),
    eventsToken: 'vm-nat-test-events-token',
    emit: (e) => {
      events.push(e);
      if (e.type === 'node-healthy') result.times.healthy[e.node] = since();
      for (const w of waiters) w();
    },
  },
  parseLibvirtSettings({ uri, pool: NAT_TEST_POOL, network: { mode: 'nat', ...NAT_TEST_NETWORK }, defaults: { vcpus: 1, memoryMiB: 768, diskGiB: 4 } }),
  images,
);

try {
  const plan = await provider.plan(topology);
  result.accelerator = plan.accelerator.reason;
  result.planNetwork = plan.network;
  // Images first, so that the deploy's time is the VMs' alone.
  for (const role of ['pr', 'pv'] as const) await images.ensure(role, task);
  const start = since();
  const nodes = await provider.deploy(plan, topology, {
    ...task,
    log: (l) => {
      const ssh = /^(\w+): SSH answered after/.exec(l);
      if (ssh?.[1] !== undefined) result.times.ssh[ssh[1]] = since() - start;
      task.log(l);
    },
  });
  result.times.deployed = since() - start;
  for (const id of Object.keys(result.times.healthy)) result.times.healthy[id] = (result.times.healthy[id] ?? 0) - start;
  result.nodes = nodes.map((n) => ({ id: n.id, health: n.health, url: n.url, ...(n.mqttUrl === undefined ? {} : { mqttUrl: n.mqttUrl }) }));
  console.error(`${stamp()} deployed in ${(result.times.deployed / 1000).toFixed(1)} s: ${nodes.map((n) => `${n.id} ${n.health} ${n.url}`).join(', ')}`);
  result.networkXml = (await run('virsh', ['-c', uri, 'net-dumpxml', NAT_TEST_NETWORK.name])).stdout;
  for (const pv of pvIds) {
    const holder = await nextEvent('PR', 'mqtt-client', 120_000, (p) => p.holder === pv).then(
      () => true,
      () => false,
    );
    const pushed = await nextEvent(pv, 'str-pushed', 120_000);
    result.strs[pv] = { mqttHolder: holder, accepted: pushed.payload.accepted === true, atMs: since() - start };
    console.error(`${stamp()} ${pv}: STR pushed to the PR (accepted: ${String(pushed.payload.accepted)})`);
  }
} catch (e) {
  result.error = (e as Error).message;
  console.error(`${stamp()} failed: ${(e as Error).stack ?? String(e)}`);
} finally {
  try {
    await provider.teardown(task);
  } catch (e) {
    result.error = `${result.error ?? ''}${result.error === undefined ? '' : '; '}teardown: ${(e as Error).message}`;
  }
  console.error(`${stamp()} torn down`);
  const poolDir = join(labDir, 'vms', 'pool');
  result.left = {
    domains: await names(['list', '--all', '--name']),
    networks: await names(['net-list', '--all', '--name']),
    pools: await names(['pool-list', '--all', '--name']),
    poolFiles: existsSync(poolDir) ? readdirSync(poolDir) : [],
  };
}
// Whatever still holds the event loop after the teardown (e.g. a socket to a guest destroyed under it) must not keep the test waiting.
console.error(`${stamp()} still open: ${process.getActiveResourcesInfo().join(', ') || 'nothing'}`);
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
