// What a built role image is, and what a VM provider asks of the image
// builder. Images are booted by direct kernel boot: the disk holds the root
// file system (ext4 on /dev/vda, no partition table), the kernel and initrd
// are files beside it on the host.
//
// The guest contract every role image keeps (vm-images/ implements it, the
// libvirt provider relies on it):
// - SSH as root with the key given on the kernel command line as
//   `spms.ssh=<base64url of one OpenSSH public key line>`, written to
//   /root/.ssh/authorized_keys by a unit that runs before sshd at every boot.
// - Networking by DHCP on the first virtio NIC.
// - /opt/spms/bin/node (the runtime the services are built for) and the
//   service bundle /opt/spms/app/spms.mjs, which takes the same arguments as
//   `spms` on the host (`pr --config FILE`, `pv --config FILE`).
// - The unit spms-node.service runs `spms $SPMS_ROLE --config /etc/spms/node.json`
//   with EnvironmentFile=/etc/spms/node.env; it is installed but not
//   enabled: provisioning writes /etc/spms/ (config, certificates, keys;
//   paths in the config point under /etc/spms/ and /var/lib/spms/) and then
//   runs `systemctl --no-reload enable --now spms-node` (no daemon reload:
//   the unit is in the image). Its output goes to the journal.
import type { TaskHandle } from '../tasks/task-handle.ts';

export type ImageRole = 'pr' | 'pv';

export interface RoleImage {
  role: ImageRole;
  /** Content hash of everything the image was built from (its cache key). */
  id: string;
  /** The root file system, qcow2; VMs use it as a backing file, never write it. */
  disk: string;
  kernel: string;
  initrd: string;
  /** Kernel command line without the per-VM parts (`spms.ssh=`). */
  cmdline: string;
  builtMs: number;
  sizeBytes: number;
}

export interface RoleImages {
  /** The role's image, built (base first) when missing or when its inputs changed; progress and log go to `task`. */
  ensure(role: ImageRole, task: TaskHandle): Promise<RoleImage>;
}
