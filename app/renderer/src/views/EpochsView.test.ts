import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { strToJson } from '../../../../spms/core/index.ts';
import type { EpochChain, LabEvent } from '../lib/api-types.ts';
import { labEvents } from '../lib/events.svelte.ts';
import { chainAnswer, signedChain } from '../lib/testing/chain-fixtures.ts';
import { deployedLab, fakeDaemon, settle } from '../lib/testing/fake-daemon.ts';
import EpochsView from './EpochsView.svelte';

/** Stands in for the daemon's event socket so a test can push events. */
class FakeSocket {
  static last: FakeSocket | undefined;
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor() {
    FakeSocket.last = this;
  }
}
vi.stubGlobal('WebSocket', FakeSocket);
labEvents.start();
let seq = 0;
function push(node: string, type: string, payload: Record<string, unknown>): void {
  const e: LabEvent = { seq: ++seq, time: Date.now(), node, type, payload };
  FakeSocket.last!.onmessage!({ data: JSON.stringify(e) });
}

const chain = signedChain(5);
let published = 3; // epochs 0..published-1 exist
let extraIssues: EpochChain['chain']['issues'] = [];
let component: ReturnType<typeof mount> | undefined;
let root: HTMLElement;

function daemon(): URL[] {
  return fakeDaemon({
    '/api/lab': () => deployedLab(['PV1']),
    '/api/pvs/PV1/epochs': (url) => {
      const last = Math.min(Number(url.searchParams.get('to') ?? published - 1), published - 1);
      const first = Number(url.searchParams.get('from') ?? Math.max(0, last - 99));
      return chainAnswer(chain.slice(first, last + 1), published - 1, extraIssues);
    },
  });
}

async function open(): Promise<URL[]> {
  const calls = daemon();
  location.hash = '#/epochs';
  await settle();
  root = document.createElement('div');
  document.body.replaceChildren(root);
  component = mount(EpochsView, { target: root });
  await settle();
  await new Promise((r) => setTimeout(r, 50)); // signature checks run in slices
  flushSync();
  return calls;
}

const rows = (): string[] => [...root.querySelectorAll('tr[data-testid^="epoch-"]')].map((r) => (r as HTMLElement).dataset.testid!);
const status = (): HTMLElement => root.querySelector('[data-testid="chain-status"]') as HTMLElement;

afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  published = 3;
  extraIssues = [];
});

describe('EpochsView', () => {
  it('shows the chain newest first with its checks, and follows new epochs live', async () => {
    const calls = await open();
    const picker = [...root.querySelectorAll('label')].find((l) => l.firstChild?.textContent?.trim() === 'PV')?.querySelector('select') as HTMLSelectElement;
    expect(picker.value).toBe('PV1');
    expect(rows()).toEqual(['epoch-2', 'epoch-1', 'epoch-0']);
    expect(status().dataset.ok).toBe('true');
    expect(status().textContent).toContain('Chain intact');
    const row1 = root.querySelector('[data-testid="epoch-1"]') as HTMLElement;
    expect(row1.textContent).toContain('✓ valid');
    expect(row1.textContent).toContain('✓ linked');
    expect(row1.textContent).toContain('—'); // no epoch-published event seen for it
    expect(root.querySelector('[data-testid="epoch-0"]')?.textContent).toContain('✓ genesis');

    published = 5;
    push('PV1', 'epoch-published', { epoch: 4, root: 'aa', changes: [{ name: 'org.example.hello', bindingHash: 'bb'.repeat(32), submission: 's1' }] });
    await settle();
    await new Promise((r) => setTimeout(r, 50));
    flushSync();
    expect(rows()).toEqual(['epoch-4', 'epoch-3', 'epoch-2', 'epoch-1', 'epoch-0']);
    expect(calls.at(-1)?.search).toBe('?from=3&to=4');
    const row4 = root.querySelector('[data-testid="epoch-4"]') as HTMLElement;
    expect(row4.querySelectorAll('td')[3]?.textContent?.trim()).toBe('1');
    expect(status().dataset.ok).toBe('true');

    // Another PV's epochs do not touch this timeline.
    push('PV2', 'epoch-published', { epoch: 9, root: 'cc', changes: [] });
    await settle();
    expect(rows()).toHaveLength(5);

    // Selecting an epoch shows the STR and links to its proofs.
    (row4.querySelector('button') as HTMLButtonElement).click();
    flushSync();
    const detail = root.querySelector('aside') as HTMLElement;
    expect(detail.textContent).toContain('STR of epoch 4');
    expect(detail.querySelector('a[href="#/proofs?name=org.example.hello&pv=PV1&epoch=4"]')).not.toBeNull();
    expect(detail.querySelector('a[href="#/proofs?pv=PV1&epoch=4"]')?.textContent).toContain('Open the Proofs view at epoch 4');
  });

  it('alerts on equivocation and shows both conflicting STRs side by side', async () => {
    const fork = signedChain(3, ' fork');
    extraIssues = [{ code: 'equivocation', epoch: 1, message: '"PV1" signed two different STRs for epoch 1', evidence: { first: strToJson(chain[1]!), second: strToJson(fork[1]!) } }];
    await open();
    const s = status();
    expect(s.dataset.ok).toBe('false');
    expect(s.getAttribute('role')).toBe('alert');
    expect(s.textContent).toContain('⚠ Equivocation');
    const table = s.querySelector('table.compare') as HTMLTableElement;
    expect([...table.querySelectorAll('thead th')].map((t) => t.textContent)).toEqual(['Field', 'First STR', 'Second STR']);
    const differing = [...table.querySelectorAll('tr.differs th')].map((t) => t.textContent?.replace(', differs', ''));
    expect(differing).toEqual(['Root', 'Previous STR hash', 'Signature']);
    expect(table.textContent).toContain(strToJson(fork[1]!).root);
    expect(root.querySelector('[data-testid="epoch-1"]')?.classList.contains('flagged')).toBe(true);
  });

  it('shows an STR the PR refused from the PV as an alert with both STRs, naming who found it and when', async () => {
    const fork = signedChain(3, ' fork');
    extraIssues = [
      {
        code: 'equivocation',
        epoch: 2,
        message: '"PV1" signed two different STRs for epoch 2 (refused by the PR)',
        evidence: { first: strToJson(chain[2]!), second: strToJson(fork[2]!) },
        reportedBy: 'pr',
        receivedMs: Date.UTC(2026, 10, 29, 6, 0, 0),
      },
    ];
    await open();
    const s = status();
    expect(s.dataset.ok).toBe('false');
    expect(s.textContent).toContain('⚠ Equivocation');
    expect(s.querySelector('.source')?.textContent).toMatch(/^\(refused by the PR, signature checked by the daemon at .+\)$/);
    expect(s.querySelector('table.compare')?.textContent).toContain(strToJson(fork[2]!).root);
  });

  it('says so when no PV is deployed', async () => {
    await open();
    unmount(component!);
    fakeDaemon({ '/api/lab': () => ({ deployment: { status: 'none', nodes: [] } }) });
    root.replaceChildren();
    component = mount(EpochsView, { target: root });
    await settle();
    flushSync();
    expect(root.textContent).toContain('No PV is deployed');
    expect(root.querySelector('[data-testid="chain-status"]')).toBeNull();
  });
});
