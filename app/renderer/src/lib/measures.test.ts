import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { measureKind, measureModel, num } from './measures.ts';

const results = new URL('../../../../measures/results/', import.meta.url);
function committed(file: string): unknown {
  const path = new URL(file, results);
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}

describe('num', () => {
  it('finds finite numbers along a path and nothing else', () => {
    const o = { a: { b: 2, c: 'x', d: null, e: NaN } };
    expect(num(o, 'a', 'b')).toBe(2);
    expect(num(o, 'a', 'c')).toBeUndefined();
    expect(num(o, 'a', 'd')).toBeUndefined();
    expect(num(o, 'a', 'e')).toBeUndefined();
    expect(num(o, 'z', 'b')).toBeUndefined();
    expect(num(null, 'a')).toBeUndefined();
  });
});

describe('measureKind', () => {
  it('tells the benchmarks apart by content, then by file name', () => {
    expect(measureKind('x.json', { benchmark: 'merkle' })).toBe('merkle');
    expect(measureKind('x.json', { benchmark: 'lab' })).toBe('lab');
    expect(measureKind('x.json', { perPlugletMs: {} })).toBe('verifier');
    expect(measureKind('x.json', { inclusion: {}, rssMb: {} })).toBe('e2e');
    expect(measureKind('e2e.json', [])).toBe('e2e');
    expect(measureKind('other.json', { a: 1 })).toBe('unknown');
  });
});

describe('merkle', () => {
  const json = {
    benchmark: 'merkle',
    machine: { cpu: 'CPU', cores: 2, node: 'v20' },
    results: [
      { n: 10000, buildMs: 100, updateMs: 10, hashBoundMs: 50, proofBytes: 400, peers: { seed: { buildMs: 600, updateMs: null }, iden3: { skipped: 'too slow' } } },
      { n: 1000, buildMs: 10, updateMs: 2, hashBoundMs: 5, proofBytes: 370, peers: { seed: { buildMs: 40, updateMs: 30, note: 'no absence proofs' }, iden3: { buildMs: 4000 } } },
      { buildMs: 1 },
    ],
    targets: [{ target: 'fast', pass: true, figures: '1 ms' }, { target: 'not run', pass: null, figures: '' }, { pass: false }],
  };

  it('plots ours, each peer and the hash bound against N, in N order, leaving out what is missing', () => {
    const m = measureModel('merkle.json', json);
    const build = m.lines.find((l) => l.id === 'merkle-buildMs')!;
    expect(build.xLog).toBe(true);
    expect(build.yLog).toBe(true);
    expect(build.series.map((s) => [s.name, s.points.map((p) => [p.x, p.y])])).toEqual([
      [
        'ours',
        [
          [1000, 10],
          [10000, 100],
        ],
      ],
      [
        'seed',
        [
          [1000, 40],
          [10000, 600],
        ],
      ],
      ['iden3', [[1000, 4000]]],
      [
        'hash bound (ours)',
        [
          [1000, 5],
          [10000, 50],
        ],
      ],
    ]);
    expect(build.series.at(-1)!.dashed).toBe(true);
    const update = m.lines.find((l) => l.id === 'merkle-updateMs')!;
    expect(update.series.find((s) => s.name === 'seed')!.points).toEqual([{ x: 1000, y: 30 }]);
    const size = m.lines.find((l) => l.id === 'merkle-proofBytes')!;
    expect(size.yLog).toBe(false);
    expect(size.series.map((s) => s.name)).toEqual(['ours']);
    expect(m.lines.some((l) => l.id === 'merkle-verifyUs')).toBe(false);
  });

  it('keeps the targets, why peers did not run, and their notes', () => {
    const m = measureModel('merkle.json', json);
    expect(m.targets).toEqual([
      { target: 'fast', pass: true, figures: '1 ms' },
      { target: 'not run', pass: null, figures: '' },
    ]);
    expect(m.notes).toContain('iden3 did not run at N = 10,000: too slow');
    expect(m.notes).toContain('seed: no absence proofs');
    expect(m.facts).toContainEqual({ label: 'machine', value: 'CPU, 2 cores, Node v20' });
  });
});

describe('verifier', () => {
  it('summarises per-pluglet time, its distribution, verdicts and targets', () => {
    const m = measureModel('verifier.json', {
      pluglets: 3,
      perPlugletMs: { warm: { median: 0.2, p95: 2, max: 6 }, cold: { median: 0.8, p95: 14 }, maxSingleRun: 50 },
      seedSeaHorn: { perPlugletSeconds: [4, 12] },
      verdicts: { memory: { pass: 2, fail: 1 } },
      details: [
        { name: 'a.o', coldMs: 3, warmMedianMs: 1, maxMs: 9 },
        { name: 'b.o', coldMs: 1, warmMedianMs: 2, maxMs: 3 },
      ],
      targets: { medianMs: 5, maxMs: 200 },
      met: { median: true, max: false },
    });
    const bars = m.bars[0]!;
    expect(bars.log).toBe(true);
    expect(bars.rows.map((r) => [r.value, r.mark, r.high])).toEqual([
      [0.2, 2, 6],
      [0.8, 14, undefined],
      [4000, undefined, 12000],
    ]);
    const dist = m.lines[0]!;
    expect(dist.series.find((s) => s.name === 'cold')!.points).toEqual([
      { x: 25, y: 1 },
      { x: 75, y: 3 },
    ]);
    expect(m.tables[0]!.rows).toEqual([['memory', 2, 1]]);
    expect(m.tables[1]!.rows[0]![0]).toBe('a.o');
    expect(m.targets.map((t) => t.pass)).toEqual([true, false]);
  });
});

describe('e2e', () => {
  it('shows latency, throughput on a log axis, RSS per node and the proof-lookup ratio', () => {
    const m = measureModel('e2e.json', {
      inclusion: { seconds: { median: 15.5, p95: 20.2 }, epochs: { median: 16 } },
      prSubmissionsPerSecond: 160,
      proofLookupsPerSecond: 20000,
      ratio: 0.4,
      rssMb: { PR: 136, PV1: 'x' },
    });
    expect(m.bars.map((b) => b.id)).toEqual(['e2e-latency', 'e2e-throughput', 'e2e-rss']);
    expect(m.bars[0]!.rows).toEqual([
      { label: 'median', value: 15.5, detail: '16 epochs' },
      { label: 'p95', value: 20.2 },
    ]);
    expect(m.bars[1]!.log).toBe(true);
    expect(m.bars[2]!.rows).toEqual([{ label: 'PR', value: 136 }]);
    expect(m.targets).toEqual([{ target: expect.any(String), pass: false, figures: 'ratio 0.4' }]);
  });
});

describe('lab', () => {
  const s = (median: number): unknown => ({ median, p95: median * 2, min: median / 2, max: median * 3, samples: 10 });

  it('splits up time from upload-to-inclusion and plots each run', () => {
    const m = measureModel('lab.json', {
      benchmark: 'lab',
      runs: 2,
      summaryMs: { labUp: s(8000), caInit: s(900), upload: s(50), 'decision.PV1': s(2000), 'inclusion.PV1': s(4000), inclusionAll: { median: null } },
      samples: [
        { run: 1, upMs: 8000, allIncludedMs: 4000 },
        { run: 2, upMs: 9000, allIncludedMs: null },
      ],
      refusals: [{ run: 2, pvId: 'PV3', decision: 'refused', reason: 'formula' }],
    });
    expect(m.bars.map((b) => [b.id, b.rows.map((r) => r.label)])).toEqual([
      ['lab-up', ['spms lab up → all nodes healthy', 'root CA creation']],
      ['lab-inclusion', ['upload request (daemon → PR)', 'upload → PV1 decision', 'upload → PV1 inclusion']],
    ]);
    expect(m.bars[0]!.rows[0]).toMatchObject({ value: 8000, mark: 16000, low: 4000, high: 24000 });
    expect(m.lines[0]!.series.map((x) => [x.name, x.points.length])).toEqual([
      ['lab up', 2],
      ['upload → in every accepting PV', 1],
    ]);
    expect(m.notes[0]).toBe('run 2: PV3 refused: formula');
  });
});

describe('vm', () => {
  it('shows image builds on a log axis, deploy steps, VM memory, the accelerator and the deploy target', () => {
    const m = measureModel('vm.json', {
      benchmark: 'vm',
      machine: { cpu: 'X', cpus: 2, node: 'v20' },
      images: { baseColdMs: 72_000, prColdMs: 67_000, pvColdMs: null, baseCachedMs: 40, rolesCachedMs: 4100 },
      deploy: {
        accelerator: { accelerator: 'tcg', reason: 'the CPU has neither vmx nor svm' },
        vcpusPerVm: 2,
        memoryMiBPerVm: 768,
        deployToHealthyMs: 105_000,
        steps: [
          { name: 'images', ms: 4000 },
          { name: 'boot', ms: 60_000 },
        ],
        vmRssMiB: { PR: 390, PV1: 402 },
        teardownMs: 6200,
      },
      target: { deployToHealthyMs: 90_000 },
    });
    expect(m.kind).toBe('vm');
    expect(m.bars.map((b) => [b.id, b.rows.map((r) => r.label)])).toEqual([
      ['vm-images', ['base image, cold (mmdebstrap)', 'PR image, cold (Packer)', 'base image, cached', 'PR and PV images, cached']],
      ['vm-deploy', ['images', 'boot']],
      ['vm-rss', ['PR', 'PV1']],
    ]);
    expect(m.bars[0]?.log).toBe(true);
    expect(m.targets).toEqual([{ target: 'deploy PR + 2 PVs from cached images to healthy ≤ 90 s', pass: false, figures: '105 s' }]);
    expect(m.facts[0]).toEqual({ label: 'accelerator', value: 'TCG' });
    expect(m.notes).toEqual(['accelerator: the CPU has neither vmx nor svm']);
  });
});

describe('unknown and damaged files', () => {
  it('gives an empty model rather than failing', () => {
    for (const json of [null, 3, 'x', [], { results: 'no' }, { benchmark: 'merkle', results: [{ n: 'x' }] }]) {
      const m = measureModel('merkle.json', json);
      expect(m.lines).toEqual([]);
      expect(m.bars).toEqual([]);
    }
    expect(measureModel('other.json', { a: 1 }).kind).toBe('unknown');
  });
});

describe('the committed result files', () => {
  it('each give charts', () => {
    for (const file of ['merkle.json', 'verifier.json', 'e2e.json', 'lab.json', 'vm.json']) {
      const json = committed(file);
      if (json === undefined) continue;
      const m = measureModel(file, json);
      expect(m.kind, file).toBe(file.replace('.json', ''));
      expect(m.lines.length + m.bars.length, file).toBeGreaterThan(0);
    }
  });
});
