import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../../lib/api.ts';
import type { PluginStatus } from '../../lib/api-types.ts';
import { foldEvents, pvColumns, type PluginProgress } from '../../lib/plugin-progress.ts';
import { labEvent, labTopology } from '../../lib/testing/lab-fixtures.ts';
import PluginCard from './PluginCard.svelte';

const NAME = 'org.example.loop';
const ev = labEvent;

const STATUS: PluginStatus = {
  name: NAME,
  submittedByLab: [],
  versions: [
    {
      id: 's1',
      name: NAME,
      version: 1,
      archiveHash: 'ab'.repeat(32),
      size: 1292,
      files: 3,
      submitter: 'lab',
      submittedMs: 0,
      topics: [],
      pvs: [
        {
          pvId: 'PV1',
          state: 'failed',
          fetchedMs: 1,
          failure: {
            pvId: 'PV1',
            submissionId: 's1',
            name: NAME,
            archiveHash: 'ab'.repeat(32),
            bindingHash: 'cd'.repeat(32),
            reason: 'the validation formula does not hold; not passed: term (termination)',
            receivedMs: 2,
            verifiers: [
              { id: 'wf', property: 'wellformed', verdict: 'pass', findings: [], log: '' },
              {
                id: 'term',
                property: 'termination',
                verdict: 'fail',
                findings: [{ check: 'termination', severity: 'error', message: 'the loop starting at 3 has no exit', pluglet: 'spin.o', instruction: 3, source: { file: 'spin.c', line: 8 } }],
                log: 'line one\nline two',
              },
            ],
          },
        },
      ],
    },
  ],
};

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  vi.restoreAllMocks();
});

function render(plugin: PluginProgress): HTMLElement {
  const target = document.createElement('div');
  document.body.replaceChildren(target);
  component = mount(PluginCard, { target, props: { plugin, columns: pvColumns(labTopology(), [{ pvId: 'PV3', verifierId: 'cc', reason: 'clang is not installed' }], plugin) } });
  flushSync();
  return target;
}

describe('PluginCard', () => {
  it('shows a row per PV with each verifier state and the decision, as hooks the browser tests use', () => {
    const s = foldEvents(
      [
        ev('daemon', 'plugin-submitted', { name: NAME, version: 1, archiveHash: 'ab', submissionId: 's1' }),
        ev('PV1', 'announcement', { submission: 's1', name: NAME, archiveHash: 'ab' }),
        ev('PV1', 'binding-built', { submission: 's1', name: NAME, bindingHash: 'cd'.repeat(32) }),
        ev('PV1', 'verifier-started', { submission: 's1', verifier: 'wf', attempt: 1 }),
        ev('PV1', 'verifier-finished', { submission: 's1', verifier: 'wf', verdict: 'pass', durationMs: 4, findings: 0 }),
        ev('PV1', 'verifier-started', { submission: 's1', verifier: 'term', attempt: 1 }),
      ],
      'PR',
    );
    const el = render(s.plugins[NAME] as PluginProgress);
    expect(el.querySelector(`[data-testid="plugin-${NAME}"]`)).not.toBeNull();
    const row = el.querySelector(`[data-testid="pv-status-${NAME}-PV1"]`) as HTMLElement;
    expect(row.dataset.decision).toBe('pending');
    expect((el.querySelector(`[data-testid="verifier-${NAME}-PV1-wf"]`) as HTMLElement).dataset.state).toBe('pass');
    expect((el.querySelector(`[data-testid="verifier-${NAME}-PV1-term"]`) as HTMLElement).dataset.state).toBe('running');
    const cc = el.querySelector(`[data-testid="verifier-${NAME}-PV3-cc"]`) as HTMLElement;
    expect(cc.dataset.state).toBe('queued');
    expect(cc.textContent).toContain('unavailable here: clang is not installed');
    expect((el.querySelector(`[data-testid="pv-status-${NAME}-PV3"]`) as HTMLElement).dataset.decision).toBe('pending');
    expect(row.textContent).toContain('cdcdcdcdcdcd…');
  });

  it("expands the PR's failure reports with each verifier's findings and log", async () => {
    const plugin = vi.spyOn(api, 'plugin').mockResolvedValue(STATUS);
    const s = foldEvents(
      [ev('PV1', 'announcement', { submission: 's1', name: NAME, archiveHash: 'ab' }), ev('PV1', 'decision', { submission: 's1', name: NAME, valid: false, passed: ['wellformed'] })],
      'PR',
    );
    const el = render(s.plugins[NAME] as PluginProgress);
    expect((el.querySelector(`[data-testid="pv-status-${NAME}-PV1"]`) as HTMLElement).dataset.decision).toBe('invalid');
    const toggle = [...el.querySelectorAll('button')].find((b) => b.textContent?.includes('findings and logs')) as HTMLButtonElement;
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    toggle.click();
    flushSync();
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    await vi.waitFor(() => expect(el.textContent).toContain('the loop starting at 3 has no exit'));
    expect(plugin).toHaveBeenCalledWith(NAME);
    expect(el.textContent).toContain('spin.c:8');
    expect(el.textContent).toContain('Log of term (2 lines)');
    expect(el.querySelector('pre.log')?.textContent).toBe('line one\nline two');
  });
});
