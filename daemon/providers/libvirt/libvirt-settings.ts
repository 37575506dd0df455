// The libvirt provider's settings, as kept in the lab state
// (provider.settings) and edited through the API: where the VMs run, how
// they are networked, which accelerator, and the VM size every node gets
// unless its topology entry says otherwise (topology pr.vm / pvs[i].vm).
import { z } from 'zod';

export const libvirtSettingsSchema = z
  .object({
    /** Default host of every VM; a node's topology `vm.host` overrides it. */
    uri: z.string().min(1).max(512).default('qemu:///system'),
    network: z
      .object({
        /**
         * user: QEMU user-mode networking, each node's ports forwarded to
         * 127.0.0.1 (rootless-friendly; the guest reaches nothing else).
         * nat: a libvirt NAT network the lab creates, VMs addressable from each other.
         */
        mode: z.enum(['user', 'nat']).default('user'),
        /** NAT mode: the network's name and IPv4 subnet (prefix length 8–29). */
        name: z
          .string()
          .regex(/^[A-Za-z0-9_.-]{1,48}$/)
          .default('spms-lab'),
        subnet: z
          .string()
          .regex(/^\d{1,3}(\.\d{1,3}){3}\/(8|9|[12]\d)$/, 'must be an IPv4 subnet such as 10.20.3.0/24')
          .default('10.20.3.0/24'),
      })
      .strict()
      .default({ mode: 'user', name: 'spms-lab', subnet: '10.20.3.0/24' }),
    /** auto: KVM when a real probe says it can run a Linux guest, else TCG. */
    accelerator: z.enum(['auto', 'kvm', 'tcg']).default('auto'),
    /** VM size for nodes whose topology entry does not set it. */
    defaults: z
      .object({
        vcpus: z.number().int().min(1).max(64).default(1),
        memoryMiB: z.number().int().min(256).max(262_144).default(768),
        diskGiB: z.number().int().min(2).max(2048).default(4),
      })
      .strict()
      .default({ vcpus: 1, memoryMiB: 768, diskGiB: 4 }),
    /** libvirt storage pool the lab's volumes go into (created under the lab directory when missing). */
    pool: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,48}$/)
      .default('spms-lab'),
  })
  .strict();

export type LibvirtSettings = z.infer<typeof libvirtSettingsSchema>;

export class LibvirtSettingsError extends Error {
  readonly code = 'provider-settings-invalid';
  constructor(message: string) {
    super(message);
    this.name = 'LibvirtSettingsError';
  }
}

export function parseLibvirtSettings(raw: unknown): LibvirtSettings {
  const r = libvirtSettingsSchema.safeParse(raw ?? {});
  if (!r.success) throw new LibvirtSettingsError(`invalid libvirt settings: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}
