// Verifier throughput: all four eBPF checks over the corpus pluglets (built
// with the PV's compile recipe), the committed mutants, and any directory of
// objects given with --corpus DIR (objects anchored by a .plugin manifest in
// the same folder are checked against their protocol operation).
// Prints and writes measures/results/verifier.json: per-pluglet time (cold
// first run, and the median of warm repetitions), median/p95/max across
// pluglets, peak RSS and verdict counts, next to the targets and the seed's
// SeaHorn pipe.
//   npm run bench:verifier [-- --corpus DIR] [-- --reps N]
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mutantsDir } from '../../spms/verifier/corpus/make-mutants.ts';
import { parseManifest, plugletEntries } from '../../spms/verifier/manifest.ts';
import type { CheckPolicy } from '../../spms/verifier/pluglet-report.ts';
import { CHECK_NAMES, verifyPluglet } from '../../spms/verifier/pluglet-report.ts';
import { loadProgram } from '../../spms/verifier/program.ts';
import { loadSpecs } from '../../spms/verifier/specs.ts';

interface Sample {
  name: string;
  bytes: Uint8Array;
  protoop?: string;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({ options: { corpus: { type: 'string', multiple: true }, reps: { type: 'string' } }, allowPositionals: false });
const reps = Math.max(1, Number(values.reps ?? '25'));

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

async function fromDirectory(dir: string): Promise<Sample[]> {
  const files = await walk(dir);
  const anchors = new Map<string, string>();
  for (const m of files.filter((f) => f.endsWith('.plugin'))) {
    try {
      for (const e of plugletEntries(parseManifest(await readFile(m, 'utf8')))) anchors.set(join(dirname(m), e.path), e.protoop);
    } catch {
      // An unparsable manifest only loses the anchoring of its objects.
    }
  }
  const out: Sample[] = [];
  for (const f of files.filter((x) => x.endsWith('.o'))) {
    const s: Sample = { name: relative(dir, f), bytes: new Uint8Array(await readFile(f)) };
    const protoop = anchors.get(f);
    if (protoop !== undefined) s.protoop = protoop;
    out.push(s);
  }
  return out;
}

const insnCount = (b: Uint8Array): number => {
  const l = loadProgram(b);
  return l.ok ? l.program.insns.length : 0;
};
const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
const round = (x: number): number => Math.round(x * 1000) / 1000;

// The corpus is compiled in a child process so this process's peak RSS is the verifier's.
const built = await mkdtemp(join(tmpdir(), 'spms-bench-corpus-'));
await new Promise<void>((resolve, reject) => {
  execFile(process.execPath, ['--import', 'tsx', join(root, 'spms', 'verifier', 'corpus', 'build.ts'), built], { cwd: root }, (err) => (err === null ? resolve() : reject(err)));
});
const index = JSON.parse(await readFile(join(built, 'index.json'), 'utf8')) as { name: string; protoop?: string; compileFails?: string }[];
const samples: Sample[] = [];
for (const e of index) {
  if (e.compileFails !== undefined) continue;
  const s: Sample = { name: `corpus/${e.name}.o`, bytes: new Uint8Array(await readFile(join(built, `${e.name}.o`))) };
  if (e.protoop !== undefined) s.protoop = e.protoop;
  samples.push(s);
}
await rm(built, { recursive: true, force: true });
for (const s of await fromDirectory(mutantsDir)) samples.push({ ...s, name: `mutants/${s.name}` });
for (const dir of values.corpus ?? []) for (const s of await fromDirectory(dir)) samples.push({ ...s, name: `${dir}/${s.name}` });

const policy: CheckPolicy = { stackSize: 2048, denyHelpers: new Set(), assumeFiniteLists: true, specs: loadSpecs(), requireSpec: false };
const verdicts: Record<string, { pass: number; fail: number }> = Object.fromEntries(CHECK_NAMES.map((c) => [c, { pass: 0, fail: 0 }]));
const perPluglet: { name: string; instructions: number; coldMs: number; warmMedianMs: number; maxMs: number; verdicts: Record<string, string> }[] = [];
let maxSample = 0;
const timeOnce = (s: Sample): { ms: number; r: ReturnType<typeof verifyPluglet> } => {
  const t = performance.now();
  const r = verifyPluglet(s.name, s.bytes, CHECK_NAMES, policy, s.protoop === undefined ? undefined : { protoop: s.protoop });
  return { ms: performance.now() - t, r };
};
const rssBeforeMb = process.resourceUsage().maxRSS / 1024;
// Collecting between pluglets keeps one pluglet's garbage out of the next one's timings.
const gc = (globalThis as { gc?: () => void }).gc;
for (const s of samples) {
  gc?.();
  const cold = timeOnce(s);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) times.push(timeOnce(s).ms);
  times.sort((a, b) => a - b);
  maxSample = Math.max(maxSample, cold.ms, times[times.length - 1] ?? 0);
  for (const c of CHECK_NAMES) verdicts[c]![cold.r.verdicts[c] === 'pass' ? 'pass' : 'fail']++;
  perPluglet.push({
    name: s.name,
    instructions: insnCount(s.bytes),
    coldMs: round(cold.ms),
    warmMedianMs: round(quantile(times, 0.5)),
    maxMs: round(Math.max(cold.ms, times[times.length - 1] ?? 0)),
    verdicts: cold.r.verdicts as Record<string, string>,
  });
}

const warm = perPluglet.map((p) => p.warmMedianMs).sort((a, b) => a - b);
const cold = perPluglet.map((p) => p.coldMs).sort((a, b) => a - b);
const peakRssMb = process.resourceUsage().maxRSS / 1024;
const result = {
  measured: new Date().toISOString(),
  node: process.version,
  /** Timings on a shared machine: its load when the run ended (1, 5, 15 min) and its cores. */
  loadAverage: loadavg().map(round),
  cores: cpus().length,
  pluglets: samples.length,
  repetitions: reps,
  checks: CHECK_NAMES,
  perPlugletMs: {
    warm: { median: round(quantile(warm, 0.5)), p95: round(quantile(warm, 0.95)), max: round(warm[warm.length - 1] ?? 0) },
    cold: { median: round(quantile(cold, 0.5)), p95: round(quantile(cold, 0.95)), max: round(cold[cold.length - 1] ?? 0) },
    maxSingleRun: round(maxSample),
  },
  peakRssMb: round(peakRssMb),
  /** Peak RSS of the runtime (Node and the TypeScript loader) before the first check ran. */
  rssBeforeChecksMb: round(rssBeforeMb),
  verdicts,
  targets: { medianMs: 5, maxMs: 200, peakRssMb: 150 },
  met: { median: quantile(cold, 0.5) <= 5, max: maxSample <= 200, rss: peakRssMb <= 150 },
  seedSeaHorn: { perPlugletSeconds: [4, 12], peakRssMb: [90, 275] },
  details: perPluglet,
};

console.log(`verifier bench: ${samples.length} pluglets, all four checks, ${reps} warm repetitions each`);
console.log(`  per pluglet, first run : median ${result.perPlugletMs.cold.median} ms, p95 ${result.perPlugletMs.cold.p95} ms, max ${result.perPlugletMs.cold.max} ms`);
console.log(`  per pluglet, warm      : median ${result.perPlugletMs.warm.median} ms, p95 ${result.perPlugletMs.warm.p95} ms, max ${result.perPlugletMs.warm.max} ms`);
console.log(`  slowest single run     : ${result.perPlugletMs.maxSingleRun} ms`);
console.log(`  peak RSS               : ${result.peakRssMb.toFixed(1)} MB (runtime alone before the first check: ${rssBeforeMb.toFixed(1)} MB)`);
console.log(`  verdicts               : ${CHECK_NAMES.map((c) => `${c} ${verdicts[c]!.pass} pass / ${verdicts[c]!.fail} fail`).join(', ')}`);
console.log(`  targets (median <= 5 ms, max <= 200 ms, RSS <= 150 MB): ${Object.values(result.met).every(Boolean) ? 'met' : 'NOT met'}; seed SeaHorn pipe: 4-12 s and 90-275 MB per pluglet`);
const out = join(root, 'measures', 'results', 'verifier.json');
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`  written to ${relative(root, out)}`);
