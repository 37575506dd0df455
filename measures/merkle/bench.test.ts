// Checks of the benchmark's own parts: the shared workload, the seed's tree
// behind its driver, the target checks and the plot.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { renderPlot } from './plot.ts';
import type { SizeResult } from './result-types.ts';
import { runSeed, seedDepth } from './run-seed.ts';
import { checkTargets } from './targets.ts';
import { PROBES_PER_KIND, changeCounts, makeWorkload } from './workload.ts';

function hasPython(): boolean {
  try {
    execFileSync('python3', ['--version']);
    return true;
  } catch {
    return false;
  }
}

describe('workload', () => {
  it('is deterministic and splits the epoch as documented', () => {
    const a = makeWorkload(2000);
    const b = makeWorkload(2000);
    expect(a.initial.map((e) => e.name)).toEqual(b.initial.map((e) => e.name));
    expect(a.initial[7]!.bindingHash).toEqual(b.initial[7]!.bindingHash);
    expect(changeCounts(2000)).toEqual({ updates: 10, removals: 5, insertions: 5 });
    expect(a.changes).toHaveLength(20);
    expect(a.inclusion).toHaveLength(PROBES_PER_KIND);
    expect(a.absence).toHaveLength(PROBES_PER_KIND);
  });

  it('probes present names with their current binding and never-inserted names for absence', () => {
    const w = makeWorkload(1000);
    const current = new Map(w.initial.map((e) => [e.name, e.bindingHash]));
    for (const c of w.changes) {
      if ('remove' in c) current.delete(c.name);
      else current.set(c.name, c.bindingHash);
    }
    for (const p of w.inclusion) expect(current.get(p.name)).toEqual(p.bindingHash);
    const ever = new Set([...w.initial.map((e) => e.name), ...w.changes.map((c) => c.name)]);
    for (const name of w.absence) expect(ever.has(name)).toBe(false);
  });
});

describe.runIf(hasPython())('seed tree', () => {
  it('builds, rebuilds and proves at the fixed depth ceil(log2 N) + 4', async () => {
    expect(seedDepth(1000)).toBe(14);
    expect(seedDepth(1024)).toBe(14);
    const r = await runSeed(makeWorkload(300));
    expect(r.buildMs).toBeGreaterThan(0);
    expect(r.updateMs).toBeGreaterThan(0);
    expect(r.proofs).toEqual({ inclusion: PROBES_PER_KIND, absence: 0 });
    // depth 13 siblings of 32 bytes, plus colliding leaves now and then
    expect(r.proofBytes).toBeGreaterThanOrEqual(13 * 32);
    expect(r.proofBytes).toBeLessThan(14 * 32);
  });
});

function result(n: number, over: Partial<SizeResult> = {}): SizeResult {
  const side = { proofGenUs: 5, verifyUs: 30, proofBytes: 600, meanDepth: 20 };
  return {
    n,
    changes: n / 100,
    buildMs: 1000,
    updateMs: 100,
    proofGenUs: 5,
    verifyUs: 30,
    proofBytes: 600,
    rssMb: 100,
    hashBoundMs: 500,
    updateHashBoundMs: 50,
    detail: {
      sha256NobleUs: 2,
      sha256CoreUs: 1,
      sha256Engine: 'webassembly',
      coreHashBoundMs: { build: 250, update: 25 },
      buildHashes: 250_000,
      updateHashes: 25_000,
      indexMs: 100,
      stats: { leaves: n, interiors: n, empties: n / 4, maxDepth: 40 },
      nodesCreatedByUpdate: 20_000,
      proofs: 20_000,
      inclusion: side,
      absence: side,
      encodeUs: 1,
      decodeAndVerifyUs: 31,
      gcMs: { build: 0, update: 0, proofGen: 0, verify: 0 },
    },
    peers: {
      slow: { buildMs: 5000, updateMs: 4000, proofGenUs: 9, verifyUs: 90, proofBytes: 700, rssMb: 200 },
      absent: { buildMs: null, updateMs: null, proofGenUs: null, verifyUs: null, proofBytes: null, rssMb: null, skipped: 'too slow' },
    },
    ...over,
  };
}

describe('targets', () => {
  it('passes a run inside every target and reports 1M targets as not measured without 1M', () => {
    const all = checkTargets([result(1000), result(1_000_000)]);
    expect(all.map((c) => c.pass)).toEqual([true, true, true, true, true, true]);
    const small = checkTargets([result(1000)]);
    expect(small.filter((c) => c.pass === null)).toHaveLength(3);
  });

  it('names what misses', () => {
    const checks = checkTargets([result(1_000_000, { buildMs: 2000, updateMs: 4500, proofBytes: 900 })]);
    const byTarget = Object.fromEntries(checks.map((c) => [c.target, c]));
    expect(byTarget['1M-name build ≤ 3× its hash bound']!.pass).toBe(false);
    expect(byTarget['epoch of 10k changes on the 1M tree ≤ 300 ms']!.pass).toBe(false);
    expect(byTarget['proof ≤ 800 bytes at 1M names']!.pass).toBe(false);
    const peers = byTarget['faster than every peer on build and update']!;
    expect(peers.pass).toBe(false);
    expect(peers.figures).toContain('update at N=1,000,000');
  });
});

describe('plot', () => {
  it('draws one panel per measure with every series that has points', () => {
    const svg = renderPlot([result(1000), result(10_000)], 'test');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/class="title"/g)).toHaveLength(7);
    expect(svg).toContain('slow');
    expect(svg).not.toContain('NaN');
  });
});
