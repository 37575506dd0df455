// The Terraform export of a topology: hosts, sizes, forwards and addresses
// for a one-host lab, a lab spread over several hosts and a NAT lab, and a
// clear error for every lab terraform/ cannot describe.
import { describe, expect, it } from 'vitest';
import type { RoleImage } from '../images/role-image.ts';
import { natEndpoints, userModeEndpoints } from '../providers/libvirt/guest-network.ts';
import { parseLibvirtSettings } from '../providers/libvirt/libvirt-settings.ts';
import type { VmPorts } from '../providers/libvirt/vm-ports.ts';
import { defaultTopology, type Topology } from '../state/topology.ts';
import { TerraformExportError, terraformVars, uriHost, type TerraformExportInput } from './terraform-vars.ts';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHn3cRQ9tq0ZGh1v0x3eYbMNbz1fhb3+T1r2wq9V0p3K spms-lab';

function input(over: Partial<TerraformExportInput> = {}): TerraformExportInput {
  return { topology: defaultTopology(), settings: parseLibvirtSettings({}), labDir: '/labs/a', sshPublicKey: KEY, localHost: 'ws1', ...over };
}

function spread(hosts: (string | undefined)[]): Topology {
  const t = defaultTopology();
  t.pr.vm = hosts[0] === undefined ? undefined : { host: hosts[0] };
  t.pvs.forEach((pv, i) => {
    const h = hosts[i + 1];
    if (h !== undefined) pv.vm = { host: h };
  });
  return t;
}

function errorOf(f: () => unknown): TerraformExportError {
  try {
    f();
  } catch (e) {
    if (e instanceof TerraformExportError) return e;
    throw e;
  }
  throw new Error('no error');
}

const image = (role: 'pr' | 'pv', dir: string): RoleImage => ({
  role,
  id: '0123456789abcdef',
  disk: `${dir}/disk.qcow2`,
  kernel: `${dir}/vmlinuz`,
  initrd: `${dir}/initrd.img`,
  cmdline: 'root=/dev/vda rw console=ttyS0 quiet',
  builtMs: 1,
  sizeBytes: 2,
});

describe('terraformVars', () => {
  it('describes the default lab on this host with user-mode forwards', () => {
    const { tfvars, notes } = terraformVars(input());
    expect(tfvars.hosts).toEqual({ local: 'qemu:///system' });
    expect(tfvars.lab_name).toBe('spms-lab-tf');
    expect(tfvars.network).toEqual({ mode: 'user', name: 'spms-lab-tf', subnet: '10.20.3.0/24' });
    expect(tfvars.pool).toEqual({ name: 'spms-lab-tf', path: '/var/lib/libvirt/images/spms-lab-tf' });
    expect(tfvars.accelerator).toBe('tcg');
    expect(tfvars.ssh_public_key).toBe(KEY);
    expect(Object.keys(tfvars.nodes)).toEqual(['PR', 'PV1', 'PV2', 'PV3']);
    expect(tfvars.nodes.PR).toEqual({
      role: 'pr',
      host: 'local',
      vcpus: 1,
      memory_mib: 768,
      disk_gib: 4,
      address: '',
      guest_ports: { ssh: 22, https: 8443, mqtt: 8883 },
      host_forwards: [
        { name: 'ssh', host_address: '127.0.0.1', host_port: 42200, guest_port: 22 },
        { name: 'https', host_address: '127.0.0.1', host_port: 42201, guest_port: 8443 },
        { name: 'mqtt', host_address: '127.0.0.1', host_port: 42202, guest_port: 8883 },
      ],
      restrict: true,
      pr_from_guest: {},
    });
    expect(tfvars.nodes.PV3).toEqual({
      role: 'pv',
      host: 'local',
      vcpus: 1,
      memory_mib: 768,
      disk_gib: 4,
      address: '',
      guest_ports: { ssh: 22, https: 8443 },
      host_forwards: [
        { name: 'ssh', host_address: '127.0.0.1', host_port: 42230, guest_port: 22 },
        { name: 'https', host_address: '127.0.0.1', host_port: 42231, guest_port: 8443 },
      ],
      // Unrestricted, to reach the PR's forwards at the host's loopback as the guest sees it.
      restrict: false,
      pr_from_guest: { url: 'https://10.0.2.2:42201', mqttUrl: 'mqtts://10.0.2.2:42202' },
    });
    // Images not built: placeholders, and the notes say so (and why the accelerator is TCG).
    expect(tfvars.images.pr).toEqual({
      disk: '/labs/a/images/pr-not-built/disk.qcow2',
      kernel: '/labs/a/images/pr-not-built/vmlinuz',
      initrd: '/labs/a/images/pr-not-built/initrd.img',
      cmdline: 'root=/dev/vda rw console=ttyS0',
    });
    expect(notes.join('\n')).toMatch(/pr and pv images not built yet.*spms images build/);
    expect(notes.join('\n')).toMatch(/accelerator "auto" exported as tcg/);
  });

  it('networks a one-host lab the way the libvirt provider networks its VMs', () => {
    const { tfvars } = terraformVars(input());
    const nodes = Object.entries(tfvars.nodes).map(([id, n]) => ({ id, role: n.role }));
    // The provider's endpoints for the same host ports the export forwards.
    const ports = new Map<string, VmPorts>(
      Object.entries(tfvars.nodes).map(([id, n]) => {
        const port = (name: string): number | undefined => n.host_forwards.find((f) => f.name === name)?.host_port;
        const mqtt = port('mqtt');
        return [id, { ssh: port('ssh') ?? 0, https: port('https') ?? 0, ...(mqtt === undefined ? {} : { mqtt }) }];
      }),
    );
    const provider = userModeEndpoints(nodes, ports);
    for (const [id, n] of Object.entries(tfvars.nodes)) {
      const network = provider.nodes.get(id)?.network;
      if (network?.mode !== 'user') throw new Error(`no user-mode network for ${id}`);
      expect(n.restrict, id).toBe(network.restrict);
      expect(
        n.host_forwards.map((f) => ({ hostPort: f.host_port, guestPort: f.guest_port })),
        id,
      ).toEqual(network.forwards);
      expect(n.pr_from_guest, id).toEqual(n.role === 'pv' ? provider.prForGuests : {});
    }
  });

  it('spreads a lab over several hosts, naming them after their URIs', () => {
    const t = spread([undefined, 'qemu+ssh://root@lab2/system', 'qemu+ssh://lab3.example.org:2222/system', undefined]);
    const pv2 = t.pvs[1];
    if (pv2?.vm === undefined) throw new Error('fixture');
    pv2.vm = { ...pv2.vm, vcpus: 4, memoryMiB: 1024, diskGiB: 8 };
    const { tfvars, notes } = terraformVars(input({ topology: t, settings: parseLibvirtSettings({ defaults: { vcpus: 1, memoryMiB: 512, diskGiB: 3 } }) }));
    expect(tfvars.hosts).toEqual({ local: 'qemu:///system', lab2: 'qemu+ssh://root@lab2/system', 'lab3-example-org': 'qemu+ssh://lab3.example.org:2222/system' });
    expect(Object.fromEntries(Object.entries(tfvars.nodes).map(([id, n]) => [id, [n.host, n.vcpus, n.memory_mib, n.disk_gib]]))).toEqual({
      PR: ['local', 1, 512, 3],
      PV1: ['lab2', 1, 512, 3],
      PV2: ['lab3-example-org', 4, 1024, 8],
      PV3: ['local', 1, 512, 3],
    });
    // PVs on other hosts reach the PR's forwards through this host's name; the PR's listen everywhere.
    expect(tfvars.nodes.PR?.host_forwards.map((f) => `${f.name} ${f.host_address}`)).toEqual(['ssh 127.0.0.1', 'https 0.0.0.0', 'mqtt 0.0.0.0']);
    expect(tfvars.nodes.PV1?.pr_from_guest).toEqual({ url: 'https://ws1:42201', mqttUrl: 'mqtts://ws1:42202' });
    expect(tfvars.nodes.PV3?.pr_from_guest).toEqual({ url: 'https://10.0.2.2:42201', mqttUrl: 'mqtts://10.0.2.2:42202' });
    expect(notes.join('\n')).toMatch(/PVs on other hosts reach the PR at ws1: .* its certificate must name ws1/);
  });

  it('points PVs at the PR host named in its URI, and leaves out a default host no node uses', () => {
    const { tfvars } = terraformVars(input({ topology: spread(['qemu+ssh://lab2/system', 'qemu+ssh://lab2/system', 'qemu+ssh://lab2/system', 'qemu+ssh://lab2/system']) }));
    expect(tfvars.hosts).toEqual({ lab2: 'qemu+ssh://lab2/system' });
    expect(tfvars.nodes.PV1?.pr_from_guest.url).toBe('https://10.0.2.2:42201');
    const remotePr = terraformVars(input({ topology: spread(['qemu+ssh://lab2/system']) })).tfvars;
    expect(remotePr.hosts).toEqual({ local: 'qemu:///system', lab2: 'qemu+ssh://lab2/system' });
    expect(remotePr.nodes.PV2?.pr_from_guest).toEqual({ url: 'https://lab2:42201', mqttUrl: 'mqtts://lab2:42202' });
    // An IPv6 host goes into the URLs in brackets.
    const v6 = terraformVars(input({ topology: spread(['qemu+ssh://[fd00::2]/system']) })).tfvars;
    expect(v6.nodes.PV1?.pr_from_guest.url).toBe('https://[fd00::2]:42201');
  });

  it('keeps host names apart when two URIs name the same host', () => {
    const { tfvars } = terraformVars(input({ topology: spread([undefined, 'qemu:///session', 'qemu+tcp://lab2/system', 'qemu+ssh://lab2/system']) }));
    expect(tfvars.hosts).toEqual({ local: 'qemu:///system', 'local-2': 'qemu:///session', lab2: 'qemu+tcp://lab2/system', 'lab2-2': 'qemu+ssh://lab2/system' });
  });

  it('gives each node its address in the NAT subnet and no forwards', () => {
    const settings = parseLibvirtSettings({ network: { mode: 'nat', name: 'labnet', subnet: '192.168.77.0/24' } });
    const { tfvars } = terraformVars(input({ settings }));
    expect(tfvars.network).toEqual({ mode: 'nat', name: 'labnet-tf', subnet: '192.168.77.0/24' });
    expect(Object.values(tfvars.nodes).map((n) => n.address)).toEqual(['192.168.77.2', '192.168.77.3', '192.168.77.4', '192.168.77.5']);
    expect(Object.values(tfvars.nodes).every((n) => n.host_forwards.length === 0 && !n.restrict)).toBe(true);
    // PVs reach the PR directly, at its address and guest ports.
    expect(tfvars.nodes.PV2?.pr_from_guest).toEqual({ url: 'https://192.168.77.2:8443', mqttUrl: 'mqtts://192.168.77.2:8883' });
    // The addresses are the ones the daemon's libvirt provider gives the same lab (and puts in the certificates).
    const t = defaultTopology();
    const provider = natEndpoints([{ id: t.pr.id, role: 'pr' }, ...t.pvs.map((pv) => ({ id: pv.id, role: 'pv' as const }))], settings.network, 'any-lab');
    for (const [id, ends] of provider.nodes) expect(tfvars.nodes[id]?.address).toBe(ends.ssh.host);
    expect(tfvars.nodes.PV1?.pr_from_guest).toEqual(provider.prForGuests);
    const notes = terraformVars(input({ topology: spread([undefined, 'qemu+ssh://lab2/system']), settings: parseLibvirtSettings({ network: { mode: 'nat' } }) })).notes;
    expect(notes.join('\n')).toMatch(/NAT mode on several hosts/);
  });

  it('uses built images and the accelerator the settings or the probe choose', () => {
    const { tfvars, notes } = terraformVars(input({ images: { pr: image('pr', '/img/pr-1'), pv: image('pv', '/img/pv-1') }, settings: parseLibvirtSettings({ accelerator: 'kvm' }) }));
    expect(tfvars.images).toEqual({
      pr: { disk: '/img/pr-1/disk.qcow2', kernel: '/img/pr-1/vmlinuz', initrd: '/img/pr-1/initrd.img', cmdline: 'root=/dev/vda rw console=ttyS0 quiet' },
      pv: { disk: '/img/pv-1/disk.qcow2', kernel: '/img/pv-1/vmlinuz', initrd: '/img/pv-1/initrd.img', cmdline: 'root=/dev/vda rw console=ttyS0 quiet' },
    });
    expect(tfvars.accelerator).toBe('kvm');
    expect(notes).toEqual([]);
    expect(terraformVars(input({ probedAccelerator: 'kvm' })).tfvars.accelerator).toBe('kvm');
    // A probe of this host says nothing about another one.
    expect(terraformVars(input({ probedAccelerator: 'kvm', topology: spread(['qemu+ssh://lab2/system']) })).tfvars.accelerator).toBe('tcg');
  });

  it('leaves the SSH key to the user when there is none, and refuses one that is not a key', () => {
    const { tfvars, notes } = terraformVars(input({ sshPublicKey: '' }));
    expect(tfvars.ssh_public_key).toBe('');
    expect(notes.join('\n')).toMatch(/no SSH public key/);
    expect(terraformVars(input({ sshPublicKey: `${KEY}\n` })).tfvars.ssh_public_key).toBe(KEY);
    expect(errorOf(() => terraformVars(input({ sshPublicKey: 'not a key' }))).code).toBe('ssh-key-invalid');
    expect(errorOf(() => terraformVars(input({ sshPublicKey: `${KEY}\n${KEY}` }))).code).toBe('ssh-key-invalid');
  });

  it('refuses what terraform/ cannot describe', () => {
    const t = defaultTopology();
    t.pvs.push({ ...structuredClone(t.pvs[0]!), id: 'PV4' });
    const hosts = ['qemu+ssh://a/system', 'qemu+ssh://b/system', 'qemu+ssh://c/system', 'qemu+ssh://d/system'];
    t.pvs.forEach((pv, i) => (pv.vm = { host: hosts[i] ?? '' }));
    const tooMany = errorOf(() => terraformVars(input({ topology: t })));
    expect(tooMany.code).toBe('too-many-hosts');
    expect(tooMany.message).toMatch(/5 hosts; terraform\/ has slots for 4/);
    // A /29 holds the gateway and five nodes.
    const six = defaultTopology();
    six.pvs.push({ ...structuredClone(six.pvs[0]!), id: 'PV4' });
    const nat29 = parseLibvirtSettings({ network: { mode: 'nat', subnet: '10.9.0.0/29' } });
    expect(terraformVars(input({ topology: six, settings: nat29 })).tfvars.nodes.PV4?.address).toBe('10.9.0.6');
    six.pvs.push({ ...structuredClone(six.pvs[0]!), id: 'PV5' });
    const tooSmall = errorOf(() => terraformVars(input({ topology: six, settings: nat29 })));
    expect(tooSmall.code).toBe('subnet-too-small');
    expect(tooSmall.message).toMatch(/10\.9\.0\.0\/29 has room for 5 VMs, the lab needs 6/);
    expect(errorOf(() => terraformVars(input({ settings: parseLibvirtSettings({ network: { mode: 'nat', subnet: '10.9.0.8/28' } }) }))).code).toBe('subnet-invalid');
    expect(errorOf(() => terraformVars(input({ images: { pr: image('pr', 'images/pr') } }))).code).toBe('image-path-relative');
  });

  it('reads the host out of libvirt URIs', () => {
    expect(uriHost('qemu:///system')).toBe('');
    expect(uriHost('qemu+ssh://user@lab2:2222/system?keyfile=/k')).toBe('lab2');
    expect(uriHost('qemu+tcp://[fd00::2]/system')).toBe('[fd00::2]');
  });
});
