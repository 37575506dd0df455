// The lab's own figures, over several runs on fresh lab directories: how
// long `spms lab up` takes to a healthy default lab (a PR and PV1/PV2/PV3,
// 5 s epochs), and how long a plugin uploaded through the daemon takes to be
// included by every PV that accepts it. Also the root CA's creation on its
// own. Prints a table and writes measures/results/lab.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LabCa } from '../../certs/lab-ca.ts';
import { pluginUploadFiles } from '../../bin/lib/lab-submit.ts';
import { defaultTopology } from '../../daemon/state/topology.ts';
import { readPluginDirectory } from '../../spms/verifier/archive/index.ts';
import { measureRun, type RunSample } from './one-run.ts';
import { formatTable, summarize, type Summary } from './summary.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const RESULTS = join(ROOT, 'measures', 'results');
const PLUGIN_DIR = join(ROOT, 'test', 'fixtures', 'plugins', 'org.example.hello');

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, 'no-write': { type: 'boolean', default: false } } });
if (!/^[1-9]\d*$/.test(values.runs)) {
  console.error('bench:lab: --runs must be a positive integer');
  process.exit(2);
}
const RUNS = Number(values.runs);

/** The root CA as the daemon creates it for a new lab (RSA 3072), timed in this process. */
function caInitMs(): number {
  const dir = mkdtempSync(join(tmpdir(), 'spms-bench-ca-'));
  try {
    const t = performance.now();
    LabCa.init(join(dir, 'ca'), { commonName: 'SPMS Lab Root CA', keyBits: 3072 });
    return Math.round(performance.now() - t);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tree = await readPluginDirectory(PLUGIN_DIR);
const plugin = { name: tree.name, files: pluginUploadFiles({ kind: 'folder', tree }) };
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cpus: cpus().length,
  node: process.version,
  os: `${platform()} ${release()}`,
  loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
};
console.log(`Lab benchmark: ${RUNS} runs on ${machine.cpu} (${machine.cpus} cores), load ${machine.loadAverageAtStart.join(' ')}\n`);

const samples: RunSample[] = [];
const caSamples: number[] = [];
const started = performance.now();
for (let run = 1; run <= RUNS; run++) {
  const s = await measureRun(run, plugin);
  samples.push(s);
  caSamples.push(caInitMs());
  const pvs = s.pvs.map((o) => `${o.pvId} ${o.inclusionMs === undefined ? o.decision : `${(o.inclusionMs / 1000).toFixed(1)} s`}`).join(', ');
  console.log(`run ${run}: up ${(s.upMs / 1000).toFixed(1)} s (deploy task ${(s.deployTaskMs / 1000).toFixed(1)} s), included: ${pvs}, down ${(s.downMs / 1000).toFixed(1)} s`);
}

const pvIds = [...new Set(samples.flatMap((s) => s.pvs.map((o) => o.pvId)))];
const rows: { measure: string; key: string; summary: Summary }[] = [
  { measure: 'spms lab up → all nodes healthy', key: 'labUp', summary: summarize(samples.map((s) => s.upMs)) },
  { measure: '  of which: daemon listening', key: 'daemonStart', summary: summarize(samples.map((s) => s.daemonStartMs)) },
  { measure: '  of which: deploy task', key: 'deployTask', summary: summarize(samples.map((s) => s.deployTaskMs)) },
  { measure: 'root CA creation (RSA 3072)', key: 'caInit', summary: summarize(caSamples) },
  { measure: 'upload request (daemon → PR)', key: 'upload', summary: summarize(samples.map((s) => s.uploadMs)) },
  ...pvIds.flatMap((id) => {
    const of = samples.flatMap((s) => s.pvs.filter((o) => o.pvId === id));
    const accepted = of.filter((o) => o.inclusionMs !== undefined);
    return [
      { measure: `upload → ${id} decision`, key: `decision.${id}`, summary: summarize(of.map((o) => o.decisionMs)) },
      ...(accepted.length === 0 ? [] : [{ measure: `upload → ${id} inclusion`, key: `inclusion.${id}`, summary: summarize(accepted.map((o) => o.inclusionMs as number)) }]),
    ];
  }),
  { measure: 'upload → included by every accepting PV', key: 'inclusionAll', summary: summarize(samples.flatMap((s) => (s.allIncludedMs === null ? [] : [s.allIncludedMs]))) },
  { measure: 'spms lab down', key: 'labDown', summary: summarize(samples.map((s) => s.downMs)) },
];
console.log(`\n${formatTable(rows)}`);

// A PV whose formula refuses the plugin is reported with its decision, never counted as slow.
const refusals = samples.flatMap((s) => s.pvs.filter((o) => o.decision !== 'accepted').map((o) => ({ run: s.run, ...o })));
for (const r of refusals) console.log(`run ${r.run}: ${r.pvId} ${r.decision}: ${r.reason ?? ''}`);
const totalS = (performance.now() - started) / 1000;
console.log(`\nWhole benchmark: ${totalS.toFixed(0)} s`);

if (values['no-write'] !== true) {
  mkdirSync(RESULTS, { recursive: true });
  const report = {
    benchmark: 'lab',
    generatedAt: new Date().toISOString(),
    machine: { ...machine, loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100) },
    durationS: Math.round(totalS),
    runs: RUNS,
    topology: defaultTopology(),
    plugin: plugin.name,
    method: {
      labUp: 'wall time of `spms lab up --port 0` on a fresh lab directory (daemon started in the background, root CA RSA 3072, deploy of the default topology, every node healthy)',
      daemonStart: 'launching `spms lab up` → the start time in the daemon’s daemon.json (written once it listens, after the CA exists)',
      deployTask: 'the daemon’s deploy task record: createdMs → endedMs; per-step durations in samples[].deploySteps',
      caInit: 'LabCa.init with a 3072-bit RSA key, in the benchmark process, once per run',
      inclusion: 'upload request start → the PV’s epoch-published event (its time) whose changes include the plugin; confirmed by GET /api/proofs/<name>?pv=<id> answering a verified inclusion',
      percentiles: 'median of the samples; p95 by nearest rank (with 10 runs, the largest sample)',
    },
    summaryMs: Object.fromEntries(rows.map((r) => [r.key, r.summary])),
    refusals,
    samples: samples.map((s, i) => ({ ...s, caInitMs: caSamples[i] })),
  };
  writeFileSync(join(RESULTS, 'lab.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Wrote ${join(RESULTS, 'lab.json')}`);
}
