// Reading the benchmarks' result files (measures/results/*.json) into what
// the Measures view draws: line charts against N, bar charts of summaries,
// targets met or missed, key facts and notes. Every field is optional here:
// a figure that is missing or not a number is left out, never guessed.
import type { Unit } from './chart-scales.ts';

export type MeasureKind = 'merkle' | 'verifier' | 'e2e' | 'lab' | 'vm' | 'unknown';

export interface Point {
  x: number;
  y: number;
}

export interface Series {
  name: string;
  points: Point[];
  dashed?: boolean;
}

export interface LineChartModel {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  xUnit: Unit;
  yUnit: Unit;
  xLog: boolean;
  yLog: boolean;
  series: Series[];
}

export interface BarRow {
  label: string;
  /** The bar, from the axis origin. */
  value: number;
  /** A whisker from low to high. */
  low?: number;
  high?: number;
  /** A tick across the bar (e.g. the p95). */
  mark?: number;
  /** Said in the row's tooltip and data table. */
  detail?: string;
}

export interface BarChartModel {
  id: string;
  title: string;
  unit: Unit;
  log: boolean;
  rows: BarRow[];
  /** What the bar, whisker and tick stand for. */
  legend?: string;
}

export interface TableModel {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

export interface TargetRow {
  target: string;
  /** null: not measured in this run. */
  pass: boolean | null;
  figures: string;
}

export interface MeasureModel {
  kind: MeasureKind;
  title: string;
  facts: { label: string; value: string }[];
  lines: LineChartModel[];
  bars: BarChartModel[];
  tables: TableModel[];
  targets: TargetRow[];
  notes: string[];
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The number at `path` under `v`, when there is a finite one. */
export function num(v: unknown, ...path: string[]): number | undefined {
  let cur: unknown = v;
  for (const k of path) cur = obj(cur)?.[k];
  return typeof cur === 'number' && Number.isFinite(cur) ? cur : undefined;
}

function str(v: unknown, ...path: string[]): string | undefined {
  let cur: unknown = v;
  for (const k of path) cur = obj(cur)?.[k];
  return typeof cur === 'string' ? cur : undefined;
}

function fixed(v: number | undefined, digits = 2): string {
  return v === undefined ? '—' : String(Number(v.toFixed(digits)));
}

export function measureKind(file: string, json: unknown): MeasureKind {
  const o = obj(json);
  const bench = str(o, 'benchmark');
  if (bench === 'merkle' || bench === 'lab' || bench === 'verifier' || bench === 'e2e' || bench === 'vm') return bench;
  if (o !== undefined && 'perPlugletMs' in o) return 'verifier';
  if (o !== undefined && 'inclusion' in o && 'rssMb' in o) return 'e2e';
  const base = file.replace(/\.json$/, '');
  return base === 'merkle' || base === 'verifier' || base === 'e2e' || base === 'lab' || base === 'vm' ? base : 'unknown';
}

function machineFacts(m: unknown): { label: string; value: string }[] {
  const o = obj(m);
  if (o === undefined) return [];
  const cpu = str(o, 'cpu');
  const cores = num(o, 'cores') ?? num(o, 'cpus');
  const node = str(o, 'node');
  const parts = [cpu, cores === undefined ? undefined : `${cores} cores`, node === undefined ? undefined : `Node ${node}`].filter((x) => x !== undefined);
  return parts.length === 0 ? [] : [{ label: 'machine', value: parts.join(', ') }];
}

function targetsOf(v: unknown): TargetRow[] {
  return arr(v).flatMap((t) => {
    const target = str(t, 'target');
    if (target === undefined) return [];
    const pass = obj(t)?.pass;
    return [{ target, pass: typeof pass === 'boolean' ? pass : null, figures: str(t, 'figures') ?? '' }];
  });
}

const MERKLE_METRICS: { key: string; title: string; yLabel: string; unit: Unit; yLog: boolean; bound?: string }[] = [
  { key: 'buildMs', title: 'Build: one commit of N names', yLabel: 'time', unit: 'ms', yLog: true, bound: 'hashBoundMs' },
  { key: 'updateMs', title: 'Update: an epoch of 1% changes', yLabel: 'time', unit: 'ms', yLog: true, bound: 'updateHashBoundMs' },
  { key: 'proofBytes', title: 'Proof size', yLabel: 'mean size', unit: 'B', yLog: false },
  { key: 'proofGenUs', title: 'Proof generation', yLabel: 'mean time per proof', unit: 'µs', yLog: true },
  { key: 'verifyUs', title: 'Proof verification', yLabel: 'mean time per proof', unit: 'µs', yLog: true },
  { key: 'rssMb', title: 'Peak memory (RSS)', yLabel: 'RSS', unit: 'MB', yLog: false },
];

function merkleModel(json: unknown): MeasureModel {
  const results = arr(obj(json)?.results)
    .map((r) => ({ r, n: num(r, 'n') }))
    .filter((x): x is { r: unknown; n: number } => x.n !== undefined)
    .sort((a, b) => a.n - b.n);
  const peers: string[] = [];
  for (const { r } of results) for (const p of Object.keys(obj(obj(r)?.peers) ?? {})) if (!peers.includes(p)) peers.push(p);
  const lines: LineChartModel[] = MERKLE_METRICS.map((m): LineChartModel => {
    const series: Series[] = [{ name: 'ours', points: results.flatMap(({ r, n }) => (num(r, m.key) === undefined ? [] : [{ x: n, y: num(r, m.key) as number }])) }];
    for (const p of peers) series.push({ name: p, points: results.flatMap(({ r, n }) => (num(r, 'peers', p, m.key) === undefined ? [] : [{ x: n, y: num(r, 'peers', p, m.key) as number }])) });
    if (m.bound !== undefined) {
      const key = m.bound;
      series.push({ name: 'hash bound (ours)', dashed: true, points: results.flatMap(({ r, n }) => (num(r, key) === undefined ? [] : [{ x: n, y: num(r, key) as number }])) });
    }
    return {
      id: `merkle-${m.key}`,
      title: `${m.title} vs N`,
      xLabel: 'N (names)',
      yLabel: m.yLabel,
      xUnit: '',
      yUnit: m.unit,
      xLog: true,
      yLog: m.yLog,
      series: series.filter((s) => s.points.length > 0),
    };
  }).filter((c) => c.series.length > 0);
  const notes: string[] = [];
  for (const p of peers) {
    const skipped = results.flatMap(({ r, n }) => {
      const why = str(r, 'peers', p, 'skipped');
      return why === undefined ? [] : [{ n, why }];
    });
    if (skipped.length > 0) notes.push(`${p} did not run at N = ${skipped.map((s) => s.n.toLocaleString('en')).join(', ')}: ${skipped[0]!.why}`);
    const note = results.map(({ r }) => str(r, 'peers', p, 'note')).find((x) => x !== undefined);
    if (note !== undefined) notes.push(`${p}: ${note}`);
  }
  const o = obj(json);
  const facts = [
    ...(results.length === 0 ? [] : [{ label: 'sizes', value: results.map(({ n }) => n.toLocaleString('en')).join(', ') }]),
    ...machineFacts(o?.machine),
    ...(num(o, 'durationS') === undefined ? [] : [{ label: 'duration', value: `${num(o, 'durationS')} s` }]),
    ...(str(o, 'generatedAt') === undefined ? [] : [{ label: 'generated', value: str(o, 'generatedAt') as string }]),
  ];
  const work = obj(o?.workload);
  for (const k of ['epoch', 'proofs'] as const) if (str(work, k) !== undefined) notes.push(`${k}: ${str(work, k)}`);
  return { kind: 'merkle', title: 'Merkle prefix tree', facts, lines, bars: [], tables: [], targets: targetsOf(o?.targets), notes };
}

function verifierModel(json: unknown): MeasureModel {
  const o = obj(json);
  const per = obj(o?.perPlugletMs);
  const bars: BarChartModel[] = [];
  const rows: BarRow[] = [];
  for (const k of ['warm', 'cold'] as const) {
    const median = num(per, k, 'median');
    if (median === undefined) continue;
    const p95 = num(per, k, 'p95');
    const max = num(per, k, 'max');
    rows.push({
      label: k === 'warm' ? 'warm (median of repetitions)' : 'cold (first run)',
      value: median,
      ...(p95 === undefined ? {} : { mark: p95 }),
      ...(max === undefined ? {} : { low: median, high: max }),
      detail: `median ${fixed(median, 3)} ms, p95 ${fixed(p95, 3)} ms, max ${fixed(max, 3)} ms`,
    });
  }
  const seed = arr(obj(o?.seedSeaHorn)?.perPlugletSeconds).filter((x): x is number => typeof x === 'number');
  if (seed.length === 2) rows.push({ label: 'seed SeaHorn pipe (reported)', value: seed[0]! * 1000, low: seed[0]! * 1000, high: seed[1]! * 1000, detail: `${seed[0]}–${seed[1]} s per pluglet` });
  if (rows.length > 0)
    bars.push({ id: 'verifier-per-pluglet', title: 'Time per pluglet, all four checks', unit: 'ms', log: true, rows, legend: 'bar: median · tick: p95 · whisker: up to the maximum' });

  const details = arr(o?.details);
  const sorted = (key: string): Point[] => {
    const vs = details
      .map((d) => num(d, key))
      .filter((v): v is number => v !== undefined)
      .sort((a, b) => a - b);
    return vs.map((y, i) => ({ x: ((i + 0.5) / vs.length) * 100, y }));
  };
  const series: Series[] = [
    { name: 'warm median', points: sorted('warmMedianMs') },
    { name: 'cold', points: sorted('coldMs') },
    { name: 'max', points: sorted('maxMs'), dashed: true },
  ].filter((s) => s.points.length > 0);
  const lines: LineChartModel[] =
    series.length === 0
      ? []
      : [
          {
            id: 'verifier-distribution',
            title: 'Distribution over the pluglets (sorted by time)',
            xLabel: 'share of pluglets (%)',
            yLabel: 'time',
            xUnit: '',
            yUnit: 'ms',
            xLog: false,
            yLog: true,
            series,
          },
        ];

  const tables: TableModel[] = [];
  const verdicts = obj(o?.verdicts);
  if (verdicts !== undefined) {
    tables.push({
      title: 'Verdicts per check',
      columns: ['check', 'pass', 'fail'],
      rows: Object.keys(verdicts).map((c) => [c, num(verdicts, c, 'pass') ?? '—', num(verdicts, c, 'fail') ?? '—']),
    });
  }
  if (details.length > 0) {
    const slowest = [...details].sort((a, b) => (num(b, 'maxMs') ?? 0) - (num(a, 'maxMs') ?? 0)).slice(0, 10);
    tables.push({
      title: 'Slowest pluglets',
      columns: ['pluglet', 'instructions', 'cold (ms)', 'warm median (ms)', 'max (ms)'],
      rows: slowest.map((d) => [str(d, 'name') ?? '?', num(d, 'instructions') ?? '—', fixed(num(d, 'coldMs'), 3), fixed(num(d, 'warmMedianMs'), 3), fixed(num(d, 'maxMs'), 3)]),
    });
  }

  const t = obj(o?.targets);
  const met = obj(o?.met);
  const flag = (k: string): boolean | null => (typeof met?.[k] === 'boolean' ? (met[k] as boolean) : null);
  const targets: TargetRow[] = [];
  if (num(t, 'medianMs') !== undefined)
    targets.push({ target: `median per pluglet ≤ ${num(t, 'medianMs')} ms`, pass: flag('median'), figures: `cold median ${fixed(num(per, 'cold', 'median'), 3)} ms` });
  if (num(t, 'maxMs') !== undefined) targets.push({ target: `every run ≤ ${num(t, 'maxMs')} ms`, pass: flag('max'), figures: `slowest run ${fixed(num(per, 'maxSingleRun'), 3)} ms` });
  if (num(t, 'peakRssMb') !== undefined) targets.push({ target: `peak RSS ≤ ${num(t, 'peakRssMb')} MB`, pass: flag('rss'), figures: `${fixed(num(o, 'peakRssMb'), 1)} MB` });

  const checks = arr(o?.checks).filter((c): c is string => typeof c === 'string');
  const facts = [
    ...(num(o, 'pluglets') === undefined ? [] : [{ label: 'pluglets', value: String(num(o, 'pluglets')) }]),
    ...(num(o, 'repetitions') === undefined ? [] : [{ label: 'repetitions', value: String(num(o, 'repetitions')) }]),
    ...(checks.length === 0 ? [] : [{ label: 'checks', value: checks.join(', ') }]),
    ...(num(o, 'peakRssMb') === undefined ? [] : [{ label: 'peak RSS', value: `${fixed(num(o, 'peakRssMb'), 1)} MB` }]),
    ...machineFacts({ cores: num(o, 'cores'), node: str(o, 'node') }),
    ...(str(o, 'measured') === undefined ? [] : [{ label: 'measured', value: str(o, 'measured') as string }]),
  ];
  return { kind: 'verifier', title: 'eBPF verifier throughput', facts, lines, bars, tables, targets, notes: [] };
}

function e2eModel(json: unknown): MeasureModel {
  const o = obj(json);
  const bars: BarChartModel[] = [];
  const lat: BarRow[] = [];
  for (const q of ['median', 'p95'] as const) {
    const s = num(o, 'inclusion', 'seconds', q);
    const e = num(o, 'inclusion', 'epochs', q);
    if (s !== undefined) lat.push({ label: q, value: s, ...(e === undefined ? {} : { detail: `${e} epochs` }) });
  }
  if (lat.length > 0) bars.push({ id: 'e2e-latency', title: 'Submission to inclusion in a PV’s tree (each PV, each plugin)', unit: 's', log: false, rows: lat });
  const thr: BarRow[] = [
    { label: 'PR submissions (PR alone)', key: 'prSubmissionsPerSecond' },
    { label: 'PR submissions (PVs busy)', key: 'prSubmissionsPerSecondUnderLoad' },
    { label: 'proof lookups (PV)', key: 'proofLookupsPerSecond' },
    { label: 'plain HTTPS, 1 KB', key: 'plainHttpsPerSecond' },
  ].flatMap(({ label, key }) => (num(o, key) === undefined ? [] : [{ label, value: num(o, key) as number }]));
  if (thr.length > 0) bars.push({ id: 'e2e-throughput', title: 'Throughput', unit: '/s', log: true, rows: thr });
  const rss = obj(o?.rssMb);
  const rssRows = Object.keys(rss ?? {}).flatMap((node) => (num(rss, node) === undefined ? [] : [{ label: node, value: num(rss, node) as number }]));
  if (rssRows.length > 0) bars.push({ id: 'e2e-rss', title: 'Memory (RSS) per node', unit: 'MB', log: false, rows: rssRows });
  const ratio = num(o, 'ratio');
  const targets: TargetRow[] = ratio === undefined ? [] : [{ target: 'proof lookups ≥ 0.5 × plain HTTPS requests', pass: ratio >= 0.5, figures: `ratio ${fixed(ratio)}` }];
  const facts = [
    ...(num(o, 'plugins') === undefined ? [] : [{ label: 'plugins', value: String(num(o, 'plugins')) }]),
    ...(num(o, 'epochMs') === undefined ? [] : [{ label: 'epoch length', value: `${num(o, 'epochMs')} ms` }]),
    ...(num(o, 'inclusion', 'samples') === undefined ? [] : [{ label: 'latency samples', value: String(num(o, 'inclusion', 'samples')) }]),
    ...machineFacts(o?.machine),
  ];
  return { kind: 'e2e', title: 'End to end', facts, lines: [], bars, tables: [], targets, notes: [] };
}

function labKeyLabel(key: string): string {
  const fixedLabels: Record<string, string> = {
    labUp: 'spms lab up → all nodes healthy',
    daemonStart: 'of which: daemon listening',
    deployTask: 'of which: deploy task',
    caInit: 'root CA creation',
    upload: 'upload request (daemon → PR)',
    inclusionAll: 'upload → in every accepting PV',
    labDown: 'spms lab down',
  };
  if (fixedLabels[key] !== undefined) return fixedLabels[key];
  const m = /^(decision|inclusion)\.(.+)$/.exec(key);
  if (m !== null) return `upload → ${m[2]} ${m[1]}`;
  return key;
}

function summaryRow(key: string, s: unknown): BarRow[] {
  const median = num(s, 'median');
  if (median === undefined) return [];
  const p95 = num(s, 'p95');
  const min = num(s, 'min');
  const max = num(s, 'max');
  const n = num(s, 'samples');
  return [
    {
      label: labKeyLabel(key),
      value: median,
      ...(p95 === undefined ? {} : { mark: p95 }),
      ...(min === undefined || max === undefined ? {} : { low: min, high: max }),
      detail: `median ${fixed(median / 1000)} s, p95 ${fixed(p95 === undefined ? undefined : p95 / 1000)} s, min ${fixed(min === undefined ? undefined : min / 1000)} s, max ${fixed(max === undefined ? undefined : max / 1000)} s${n === undefined ? '' : `, ${n} samples`}`,
    },
  ];
}

function labModel(json: unknown): MeasureModel {
  const o = obj(json);
  const summary = obj(o?.summaryMs) ?? {};
  const keys = Object.keys(summary);
  const upKeys = keys.filter((k) => ['labUp', 'daemonStart', 'deployTask', 'caInit', 'labDown'].includes(k));
  const uploadKeys = keys.filter((k) => !upKeys.includes(k));
  const legend = 'bar: median · tick: p95 · whisker: min to max';
  const bars: BarChartModel[] = [
    { id: 'lab-up', title: 'Up and down', unit: 'ms' as const, log: false, rows: upKeys.flatMap((k) => summaryRow(k, summary[k])), legend },
    { id: 'lab-inclusion', title: 'Upload to decision and inclusion', unit: 'ms' as const, log: false, rows: uploadKeys.flatMap((k) => summaryRow(k, summary[k])), legend },
  ].filter((b) => b.rows.length > 0);
  const samples = arr(o?.samples);
  const perRun = (key: string): Point[] =>
    samples.flatMap((s, i) => {
      const y = num(s, key);
      return y === undefined ? [] : [{ x: num(s, 'run') ?? i + 1, y }];
    });
  const series: Series[] = [
    { name: 'lab up', points: perRun('upMs') },
    { name: 'upload → in every accepting PV', points: perRun('allIncludedMs') },
    { name: 'lab down', points: perRun('downMs'), dashed: true },
  ].filter((s) => s.points.length > 0);
  const lines: LineChartModel[] = series.length === 0 ? [] : [{ id: 'lab-runs', title: 'Each run', xLabel: 'run', yLabel: 'time', xUnit: '', yUnit: 'ms', xLog: false, yLog: false, series }];
  const notes = arr(o?.refusals).map((r) => `run ${num(r, 'run') ?? '?'}: ${str(r, 'pvId') ?? '?'} ${str(r, 'decision') ?? 'refused'}${str(r, 'reason') === undefined ? '' : `: ${str(r, 'reason')}`}`);
  const method = obj(o?.method);
  for (const [k, v] of Object.entries(method ?? {})) if (typeof v === 'string') notes.push(`${k}: ${v}`);
  const facts = [
    ...(num(o, 'runs') === undefined ? [] : [{ label: 'runs', value: String(num(o, 'runs')) }]),
    ...(str(o, 'plugin') === undefined ? [] : [{ label: 'plugin', value: str(o, 'plugin') as string }]),
    ...machineFacts(o?.machine),
    ...(num(o, 'durationS') === undefined ? [] : [{ label: 'duration', value: `${num(o, 'durationS')} s` }]),
    ...(str(o, 'generatedAt') === undefined ? [] : [{ label: 'generated', value: str(o, 'generatedAt') as string }]),
  ];
  return { kind: 'lab', title: 'Lab: up time and upload to inclusion', facts, lines, bars, tables: [], targets: [], notes };
}

const IMAGE_BUILDS: { key: string; label: string }[] = [
  { key: 'baseColdMs', label: 'base image, cold (mmdebstrap)' },
  { key: 'prColdMs', label: 'PR image, cold (Packer)' },
  { key: 'pvColdMs', label: 'PV image, cold (Packer)' },
  { key: 'baseCachedMs', label: 'base image, cached' },
  { key: 'rolesCachedMs', label: 'PR and PV images, cached' },
];

function vmModel(json: unknown): MeasureModel {
  const o = obj(json);
  const bars: BarChartModel[] = [];
  const builds = IMAGE_BUILDS.flatMap(({ key, label }) => (num(o, 'images', key) === undefined ? [] : [{ label, value: num(o, 'images', key) as number }]));
  if (builds.length > 0) bars.push({ id: 'vm-images', title: 'Image builds', unit: 'ms', log: true, rows: builds });
  const deployMs = num(o, 'deploy', 'deployToHealthyMs');
  const steps = arr(obj(o?.deploy)?.steps).flatMap((s) => (str(s, 'name') === undefined || num(s, 'ms') === undefined ? [] : [{ label: str(s, 'name') as string, value: num(s, 'ms') as number }]));
  if (steps.length > 0) bars.push({ id: 'vm-deploy', title: 'Deploy of a PR and two PVs, by step', unit: 'ms', log: false, rows: steps });
  const rss = obj(obj(o?.deploy)?.vmRssMiB);
  const rssRows = Object.keys(rss ?? {}).flatMap((node) => (num(rss, node) === undefined ? [] : [{ label: node, value: num(rss, node) as number }]));
  if (rssRows.length > 0) bars.push({ id: 'vm-rss', title: 'Host memory (RSS) of each VM', unit: 'MB', log: false, rows: rssRows });
  const target = num(o, 'target', 'deployToHealthyMs');
  const accel = str(o, 'deploy', 'accelerator', 'accelerator');
  const targets: TargetRow[] =
    target === undefined
      ? []
      : [
          {
            target: `deploy PR + 2 PVs from cached images to healthy ≤ ${target / 1000} s`,
            pass: deployMs === undefined ? null : deployMs <= target,
            figures: deployMs === undefined ? 'not measured' : `${fixed(deployMs / 1000, 1)} s`,
          },
        ];
  const facts = [
    ...(accel === undefined ? [] : [{ label: 'accelerator', value: accel.toUpperCase() }]),
    ...(num(o, 'deploy', 'memoryMiBPerVm') === undefined ? [] : [{ label: 'memory per VM', value: `${num(o, 'deploy', 'memoryMiBPerVm')} MiB` }]),
    ...(num(o, 'deploy', 'vcpusPerVm') === undefined ? [] : [{ label: 'vCPUs per VM', value: String(num(o, 'deploy', 'vcpusPerVm')) }]),
    ...(num(o, 'deploy', 'teardownMs') === undefined ? [] : [{ label: 'teardown', value: `${fixed((num(o, 'deploy', 'teardownMs') as number) / 1000, 1)} s` }]),
    ...machineFacts(o?.machine),
  ];
  const reason = str(o, 'deploy', 'accelerator', 'reason');
  const notes = reason === undefined ? [] : [`accelerator: ${reason}`];
  for (const [k, v] of Object.entries(obj(o?.method) ?? {})) if (typeof v === 'string') notes.push(`${k}: ${v}`);
  return { kind: 'vm', title: 'Lab on VMs: images, deploy, memory', facts, lines: [], bars, tables: [], targets, notes };
}

export function measureModel(file: string, json: unknown): MeasureModel {
  switch (measureKind(file, json)) {
    case 'merkle':
      return merkleModel(json);
    case 'verifier':
      return verifierModel(json);
    case 'e2e':
      return e2eModel(json);
    case 'lab':
      return labModel(json);
    case 'vm':
      return vmModel(json);
    default:
      return { kind: 'unknown', title: file, facts: [], lines: [], bars: [], tables: [], targets: [], notes: [] };
  }
}
