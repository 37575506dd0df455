// Order statistics of a measure's samples and the console table of them.

export interface Summary {
  median: number;
  /** Nearest-rank 95th percentile: with 10 samples, the largest. */
  p95: number;
  min: number;
  max: number;
  samples: number;
}

function nearestRank(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

export function summarize(xs: number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length / 2;
  const median = s.length % 2 === 1 ? (s[Math.floor(mid)] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
  return { median, p95: nearestRank(s, 0.95), min: s[0] ?? NaN, max: s.at(-1) ?? NaN, samples: s.length };
}

/** One line per measure, seconds with two decimals. */
export function formatTable(rows: { measure: string; summary: Summary }[]): string {
  const width = Math.max(...rows.map((r) => r.measure.length), 'measure'.length) + 2;
  const cell = (x: number): string => (Number.isNaN(x) ? '—' : (x / 1000).toFixed(2)).padStart(9);
  const lines = [`${'measure (s)'.padEnd(width)}${['median', 'p95', 'min', 'max'].map((h) => h.padStart(9)).join('')}        n`];
  for (const r of rows) lines.push(`${r.measure.padEnd(width)}${[r.summary.median, r.summary.p95, r.summary.min, r.summary.max].map(cell).join('')}${String(r.summary.samples).padStart(9)}`);
  return lines.join('\n');
}
