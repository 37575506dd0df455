// The lab as Terraform input: the topology, the libvirt settings and the role
// images turned into the object `terraform/` takes as terraform.tfvars.json.
// Pure: every choice the HCL would otherwise have to make (host names,
// forwarded ports, NAT addresses, VM sizes, where each PV finds the PR) is
// made here, so the HCL only maps data onto resources and the export can be
// checked without Terraform. The guests' networking is the daemon's libvirt
// provider's (providers/libvirt/guest-network.ts), which was tried on real VMs:
// in NAT mode the nodes take the very addresses the provider gives them.
import { isAbsolute, join } from 'node:path';
import type { ImageRole, RoleImage } from '../images/role-image.ts';
import { GUEST_PORTS, natEndpoints, USER_MODE_HOST_ALIAS, type LabEndpoints } from '../providers/libvirt/guest-network.ts';
import { SubnetError } from '../providers/libvirt/network-xml.ts';
import type { LibvirtSettings } from '../providers/libvirt/libvirt-settings.ts';
import type { Topology, VmSpec } from '../state/topology.ts';

/** Hosts terraform/main.tf has provider slots for (one provider alias and one module each). */
export const MAX_HOSTS = 4;

/** User-mode networking: node n of the topology (PR first) forwards host ports FORWARD_PORT_BASE + 10n + 0 (ssh), 1 (https), 2 (mqtt). */
export const FORWARD_PORT_BASE = 42200;
const FORWARD_OFFSET = { ssh: 0, https: 1, mqtt: 2 } as const satisfies Record<keyof typeof GUEST_PORTS, number>;

/** Kernel command line of a role image not built yet: direct kernel boot of an ext4 root without partition table. */
const EXPECTED_CMDLINE = 'root=/dev/vda rw console=ttyS0';

export interface TerraformImage {
  disk: string;
  kernel: string;
  initrd: string;
  cmdline: string;
}

export interface TerraformHostForward {
  name: keyof typeof GUEST_PORTS;
  host_address: string;
  host_port: number;
  guest_port: number;
}

export interface TerraformNode {
  role: ImageRole;
  /** A key of `hosts`. */
  host: string;
  vcpus: number;
  memory_mib: number;
  disk_gib: number;
  /** NAT mode: the node's fixed IPv4 address in the lab subnet; "" in user mode. */
  address: string;
  /** The ports its services listen on inside the VM, by name. */
  guest_ports: Partial<Record<keyof typeof GUEST_PORTS, number>>;
  host_forwards: TerraformHostForward[];
  /**
   * User mode: QEMU's restrict=on, which keeps the guest from reaching
   * anything but its forwards. The PR keeps it; a PV must open connections
   * to the PR and runs unrestricted, as the daemon's libvirt provider does.
   * False in NAT mode, where it is not used.
   */
  restrict: boolean;
  /** PVs: the PR as the VM reaches it, the `pr` of the PV's configuration; {} for the PR. */
  pr_from_guest: LabEndpoints['prForGuests'] | Record<string, never>;
}

/** terraform.tfvars.json: one property per variable of terraform/variables.tf. */
export interface TerraformVars {
  lab_name: string;
  hosts: Record<string, string>;
  accelerator: 'kvm' | 'tcg';
  network: { mode: 'user' | 'nat'; name: string; subnet: string };
  pool: { name: string; path: string };
  images: Record<ImageRole, TerraformImage>;
  ssh_public_key: string;
  nodes: Record<string, TerraformNode>;
}

export interface TerraformExport {
  tfvars: TerraformVars;
  /** What the user should know before applying (images not built yet, defaults chosen, limits). */
  notes: string[];
}

export interface TerraformExportInput {
  topology: Topology;
  settings: LibvirtSettings;
  labDir: string;
  /** Built role images; a missing role is exported with placeholder paths (and a note). */
  images?: Partial<Record<ImageRole, RoleImage>>;
  /** One OpenSSH public key line the VMs accept for root; "" or absent leaves it for the user to set. */
  sshPublicKey?: string;
  /** The accelerator a probe chose on this host, used when the settings say "auto". */
  probedAccelerator?: 'kvm' | 'tcg';
  /** How other hosts reach this one, for hosts whose URI names no host (qemu:///system). */
  localHost: string;
}

export class TerraformExportError extends Error {
  constructor(
    readonly code: 'too-many-hosts' | 'subnet-too-small' | 'subnet-invalid' | 'image-path-relative' | 'ssh-key-invalid',
    message: string,
  ) {
    super(message);
    this.name = 'TerraformExportError';
  }
}

const SSH_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,2}( [^\r\n]*)?$/;

/** The host part of a libvirt URI ("" for a local one such as qemu:///system). */
export function uriHost(uri: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^/:?]*)/i.exec(uri);
  return m?.[1] ?? '';
}

/** A host name or address as the host part of a URL (an IPv6 address in brackets). */
function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Terraform-friendly names for the lab's hosts, default host first, then in topology order. */
function nameHosts(uris: string[]): Map<string, string> {
  const names = new Map<string, string>();
  const used = new Set<string>();
  for (const uri of uris) {
    if (names.has(uri)) continue;
    const host = uriHost(uri).replace(/^\[|\]$/g, '');
    const base =
      host === ''
        ? 'local'
        : host
            .toLowerCase()
            .replace(/[^a-z0-9-]+/g, '-')
            .replace(/^-+|-+$/g, '') || 'host';
    let name = /^[a-z]/.test(base) ? base : `h-${base}`;
    for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
    used.add(name);
    names.set(uri, name);
  }
  return names;
}

/**
 * NAT mode: each node's address, as the daemon's libvirt provider gives it
 * (the gateway at .1, the nodes from .2 in topology order, PR first).
 */
function natAddresses(nodes: { id: string; role: ImageRole }[], network: LibvirtSettings['network']): Map<string, string> {
  let lab: LabEndpoints;
  try {
    // The lab id only names the provider's MAC addresses, which Terraform chooses itself.
    lab = natEndpoints(nodes, network, 'terraform');
  } catch (e) {
    if (e instanceof SubnetError)
      throw new TerraformExportError(e.reason === 'too-small' ? 'subnet-too-small' : 'subnet-invalid', e.reason === 'too-small' ? `${e.message}: choose a larger subnet` : e.message);
    throw e;
  }
  return new Map([...lab.nodes].map(([id, ends]) => [id, ends.ssh.host]));
}

function image(role: ImageRole, built: RoleImage | undefined, labDir: string): TerraformImage {
  if (built === undefined) {
    const dir = join(labDir, 'images', `${role}-not-built`);
    return { disk: join(dir, 'disk.qcow2'), kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.img'), cmdline: EXPECTED_CMDLINE };
  }
  for (const [what, path] of [
    ['disk', built.disk],
    ['kernel', built.kernel],
    ['initrd', built.initrd],
  ] as const) {
    if (!isAbsolute(path)) throw new TerraformExportError('image-path-relative', `the ${role} image's ${what} path "${path}" is not absolute`);
  }
  return { disk: built.disk, kernel: built.kernel, initrd: built.initrd, cmdline: built.cmdline };
}

/** The tfvars object describing the lab, and what the user should know about it. */
export function terraformVars(input: TerraformExportInput): TerraformExport {
  const { topology, settings } = input;
  const notes: string[] = [];
  const nodes: { id: string; role: ImageRole; vm: VmSpec | undefined }[] = [
    { id: topology.pr.id, role: 'pr', vm: topology.pr.vm },
    ...topology.pvs.map((pv) => ({ id: pv.id, role: 'pv' as const, vm: pv.vm })),
  ];

  const uriOf = (vm: VmSpec | undefined): string => vm?.host ?? settings.uri;
  // Only hosts some node runs on are hosts of the lab; the default one first.
  const usedUris = new Set(nodes.map((n) => uriOf(n.vm)));
  const hostNames = nameHosts([settings.uri, ...nodes.map((n) => uriOf(n.vm))].filter((u) => usedUris.has(u)));
  const hosts = Object.fromEntries([...hostNames].map(([uri, name]) => [name, uri]));
  if (Object.keys(hosts).length > MAX_HOSTS) {
    throw new TerraformExportError('too-many-hosts', `the topology spreads over ${Object.keys(hosts).length} hosts; terraform/ has slots for ${MAX_HOSTS} (see terraform/README.md to add more)`);
  }
  const hostOf = (vm: VmSpec | undefined): string => hostNames.get(uriOf(vm)) ?? 'local';
  const multiHost = Object.keys(hosts).length > 1;

  const key = (input.sshPublicKey ?? '').trim();
  if (key !== '' && !SSH_KEY.test(key)) throw new TerraformExportError('ssh-key-invalid', 'the SSH public key is not one OpenSSH public key line (e.g. "ssh-ed25519 AAAA… comment")');
  if (key === '') notes.push('no SSH public key: set ssh_public_key in the file (or -var ssh_public_key=…) before applying');

  let accelerator: 'kvm' | 'tcg';
  if (settings.accelerator !== 'auto') accelerator = settings.accelerator;
  else if (input.probedAccelerator !== undefined && Object.values(hosts).every((uri) => uriHost(uri) === '')) {
    accelerator = input.probedAccelerator;
    notes.push(`accelerator "auto" exported as ${accelerator}, as probed on this host`);
  } else {
    accelerator = 'tcg';
    notes.push('accelerator "auto" exported as tcg (works on every host); set accelerator to "kvm" where hardware virtualisation works');
  }

  const missing = (['pr', 'pv'] as const).filter((r) => input.images?.[r] === undefined);
  if (missing.length > 0) {
    notes.push(
      `${missing.join(' and ')} image${missing.length > 1 ? 's' : ''} not built yet: the file holds placeholder paths under ${join(input.labDir, 'images')}; run "spms images build", then export again`,
    );
  }
  const images = { pr: image('pr', input.images?.pr, input.labDir), pv: image('pv', input.images?.pv, input.labDir) };

  const mode = settings.network.mode;
  const prHost = hostOf(topology.pr.vm);
  const prUri = uriOf(topology.pr.vm);
  // In user mode a PV on another host reaches the PR's forwards over that host's network.
  const prReachedRemotely = mode === 'user' && nodes.some((n) => n.role === 'pv' && hostOf(n.vm) !== prHost);
  const prTarget = uriHost(prUri).replace(/^\[|\]$/g, '') || input.localHost;
  if (prReachedRemotely) {
    notes.push(`PVs on other hosts reach the PR at ${prTarget}: its https and mqtt forwards listen on every interface of that host, and its certificate must name ${prTarget}`);
  }
  if (mode === 'nat' && multiHost)
    notes.push('NAT mode on several hosts: each host gets its own NAT network, so nodes on different hosts reach each other only if you route between the hosts\u2019 networks');

  const addresses = mode === 'nat' ? natAddresses(nodes, settings.network) : new Map<string, string>();
  const natAddress = (id: string): string => addresses.get(id) ?? '';
  const forwardPort = (i: number, name: keyof typeof GUEST_PORTS): number => FORWARD_PORT_BASE + 10 * i + FORWARD_OFFSET[name];
  // User mode: a PV on the PR's host reaches its forwards at the host's loopback
  // as the guest sees it (10.0.2.2); one on another host, at that host's name.
  // NAT mode: the PR's own address and ports. The PR is node 0.
  const prFromGuest = (host: string): LabEndpoints['prForGuests'] => {
    const [at, https, mqtt] =
      mode === 'nat'
        ? [natAddress(topology.pr.id), GUEST_PORTS.https, GUEST_PORTS.mqtt]
        : [host === prHost ? USER_MODE_HOST_ALIAS : urlHost(prTarget), forwardPort(0, 'https'), forwardPort(0, 'mqtt')];
    return { url: `https://${at}:${https}`, mqttUrl: `mqtts://${at}:${mqtt}` };
  };
  const out: Record<string, TerraformNode> = {};
  nodes.forEach((n, i) => {
    const host = hostOf(n.vm);
    const forward = (name: keyof typeof GUEST_PORTS, hostAddress: string): TerraformHostForward => ({
      name,
      host_address: hostAddress,
      host_port: forwardPort(i, name),
      guest_port: GUEST_PORTS[name],
    });
    const prBind = prReachedRemotely ? '0.0.0.0' : '127.0.0.1';
    const hostForwards =
      mode !== 'user' ? [] : n.role === 'pr' ? [forward('ssh', '127.0.0.1'), forward('https', prBind), forward('mqtt', prBind)] : [forward('ssh', '127.0.0.1'), forward('https', '127.0.0.1')];
    out[n.id] = {
      role: n.role,
      host,
      vcpus: n.vm?.vcpus ?? settings.defaults.vcpus,
      memory_mib: n.vm?.memoryMiB ?? settings.defaults.memoryMiB,
      disk_gib: n.vm?.diskGiB ?? settings.defaults.diskGiB,
      address: natAddress(n.id),
      guest_ports: n.role === 'pr' ? { ...GUEST_PORTS } : { ssh: GUEST_PORTS.ssh, https: GUEST_PORTS.https },
      host_forwards: hostForwards,
      restrict: mode === 'user' && n.role === 'pr',
      pr_from_guest: n.role === 'pv' ? prFromGuest(host) : {},
    };
  });

  return {
    tfvars: {
      lab_name: `${settings.pool}-tf`,
      hosts,
      accelerator,
      network: { mode, name: `${settings.network.name}-tf`, subnet: settings.network.subnet },
      pool: { name: `${settings.pool}-tf`, path: `/var/lib/libvirt/images/${settings.pool}-tf` },
      images,
      ssh_public_key: key,
      nodes: out,
    },
    notes,
  };
}
