import { describe, expect, it } from 'vitest';
import { acceleratorForHost, chooseAccelerator, isLocalUri, readHostVirtFacts, type HostVirtFacts } from './accelerator.ts';

const kvmHost: HostVirtFacts = { cpuFlags: new Set(['fpu', 'vmx', 'sse2']), modules: ['kvm_intel', 'kvm'], devKvm: true };

describe('chooseAccelerator', () => {
  it('takes KVM on a host with vmx, /dev/kvm and no PVM', () => {
    expect(chooseAccelerator('auto', kvmHost)).toEqual({ accelerator: 'kvm', reason: expect.stringContaining('vmx') as string });
    expect(chooseAccelerator('auto', { ...kvmHost, cpuFlags: new Set(['svm']) }).accelerator).toBe('kvm');
  });

  it('falls back to TCG when kvm_pvm is loaded, even with the flags', () => {
    const c = chooseAccelerator('auto', { ...kvmHost, modules: ['kvm_pvm', 'kvm'] });
    expect(c.accelerator).toBe('tcg');
    expect(c.reason).toContain('kvm_pvm');
  });

  it('falls back to TCG without vmx/svm, without /dev/kvm, or with unknown flags', () => {
    expect(chooseAccelerator('auto', { ...kvmHost, cpuFlags: new Set(['fpu']) }).reason).toMatch(/neither the vmx nor the svm/);
    expect(chooseAccelerator('auto', { ...kvmHost, devKvm: false }).reason).toMatch(/\/dev\/kvm is missing/);
    expect(chooseAccelerator('auto', { ...kvmHost, cpuFlags: undefined }).reason).toMatch(/unknown/);
  });

  it('honours an explicit setting and says when the probe disagrees', () => {
    expect(chooseAccelerator('tcg', kvmHost)).toEqual({ accelerator: 'tcg', reason: 'TCG set in the provider settings' });
    const forced = chooseAccelerator('kvm', { ...kvmHost, modules: ['kvm_pvm'] });
    expect(forced.accelerator).toBe('kvm');
    expect(forced.reason).toContain('kvm_pvm');
  });

  it('says TCG on this host, naming kvm_pvm or the missing flags', () => {
    const c = chooseAccelerator('auto', readHostVirtFacts());
    expect(c.accelerator).toBe('tcg');
    expect(c.reason).toMatch(/kvm_pvm|neither the vmx nor the svm/);
  });
});

describe('acceleratorForHost', () => {
  it('probes this host and does not probe remote hosts', () => {
    expect(acceleratorForHost('auto', 'qemu:///system').accelerator).toBe('tcg');
    expect(isLocalUri('qemu:///system')).toBe(true);
    expect(isLocalUri('qemu+ssh://lab2/system')).toBe(false);
    expect(acceleratorForHost('auto', 'qemu+ssh://lab2/system')).toEqual({ accelerator: 'tcg', reason: expect.stringContaining('remote host') as string });
    expect(acceleratorForHost('kvm', 'qemu+ssh://lab2/system').accelerator).toBe('kvm');
  });
});
