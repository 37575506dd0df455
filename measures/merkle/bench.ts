// npm run bench:merkle [-- --sizes=1000,10000] [-- --no-write]
//
// For each N: our tree, the seed's Python tree and the npm peers, each in a
// fresh process, on the same workload (workload.ts). Prints a table with
// ratios and the targets of the tree, writes measures/results/merkle.json and
// measures/results/merkle.svg.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runChild } from './children.ts';
import type { PeerResult } from './peer-result.ts';
import { renderPlot } from './plot.ts';
import type { SizeResult } from './result-types.ts';
import type { OursResult } from './run-ours.ts';
import { runSeed, seedDepth } from './run-seed.ts';
import { formatSize, formatTargets } from './table.ts';
import { checkTargets } from './targets.ts';
import { PROBES_PER_KIND, makeWorkload } from './workload.ts';

const DEFAULT_SIZES = [1_000, 10_000, 100_000, 1_000_000];
/** Per peer and phase (generation, verification), proofs stop after this long: iden3 needs milliseconds per proof. */
const PEER_PROOF_BUDGET_MS = 4_000;
/** Largest N each peer runs at, so the whole benchmark stays under ten minutes on two cores. */
const PEER_MAX_N: Record<string, number> = {
  'seed mt.py': 1_000_000,
  merkletreejs: 1_000_000,
  '@iden3/js-merkletree': 10_000,
};
const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

function parseArgs(argv: string[]): { sizes: number[]; write: boolean } {
  let sizes = DEFAULT_SIZES;
  let write = true;
  for (const arg of argv) {
    if (arg.startsWith('--sizes=')) {
      sizes = arg
        .slice('--sizes='.length)
        .split(',')
        .map((s) => Number(s.replace(/k$/i, '000').replace(/m$/i, '000000')));
      if (sizes.some((n) => !Number.isSafeInteger(n) || n < 100)) throw new Error(`--sizes wants N >= 100, got ${arg}`);
    } else if (arg === '--no-write') write = false;
    else throw new Error(`unknown argument ${arg}; use --sizes=1000,10000 and/or --no-write`);
  }
  return { sizes: [...sizes].sort((a, b) => a - b), write };
}

function python(): string {
  try {
    return execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'python3 not found';
  }
}

/** Why a peer does not run at N, extrapolating its build time from the largest N it ran at. */
function skipReason(peer: string, n: number, done: readonly SizeResult[]): string {
  const last = [...done].reverse().find((r) => typeof r.peers[peer]?.buildMs === 'number');
  const cap = `runs up to N=${PEER_MAX_N[peer]?.toLocaleString('en-US')} so the benchmark stays under 10 minutes`;
  if (last === undefined) return cap;
  const perName = (last.peers[peer]!.buildMs as number) / last.n;
  return `${cap}; at ${perName.toFixed(2)} ms per name (N=${last.n.toLocaleString('en-US')}) its build alone would take ~${Math.round((perName * n) / 60_000)} min`;
}

async function measurePeer(peer: string, n: number, done: readonly SizeResult[]): Promise<PeerResult> {
  const nothing = { buildMs: null, updateMs: null, proofGenUs: null, verifyUs: null, proofBytes: null, rssMb: null };
  if (n > (PEER_MAX_N[peer] ?? 0)) return { ...nothing, skipped: skipReason(peer, n, done) };
  try {
    if (peer === 'seed mt.py') return await runSeed(makeWorkload(n));
    return await runChild<PeerResult>('./run-peer.ts', [peer, String(n), String(PEER_PROOF_BUDGET_MS)]);
  } catch (e) {
    return { ...nothing, skipped: `failed: ${(e as Error).message}` };
  }
}

async function main(): Promise<void> {
  const { sizes, write } = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    python: python(),
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
  console.log(`Merkle tree benchmark: N = ${sizes.map((n) => n.toLocaleString('en-US')).join(', ')} on ${machine.cpu} (${machine.cores} cores), load ${machine.loadAverageAtStart.join(' ')}\n`);

  const results: SizeResult[] = [];
  for (const n of sizes) {
    const t0 = performance.now();
    const ours = await runChild<OursResult>('./run-ours.ts', [String(n)]);
    const peers: Record<string, PeerResult> = {};
    for (const peer of Object.keys(PEER_MAX_N)) peers[peer] = await measurePeer(peer, n, results);
    const r: SizeResult = { ...ours, peers };
    results.push(r);
    console.log(formatSize(r));
    console.log(`(${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
  }

  const targets = checkTargets(results);
  console.log(`Targets\n${formatTargets(targets)}`);
  const totalS = (performance.now() - started) / 1000;
  console.log(`\nWhole benchmark: ${totalS.toFixed(0)} s`);

  if (!write) return;
  mkdirSync(RESULTS, { recursive: true });
  const report = {
    benchmark: 'merkle',
    generatedAt: new Date().toISOString(),
    machine: { ...machine, loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100) },
    durationS: Math.round(totalS),
    workload: {
      epoch: '1% of N changes: half updates, a quarter removals, a quarter insertions',
      proofs: `${PROBES_PER_KIND} inclusion + ${PROBES_PER_KIND} absence per N (peers without absence proofs: inclusion only; slow peers time-bounded)`,
      hashBound:
        'SHA-256 calls the operation needs (build: N index hashes + one per node of the final tree, empty nodes included; update: one index hash per change + one per node created) × the mean time of one @noble/hashes SHA-256 of 64–100 bytes measured in the same process',
      seedDepth: Object.fromEntries(sizes.map((n) => [n, seedDepth(n)])),
    },
    results,
    targets,
  };
  writeFileSync(`${RESULTS}merkle.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${RESULTS}merkle.svg`, renderPlot(results, `${machine.cpu}, ${machine.cores} cores, ${report.generatedAt.slice(0, 10)}`));
  console.log(`Wrote ${RESULTS}merkle.json and merkle.svg`);
}

await main();
