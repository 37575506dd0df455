// What this host lacks to build images and boot the lab as VMs: the tools
// the libvirt provider and the image builder run. `scripts/setup.sh --vm`
// installs them on Debian.
import { onPath } from '../on-path.ts';

const TOOLS: [command: string, debianPackage: string][] = [
  ['virsh', 'libvirt-clients'],
  ['libvirtd', 'libvirt-daemon-system'],
  ['qemu-system-x86_64', 'qemu-system-x86'],
  ['qemu-img', 'qemu-utils'],
  ['mmdebstrap', 'mmdebstrap'],
  ['mke2fs', 'e2fsprogs'],
  ['packer', 'packer'],
];

/** One line per missing tool, naming the Debian package that brings it; empty when nothing is missing. */
export function missingVmTools(): string[] {
  // mke2fs and libvirtd live in sbin, which a user's PATH may lack.
  const extra = ['/usr/sbin', '/sbin'];
  return TOOLS.filter(([cmd]) => !onPath(cmd) && !extra.some((d) => onPath(`${d}/${cmd}`))).map(([cmd, pkg]) => `${cmd} is missing (Debian package ${pkg})`);
}
