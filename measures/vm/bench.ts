// The lab on VMs: how long the images take to build (base with mmdebstrap,
// roles with Packer; cold in an empty directory, then cached), how long a
// PR and two PVs take from "deploy" to healthy with the accelerator this
// host offers, what each VM costs in host memory, and how long teardown
// takes; per node, when its domain started, answered SSH, ran its service
// and answered /healthz (from the provider's notes in the node's log).
// Prints the figures and writes measures/results/vm.json, keeping the
// deploy runs measured before (deployRuns) and adding this one.
//   npm run bench:vm                 cold builds in a fresh images directory
//   npm run bench:vm -- --cached DIR reuse the images in DIR (no cold build;
//                                    builds what is missing or out of date)
//   --note TEXT                      what this run measures, kept in deployRuns
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { Daemon } from '../../daemon/daemon.ts';
import { DaemonClient } from '../../daemon/daemon-client.ts';
import { ImageBuilder } from '../../daemon/images/image-builder.ts';
import type { LabStatus, ProviderInfo } from '../../daemon/lab.ts';
import type { Topology } from '../../daemon/state/topology.ts';
import type { Task } from '../../daemon/tasks/task.ts';
import type { TaskHandle } from '../../daemon/tasks/task-handle.ts';
import { ensureLibvirtd } from '../../test/support/libvirtd.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const RESULTS = join(ROOT, 'measures', 'results');
const MEMORY_MIB = 768;

const { values } = parseArgs({ options: { cached: { type: 'string' }, note: { type: 'string' }, 'no-write': { type: 'boolean', default: false } } });

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cpus: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  os: `${platform()} ${release()}`,
  loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
};

function quietTask(label: string): TaskHandle {
  return {
    id: label,
    signal: new AbortController().signal,
    step: (name) => console.log(`  ${label}: ${name}`),
    progress: () => undefined,
    log: () => undefined,
  };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await work();
  return { ms: Math.round(performance.now() - t), value };
}

/**
 * Resident memory and CPU time so far of each lab VM's QEMU process, by node
 * id (from its -name guest=... argument). The CPU time, taken when the deploy
 * ends, is what the boot and start cost whatever else the host runs: on a
 * busy host the wall time stretches, the CPU time does not.
 */
async function vmUsage(): Promise<{ rssMiB: Record<string, number>; cpuS: Record<string, number> }> {
  const { stdout } = await run('ps', ['-C', 'qemu-system-x86_64', '-o', 'rss=,times=,args=']);
  const rssMiB: Record<string, number> = {};
  const cpuS: Record<string, number> = {};
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+.*-name guest=([^,\s]+)/.exec(line);
    if (m === null) continue;
    const node = /-(PR|PV\d+)$/.exec(m[3] as string)?.[1] ?? (m[3] as string);
    rssMiB[node] = Math.round(Number(m[1]) / 1024);
    cpuS[node] = Number(m[2]);
  }
  return { rssMiB, cpuS };
}

/** Seconds after the domain started, from the provider's note in the node's log ("SSH answered after 23.4 s"). */
function noteSeconds(log: string, what: string): number | null {
  const m = new RegExp(`${what} after (\\d+(?:\\.\\d+)?) s`).exec(log);
  return m === null ? null : Number(m[1]);
}

/** Per node: when its domain started (s after the deploy began) and, from then, SSH up, service started, healthy. */
function nodePhases(labDir: string, nodes: LabStatus['nodes'], deployStartedMs: number): Record<string, Record<string, number | null>> {
  return Object.fromEntries(
    nodes.map((n) => {
      const file = join(labDir, 'vms', `${n.id}.log`);
      const log = existsSync(file) ? readFileSync(file, 'utf8') : '';
      const domainStartS = n.startedMs === undefined ? null : Math.round((n.startedMs - deployStartedMs) / 100) / 10;
      return [n.id, { domainStartS, sshUpS: noteSeconds(log, 'SSH answered'), serviceStartedS: noteSeconds(log, 'spms-node started'), healthyS: noteSeconds(log, 'healthy') }];
    }),
  );
}

const imagesDir = values.cached ?? mkdtempSync(join(tmpdir(), 'spms-bench-images-'));
const builder = new ImageBuilder({ dir: imagesDir });
const images: Record<string, number | null> = { baseColdMs: null, prColdMs: null, pvColdMs: null };
console.log(`VM benchmark on ${machine.cpu} (${machine.cpus} cores, ${machine.memoryGiB} GiB), load ${machine.loadAverageAtStart.join(' ')}`);
if (values.cached === undefined) {
  console.log(`cold image builds in ${imagesDir}`);
  images.baseColdMs = (await timed(() => builder.ensureBase(quietTask('base')))).ms;
  images.prColdMs = (await timed(() => builder.ensure('pr', quietTask('pr')))).ms;
  images.pvColdMs = (await timed(() => builder.ensure('pv', quietTask('pv')))).ms;
}
images.baseCachedMs = (await timed(() => builder.ensureBase(quietTask('base')))).ms;
images.rolesCachedMs = (await timed(async () => Promise.all([builder.ensure('pr', quietTask('pr')), builder.ensure('pv', quietTask('pv'))]))).ms;
const sizes = Object.fromEntries(builder.list().map((i) => [i.kind, Math.round(i.sizeBytes / 2 ** 20)]));

const topology: Topology = {
  pr: { id: 'PR', vm: { memoryMiB: MEMORY_MIB } },
  pvs: ['PV1', 'PV2'].map((id) => ({
    id,
    verifiers: [
      { id: 'wf', kind: 'wellformed', property: 'wellformed' },
      { id: 'ok', kind: 'dummy-pass', property: 'accepted' },
    ],
    formula: 'wellformed & accepted',
    epochLengthMs: 5000,
    vm: { memoryMiB: MEMORY_MIB },
  })),
};

const libvirtd = await ensureLibvirtd();
const labDir = mkdtempSync(join(tmpdir(), 'spms-bench-vm-lab-'));
mkdirSync(imagesDir, { recursive: true });
symlinkSync(imagesDir, join(labDir, 'images'));
const daemon = await Daemon.start({ labDir, port: 0, caKeyBits: 2048, deploy: 'never' });
const client = new DaemonClient(daemon.url, daemon.token);
let deploy: Record<string, unknown>;
try {
  await client.put('/api/lab/topology', { topology });
  const info = await client.put<ProviderInfo>('/api/lab/provider', { kind: 'libvirt', settings: { uri: 'qemu:///system', network: { mode: 'user' } } });
  console.log(`accelerator: ${info.accelerator.accelerator} (${info.accelerator.reason})`);
  const started = performance.now();
  const deployStartedMs = Date.now();
  const { task } = await client.post<{ task: Task }>('/api/lab/deploy');
  let t = task;
  while (t.status === 'running') {
    await new Promise((r) => setTimeout(r, 500));
    t = (await client.get<{ task: Task }>(`/api/tasks/${task.id}`)).task;
  }
  const deployMs = Math.round(performance.now() - started);
  if (t.status !== 'succeeded') throw new Error(`deploy ${t.status} at ${t.error?.step ?? '?'}: ${t.error?.message ?? ''}`);
  const status = await client.get<LabStatus>('/api/lab/status');
  const phases = nodePhases(labDir, status.nodes, deployStartedMs);
  const usage = await vmUsage();
  const loadAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
  const down = await timed(async () => {
    const { task: td } = await client.post<{ task: Task }>('/api/lab/teardown');
    let x = td;
    while (x.status === 'running') {
      await new Promise((r) => setTimeout(r, 250));
      x = (await client.get<{ task: Task }>(`/api/tasks/${td.id}`)).task;
    }
  });
  deploy = {
    nodes: status.nodes.map((n) => ({ id: n.id, health: n.health })),
    accelerator: info.accelerator,
    vcpusPerVm: info.libvirt.defaults.vcpus,
    memoryMiBPerVm: MEMORY_MIB,
    deployToHealthyMs: deployMs,
    steps: t.steps.map((s) => ({ name: s.name, ms: (s.endedMs ?? s.startedMs) - s.startedMs })),
    nodePhasesS: phases,
    vmRssMiB: usage.rssMiB,
    vmCpuSecondsToHealthy: usage.cpuS,
    loadAverageAtEnd: loadAtEnd,
    teardownMs: down.ms,
  };
} finally {
  await daemon.close();
  await libvirtd.stop();
  rmSync(labDir, { recursive: true, force: true });
  if (values.cached === undefined) rmSync(imagesDir, { recursive: true, force: true });
}

const when = new Date().toISOString();
const deployMs = deploy.deployToHealthyMs as number;
const previous = existsSync(join(RESULTS, 'vm.json')) ? (JSON.parse(readFileSync(join(RESULTS, 'vm.json'), 'utf8')) as { deployRuns?: unknown[]; method?: unknown }) : {};
const thisRun = {
  when,
  vcpusPerVm: deploy.vcpusPerVm,
  deployToHealthyMs: deployMs,
  vmCpuSecondsToHealthy: deploy.vmCpuSecondsToHealthy,
  loadAverage: { atStart: machine.loadAverageAtStart, atEnd: deploy.loadAverageAtEnd },
  ...(values.note === undefined ? {} : { note: values.note }),
};
const result = {
  benchmark: 'vm',
  machine,
  when,
  images: { ...images, sizesMiB: sizes },
  deploy,
  target: { deployToHealthyMs: 90_000 },
  deployRuns: [...(previous.deployRuns ?? []), thisRun],
  ...(previous.method === undefined ? {} : { method: previous.method }),
};
console.log(JSON.stringify(result, null, 2));
console.log(`deploy PR + 2 PVs to healthy: ${(deployMs / 1000).toFixed(1)} s (target 90 s: ${deployMs <= 90_000 ? 'met' : 'MISSED'})`);
if (!values['no-write']) {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'vm.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${join(RESULTS, 'vm.json')}`);
}
