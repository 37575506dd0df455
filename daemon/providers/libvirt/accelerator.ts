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
 * What a remote host's libvirt says of it (`virsh capabilities`): the host
 * CPU's features, and whether it offers KVM domains. Its loaded modules are
 * not in there, so a PVM host is told apart only by its CPU, which lacks vmx
 * and svm.
 */
export function virtFactsFromCapabilities(xml: string): HostVirtFacts {
  const host = /<host>([\s\S]*?)<\/host>/.exec(xml)?.[1];
  const cpu = host === undefined ? undefined : /<cpu>([\s\S]*?)<\/cpu>/.exec(host)?.[1];
  return {
    cpuFlags: cpu === undefined ? undefined : new Set([...cpu.matchAll(/<feature\s+name=['"]([^'"]+)['"]/g)].map((m) => m[1] ?? '')),
    modules: undefined,
    devKvm: /<domain\s+type=['"]kvm['"]/.test(xml),
  };
}

/**
 * The accelerator for VMs on the libvirt host `uri`. This machine is probed
 * directly; a remote host only through `remoteFacts` (from its libvirt
 * capabilities), never through this machine's /proc or /dev/kvm. Without
 * them a remote host gets TCG under `auto`.
 */
export function acceleratorForHost(setting: AcceleratorSetting, uri: string, remoteFacts?: HostVirtFacts): AcceleratorChoice {
  if (isLocalUri(uri)) return chooseAccelerator(setting);
  const host = hostLabel(uri);
  if (setting !== 'auto') return { accelerator: setting, reason: `${setting === 'kvm' ? 'KVM' : 'TCG'} set in the provider settings (remote host ${host})` };
  if (remoteFacts === undefined) return { accelerator: 'tcg', reason: `TCG because ${host} is a remote host whose capabilities could not be read (set the accelerator to kvm to use KVM there)` };
  const flags = remoteFacts.cpuFlags;
  const vendor = flags?.has('vmx') === true ? 'vmx' : flags?.has('svm') === true ? 'svm' : undefined;
  if (vendor !== undefined && remoteFacts.devKvm) return { accelerator: 'kvm', reason: `KVM on ${host}: its CPU has ${vendor} and its libvirt offers KVM domains` };
  const why =
    flags === undefined ? 'its capabilities name no host CPU' : vendor === undefined ? 'its CPU has neither vmx nor svm (no hardware virtualisation, or PVM)' : 'its libvirt offers no KVM domains';
  return { accelerator: 'tcg', reason: `TCG on ${host} because ${why}` };
}

/**
 * Whether a libvirt URI names this machine: no host part, so libvirt
 * connects through a local socket and the VMs see this machine's files. A
 * URI with a host (even localhost or 127.0.0.1, which may be a tunnel to
 * another machine) is remote: the role images are uploaded there.
 */
export function isLocalUri(uri: string): boolean {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?]*)/.exec(uri);
  return (m?.[1] ?? '') === '';
}

/** A libvirt URI as the UI shows it: without its query, which may hold key paths and socket names. */
export function hostLabel(uri: string): string {
  return uri.split('?')[0] ?? uri;
}
