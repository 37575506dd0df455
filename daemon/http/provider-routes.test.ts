// Choosing where the lab runs, through a real daemon: the provider and its
// libvirt settings are validated and kept in the lab state across restarts;
// the VM images are listed and their builds validated.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../daemon.ts';
import { DaemonClient, DaemonRequestError } from '../daemon-client.ts';
import type { ProviderInfo } from '../lab.ts';
import { missingVmTools } from '../providers/vm-host-tools.ts';

let dir: string;
let daemon: Daemon;
let client: DaemonClient;

async function refusal(p: Promise<unknown>): Promise<DaemonRequestError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DaemonRequestError) return e;
    throw e;
  }
  throw new Error('the request succeeded');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spms-provider-'));
  daemon = await Daemon.start({ labDir: dir, port: 0, caKeyBits: 2048, deploy: 'never' });
  client = new DaemonClient(daemon.url, daemon.token);
});

afterAll(async () => {
  await daemon?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the provider', () => {
  it('is local by default, with the libvirt defaults and the accelerator this host would use', async () => {
    const info = await client.get<ProviderInfo>('/api/lab/provider');
    expect(info.kind).toBe('local');
    expect(info.libvirt).toMatchObject({ uri: 'qemu:///system', network: { mode: 'user' }, accelerator: 'auto', defaults: { vcpus: 1, memoryMiB: 768, diskGiB: 4 } });
    expect(['kvm', 'tcg']).toContain(info.accelerator.accelerator);
    expect(info.accelerator.reason.length).toBeGreaterThan(10);
    expect(info.libvirtMissing).toEqual(missingVmTools());
  });

  it('refuses bad choices with the field at fault, leaving the state as it was', async () => {
    const before = readFileSync(join(dir, 'lab.json'), 'utf8');
    const kind = await refusal(client.put('/api/lab/provider', { kind: 'docker' }));
    expect([kind.status, kind.code]).toEqual([400, 'bad-provider']);
    const subnet = await refusal(client.put('/api/lab/provider', { kind: 'libvirt', settings: { network: { mode: 'nat', subnet: '10.20.3.0/33' } } }));
    expect([subnet.status, subnet.code]).toEqual([400, 'provider-settings-invalid']);
    expect(subnet.message).toMatch(/network\.subnet/);
    const memory = await refusal(client.put('/api/lab/provider', { kind: 'local', settings: { defaults: { memoryMiB: 16 } } }));
    expect(memory.message).toMatch(/defaults\.memoryMiB/);
    expect(readFileSync(join(dir, 'lab.json'), 'utf8')).toBe(before);
  });

  it('keeps libvirt settings, also when switching back to local, across a daemon restart', async () => {
    const settings = { uri: 'test:///default', network: { mode: 'nat', name: 'lab-a', subnet: '10.77.0.0/24' }, accelerator: 'tcg', defaults: { vcpus: 1, memoryMiB: 512, diskGiB: 3 } };
    if (missingVmTools().length === 0) {
      const vm = await client.put<ProviderInfo>('/api/lab/provider', { kind: 'libvirt', settings });
      expect(vm.kind).toBe('libvirt');
      expect(vm.accelerator).toEqual({ accelerator: 'tcg', reason: expect.stringMatching(/tcg/i) });
    } else {
      const refused = await refusal(client.put('/api/lab/provider', { kind: 'libvirt', settings }));
      expect([refused.status, refused.code]).toEqual([409, 'vm-tools-missing']);
    }
    await client.put('/api/lab/provider', { kind: 'local', settings });
    await daemon.close();
    daemon = await Daemon.start({ labDir: dir, port: 0, deploy: 'never' });
    client = new DaemonClient(daemon.url, daemon.token);
    const info = await client.get<ProviderInfo>('/api/lab/provider');
    expect(info.kind).toBe('local');
    expect(info.libvirt).toMatchObject(settings);
  });
});

describe('the images', () => {
  it('lists none in a new lab, under the lab directory', async () => {
    const list = await client.get<{ dir: string; images: unknown[] }>('/api/images');
    expect(list).toEqual({ dir: join(dir, 'images'), images: [] });
  });

  it('refuses a build of an unknown role, starting no task', async () => {
    const bad = await refusal(client.post('/api/images/build', { role: 'router' }));
    expect([bad.status, bad.code]).toEqual([400, 'bad-image-build']);
    const badRefresh = await refusal(client.post('/api/images/build', { role: 'pr', refresh: 'yes' }));
    expect([badRefresh.status, badRefresh.code]).toEqual([400, 'bad-image-build']);
    expect(badRefresh.message).toContain('refresh');
    expect(existsSync(join(dir, 'images', 'debian-refresh'))).toBe(false);
    expect((await client.get<{ tasks: unknown[] }>('/api/tasks')).tasks).toEqual([]);
  });
});
