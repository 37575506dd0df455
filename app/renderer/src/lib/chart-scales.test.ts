import { describe, expect, it } from 'vitest';
import { axisOf, formatNumber, isDecade, formatValue, linearScale, linearTicks, linePath, logScale, logTicks, niceExtent, niceStep } from './chart-scales.ts';

describe('scales', () => {
  it('maps a linear domain onto a range, inverted ranges included (SVG y grows down)', () => {
    const s = linearScale([0, 10], [300, 0]);
    expect(s(0)).toBe(300);
    expect(s(5)).toBe(150);
    expect(s(10)).toBe(0);
    expect(linearScale([3, 3], [0, 100])(3)).toBe(50);
  });

  it('maps decades evenly on a log scale and clamps non-positive values', () => {
    const s = logScale([1, 1000], [0, 300]);
    expect(s(1)).toBeCloseTo(0);
    expect(s(10)).toBeCloseTo(100);
    expect(s(100)).toBeCloseTo(200);
    expect(s(1000)).toBeCloseTo(300);
    expect(s(0)).toBeCloseTo(0);
    expect(s(-5)).toBeCloseTo(0);
  });
});

describe('ticks', () => {
  it('steps by 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(10, 5)).toBe(2);
    expect(niceStep(1, 4)).toBe(0.5);
    expect(niceStep(700, 5)).toBe(200);
    expect(niceStep(0, 5)).toBe(1);
  });

  it('gives round linear ticks inside the extent', () => {
    expect(linearTicks(0, 10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(linearTicks(0, 1, 4)).toEqual([0, 0.5, 1]);
    expect(linearTicks(0.1, 0.3, 2)).toEqual([0.1, 0.2, 0.3]);
    expect(linearTicks(5, 5)).toEqual([5]);
    expect(linearTicks(5, 1)).toEqual([]);
  });

  it('gives powers of ten on log axes, with 2× and 5× when the span is short', () => {
    expect(logTicks(1, 1e6)).toEqual([1, 10, 100, 1000, 1e4, 1e5, 1e6]);
    expect(logTicks(1, 100)).toEqual([1, 2, 5, 10, 20, 50, 100]);
    expect(logTicks(0.01, 0.1)).toEqual([0.01, 0.02, 0.05, 0.1]);
    expect(logTicks(0, 10)).toEqual([]);
  });
});

describe('niceExtent', () => {
  it('starts linear axes at zero and ends on a round value', () => {
    expect(niceExtent([3, 7.5], false)).toEqual([0, 8]);
    expect(niceExtent([370, 690], false)).toEqual([0, 800]);
    expect(niceExtent([-3, 4], false)).toEqual([-4, 4]);
    expect(niceExtent([0, 0], false)).toEqual([0, 1]);
  });

  it('spans whole decades on log axes and ignores what a log axis cannot show', () => {
    expect(niceExtent([1000, 1e6], true)).toEqual([1000, 1e6]);
    expect(niceExtent([2.5, 13069], true)).toEqual([1, 1e5]);
    expect(niceExtent([0, -1, 50], true)).toEqual([10, 100]);
    expect(niceExtent([100], true)).toEqual([100, 1000]);
  });

  it('is null without finite values', () => {
    expect(niceExtent([], false)).toBeNull();
    expect(niceExtent([NaN, Infinity], false)).toBeNull();
    expect(niceExtent([0, -2], true)).toBeNull();
  });
});

describe('formats', () => {
  it('shortens large counts and keeps three significant digits', () => {
    expect(formatNumber(1000)).toBe('1000');
    expect(formatNumber(10_000)).toBe('10k');
    expect(formatNumber(1_000_000)).toBe('1M');
    expect(formatNumber(13_069.4)).toBe('13.1k');
    expect(formatNumber(4.18379)).toBe('4.18');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(NaN)).toBe('—');
  });

  it('moves times to the unit that reads best', () => {
    expect(formatValue(13069, 'ms')).toBe('13.1 s');
    expect(formatValue(2.57, 'ms')).toBe('2.57 ms');
    expect(formatValue(0.243, 'ms')).toBe('243 µs');
    expect(formatValue(4699, 'µs')).toBe('4.7 ms');
    expect(formatValue(77_903, 'ms')).toBe('77.9 s');
    expect(formatValue(438_000, 'ms')).toBe('7.3 min');
    expect(formatValue(690.2, 'B')).toBe('690 B');
    expect(formatValue(160.69, '/s')).toBe('161/s');
    expect(formatValue(136.4, 'MB')).toBe('136 MB');
  });
});

describe('linePath', () => {
  it('draws through the points and lifts the pen at gaps', () => {
    expect(
      linePath([
        { x: 0, y: 1 },
        { x: 2, y: 3 },
        { x: NaN, y: 0 },
        { x: 4, y: 5 },
        { x: 6, y: 7 },
      ]),
    ).toBe('M0.0,1.0L2.0,3.0M4.0,5.0L6.0,7.0');
    expect(linePath([])).toBe('');
  });
});

describe('axisOf', () => {
  it('gives the extent, a scale over the pixels and the ticks', () => {
    const a = axisOf([3, 7.5], false, [0, 400]);
    expect(a.extent).toEqual([0, 8]);
    expect(a.scale(4)).toBe(200);
    expect(a.ticks).toEqual([0, 2, 4, 6, 8]);
    const l = axisOf([1000, 1e6], true, [300, 0]);
    expect(l.scale(1e6)).toBeCloseTo(0);
    expect(l.ticks).toEqual([1000, 1e4, 1e5, 1e6]);
  });

  it('has no extent and no ticks without values, yet a usable scale', () => {
    const a = axisOf([], true, [0, 100]);
    expect(a.extent).toBeNull();
    expect(a.ticks).toEqual([]);
    expect(Number.isFinite(a.scale(5))).toBe(true);
  });

  it('knows powers of ten', () => {
    expect([1, 10, 0.01, 2, 50, 0, -10].map(isDecade)).toEqual([true, true, true, false, false, false, false]);
  });
});
