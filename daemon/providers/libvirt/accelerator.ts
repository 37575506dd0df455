// Which accelerator the lab's VMs get. KVM only when the host can really run
// a Linux guest with it: the CPU must offer hardware virtualisation (vmx or
// svm) and /dev/kvm must not be PVM (the kvm_pvm module, nested
// virtualisation without VMX/SVM, where SeaBIOS runs but a Linux guest dies
// early with an emulation failure). Otherwise TCG, QEMU's translator.
import { existsSync, readFileSync } from 'node:fs';

export type Accelerator = 'kvm' | 'tcg';
export type AcceleratorSetting = 'auto' | Accelerator;

export interface AcceleratorChoice {
  accelerator: Accelerator;
  /** Why, in words the UI shows beside the choice. */
  reason: string;
}

/** What the probe looks at; `undefined` where the host does not say. */
export interface HostVirtFacts {
  /** Flags of the first CPU in /proc/cpuinfo. */
  cpuFlags: ReadonlySet<string> | undefined;
  /** Loaded kernel modules (/proc/modules). */
  modules: readonly string[] | undefined;
  devKvm: boolean;
}

/** Why KVM cannot run a Linux guest here, or undefined when it can. */
function kvmUnusable(facts: HostVirtFacts): string | undefined {
  if (facts.modules?.includes('kvm_pvm') === true) return 'the kvm_pvm module is loaded (/dev/kvm is PVM, which cannot run a Linux guest)';
  if (facts.cpuFlags === undefined) return 'the CPU flags are unknown (/proc/cpuinfo unreadable)';
  if (!facts.cpuFlags.has('vmx') && !facts.cpuFlags.has('svm')) return 'the CPU has neither the vmx nor the svm flag (no hardware virtualisation)';
  if (!facts.devKvm) return '/dev/kvm is missing';
  return undefined;
}

/** The choice for this host: `facts` default to a probe of it. */
export function chooseAccelerator(setting: AcceleratorSetting, facts: HostVirtFacts = readHostVirtFacts()): AcceleratorChoice {
  const unusable = kvmUnusable(facts);
  if (setting === 'tcg') return { accelerator: 'tcg', reason: 'TCG set in the provider settings' };
  if (setting === 'kvm') return { accelerator: 'kvm', reason: `KVM set in the provider settings${unusable === undefined ? '' : `, although ${unusable}`}` };
  if (unusable !== undefined) return { accelerator: 'tcg', reason: `TCG because ${unusable}` };
  const vendor = facts.cpuFlags?.has('vmx') === true ? 'vmx' : 'svm';
  return { accelerator: 'kvm', reason: `KVM: the CPU has ${vendor}, /dev/kvm is present and is not PVM` };
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function readHostVirtFacts(): HostVirtFacts {
  const cpuinfo = readOrUndefined('/proc/cpuinfo');
  const flagsLine = cpuinfo?.split('\n').find((l) => /^flags\s*:/.test(l));
  const modules = readOrUndefined('/proc/modules');
  return {
    cpuFlags:
      flagsLine === undefined
        ? undefined
        : new Set(
            flagsLine
              .slice(flagsLine.indexOf(':') + 1)
              .trim()
              .split(/\s+/),
          ),
    modules: modules?.split('\n').flatMap((l) => (l === '' ? [] : [l.split(' ')[0] ?? ''])),
    devKvm: existsSync('/dev/kvm'),
  };
}

/**
 * The accelerator for VMs on the libvirt host `uri`. Only this machine can be
 * probed; a remote host gets TCG under `auto`, since nothing here can tell
 * whether its KVM runs Linux guests.
 */
export function acceleratorForHost(setting: AcceleratorSetting, uri: string): AcceleratorChoice {
  if (isLocalUri(uri)) return chooseAccelerator(setting);
  if (setting !== 'auto') return { accelerator: setting, reason: `${setting === 'kvm' ? 'KVM' : 'TCG'} set in the provider settings (remote host ${uri})` };
  return { accelerator: 'tcg', reason: `TCG because ${uri} is a remote host that cannot be probed from here (set the accelerator to kvm to use KVM there)` };
}

/** Whether a libvirt URI names this machine (no host part, or localhost). */
export function isLocalUri(uri: string): boolean {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?]*)/.exec(uri);
  const host = m?.[1] ?? '';
  return host === '' || host === 'localhost' || host === '127.0.0.1';
}
