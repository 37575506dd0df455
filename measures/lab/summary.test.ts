import { describe, expect, it } from 'vitest';
import { formatTable, summarize } from './summary.ts';

describe('summarize', () => {
  it('takes the middle sample, or the mean of the two middle ones, and the nearest-rank p95', () => {
    expect(summarize([30, 10, 20])).toEqual({ median: 20, p95: 30, min: 10, max: 30, samples: 3 });
    expect(summarize([4, 1, 3, 2])).toMatchObject({ median: 2.5, p95: 4 });
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(summarize(twenty).p95).toBe(19);
  });

  it('has nothing to say about no samples', () => {
    const s = summarize([]);
    expect([s.median, s.p95, s.min, s.max].every(Number.isNaN)).toBe(true);
    expect(formatTable([{ measure: 'nothing', summary: s }])).toMatch(/nothing\s+—\s+—\s+—\s+—\s+0$/);
  });
});
