import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProviderInfo } from '../../lib/api-types.ts';
import { fakeDaemon, settle } from '../../lib/testing/fake-daemon.ts';
import ProviderEditor from './ProviderEditor.svelte';

const INFO: ProviderInfo = {
  kind: 'local',
  libvirt: { uri: 'qemu:///system', network: { mode: 'user', name: 'spms-lab', subnet: '10.20.3.0/24' }, accelerator: 'auto', defaults: { vcpus: 2, memoryMiB: 768, diskGiB: 4 }, pool: 'spms-lab' },
  accelerator: { accelerator: 'tcg', reason: '/dev/kvm is backed by kvm_pvm, which cannot run a Linux guest' },
  libvirtMissing: [],
};

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  vi.unstubAllGlobals();
});

async function render(info: ProviderInfo, locked: string | null = null): Promise<{ root: HTMLElement; puts: unknown[] }> {
  const puts: unknown[] = [];
  fakeDaemon({ '/api/lab/provider': () => info, '/api/images': () => ({ dir: '/lab/images', images: [] }) });
  // PUT answers with what was asked for, as the daemon does after validating it.
  const get = globalThis.fetch;
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string, init?: RequestInit) => {
      if (init?.method === 'POST' && String(input).endsWith('/api/images/build')) {
        puts.push({ build: JSON.parse(String(init.body)) as unknown });
        return new Response(JSON.stringify({ task: { id: 't1', kind: 'image-build' } }), { status: 202, headers: { 'content-type': 'application/json' } });
      }
      if (init?.method === 'PUT') {
        const body = JSON.parse(String(init.body)) as { kind: ProviderInfo['kind']; settings?: ProviderInfo['libvirt'] };
        puts.push(body);
        return new Response(JSON.stringify({ ...info, kind: body.kind, libvirt: body.settings ?? info.libvirt }), { status: 200, headers: { 'content-type': 'application/json' } });
      }
      return get(input, init);
    }),
  );
  const root = document.createElement('div');
  document.body.replaceChildren(root);
  component = mount(ProviderEditor, { target: root, props: { locked } });
  await settle();
  flushSync();
  return { root, puts };
}

const button = (root: HTMLElement, name: string): HTMLButtonElement => [...root.querySelectorAll('button')].find((b) => b.textContent?.trim() === name) as HTMLButtonElement;
const labelled = (root: HTMLElement, text: string): HTMLInputElement | HTMLSelectElement =>
  [...root.querySelectorAll('label')].find((l) => l.textContent?.trim().startsWith(text))?.querySelector('input, select') as HTMLInputElement | HTMLSelectElement;

describe('ProviderEditor', () => {
  it('shows the accelerator VMs would get here and why', async () => {
    const { root } = await render(INFO);
    const accel = root.querySelector('[data-testid="accelerator"]') as HTMLElement;
    expect(accel.dataset.accelerator).toBe('tcg');
    expect(accel.textContent).toMatch(/TCG \(software emulation\).*kvm_pvm/);
    expect(button(root, 'Save provider').disabled).toBe(true);
  });

  it('switches to libvirt VMs with edited settings, sending them to the daemon', async () => {
    const { root, puts } = await render(INFO);
    const libvirt = root.querySelector('input[value="libvirt"]') as HTMLInputElement;
    libvirt.click();
    flushSync();
    const mode = labelled(root, 'Network') as HTMLSelectElement;
    mode.value = 'nat';
    mode.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    const memory = labelled(root, 'Memory per VM') as HTMLInputElement;
    memory.value = '640';
    memory.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    expect(labelled(root, 'NAT subnet')).toBeDefined();
    button(root, 'Save provider').click();
    await settle();
    flushSync();
    expect(puts).toEqual([{ kind: 'libvirt', settings: { ...INFO.libvirt, network: { ...INFO.libvirt.network, mode: 'nat' }, defaults: { ...INFO.libvirt.defaults, memoryMiB: 640 } } }]);
    expect(root.querySelector('[data-testid="provider-editor"]')?.getAttribute('data-kind')).toBe('libvirt');
    expect(root.textContent).toContain('the next deploy boots the nodes as VMs');
    await settle();
    flushSync();
    expect(root.querySelector('[data-testid="vm-images"]')?.textContent).toContain('None built yet');
    button(root, 'Build images').click();
    await settle();
    flushSync();
    expect(puts.at(-1)).toEqual({ build: { role: 'all' } });
    expect(root.textContent).toContain('Building the images');
  });

  it('cannot pick VMs on a host that lacks their tools, and says what is missing', async () => {
    const { root } = await render({ ...INFO, libvirtMissing: ['qemu-system-x86_64 is missing (Debian package qemu-system-x86)'] });
    expect((root.querySelector('input[value="libvirt"]') as HTMLInputElement).disabled).toBe(true);
    expect(root.querySelector('[data-testid="libvirt-missing"]')?.textContent).toContain('qemu-system-x86');
  });

  it('is locked while the lab is deployed', async () => {
    const { root } = await render(INFO, 'the lab is deployed: tear it down first');
    expect((root.querySelector('input[value="libvirt"]') as HTMLInputElement).closest('fieldset')?.disabled).toBe(true);
    expect(button(root, 'Save provider').disabled).toBe(true);
  });
});
