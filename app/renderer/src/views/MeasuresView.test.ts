import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeApiError, fakeDaemon, settle } from '../lib/testing/fake-daemon.ts';
import MeasuresView from './MeasuresView.svelte';

const merkle = {
  benchmark: 'merkle',
  results: [
    { n: 1000, buildMs: 15, updateMs: 2.5, hashBoundMs: 8, proofBytes: 370, peers: { merkletreejs: { buildMs: 16, updateMs: 4 } } },
    { n: 10000, buildMs: 125, updateMs: 20, hashBoundMs: 90, proofBytes: 450, peers: { merkletreejs: { buildMs: 110, updateMs: 40 } } },
  ],
  targets: [
    { target: 'proof ≤ 800 bytes', pass: true, figures: 'mean 450 bytes' },
    { target: 'faster than every peer', pass: false, figures: 'behind in 1 of 4' },
  ],
};
const e2e = { inclusion: { seconds: { median: 15.5, p95: 20.2 } }, rssMb: { PR: 136, PV1: 153 } };

let component: ReturnType<typeof mount> | undefined;
let root: HTMLElement;

async function open(files: string[]): Promise<void> {
  fakeDaemon({
    '/api/measures': (url) => {
      if (url.pathname === '/api/measures') return { dir: '/lab/measures/results', files: files.map((file) => ({ file, bytes: 2048, modifiedMs: 1 })) };
      const file = url.pathname.slice('/api/measures/'.length);
      if (file === 'merkle.json') return merkle;
      if (file === 'e2e.json') return e2e;
      if (file === 'other.json') return { hello: 'world' };
      throw new FakeApiError(404, 'not-found', `no result file "${file}"`);
    },
  });
  root = document.createElement('div');
  document.body.replaceChildren(root);
  component = mount(MeasuresView, { target: root });
  await settle();
  flushSync();
}

const card = (file: string): HTMLElement => root.querySelector(`[data-testid="measure-${file}"]`) as HTMLElement;

afterEach(() => {
  if (component !== undefined) unmount(component);
  component = undefined;
});

describe('MeasuresView', () => {
  it('lists every result file, known benchmarks first with each JSON before its plot', async () => {
    await open(['other.json', 'merkle.svg', 'e2e.json', 'merkle.json']);
    const order = [...root.querySelectorAll('[data-testid^="measure-"]')].map((e) => (e as HTMLElement).dataset.testid);
    expect(order).toEqual(['measure-merkle.json', 'measure-merkle.svg', 'measure-e2e.json', 'measure-other.json']);
  });

  it('draws the merkle results as SVG charts and lists the targets', async () => {
    await open(['merkle.json', 'merkle.svg']);
    const m = card('merkle.json');
    const build = m.querySelector('[data-testid="chart-merkle-buildMs"] svg')!;
    expect(build.querySelectorAll('.series')).toHaveLength(3); // ours, merkletreejs, hash bound
    expect(build.querySelectorAll('circle')).toHaveLength(6);
    expect(m.querySelector('[data-testid="chart-merkle-proofBytes"]')).not.toBeNull();
    expect([...m.querySelectorAll('[data-pass]')].map((t) => (t as HTMLElement).dataset.pass)).toEqual(['true', 'false']);
    expect(m.textContent).toContain('MISS');
    const img = card('merkle.svg').querySelector('img')!;
    expect(img.getAttribute('src')).toMatch(/^\/api\/measures\/merkle\.svg/);
  });

  it('shows bar charts for the end-to-end figures, raw JSON for an unknown file, and a file that fails', async () => {
    await open(['e2e.json', 'other.json', 'gone.json']);
    expect(card('e2e.json').querySelectorAll('[data-testid="chart-e2e-rss"] rect')).toHaveLength(2);
    const other = card('other.json');
    expect(other.textContent).toContain('not a result this panel knows');
    expect(other.querySelector('details pre')!.textContent).toContain('"hello": "world"');
    expect(card('gone.json').querySelector('[role="alert"]')!.textContent).toContain('no result file');
  });

  it('says how to make results when there are none', async () => {
    await open([]);
    expect(root.querySelector('.empty')!.textContent).toContain('npm run bench:merkle');
  });
});
