import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BundleCheck } from '../lib/api-types.ts';
import { deployedLab, FakeApiError, fakeDaemon, settle, type Handler } from '../lib/testing/fake-daemon.ts';
import PeerView from './PeerView.svelte';

const NAME = 'org.example.hello';
const HASH = 'ab'.repeat(32);

function accepted(formula: string): BundleCheck {
  return {
    name: NAME,
    formula,
    expectedBinding: HASH,
    bundle: { v: 1, name: NAME, bindingHash: HASH, entries: [{ pvId: 'PV1' }, { pvId: 'PV2' }] },
    skipped: [],
    verdict: {
      accepted: true,
      bindingMatches: true,
      formulaHolds: true,
      verified: ['PV1', 'PV2'],
      pvs: [
        { pvId: 'PV1', ok: true, epoch: 7 },
        { pvId: 'PV2', ok: true, epoch: 6 },
      ],
      reason: 'accepted: the formula holds over PV1, PV2',
    },
  };
}

let component: ReturnType<typeof mount> | undefined;
let root: HTMLElement;

async function open(check: Handler): Promise<URL[]> {
  const calls = fakeDaemon({
    '/api/lab': () => deployedLab(['PV1', 'PV2', 'PV3']),
    '/api/plugins': () => ({ plugins: [{ name: NAME, versions: 1, latest: {} }] }),
    '/api/bundles/check': check,
  });
  root = document.createElement('div');
  document.body.replaceChildren(root);
  component = mount(PeerView, { target: root });
  await settle();
  flushSync();
  return calls;
}

function field(label: string): HTMLInputElement {
  const l = [...root.querySelectorAll('label')].find((x) => x.textContent?.trim() === label);
  return document.getElementById(l!.htmlFor) as HTMLInputElement;
}

function type(label: string, text: string): void {
  const el = field(label);
  el.value = text;
  el.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

const button = (): HTMLButtonElement => [...root.querySelectorAll('button')].find((b) => b.textContent === 'Check bundle')!;
const q = (testid: string): HTMLElement | null => root.querySelector(`[data-testid="${testid}"]`);

async function check(formula: string): Promise<void> {
  type('Plugin name', NAME);
  type('Formula', formula);
  button().click();
  await settle();
  flushSync();
}

afterEach(() => {
  if (component !== undefined) unmount(component);
  component = undefined;
  vi.unstubAllGlobals();
});

describe('PeerView', () => {
  it('shows an accepted bundle: the verdict, each PV, the sets, the formula evaluated here', async () => {
    const calls = await open(() => accepted('PV1 & (PV2 | PV3)'));
    expect([...root.querySelectorAll('datalist option')].map((o) => (o as HTMLOptionElement).value)).toEqual([NAME]);
    await check('PV1 & (PV2 | PV3)');
    expect(calls.some((u) => u.pathname === '/api/bundles/check')).toBe(true);
    const verdict = q('bundle-verdict')!;
    expect(verdict.dataset.accepted).toBe('true');
    expect(verdict.textContent).toContain('accepted: the formula holds over PV1, PV2');
    expect(q('bundle-pv-PV1')!.dataset.status).toBe('verified');
    expect(q('bundle-pv-PV1')!.textContent).toContain('7');
    expect(q('bundle-pv-PV3')!.dataset.status).toBe('not-presented');
    expect(q('bundle-presented')!.textContent).toBe('{PV1, PV2}');
    expect(q('bundle-minimal')!.textContent).toBe('{PV1, PV2}');
    expect([...root.querySelectorAll('[data-testid="formula-preview"] .atom.sat')].map((a) => a.textContent)).toEqual(['PV1', 'PV2']);
    expect(root.textContent).toContain('Bundle JSON');
  });

  it('shows the PR declining to build a bundle as a refusal', async () => {
    await open(() => {
      throw new FakeApiError(409, 'unsatisfiable', 'the PVs that include this binding (PV1) cannot satisfy the formula');
    });
    await check('PV1 & PV4');
    const verdict = q('bundle-verdict')!;
    expect(verdict.dataset.accepted).toBe('false');
    expect(verdict.dataset.source).toBe('pr');
    expect(verdict.textContent).toContain('cannot satisfy the formula');
    expect(q('formula-unknown')!.textContent).toContain('PV4');
  });

  it('sends a lab that is not deployed to the Lab view', async () => {
    await open(() => {
      throw new FakeApiError(409, 'not-deployed', 'the lab is not deployed');
    });
    await check('PV1');
    expect(q('bundle-verdict')).toBeNull();
    const notice = root.querySelector('[role="alert"][data-code="not-deployed"]')!;
    expect(notice.querySelector('a')!.getAttribute('href')).toBe('#/lab');
  });

  it('shows formula errors as they are typed and will not check a broken formula', async () => {
    await open(() => accepted('PV1'));
    type('Plugin name', NAME);
    type('Formula', 'PV1 & (PV2 |');
    expect(q('formula-error')).not.toBeNull();
    expect(button().disabled).toBe(true);
    type('Formula', 'PV1 & !PV2');
    expect(q('formula-error')!.dataset.code).toBe('negation-not-allowed');
    type('Formula', 'PV1');
    expect(q('formula-error')).toBeNull();
    expect(button().disabled).toBe(false);
  });
});
