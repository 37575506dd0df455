// The libvirt domain of one lab node: direct kernel boot of the role image
// through a qcow2 overlay on virtio, the serial console logged to a file,
// and either QEMU user-mode networking with loopback port forwards or an
// interface on the lab's NAT network.
//
// User mode goes through <qemu:commandline>: libvirt 9.0 rejects
// <backend type='passt'/>, and its <interface type='user'> cannot set
// hostfwd or restrict. The NIC gets an explicit PCI address (slot 0x10) so
// it never clashes with the slots libvirt assigns to its own devices.
import type { Accelerator } from './accelerator.ts';
import { xmlEscape as x } from './xml-text.ts';

export const SPMS_XML_NAMESPACE = 'https://spms-lab.dev/libvirt/1';

/** A guest port reachable at 127.0.0.1:hostPort on the VM's host. */
export interface PortForward {
  hostPort: number;
  guestPort: number;
}

export type DomainNetwork =
  | {
      mode: 'user';
      forwards: PortForward[];
      /** Whether the guest is kept from reaching anything but its forwards (QEMU's restrict=on). */
      restrict: boolean;
    }
  | { mode: 'nat'; network: string; mac: string };

export interface DomainSpec {
  name: string;
  /** Recorded in the domain's metadata, so that teardown removes only this lab's domains. */
  labId: string;
  nodeId: string;
  accelerator: Accelerator;
  vcpus: number;
  memoryMiB: number;
  kernel: string;
  initrd: string;
  cmdline: string;
  /** The node's qcow2 overlay, and the role image it is backed by. */
  disk: string;
  backingDisk: string;
  serialLog: string;
  network: DomainNetwork;
  /**
   * Run QEMU as this user and leave file ownership alone (no dynamic
   * ownership). Set on a qemu:///system host where the lab's files live in
   * the daemon user's directories: QEMU's usual user could not reach them,
   * and libvirt would chown the shared role image to that user.
   */
  runAs?: { uid: number; gid: number };
}

const NETDEV_ID = 'spmsnet0';

/** The QEMU arguments of user-mode networking. */
export function userNetdevArgs(forwards: PortForward[], restrict: boolean): string[] {
  for (const f of forwards) {
    for (const p of [f.hostPort, f.guestPort]) if (!Number.isInteger(p) || p < 1 || p > 65535) throw new RangeError(`port ${p} is not a TCP port`);
  }
  const netdev = [`user`, `id=${NETDEV_ID}`, `restrict=${restrict ? 'on' : 'off'}`, ...forwards.map((f) => `hostfwd=tcp:127.0.0.1:${f.hostPort}-:${f.guestPort}`)].join(',');
  return ['-netdev', netdev, '-device', `virtio-net-pci,netdev=${NETDEV_ID},bus=pci.0,addr=0x10`];
}

function networkXml(n: DomainNetwork): { devices: string; commandline: string } {
  if (n.mode === 'nat') {
    return {
      devices: `    <interface type='network'>\n      <source network='${x(n.network)}'/>\n      <mac address='${x(n.mac)}'/>\n      <model type='virtio'/>\n    </interface>\n`,
      commandline: '',
    };
  }
  const args = userNetdevArgs(n.forwards, n.restrict)
    .map((a) => `    <qemu:arg value='${x(a)}'/>\n`)
    .join('');
  return { devices: '', commandline: `  <qemu:commandline>\n${args}  </qemu:commandline>\n` };
}

export function domainXml(s: DomainSpec): string {
  if (!Number.isInteger(s.vcpus) || s.vcpus < 1) throw new RangeError(`vcpus must be a positive integer, not ${s.vcpus}`);
  if (!Number.isInteger(s.memoryMiB) || s.memoryMiB < 64) throw new RangeError(`memory must be at least 64 MiB, not ${s.memoryMiB}`);
  const net = networkXml(s.network);
  // TCG's default translation cache makes a 512 MiB guest cost ~850 MB of host memory; 64 MiB keeps it near 400 MB.
  const features = s.accelerator === 'tcg' ? `    <tcg>\n      <tb-cache unit='MiB'>64</tb-cache>\n    </tcg>\n` : '';
  const seclabel = s.runAs === undefined ? '' : `  <seclabel type='static' model='dac' relabel='no'>\n    <label>+${s.runAs.uid}:+${s.runAs.gid}</label>\n  </seclabel>\n`;
  return (
    `<domain type='${s.accelerator === 'kvm' ? 'kvm' : 'qemu'}' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n` +
    `  <name>${x(s.name)}</name>\n` +
    `  <metadata>\n    <spms:node xmlns:spms='${SPMS_XML_NAMESPACE}' lab='${x(s.labId)}' id='${x(s.nodeId)}'/>\n  </metadata>\n` +
    `  <memory unit='MiB'>${s.memoryMiB}</memory>\n` +
    `  <vcpu>${s.vcpus}</vcpu>\n` +
    `  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n    <kernel>${x(s.kernel)}</kernel>\n    <initrd>${x(s.initrd)}</initrd>\n    <cmdline>${x(s.cmdline)}</cmdline>\n  </os>\n` +
    `  <features>\n    <acpi/>\n${features}  </features>\n` +
    (s.accelerator === 'kvm' ? `  <cpu mode='host-passthrough'/>\n` : '') +
    `  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>restart</on_reboot>\n  <on_crash>destroy</on_crash>\n` +
    `  <devices>\n` +
    `    <disk type='file' device='disk'>\n      <driver name='qemu' type='qcow2' discard='unmap'/>\n      <source file='${x(s.disk)}'/>\n` +
    `      <backingStore type='file'>\n        <format type='qcow2'/>\n        <source file='${x(s.backingDisk)}'/>\n        <backingStore/>\n      </backingStore>\n` +
    `      <target dev='vda' bus='virtio'/>\n    </disk>\n` +
    net.devices +
    `    <serial type='file'>\n      <source path='${x(s.serialLog)}'/>\n      <target port='0'/>\n    </serial>\n` +
    // The guest's sshd and TLS keys need entropy early in boot.
    `    <rng model='virtio'>\n      <backend model='random'>/dev/urandom</backend>\n    </rng>\n` +
    `    <memballoon model='none'/>\n` +
    // No USB controller (libvirt adds one by default): nothing in a lab node uses USB, and it is one more device to emulate.
    `    <controller type='usb' model='none'/>\n` +
    `  </devices>\n` +
    seclabel +
    net.commandline +
    `</domain>\n`
  );
}
