import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from '../../lib/api.ts';
import { labTopology } from '../../lib/testing/lab-fixtures.ts';
import TopologyEditor from './TopologyEditor.svelte';

const TOPOLOGY = labTopology();

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  vi.restoreAllMocks();
});

function render(props: Partial<{ locked: string | null; onsaved: () => void }> = {}): HTMLElement {
  const target = document.createElement('div');
  document.body.replaceChildren(target);
  component = mount(TopologyEditor, {
    target,
    props: { saved: TOPOLOGY, unavailable: [{ pvId: 'PV3', verifierId: 'cc', reason: 'clang is not installed' }], locked: null, onsaved: vi.fn(), ...props },
  });
  flushSync();
  return target;
}

const byLabel = (root: HTMLElement, label: string): HTMLInputElement => root.querySelector(`[aria-label="${label}"]`) as HTMLInputElement;
const button = (root: HTMLElement, name: string): HTMLButtonElement => [...root.querySelectorAll('button')].find((b) => b.textContent?.replace(/\s+/g, ' ').trim() === name) as HTMLButtonElement;

function type(input: HTMLInputElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

describe('TopologyEditor', () => {
  it('shows a formula syntax error as it is typed, with its column', () => {
    const el = render();
    expect(el.querySelector('[data-testid="pv-editor-PV1"]')).not.toBeNull();
    const formula = byLabel(el, 'Formula of PV1');
    type(formula, 'wellformed & (termination |');
    const error = el.querySelector('[data-testid="formula-error-PV1"]');
    expect(error?.textContent).toMatch(/column 28/);
    expect(formula.getAttribute('aria-invalid')).toBe('true');
    type(formula, 'wellformed & compiles');
    expect(el.querySelector('[data-testid="formula-error-PV1"]')?.textContent).toMatch(/"compiles" is checked by no verifier/);
    type(formula, 'wellformed | termination');
    expect(el.querySelector('[data-testid="formula-error-PV1"]')).toBeNull();
  });

  it('lists the verifiers this host cannot run, with why', () => {
    const el = render();
    expect(el.textContent).toContain('PV3/cc: clang is not installed');
    expect(el.querySelector('[aria-label="Verifier cc of PV3"]')?.textContent).toContain('unavailable');
  });

  it('adds and removes PVs', () => {
    const el = render();
    button(el, 'Add PV').click();
    flushSync();
    expect(el.querySelector('[data-testid="pv-editor-PV4"]')).not.toBeNull();
    expect(el.textContent).toContain('unsaved changes');
    button(el, 'Remove PV2').click();
    flushSync();
    expect([...el.querySelectorAll('[data-testid^="pv-editor-"]')].map((e) => e.getAttribute('data-testid'))).toEqual(['pv-editor-PV1', 'pv-editor-PV3', 'pv-editor-PV4']);
  });

  it("shows the daemon's field errors next to their fields", async () => {
    vi.spyOn(api, 'putTopology').mockRejectedValue(
      new ApiError(400, 'topology-invalid', 'invalid topology', {
        issues: [
          { path: 'pvs[2].verifiers[0].property', message: 'must be an identifier' },
          { path: 'pvs[0].epochLengthMs', message: 'must be at least 100' },
        ],
      }),
    );
    const el = render();
    button(el, 'Save topology').click();
    await vi.waitFor(() => expect(el.textContent).toContain('must be an identifier'));
    const verifier = el.querySelector('[aria-label="Verifier cc of PV3"]');
    expect(verifier?.textContent).toContain('must be an identifier');
    expect(el.querySelector('[data-testid="pv-editor-PV1"]')?.textContent).toContain('must be at least 100');
    expect(el.textContent).toContain('The daemon refused the topology: 2 problems');
  });

  it('saves through the daemon and reports it', async () => {
    const put = vi.spyOn(api, 'putTopology').mockImplementation(async (t) => ({ topology: t, unavailable: [] }));
    const onsaved = vi.fn();
    const el = render({ onsaved });
    type(byLabel(el, 'Epoch length of PV1 in milliseconds'), '2500');
    button(el, 'Save topology').click();
    await vi.waitFor(() => expect(onsaved).toHaveBeenCalledOnce());
    expect(put.mock.calls[0]?.[0].pvs[0]?.epochLengthMs).toBe(2500);
  });

  it('disables editing while the lab is deployed, and says why', () => {
    const el = render({ locked: 'The lab is deployed: tear it down to change its topology.' });
    expect(el.textContent).toContain('tear it down to change its topology');
    expect(byLabel(el, 'Formula of PV1').closest('fieldset:disabled')).not.toBeNull();
    expect(button(el, 'Save topology').matches(':disabled')).toBe(true);
  });
});
