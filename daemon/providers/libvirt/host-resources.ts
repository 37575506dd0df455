// Whether the lab's VMs fit this host: their memory against what the host
// has available, their vCPUs against its cores. Overcommit is allowed (the
// lab still deploys), but it is said in the plan and in the deploy's log,
// because it is the usual reason for slow boots and OOM-killed VMs.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Accelerator } from './accelerator.ts';

export interface HostResources {
  /** MemAvailable of /proc/meminfo; undefined where it cannot be read. */
  memAvailableMiB: number | undefined;
  cores: number;
}

export interface VmSize {
  id: string;
  vcpus: number;
  memoryMiB: number;
}

/** What QEMU adds to a guest's memory under TCG: its translation cache (set to 64 MiB in the domain XML). */
const TCG_CACHE_MIB = 64;

export function readHostResources(): HostResources {
  let memAvailableMiB: number | undefined;
  try {
    const m = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m !== null) memAvailableMiB = Math.floor(Number(m[1]) / 1024);
  } catch {
    memAvailableMiB = undefined;
  }
  return { memAvailableMiB, cores: availableParallelism() };
}

export function overcommitWarnings(vms: VmSize[], host: HostResources, accelerator: Accelerator): string[] {
  const warnings: string[] = [];
  const memory = vms.reduce((sum, vm) => sum + vm.memoryMiB + (accelerator === 'tcg' ? TCG_CACHE_MIB : 0), 0);
  if (host.memAvailableMiB !== undefined && memory > host.memAvailableMiB) {
    warnings.push(`memory overcommit: the ${vms.length} VMs may use ${memory} MiB${accelerator === 'tcg' ? ' (with the TCG caches)' : ''}, the host has ${host.memAvailableMiB} MiB available`);
  }
  const vcpus = vms.reduce((sum, vm) => sum + vm.vcpus, 0);
  if (vcpus > host.cores) warnings.push(`CPU overcommit: ${vcpus} vCPUs on ${host.cores} host cores; the VMs share them and boot more slowly`);
  return warnings;
}
