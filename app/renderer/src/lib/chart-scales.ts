// Scales, ticks and number formats for the panel's own SVG charts: linear
// and logarithmic axes with round tick values, extents that start at zero
// (linear) or span whole decades (log), and values printed with their unit.

export type Scale = (v: number) => number;

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  return (v) => (span === 0 ? (r0 + r1) / 2 : r0 + ((v - d0) / span) * (r1 - r0));
}

/** Log10 scale; values at or below zero are clamped to the domain's lower end. */
export function logScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const l0 = Math.log10(domain[0]);
  const l1 = Math.log10(domain[1]);
  const lin = linearScale([l0, l1], range);
  return (v) => lin(v > 0 ? Math.log10(v) : l0);
}

/** The step of about `count` intervals over `span`: 1, 2 or 5 times a power of ten. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !(count > 0)) return 1;
  const raw = span / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const f = raw / pow;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * pow;
}

/** Round values from `min` to `max` (both included when they fall on the step). */
export function linearTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) return [];
  if (max === min) return [min];
  const step = niceStep(max - min, count);
  const out: number[] = [];
  for (let i = Math.ceil(min / step - 1e-9); i * step <= max + step * 1e-9; i++) out.push(Number((i * step).toPrecision(12)));
  return out;
}

/** Powers of ten within [min, max]; with fewer than three decades, also 2× and 5× each. */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max >= min)) return [];
  const lo = Math.floor(Math.log10(min) + 1e-9);
  const hi = Math.ceil(Math.log10(max) - 1e-9);
  const multiples = hi - lo < 3 ? [1, 2, 5] : [1];
  const out: number[] = [];
  for (let e = lo; e <= hi; e++) {
    for (const m of multiples) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.push(v);
    }
  }
  return out;
}

/**
 * The axis extent for `values`: linear axes start at zero (or at the minimum
 * when values go negative) and end on a round tick; log axes span whole
 * decades around the positive values. Null when there is nothing to show.
 */
export function niceExtent(values: readonly number[], log: boolean): [number, number] | null {
  const vs = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (vs.length === 0) return null;
  const min = Math.min(...vs);
  const max = Math.max(...vs);
  if (log) {
    const lo = 10 ** Math.floor(Math.log10(min));
    let hi = 10 ** Math.ceil(Math.log10(max));
    if (hi === lo) hi = lo * 10;
    return [lo, hi];
  }
  const lo = Math.min(0, min);
  if (max === lo) return [lo, lo + 1];
  const step = niceStep(max - lo, 5);
  return [lo < 0 ? Math.floor(lo / step) * step : lo, Math.ceil(max / step - 1e-9) * step];
}

/** A short number: 1k, 10k, 1M for counts; three significant digits otherwise. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return '—';
  const abs = Math.abs(v);
  if (abs >= 1e9) return `${trim(v / 1e9)}G`;
  if (abs >= 1e6) return `${trim(v / 1e6)}M`;
  if (abs >= 1e4) return `${trim(v / 1e3)}k`;
  if (abs >= 100) return String(Math.round(v));
  if (abs === 0) return '0';
  return trim(v);
}

function trim(v: number): string {
  return String(Number(v.toPrecision(3)));
}

export type Unit = 'ms' | 'µs' | 's' | 'B' | 'MB' | '/s' | '';

/** A value with its unit, times moved to the unit that reads best (1.2 s rather than 1200 ms). */
export function formatValue(v: number, unit: Unit): string {
  if (!Number.isFinite(v)) return '—';
  switch (unit) {
    case 'µs':
      return Math.abs(v) >= 1000 ? formatValue(v / 1000, 'ms') : `${formatNumber(v)} µs`;
    case 'ms':
      if (Math.abs(v) >= 1000) return formatValue(v / 1000, 's');
      return Math.abs(v) < 1 && v !== 0 ? `${formatNumber(v * 1000)} µs` : `${formatNumber(v)} ms`;
    case 's':
      if (Math.abs(v) >= 120) return `${trim(v / 60)} min`;
      return `${formatNumber(v)} s`;
    case 'B':
      return Math.abs(v) >= 10_000 ? `${trim(v / 1024)} KiB` : `${formatNumber(v)} B`;
    case 'MB':
      return `${formatNumber(v)} MB`;
    case '/s':
      return `${formatNumber(v)}/s`;
    default:
      return formatNumber(v);
  }
}

/** An SVG path through the points, in order; a point that is not finite breaks the line. */
export function linePath(points: readonly { x: number; y: number }[]): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`;
    pen = true;
  }
  return d;
}

export interface Axis {
  /** Null when no value can be shown on this axis: the chart is empty. */
  extent: [number, number] | null;
  scale: Scale;
  ticks: number[];
}

/** An axis for `values` over the pixel `range`: its extent, scale and ticks (decades only on long log axes). */
export function axisOf(values: readonly number[], log: boolean, range: readonly [number, number], count = 5): Axis {
  const extent = niceExtent(values, log);
  // Without an extent the chart shows its empty state; the fallback only keeps the scale total.
  const scale = (log ? logScale : linearScale)(extent ?? [1, 10], range);
  const ticks = extent === null ? [] : log ? logTicks(extent[0], extent[1]) : linearTicks(extent[0], extent[1], count);
  return { extent, scale, ticks };
}

/** Whether a tick is a power of ten (log axes label only those when they are crowded). */
export function isDecade(v: number): boolean {
  return v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;
}
