// The targets of the tree (issue 2), checked against one run's results.
import type { SizeResult, TargetCheck } from './result-types.ts';

const MILLION = 1_000_000;
const fmt = (x: number, digits = 1): string => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function checkTargets(results: readonly SizeResult[]): TargetCheck[] {
  const at1M = results.find((r) => r.n === MILLION);
  const checks: TargetCheck[] = [];
  const notMeasured = (target: string): TargetCheck => ({ target, pass: null, figures: 'not measured: 1M is not among the sizes of this run' });

  const t1 = '1M-name build ≤ 3× its hash bound';
  checks.push(
    at1M === undefined
      ? notMeasured(t1)
      : {
          target: t1,
          pass: at1M.buildMs <= 3 * at1M.hashBoundMs,
          figures: `build ${fmt(at1M.buildMs, 0)} ms = ${fmt(at1M.buildMs / at1M.hashBoundMs, 2)}× the bound of ${fmt(at1M.hashBoundMs, 0)} ms (${at1M.detail.buildHashes.toLocaleString('en-US')} SHA-256 × ${fmt(at1M.detail.sha256NobleUs, 3)} µs)`,
        },
  );

  const t2 = 'epoch of 10k changes on the 1M tree ≤ 300 ms';
  checks.push(
    at1M === undefined
      ? notMeasured(t2)
      : {
          target: t2,
          pass: at1M.updateMs <= 300,
          figures: `${fmt(at1M.updateMs, 0)} ms for ${at1M.changes.toLocaleString('en-US')} changes (hash bound ${fmt(at1M.updateHashBoundMs, 0)} ms)`,
        },
  );

  const worst = (pick: (r: SizeResult) => number): SizeResult => results.reduce((a, b) => (pick(b) > pick(a) ? b : a));
  if (results.length > 0) {
    const g = worst((r) => r.proofGenUs);
    checks.push({
      target: 'proof generation ≤ 20 µs',
      pass: g.proofGenUs <= 20,
      figures: `worst ${fmt(g.proofGenUs, 2)} µs at N=${g.n.toLocaleString('en-US')}; ${results.map((r) => fmt(r.proofGenUs, 2)).join(' / ')} µs over the sizes`,
    });
    const v = worst((r) => r.verifyUs);
    checks.push({
      target: 'verification ≤ 60 µs',
      pass: v.verifyUs <= 60,
      figures: `worst ${fmt(v.verifyUs, 2)} µs at N=${v.n.toLocaleString('en-US')}; ${results.map((r) => fmt(r.verifyUs, 2)).join(' / ')} µs over the sizes`,
    });
  }

  const t5 = 'proof ≤ 800 bytes at 1M names';
  checks.push(
    at1M === undefined
      ? notMeasured(t5)
      : {
          target: t5,
          pass: at1M.proofBytes <= 800,
          figures: `mean ${fmt(at1M.proofBytes, 0)} bytes (inclusion ${fmt(at1M.detail.inclusion.proofBytes, 0)}, absence ${fmt(at1M.detail.absence.proofBytes, 0)})`,
        },
  );

  const losses: string[] = [];
  let compared = 0;
  for (const r of results) {
    for (const [name, p] of Object.entries(r.peers)) {
      for (const [what, ours, theirs] of [
        ['build', r.buildMs, p.buildMs],
        ['update', r.updateMs, p.updateMs],
      ] as const) {
        if (theirs === null) continue;
        compared++;
        if (ours >= theirs) losses.push(`${what} at N=${r.n.toLocaleString('en-US')}: ${fmt(ours, 0)} ms vs ${name} ${fmt(theirs, 0)} ms`);
      }
    }
  }
  checks.push({
    target: 'faster than every peer on build and update',
    pass: compared === 0 ? null : losses.length === 0,
    figures: compared === 0 ? 'no peer ran' : losses.length === 0 ? `ahead in all ${compared} comparisons` : `behind in ${losses.length} of ${compared}: ${losses.join('; ')}`,
  });
  return checks;
}
