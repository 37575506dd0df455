// The daemon's side of test/vm/libvirt-remote.test.ts, run inside the test's
// network namespace (`ip netns exec NS node --import tsx …`): deploys a PR
// and a PV through the libvirt provider on a "remote" host, the namespace's
// libvirtd reached over SSH (a qemu+ssh URI), in NAT mode; records where the
// domains' disks, kernels and initrds are; waits until the nodes are healthy
// and the PV's STR reached the PR; tears the lab down and lists what is left
// on the remote; runs the image upload again to see it reused; prunes the
// uploaded images and lists again. Progress goes to stderr; the results, one
// JSON object, to stdout.
//
// Usage: libvirt-remote-deploy.ts URI LAB_DIR
// Role images: SPMS_VM_ROLE_IMAGES (a directory with pr/ and pv/ as the
// image builder lays them out), else built or reused in SPMS_VM_CACHE
// (default /var/cache/spms-lab/images).
import { join } from 'node:path';
import { LabCa } from '../../certs/lab-ca.ts';
import type { LabEventInput } from '../../daemon/events/lab-event.ts';
import { ImageBuilder } from '../../daemon/images/image-builder.ts';
import type { RoleImage, RoleImages } from '../../daemon/images/role-image.ts';
import { CreatedResourcesFile } from '../../daemon/providers/libvirt/created-resources.ts';
import { LibvirtProvider } from '../../daemon/providers/libvirt/libvirt-provider.ts';
import { parseLibvirtSettings } from '../../daemon/providers/libvirt/libvirt-settings.ts';
import { RemoteImageVolumes } from '../../daemon/providers/libvirt/remote-image-volumes.ts';
import { Virsh } from '../../daemon/providers/libvirt/virsh.ts';
import type { Topology } from '../../daemon/state/topology.ts';
import type { TaskHandle } from '../../daemon/tasks/task-handle.ts';
import { PrebuiltRoleImages } from '../support/prebuilt-role-images.ts';
import { REMOTE_TEST_NETWORK, REMOTE_TEST_POOL, type DomainFiles, type RemoteDeployResult } from './libvirt-remote-lab.ts';

const [uri, labDir] = process.argv.slice(2);
if (uri === undefined || labDir === undefined) {
  console.error('usage: libvirt-remote-deploy.ts URI LAB_DIR');
  process.exit(2);
}

const t0 = Date.now();
const since = (): number => Date.now() - t0;
const stamp = (): string => `${(since() / 1000).toFixed(1).padStart(6)} s`;
const result: RemoteDeployResult = {
  accelerator: '',
  planSteps: [],
  steps: [],
  uploads: [],
  localImages: [],
  poolPath: '',
  domains: {},
  nodes: [],
  times: { healthy: {}, deployed: 0, strs: {} },
  afterTeardown: { domains: [], networks: [], pools: [], volumes: [] },
  reuse: { lines: [], ms: 0 },
  afterPrune: { removed: [], pools: [], recordedImages: -1, recordedPools: -1 },
};
const task: TaskHandle = {
  id: 'remote',
  signal: new AbortController().signal,
  step: (s) => {
    result.steps.push(s);
    console.error(`${stamp()} step ${s}`);
  },
  progress: () => undefined,
  log: (l) => {
    if (/upload|image .* is in the pool/.test(l)) result.uploads.push(l);
    console.error(`${stamp()}   ${l}`);
  },
};

const vm = { vcpus: 1, memoryMiB: 768 };
const topology: Topology = {
  pr: { id: 'PR', vm },
  pvs: [{ id: 'PV1', verifiers: [{ id: 'ok', kind: 'dummy-pass', property: 'accepted' }], formula: 'accepted', epochLengthMs: 2000, vm }],
};

const events: LabEventInput[] = [];
const waiters = new Set<() => void>();
function nextEvent(node: string, type: string, timeoutMs: number): Promise<LabEventInput> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const e = events.find((x) => x.node === node && x.type === type);
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

const virsh = new Virsh(uri);
async function names(args: string[]): Promise<string[]> {
  return (await virsh.run(args)).split('\n').flatMap((l) => (l.trim() === '' ? [] : [l.trim()]));
}

function domainFiles(xml: string): DomainFiles {
  const get = (re: RegExp): string => re.exec(xml)?.[1] ?? '';
  return {
    kernel: get(/<kernel>([^<]+)<\/kernel>/),
    initrd: get(/<initrd>([^<]+)<\/initrd>/),
    disk: get(/<disk type='file' device='disk'>[\s\S]*?<source file='([^']+)'/),
    backing: get(/<backingStore type='file'[^>]*>[\s\S]*?<source file='([^']+)'/),
    serial: get(/<serial type='file'>\s*<source path='([^']+)'/),
  };
}

const images: RoleImages =
  process.env.SPMS_VM_ROLE_IMAGES !== undefined ? new PrebuiltRoleImages(process.env.SPMS_VM_ROLE_IMAGES) : new ImageBuilder({ dir: process.env.SPMS_VM_CACHE ?? '/var/cache/spms-lab/images' });
const provider = new LibvirtProvider(
  {
    labDir,
    ca: LabCa.init(join(labDir, 'ca'), { keyBits: 2048 }),
    eventsToken: 'vm-remote-test-events-token',
    emit: (e) => {
      events.push(e);
      if (e.type === 'node-healthy') result.times.healthy[e.node] = since();
      for (const w of waiters) w();
    },
  },
  parseLibvirtSettings({ uri, pool: REMOTE_TEST_POOL, network: { mode: 'nat', ...REMOTE_TEST_NETWORK }, defaults: { vcpus: 1, memoryMiB: 768, diskGiB: 4 } }),
  images,
);

const ensured: RoleImage[] = [];
try {
  const plan = await provider.plan(topology);
  result.accelerator = plan.accelerator.reason;
  result.planSteps = plan.steps;
  // Images first, so that the deploy's time is the upload's and the VMs'.
  for (const role of ['pr', 'pv'] as const) ensured.push(await images.ensure(role, task));
  result.localImages = ensured.flatMap((i) => [i.disk, i.kernel, i.initrd]);
  const start = since();
  const nodes = await provider.deploy(plan, topology, task);
  result.times.deployed = since() - start;
  for (const id of Object.keys(result.times.healthy)) result.times.healthy[id] = (result.times.healthy[id] ?? 0) - start;
  result.nodes = nodes.map((n) => ({ id: n.id, health: n.health, url: n.url }));
  console.error(`${stamp()} deployed in ${(result.times.deployed / 1000).toFixed(1)} s: ${nodes.map((n) => `${n.id} ${n.health} ${n.url}`).join(', ')}`);
  result.poolPath = await virsh.poolDirectory(REMOTE_TEST_POOL);
  for (const n of nodes) result.domains[n.id] = domainFiles(await virsh.run(['dumpxml', provider.domainName(n.id)]));
  const pushed = await nextEvent('PV1', 'str-pushed', 180_000);
  if (pushed.payload.accepted !== true) throw new Error(`the PR did not accept PV1's STR: ${JSON.stringify(pushed.payload)}`);
  result.times.strs.PV1 = since() - start;
  console.error(`${stamp()} PV1: STR pushed to the PR and accepted`);
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
  const pools = await names(['pool-list', '--all', '--name']);
  result.afterTeardown = {
    domains: await names(['list', '--all', '--name']),
    networks: await names(['net-list', '--all', '--name']),
    pools,
    volumes: pools.includes(REMOTE_TEST_POOL) ? await virsh.volumeNames(REMOTE_TEST_POOL) : [],
  };
  try {
    // The upload phase once more, as the next deploy runs it: the images are there, nothing is sent.
    const again = new RemoteImageVolumes(new CreatedResourcesFile(join(labDir, 'vms', 'created.json')), provider.labId);
    const started = Date.now();
    for (const image of ensured) await again.ensure(virsh, REMOTE_TEST_POOL, image, { ...task, log: (l) => (result.reuse.lines.push(l), task.log(l)) });
    result.reuse.ms = Date.now() - started;
    const removed = await provider.pruneImageVolumes(new Set(), task);
    const record = new CreatedResourcesFile(join(labDir, 'vms', 'created.json')).read();
    result.afterPrune = { removed, pools: await names(['pool-list', '--all', '--name']), recordedImages: record.images.length, recordedPools: record.pools.length };
  } catch (e) {
    result.error = `${result.error ?? ''}${result.error === undefined ? '' : '; '}reuse/prune: ${(e as Error).message}`;
  }
  await provider.teardown();
}
console.error(`${stamp()} still open: ${process.getActiveResourcesInfo().join(', ') || 'nothing'}`);
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
