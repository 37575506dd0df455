// The benchmark's figure as plain SVG: one panel per measure against N
// (log scale), ours, the seed and the npm peers, with the hash bound and the
// targets drawn as reference lines.
import type { SizeResult } from './result-types.ts';

interface Series {
  name: string;
  color: string;
  dash?: string;
  points: [number, number][];
}

interface Panel {
  title: string;
  series: Series[];
  logY: boolean;
  /** A horizontal target line. */
  target?: { value: number; label: string };
}

const PANEL_W = 380;
const PANEL_H = 250;
const MARGIN = { left: 58, right: 14, top: 30, bottom: 36 };
const COLORS: Record<string, string> = {
  ours: '#0b7a4b',
  'seed mt.py': '#c0392b',
  merkletreejs: '#2c7fb8',
  '@iden3/js-merkletree': '#8e44ad',
};
const FALLBACK = ['#d35400', '#7f8c8d', '#16a085'];
const TARGET_COLOR = '#e67e22';

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function colorOf(name: string, k: number): string {
  return COLORS[name] ?? FALLBACK[k % FALLBACK.length]!;
}

function sizeLabel(n: number): string {
  return n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : `${n}`;
}

function valueLabel(v: number): string {
  if (v >= 1e6) return `${v / 1e6}M`;
  if (v >= 1e3) return `${v / 1e3}k`;
  return `${v}`;
}

function renderPanel(p: Panel, ns: number[], x0: number, y0: number): string {
  const w = PANEL_W - MARGIN.left - MARGIN.right;
  const h = PANEL_H - MARGIN.top - MARGIN.bottom;
  const values = p.series.flatMap((s) => s.points.map(([, v]) => v)).filter((v) => v > 0);
  if (p.target !== undefined) values.push(p.target.value);
  const nMin = Math.min(...ns);
  const nMax = Math.max(...ns);
  const xOf = (n: number): number => (nMax === nMin ? w / 2 : ((Math.log10(n) - Math.log10(nMin)) / (Math.log10(nMax) - Math.log10(nMin))) * w);

  let yMin: number;
  let yMax: number;
  let ticks: number[];
  if (p.logY) {
    yMin = Math.floor(Math.log10(Math.min(...values)));
    yMax = Math.ceil(Math.log10(Math.max(...values)));
    if (yMax === yMin) yMax++;
    ticks = [];
    for (let e = yMin; e <= yMax; e++) ticks.push(10 ** e);
  } else {
    yMin = 0;
    const top = Math.max(...values) * 1.1;
    const step = 10 ** Math.floor(Math.log10(top / 2)) * (top / 10 ** Math.floor(Math.log10(top)) > 5 ? 2 : 1);
    yMax = Math.ceil(top / step) * step;
    ticks = [];
    for (let t = 0; t <= yMax; t += step) ticks.push(t);
  }
  const yOf = (v: number): number => (p.logY ? h - ((Math.log10(v) - yMin) / (yMax - yMin)) * h : h - ((v - yMin) / (yMax - yMin)) * h);

  const parts: string[] = [];
  parts.push(`<g transform="translate(${x0 + MARGIN.left},${y0 + MARGIN.top})">`);
  parts.push(`<text x="${w / 2}" y="-12" text-anchor="middle" class="title">${escape(p.title)}</text>`);
  parts.push(`<rect width="${w}" height="${h}" class="frame"/>`);
  for (const t of ticks) {
    const y = yOf(t).toFixed(1);
    parts.push(`<line x1="0" x2="${w}" y1="${y}" y2="${y}" class="grid"/><text x="-6" y="${y}" dy="0.32em" text-anchor="end">${valueLabel(t)}</text>`);
  }
  for (const n of ns) {
    const x = xOf(n).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="0" y2="${h}" class="grid"/><text x="${x}" y="${h + 16}" text-anchor="middle">${sizeLabel(n)}</text>`);
  }
  parts.push(`<text x="${w / 2}" y="${h + 31}" text-anchor="middle" class="axis">names (N)</text>`);
  if (p.target !== undefined) {
    const y = yOf(p.target.value).toFixed(1);
    parts.push(`<line x1="0" x2="${w}" y1="${y}" y2="${y}" class="target"/><text x="${w - 4}" y="${y}" dy="-4" text-anchor="end" class="target-label">${escape(p.target.label)}</text>`);
  }
  for (const s of p.series) {
    const pts = s.points.filter(([, v]) => v > 0 || !p.logY);
    if (pts.length === 0) continue;
    const d = pts.map(([n, v], i) => `${i === 0 ? 'M' : 'L'}${xOf(n).toFixed(1)},${yOf(v).toFixed(1)}`).join(' ');
    const dash = s.dash === undefined ? '' : ` stroke-dasharray="${s.dash}"`;
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    for (const [n, v] of pts) parts.push(`<circle cx="${xOf(n).toFixed(1)}" cy="${yOf(v).toFixed(1)}" r="3" fill="${s.color}"/>`);
  }
  parts.push('</g>');
  return parts.join('\n');
}

export function renderPlot(results: readonly SizeResult[], subtitle: string): string {
  const ns = results.map((r) => r.n);
  const peerNames = [...new Set(results.flatMap((r) => Object.keys(r.peers)))];
  const seriesOf = (pick: (r: SizeResult) => number, peerPick: (p: SizeResult['peers'][string]) => number | null): Series[] => [
    { name: 'ours', color: colorOf('ours', 0), points: results.map((r) => [r.n, pick(r)]) },
    ...peerNames.map((name, k) => ({
      name,
      color: colorOf(name, k),
      points: results.flatMap((r): [number, number][] => {
        const p = r.peers[name];
        const v = p === undefined ? null : peerPick(p);
        return v === null ? [] : [[r.n, v]];
      }),
    })),
  ];
  const bound = (pick: (r: SizeResult) => number, label: string): Series => ({ name: label, color: '#555', dash: '5 4', points: results.map((r) => [r.n, pick(r)]) });

  const panels: Panel[] = [
    {
      title: 'build (ms)',
      logY: true,
      series: [
        ...seriesOf(
          (r) => r.buildMs,
          (p) => p.buildMs,
        ),
        bound((r) => r.hashBoundMs, 'hash bound'),
        { name: 'target', color: TARGET_COLOR, dash: '2 3', points: results.map((r) => [r.n, 3 * r.hashBoundMs]) },
      ],
    },
    {
      title: 'epoch of 1% changes (ms)',
      logY: true,
      series: [
        ...seriesOf(
          (r) => r.updateMs,
          (p) => p.updateMs,
        ),
        bound((r) => r.updateHashBoundMs, 'hash bound'),
      ],
      target: { value: 300, label: 'target at 1M: 300 ms' },
    },
    {
      title: 'proof generation (µs)',
      logY: true,
      series: seriesOf(
        (r) => r.proofGenUs,
        (p) => p.proofGenUs,
      ),
      target: { value: 20, label: 'target 20 µs' },
    },
    {
      title: 'verification (µs)',
      logY: true,
      series: seriesOf(
        (r) => r.verifyUs,
        (p) => p.verifyUs,
      ),
      target: { value: 60, label: 'target 60 µs' },
    },
    {
      title: 'proof size (bytes)',
      logY: false,
      series: seriesOf(
        (r) => r.proofBytes,
        (p) => p.proofBytes,
      ),
      target: { value: 800, label: 'target at 1M: 800 B' },
    },
    {
      title: 'peak RSS (MB)',
      logY: true,
      series: seriesOf(
        (r) => r.rssMb,
        (p) => p.rssMb,
      ),
    },
  ];

  const cols = 3;
  const legendH = 46;
  const width = cols * PANEL_W;
  const height = legendH + Math.ceil(panels.length / cols) * PANEL_H;
  const legendItems = [
    ...seriesOf(
      () => 0,
      () => null,
    ).map((s) => ({ name: s.name === 'ours' ? 'ours (spms/core)' : s.name, color: s.color, dash: '' })),
    { name: 'hash bound', color: '#555', dash: '5 4' },
    { name: 'target (build: 3× bound)', color: TARGET_COLOR, dash: '2 3' },
  ];
  const legend = legendItems
    .map((item, i) => {
      const x = 20 + (i * (width - 40)) / legendItems.length;
      const dash = item.dash === '' ? '' : ` stroke-dasharray="${item.dash}"`;
      return `<line x1="${x}" x2="${x + 24}" y1="34" y2="34" stroke="${item.color}" stroke-width="2.5"${dash}/><text x="${x + 30}" y="34" dy="0.32em">${escape(item.name)}</text>`;
    })
    .join('\n');

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<style>.title{font-weight:600;font-size:12px}.frame{fill:none;stroke:#999}.grid{stroke:#e5e5e5}.axis{fill:#666}.target{stroke:${TARGET_COLOR};stroke-dasharray:2 3;stroke-width:1.5}.target-label{fill:${TARGET_COLOR}}</style>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="20" y="16" class="title">Merkle trees: ours vs the seed and npm peers — ${escape(subtitle)}</text>`,
    legend,
    ...panels.map((p, i) => renderPanel(p, ns, (i % cols) * PANEL_W, legendH + Math.floor(i / cols) * PANEL_H)),
    '</svg>',
    '',
  ].join('\n');
}
