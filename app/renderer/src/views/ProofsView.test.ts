import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deployedLab, fakeDaemon, FakeApiError, settle } from '../lib/testing/fake-daemon.ts';
import { epochChainFor, proofAnswerFor, proofFixture } from '../lib/testing/proof-fixtures.ts';
import ProofsView from './ProofsView.svelte';

const f = proofFixture();
let component: ReturnType<typeof mount> | undefined;
let root: HTMLElement;

function daemon(): URL[] {
  return fakeDaemon({
    '/api/lab': () => deployedLab(['PV1', 'PV2']),
    '/api/plugins': () => ({ plugins: [{ name: f.present }, { name: f.twin }] }),
    '/api/pvs/PV1/epochs': () => epochChainFor(f),
    '/api/proofs/': (url) => {
      const name = decodeURIComponent(url.pathname.slice('/api/proofs/'.length));
      if (url.searchParams.get('pv') !== 'PV1') throw new FakeApiError(404, 'unknown-node', `"${url.searchParams.get('pv')}" is not a PV of the deployed lab`);
      return proofAnswerFor(f, name);
    },
  });
}

async function open(hash = '#/proofs'): Promise<void> {
  location.hash = hash;
  await settle();
  root = document.createElement('div');
  document.body.replaceChildren(root);
  component = mount(ProofsView, { target: root });
  await settle();
  flushSync();
}

const byTestId = (id: string): HTMLElement | null => root.querySelector(`[data-testid="${id}"]`);
const labelled = (text: string): HTMLInputElement | HTMLSelectElement => {
  const label = [...root.querySelectorAll('label')].find((l) => l.firstChild?.textContent?.trim() === text);
  return label?.querySelector('input, select') as HTMLInputElement | HTMLSelectElement;
};
function type(input: HTMLInputElement | HTMLSelectElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event(input instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  flushSync();
}
const button = (name: string): HTMLButtonElement => [...root.querySelectorAll('button')].find((b) => b.textContent?.trim() === name) as HTMLButtonElement;

async function showProof(name: string, pv = 'PV1'): Promise<void> {
  type(labelled('Plugin name'), name);
  type(labelled('PV'), pv);
  button('Show proof').click();
  await settle();
  flushSync();
}

beforeEach(() => {
  daemon();
});

afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  vi.unstubAllGlobals();
});

describe('ProofsView', () => {
  it('shows an inclusion proof verified in the browser, breaks it with an edited sibling, and resets', async () => {
    await open();
    expect([...(labelled('PV') as HTMLSelectElement).options].map((o) => o.value)).toEqual(['PV1', 'PV2']);
    expect([...root.querySelectorAll('datalist option')].map((o) => (o as HTMLOptionElement).value)).toEqual([f.present, f.twin].sort());
    await showProof(f.present);

    expect(byTestId('proof-tree')).not.toBeNull();
    expect(byTestId('proof-leaf')?.dataset.terminal).toBe('leaf');
    expect(byTestId('proof-kind')?.textContent).toBe('Inclusion proof');
    expect(byTestId('proof-verdict')?.dataset.ok).toBe('true');
    expect(byTestId('proof-verdict')?.textContent).toContain('browser ✓ valid');
    expect(location.hash).toBe(`#/proofs?name=${f.present}&pv=PV1`);

    const siblings = [...root.querySelectorAll('label')].filter((l) => /^Sibling hash at depth \d+$/.test(l.firstChild?.textContent?.trim() ?? ''));
    expect(siblings.map((l) => l.firstChild?.textContent?.trim())).toEqual([4, 3, 2, 1].map((d) => `Sibling hash at depth ${d}`));
    const first = siblings[0]!.querySelector('input') as HTMLInputElement;
    const original = first.value;
    expect(original).toMatch(/^[0-9a-f]{64}$/);
    expect(button('Reset').disabled).toBe(true);

    type(first, `${original[0] === '0' ? '1' : '0'}${original.slice(1)}`);
    const failing = byTestId('proof-failing-step');
    expect(failing?.dataset.step).toBe('depth-4');
    expect(root.querySelectorAll('[data-testid="proof-failing-step"]')).toHaveLength(1);
    expect(byTestId('proof-verdict')?.dataset.ok).toBe('false');
    expect(byTestId('proof-verdict')?.textContent).toMatch(/recomputed root [0-9a-f]{16}… differs from the signed root/);
    expect(root.querySelector('[data-node="path-3"]')?.getAttribute('data-status')).toBe('failing');

    button('Reset').click();
    flushSync();
    expect(byTestId('proof-verdict')?.dataset.ok).toBe('true');
    expect(byTestId('proof-failing-step')).toBeNull();
    expect(first.value).toBe(original);
  });

  it('shows absence proofs and focuses the value picked in the tree', async () => {
    await open();
    await showProof(f.absentEmpty);
    expect(byTestId('proof-kind')?.textContent).toBe('Absence proof');
    expect(byTestId('proof-leaf')?.dataset.terminal).toBe('empty');
    expect(byTestId('proof-verdict')?.dataset.ok).toBe('true');
    expect(root.textContent).toContain('The PR knows no plugin of this name.');

    const sibling = root.querySelector('[data-node="sibling-1"]') as SVGGElement;
    sibling.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(document.activeElement?.id).toBe('proof-edit-sibling-1');
  });

  it('loads a deep link, and shows bad input and API errors with their code', async () => {
    await open(`#/proofs?name=${f.absentOther}&pv=PV1&epoch=0`);
    expect((labelled('Epoch') as HTMLInputElement).value).toBe('0');
    expect(byTestId('proof-leaf')?.dataset.terminal).toBe('other-leaf');

    await showProof('Not A Name');
    expect(root.querySelector('.error')?.textContent).toMatch(/plugin name/);

    await showProof(f.present, 'PV2');
    const error = root.querySelector('.result .error');
    expect(error?.querySelector('code')?.textContent).toBe('unknown-node');
    expect(error?.textContent).toContain('"PV2" is not a PV of the deployed lab');
    expect(byTestId('proof-tree')).toBeNull();
  });

  it('says so when no PV is deployed', async () => {
    fakeDaemon({ '/api/lab': () => ({ deployment: { status: 'none', nodes: [] } }), '/api/plugins': () => ({ plugins: [] }) });
    await open('#/proofs');
    expect(root.textContent).toContain('No PV is deployed');
    expect((labelled('PV') as HTMLSelectElement).disabled).toBe(true);
  });
});
