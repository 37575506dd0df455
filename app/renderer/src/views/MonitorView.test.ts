import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LabEvent, MonitorResult } from '../lib/api-types.ts';
import { labEvents } from '../lib/events.svelte.ts';
import { FakeApiError, fakeDaemon, settle } from '../lib/testing/fake-daemon.ts';
import MonitorView from './MonitorView.svelte';

// The event socket: this test plays the daemon's side of it.
const sockets: { onmessage: ((m: { data: string }) => void) | null }[] = [];
vi.stubGlobal(
  'WebSocket',
  class {
    onmessage = null;
    constructor() {
      sockets.push(this);
    }
  },
);
labEvents.start();
let seq = 0;
function publish(node: string, epoch: number): void {
  const e: LabEvent = { seq: ++seq, time: Date.now(), node, type: 'epoch-published', payload: { epoch } };
  sockets.at(-1)!.onmessage!({ data: JSON.stringify(e) });
}

const A = 'org.example.a';
const B = 'org.example.b';
const MINE = '1'.repeat(64);
const OTHER = 'f'.repeat(64);

const answer: MonitorResult = {
  names: [A, B],
  expected: { [A]: [MINE], [B]: [] },
  alerts: [
    { pvId: 'PV2', code: 'unexpected-binding', epoch: 4, name: A, message: `PV2 binds ${A} to ffff…, which its developer did not submit`, evidence: { str: { epoch: 4 } } },
    { pvId: 'PV3', code: 'chain-break', epoch: 2, message: 'epoch 2 does not follow epoch 0' },
  ],
  observations: [
    { pvId: 'PV1', name: A, epoch: 3, state: 'absent' },
    { pvId: 'PV1', name: A, epoch: 4, state: 'expected', version: 1, bindingHash: MINE },
    { pvId: 'PV2', name: A, epoch: 4, state: 'unexpected', version: 2, bindingHash: OTHER },
  ],
  ranges: [
    { pvId: 'PV1', from: 0, to: 4, latest: 4 },
    { pvId: 'PV2', from: null, to: null, latest: 4 },
  ],
  unreachable: [{ pvId: 'PV4', reason: 'connection refused' }],
};

let component: ReturnType<typeof mount> | undefined;
let root: HTMLElement;
let calls: URL[];

function daemon(monitor: () => unknown = () => answer): void {
  calls = fakeDaemon({ '/api/monitor': monitor });
}

async function open(): Promise<void> {
  root = document.createElement('div');
  document.body.replaceChildren(root);
  component = mount(MonitorView, { target: root });
  await settle();
  flushSync();
}

function field(label: string): HTMLInputElement {
  const l = [...root.querySelectorAll('label')].find((x) => x.textContent?.trim() === label)!;
  return (l.htmlFor === '' ? l.querySelector('input') : document.getElementById(l.htmlFor)) as HTMLInputElement;
}

function type(label: string, text: string): void {
  const el = field(label);
  el.value = text;
  el.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

const checkButton = (): HTMLButtonElement => [...root.querySelectorAll('button')].find((b) => b.textContent === 'Check')!;
const monitorCalls = (): number => calls.filter((u) => u.pathname === '/api/monitor').length;
/** The bodies the view posted to /api/monitor. */
const monitorBodies = (): Record<string, unknown>[] =>
  vi
    .mocked(fetch)
    .mock.calls.filter(([url]) => String(url) === '/api/monitor')
    .map(([, init]) => JSON.parse(String(init?.body)) as Record<string, unknown>);

async function check(): Promise<void> {
  checkButton().click();
  await settle();
  flushSync();
}

beforeEach(() => {
  localStorage.clear();
});

afterEach(() => {
  if (component !== undefined) unmount(component);
  component = undefined;
});

describe('MonitorView', () => {
  it('shows alerts with their evidence, the latest state per PV and name, and PVs not checked', async () => {
    daemon();
    await open();
    type('Names', `${A}, ${B}`);
    await check();
    const alerts = [...root.querySelectorAll('[data-testid="alert"]')] as HTMLElement[];
    expect(alerts.map((a) => [a.dataset.code, a.dataset.pv, a.dataset.epoch])).toEqual([
      ['unexpected-binding', 'PV2', '4'],
      ['chain-break', 'PV3', '2'],
    ]);
    expect(alerts[0]!.querySelector('details pre')!.textContent).toContain('"epoch": 4');
    expect(alerts[1]!.querySelector('details')).toBeNull();
    const row = root.querySelector(`[data-testid="observation-${A}-PV1"]`) as HTMLElement;
    expect(row.dataset.state).toBe('expected');
    expect((root.querySelector(`[data-testid="observation-${A}-PV2"]`) as HTMLElement).dataset.state).toBe('unexpected');
    expect(root.querySelector('[data-testid="unreachable-PV4"]')!.textContent).toContain('connection refused');
    expect(root.textContent).toContain('the lab submitted nothing under this name');
  });

  it('remembers the names and expected hashes, and refuses bad ones before asking the daemon', async () => {
    localStorage.setItem('spms-monitor', JSON.stringify({ names: A, hashes: { [A]: MINE }, follow: false }));
    daemon();
    await open();
    expect(field('Names').value).toBe(A);
    type('Names', `${A} Bad`);
    expect(checkButton().disabled).toBe(true);
    expect(root.textContent).toContain('Bad');
    type('Names', `${A} ${B}`);
    expect(checkButton().disabled).toBe(false);
    expect(JSON.parse(localStorage.getItem('spms-monitor')!)).toEqual({ names: `${A} ${B}`, hashes: { [A]: MINE }, follow: false, from: '', to: '' });
    expect(field(A).value).toBe(MINE);
    type(A, 'xyz');
    expect(checkButton().disabled).toBe(true);
    expect(monitorCalls()).toBe(0);
  });

  it('checks the last 50 epochs by default, or the range given, and says which epochs each PV had checked', async () => {
    daemon();
    await open();
    type('Names', A);
    expect(root.querySelector('#monitor-window-status')!.textContent!.trim()).toBe("Checks the last 50 epochs up to each PV's latest epoch");
    await check();
    expect(monitorBodies().at(-1)).toEqual({ names: [A], lastEpochs: 50 });
    expect(root.querySelector('[data-testid="range-PV1"]')!.textContent).toBe('PV1 0–4 (latest 4)');
    expect(root.querySelector('[data-testid="range-PV2"]')!.textContent).toBe('PV2 none (latest 4)');

    type('To', '40');
    await check();
    expect(monitorBodies().at(-1)).toEqual({ names: [A], lastEpochs: 50, toEpoch: 40 });

    [...root.querySelectorAll('button')].find((b) => b.textContent === 'From epoch 0')!.click();
    flushSync();
    expect(field('From').value).toBe('0');
    expect(root.querySelector('#monitor-window-status')!.textContent!.trim()).toBe('Checks epoch 0 to epoch 40');
    await check();
    expect(monitorBodies().at(-1)).toEqual({ names: [A], fromEpoch: 0, toEpoch: 40 });

    type('From', '12');
    type('To', '');
    await check();
    expect(monitorBodies().at(-1)).toEqual({ names: [A], fromEpoch: 12 });
    expect(JSON.parse(localStorage.getItem('spms-monitor')!)).toMatchObject({ from: '12', to: '' });

    [...root.querySelectorAll('button')].find((b) => b.textContent === 'Last 50')!.click();
    flushSync();
    expect([field('From').value, field('To').value]).toEqual(['', '']);
  });

  it('refuses a negative epoch or "From" after "To", saying so, before asking the daemon', async () => {
    daemon();
    await open();
    type('Names', A);
    const status = (): string => root.querySelector('#monitor-window-status')!.textContent!.trim();
    type('From', '-3');
    expect(status()).toBe('"From" cannot be negative: epochs start at 0');
    expect(field('From').getAttribute('aria-invalid')).toBe('true');
    expect(checkButton().disabled).toBe(true);
    type('From', '9');
    type('To', '4');
    expect(status()).toBe('"From" (9) is after "To" (4)');
    expect([field('From').getAttribute('aria-invalid'), field('To').getAttribute('aria-invalid')]).toEqual(['true', 'true']);
    expect(checkButton().disabled).toBe(true);
    type('To', 'soon');
    expect(status()).toBe('"To" must be a whole epoch number (0, 1, 2, …)');
    await check();
    expect(monitorCalls()).toBe(0);
    type('To', '9');
    expect(checkButton().disabled).toBe(false);
    await check();
    expect(monitorBodies()).toEqual([{ names: [A], fromEpoch: 9, toEpoch: 9 }]);
  });

  it('runs again, once, after a burst of epochs when following them', async () => {
    daemon();
    await open();
    type('Names', A);
    await check();
    expect(monitorCalls()).toBe(1);
    publish('PV1', 5); // not following yet
    await new Promise((r) => setTimeout(r, 1700));
    expect(monitorCalls()).toBe(1);
    field('Follow epochs').click();
    flushSync();
    publish('PV1', 6);
    publish('PV2', 6);
    await new Promise((r) => setTimeout(r, 1700));
    await settle();
    expect(monitorCalls()).toBe(2);
    expect(root.textContent).toContain('epoch 6 of PV2');
  });

  it('sends a lab that is not deployed to the Lab view', async () => {
    daemon(() => {
      throw new FakeApiError(409, 'not-deployed', 'the lab is not deployed');
    });
    await open();
    type('Names', A);
    await check();
    expect(root.querySelector('[data-code="not-deployed"] a')!.getAttribute('href')).toBe('#/lab');
    expect(root.querySelectorAll('[data-testid="alert"]')).toHaveLength(0);
  });
});
