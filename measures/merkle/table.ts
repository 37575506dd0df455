// The console report: one block per N, ours first, each peer with its ratio
// to ours (peer ÷ ours: above 1 means ours is faster or smaller).
import type { SizeResult, TargetCheck } from './result-types.ts';

const COLUMNS = ['build ms', 'update ms', 'proof µs', 'verify µs', 'proof B', 'RSS MB'] as const;
const NAME_WIDTH = 24;
const CELL_WIDTH = 19;

function num(x: number | null): string {
  if (x === null) return '—';
  const digits = x >= 100 ? 0 : x >= 10 ? 1 : 2;
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function cell(value: number | null, ours?: number): string {
  if (value === null) return '—'.padStart(CELL_WIDTH);
  const ratio = ours === undefined || ours === 0 ? '' : ` (×${num(value / ours)})`;
  return `${num(value)}${ratio}`.padStart(CELL_WIDTH);
}

export function formatSize(r: SizeResult): string {
  const out: string[] = [];
  out.push(`N = ${r.n.toLocaleString('en-US')}  (epoch of ${r.changes.toLocaleString('en-US')} changes; ${r.detail.proofs.toLocaleString('en-US')} proofs, half absence)`);
  out.push(`${''.padEnd(NAME_WIDTH)}${COLUMNS.map((c) => c.padStart(CELL_WIDTH)).join('')}`);
  const ours = [r.buildMs, r.updateMs, r.proofGenUs, r.verifyUs, r.proofBytes, r.rssMb];
  out.push(`${'ours (spms/core)'.padEnd(NAME_WIDTH)}${ours.map((v) => cell(v)).join('')}`);
  out.push(`${'  hash bound'.padEnd(NAME_WIDTH)}${cell(r.hashBoundMs)}${cell(r.updateHashBoundMs)}`);
  out.push(`${'  same, core SHA-256'.padEnd(NAME_WIDTH)}${cell(r.detail.coreHashBoundMs.build)}${cell(r.detail.coreHashBoundMs.update)}`);
  for (const [name, p] of Object.entries(r.peers)) {
    if (p.skipped !== undefined) {
      out.push(`${name.padEnd(NAME_WIDTH)}skipped: ${p.skipped}`);
      continue;
    }
    const theirs = [p.buildMs, p.updateMs, p.proofGenUs, p.verifyUs, p.proofBytes, p.rssMb];
    out.push(`${name.padEnd(NAME_WIDTH)}${theirs.map((v, i) => cell(v, ours[i])).join('')}`);
    if (p.note !== undefined) out.push(`${''.padEnd(NAME_WIDTH)}  ${p.note}`);
  }
  const d = r.detail;
  out.push(
    `where ours spends: index hashes ${num(d.indexMs)} ms of the build; GC ${num(d.gcMs.build)} ms in build, ${num(d.gcMs.update)} ms in update, ` +
      `${num(d.gcMs.proofGen)} ms in proof generation, ${num(d.gcMs.verify)} ms in verification; SHA-256 ${num(d.sha256CoreUs)} µs (core, ${d.sha256Engine}) vs ${num(d.sha256NobleUs)} µs (@noble/hashes)`,
  );
  out.push(
    `tree: ${d.stats.leaves.toLocaleString('en-US')} leaves, ${d.stats.interiors.toLocaleString('en-US')} interiors, ${d.stats.empties.toLocaleString('en-US')} empties, ` +
      `max depth ${d.stats.maxDepth}; mean proof depth ${num(d.inclusion.meanDepth)} (inclusion) / ${num(d.absence.meanDepth)} (absence); update created ${d.nodesCreatedByUpdate.toLocaleString('en-US')} nodes`,
  );
  return out.join('\n');
}

export function formatTargets(checks: readonly TargetCheck[]): string {
  return checks.map((c) => `${(c.pass === null ? 'N/A ' : c.pass ? 'PASS' : 'MISS').padEnd(5)} ${c.target}: ${c.figures}`).join('\n');
}
