// The lab's nodes as libvirt VMs. Deploy makes sure the role images are
// built, gives each node a qcow2 overlay of its role image in the lab's
// pool, creates the lab's NAT network in NAT mode, defines and starts one
// domain per node (the accelerator chosen by a probe of the host), waits for
// SSH, pushes each node's configuration and certificates, starts its unit,
// streams its journal into the node's log, and waits until /healthz answers
// through the node's address; then it follows the node's events as the
// local provider does. A VM on a remote host (a URI with a host part) gets
// its role image uploaded into the lab's pool there, through the libvirt
// connection (remote-image-volumes.ts), and its serial log in that pool.
// Everything it creates carries the lab's name prefix
// (spms-<lab id>-) or is recorded in <labDir>/vms/created.json, and
// teardown removes exactly that, also after a failed deploy or a restart.
import { createHash } from 'node:crypto';
import { chownSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadOrCreateStrKey } from '../../../spms/pv/str-key.ts';
import { onPath } from '../../on-path.ts';
import type { ImageRole, RoleImage, RoleImages } from '../../images/role-image.ts';
import { withinRange } from '../../images/task-range.ts';
import type { Topology } from '../../state/topology.ts';
import type { TaskHandle } from '../../tasks/task-handle.ts';
import { deployedVerifiers } from '../../verifier-availability.ts';
import type { NodeCertificate } from '../local/node-certificate.ts';
import { NodeStartError } from '../local/node-start-error.ts';
import type { DeploymentPlan, NodeRole, NodeStatus, PlannedNode, Provider, ProviderContext, SkippedVerifier } from '../provider.ts';
import { acceleratorForHost, hostLabel, isLocalUri, virtFactsFromCapabilities, type AcceleratorChoice } from './accelerator.ts';
import { CreatedResourcesFile } from './created-resources.ts';
import { domainXml, SPMS_XML_NAMESPACE } from './domain-xml.ts';
import { guestNodeEnv, GUEST_PATHS, guestPrConfig, guestPvConfig } from './guest-node-config.ts';
import { natEndpoints, userModeEndpoints, type LabEndpoints } from './guest-network.ts';
import { overcommitWarnings, readHostResources } from './host-resources.ts';
import { loadOrCreateLabSshKey, sshKernelArg, type LabSshKey } from './lab-ssh-key.ts';
import { LibvirtConnection } from './libvirt-connection.ts';
import type { LibvirtSettings } from './libvirt-settings.ts';
import { natNetworkXml, planSubnet } from './network-xml.ts';
import { RemoteImageVolumes, type ImageFiles } from './remote-image-volumes.ts';
import { GuestShell } from './ssh-provisioner.ts';
import { dirPoolXml, overlayVolumeXml } from './storage-xml.ts';
import { vmNodeCertificate } from './vm-certificate.ts';
import { VmNode } from './vm-node.ts';
import { allocateVmPorts } from './vm-ports.ts';
import { Virsh } from './virsh.ts';

const DNSMASQ = ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq', '/sbin/dnsmasq'];
/** Where the lab's pool goes on a remote host: libvirt's own images directory, which its QEMU user may read. */
const REMOTE_POOL_PARENT = '/var/lib/libvirt/images';

/** What a node's domain names on its host. */
interface VmFiles extends ImageFiles {
  /** The node's overlay; `disk` is the image it is backed by. */
  overlay: string;
  /** The serial log on a remote host (in the pool); undefined on this host, where it goes to the lab directory. */
  remoteSerial?: { pool: string; volume: string; path: string };
}

export const LIBVIRT_DEPLOY_STEPS = ['role images', 'network', 'volumes', 'boot VMs', 'start nodes'] as const;

/** The size and host of one node's VM. */
export interface PlannedVm {
  id: string;
  role: NodeRole;
  host: string;
  domain: string;
  vcpus: number;
  memoryMiB: number;
  diskGiB: number;
}

/** The plan, with what the UI shows besides the steps: the accelerator and why, the VMs, and warnings such as overcommit. */
export interface LibvirtDeploymentPlan extends DeploymentPlan {
  accelerator: AcceleratorChoice;
  network: LibvirtSettings['network']['mode'];
  vms: PlannedVm[];
  warnings: string[];
}

export class LibvirtPlanError extends Error {
  readonly code = 'libvirt-plan-invalid';
  constructor(message: string) {
    super(message);
    this.name = 'LibvirtPlanError';
  }
}

export class LibvirtTeardownError extends Error {
  readonly code = 'libvirt-teardown-incomplete';
  constructor(readonly failures: string[]) {
    super(`teardown left things behind: ${failures.join('; ')}`);
    this.name = 'LibvirtTeardownError';
  }
}

export interface LibvirtProviderOptions {
  /** How long a VM may take from start to SSH (default: 5 min under TCG, 2 min under KVM). */
  bootTimeoutMs?: number;
  /** How long a provisioned node may take to answer /healthz. */
  healthTimeoutMs?: number;
  /** Health checks of running nodes. */
  monitorMs?: number;
}

/** External verifiers run a command of the host's; the role images hold only the built-in analyses and clang/llvm. */
function unavailableInGuests(topology: Topology): SkippedVerifier[] {
  return topology.pvs.flatMap((pv) =>
    pv.verifiers.filter((v) => v.kind === 'external').map((v) => ({ pvId: pv.id, verifierId: v.id, reason: 'external verifiers are not installed in the PV image' })),
  );
}

export class LibvirtProvider implements Provider {
  readonly kind = 'libvirt';
  readonly deploySteps = LIBVIRT_DEPLOY_STEPS;
  /** Short and stable for a lab directory: the middle of every name the lab gives libvirt. */
  readonly labId: string;
  private nodes: VmNode[] = [];
  private deploying: AbortController | undefined;
  private readonly connections = new Map<string, Promise<LibvirtConnection>>();
  private readonly created: CreatedResourcesFile;
  private readonly remoteImages: RemoteImageVolumes;
  /** Nodes on remote hosts: where their serial log is, to fetch when a boot hangs. */
  private readonly remoteSerials = new Map<string, { host: string; pool: string; volume: string }>();
  /** Removals run one at a time: a teardown can meet the cleanup of the deploy it aborts. */
  private removal: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: ProviderContext,
    private readonly settings: LibvirtSettings,
    private readonly images: RoleImages,
    private readonly options: LibvirtProviderOptions = {},
  ) {
    this.labId = createHash('sha256').update(resolve(ctx.labDir)).digest('hex').slice(0, 8);
    mkdirSync(this.vmsDir, { recursive: true });
    this.created = new CreatedResourcesFile(join(this.vmsDir, 'created.json'));
    this.remoteImages = new RemoteImageVolumes(this.created, this.labId);
  }

  get vmsDir(): string {
    return resolve(this.ctx.labDir, 'vms');
  }

  get namePrefix(): string {
    return `spms-${this.labId}-`;
  }

  domainName(nodeId: string): string {
    return `${this.namePrefix}${nodeId}`;
  }

  private volumeName(nodeId: string): string {
    return `${this.domainName(nodeId)}.qcow2`;
  }

  vmsOf(topology: Topology): PlannedVm[] {
    const d = this.settings.defaults;
    const nodes = [{ id: topology.pr.id, role: 'pr' as const, vm: topology.pr.vm }, ...topology.pvs.map((pv) => ({ id: pv.id, role: 'pv' as const, vm: pv.vm }))];
    return nodes.map((n) => ({
      id: n.id,
      role: n.role,
      host: n.vm?.host ?? this.settings.uri,
      domain: this.domainName(n.id),
      vcpus: n.vm?.vcpus ?? d.vcpus,
      memoryMiB: n.vm?.memoryMiB ?? d.memoryMiB,
      diskGiB: n.vm?.diskGiB ?? d.diskGiB,
    }));
  }

  async plan(topology: Topology): Promise<LibvirtDeploymentPlan> {
    const skipped = unavailableInGuests(topology);
    const nodes: PlannedNode[] = [
      { id: topology.pr.id, role: 'pr' },
      ...topology.pvs.map((pv): PlannedNode => ({ id: pv.id, role: 'pv', verifiers: deployedVerifiers(pv.id, pv.verifiers, skipped) })),
    ];
    const vms = this.vmsOf(topology);
    const mode = this.settings.network.mode;
    const remote = vms.filter((vm) => !isLocalUri(vm.host));
    if (mode === 'user' && remote.length > 0) {
      throw new LibvirtPlanError(
        `${remote.map((vm) => `${vm.id} runs on ${vm.host}`).join(', ')}: user-mode networking forwards a VM's ports to its own host's loopback, which this daemon cannot reach; use network mode nat for a lab on several hosts`,
      );
    }
    if (mode === 'nat') {
      // A subnet too small for the lab fails here, before anything is created.
      planSubnet(this.settings.network.subnet, vms.length);
      // libvirt serves a NAT network's DHCP with dnsmasq, and starts the network only when it finds it.
      if (vms.some((vm) => vm.host.startsWith('qemu') && isLocalUri(vm.host)) && !DNSMASQ.some((f) => onPath(f)))
        throw new LibvirtPlanError('network mode nat needs dnsmasq, which libvirt runs for the network (Debian package dnsmasq-base); install it or use network mode user');
    }
    const accelerator = await this.acceleratorOf(this.settings.uri);
    const warnings = [
      ...overcommitWarnings(
        vms.filter((vm) => isLocalUri(vm.host)),
        readHostResources(),
        accelerator.accelerator,
      ),
    ];
    const steps = [
      'role images: build or reuse the PR and PV images',
      mode === 'nat' ? `network: the NAT network ${this.settings.network.name} (${this.settings.network.subnet})` : 'network: user-mode networking, ports forwarded to 127.0.0.1',
      ...[...new Set(remote.map((vm) => vm.host))].map(
        (host) => `upload to ${hostLabel(host)}: the role images into the pool ${this.settings.pool} there (${REMOTE_POOL_PARENT}/${this.settings.pool}), unless an earlier deploy left them`,
      ),
      `volumes: one qcow2 overlay per node in the pool ${this.settings.pool}`,
      ...vms.map((vm) => `boot ${vm.id}: ${vm.domain} on ${vm.host}, ${vm.vcpus} vCPU, ${vm.memoryMiB} MiB, ${vm.diskGiB} GiB, ${accelerator.accelerator.toUpperCase()}`),
      ...vms.map((vm) => `start ${vm.id} once it answers SSH: configuration and certificates, spms-node, wait for /healthz`),
    ];
    return { provider: this.kind, nodes, skipped, steps, accelerator, network: mode, vms, warnings };
  }

  async deploy(plan: DeploymentPlan, topology: Topology, task: TaskHandle): Promise<NodeStatus[]> {
    // A redeploy replaces whatever runs, and clears what a failed deploy may have left.
    await this.teardown();
    this.nodes = [];
    const own = new AbortController();
    this.deploying = own;
    const signal = AbortSignal.any([task.signal, own.signal]);
    const vms = this.vmsOf(topology).filter((vm) => plan.nodes.some((n) => n.id === vm.id));
    let current = 'role images';
    try {
      this.created.update((r) => {
        r.hosts = [...new Set([...r.hosts, ...vms.map((vm) => vm.host)])];
      });
      task.step(current);
      const images = new Map<ImageRole, RoleImage>();
      const roles = [...new Set(vms.map((vm) => vm.role))];
      for (const [i, role] of roles.entries()) {
        images.set(role, await this.images.ensure(role, withinRange(task, (0.4 * i) / roles.length, (0.4 * (i + 1)) / roles.length)));
        signal.throwIfAborted();
      }
      const accelerators = new Map<string, AcceleratorChoice>();
      for (const host of new Set(vms.map((vm) => vm.host))) {
        const choice = await this.acceleratorOf(host);
        accelerators.set(host, choice);
        task.log(`${hostLabel(host)}: ${choice.reason}`);
      }
      for (const w of overcommitWarnings(
        vms.filter((vm) => isLocalUri(vm.host)),
        readHostResources(),
        accelerators.get(this.settings.uri)?.accelerator ?? 'tcg',
      ))
        task.log(`warning: ${w}`);
      const key = loadOrCreateLabSshKey(join(this.ctx.labDir, 'ssh'));
      const endpoints = await this.endpoints(vms);
      const certificates = this.certify(vms, endpoints, task);

      current = 'network';
      task.step(current);
      await this.ensureNetworks(vms, endpoints, task);
      task.progress(0.45);
      signal.throwIfAborted();

      current = 'volumes';
      task.step(current);
      await this.ensurePools(vms, task);
      const imageFiles = await this.imageFilesOnHosts(vms, images, withinRange(task, 0.45, 0.5), signal);
      const disks = await this.createVolumes(vms, images, imageFiles, task);
      task.progress(0.5);
      signal.throwIfAborted();

      current = 'boot VMs';
      task.step(current);
      for (const vm of vms) {
        const image = images.get(vm.role);
        const disk = disks.get(vm.id);
        const ends = endpoints.nodes.get(vm.id);
        if (image === undefined || disk === undefined || ends === undefined) throw new Error(`${vm.id} has no image, disk or address`);
        const accelerator = accelerators.get(vm.host)?.accelerator ?? 'tcg';
        const node = new VmNode({
          id: vm.id,
          role: vm.role,
          domain: vm.domain,
          uri: vm.host,
          endpoints: ends,
          logFile: join(this.vmsDir, `${vm.id}.log`),
          serialLog: join(this.vmsDir, `${vm.id}.serial.log`),
          caPem: this.ctx.ca.rootPem,
          eventsToken: this.ctx.eventsToken,
          emit: this.ctx.emit,
        });
        // Each node is recorded before its domain starts: a teardown that aborts this deploy always finds it.
        this.nodes.push(node);
        const xml = domainXml({
          name: vm.domain,
          labId: this.labId,
          nodeId: vm.id,
          accelerator,
          vcpus: vm.vcpus,
          memoryMiB: vm.memoryMiB,
          kernel: disk.kernel,
          initrd: disk.initrd,
          cmdline: `${image.cmdline} ${sshKernelArg(key.publicKey)}`,
          disk: disk.overlay,
          backingDisk: disk.disk,
          serialLog: disk.remoteSerial?.path ?? node.opts.serialLog,
          network: ends.network,
          // A query (qemu:///system?socket=…) still names the system instance.
          ...(isLocalUri(vm.host) && /^[^?]*\/system(\?|$)/.test(vm.host) && process.getuid !== undefined && process.getgid !== undefined
            ? { runAs: { uid: process.getuid(), gid: process.getgid() } }
            : {}),
        });
        await (await this.connection(vm.host)).defineAndStart(xml);
        node.booted();
        node.note(`${vm.domain} started on ${vm.host} (${accelerator.toUpperCase()}, ${vm.vcpus} vCPU, ${vm.memoryMiB} MiB)`);
        task.log(`${vm.id}: ${vm.domain} started, waiting for SSH at ${ends.ssh.host}:${ends.ssh.port}`);
        signal.throwIfAborted();
      }
      task.progress(0.6);
      const bootDeadline = Date.now() + (this.options.bootTimeoutMs ?? (accelerators.get(this.settings.uri)?.accelerator === 'kvm' ? 120_000 : 300_000));
      // Each node goes on by itself as soon as it answers SSH: the first one up is started while the others still boot (the
      // PR's domain starts first; PVs that start before it retry the PR), which overlaps the nodes' start-up, slow under TCG.
      current = 'start nodes';
      task.step(current);
      let up = 0;
      await Promise.all(
        this.nodes.map(async (node) => {
          const shell = await this.waitForSsh(node, key, bootDeadline, signal, task);
          await this.provision(node, shell, certificates, topology, plan, endpoints, task);
          await this.awaitHealthy(node, signal, task);
          task.progress(0.6 + (0.4 * ++up) / this.nodes.length);
        }),
      );
      for (const node of this.nodes) node.startMonitoring(this.options.monitorMs ?? 5000, () => this.vmState(node));
      return this.status();
    } catch (e) {
      own.abort(e);
      // The nodes stay listed, with their logs, until the next deploy.
      for (const n of this.nodes) n.stop();
      await this.removeAll(task).catch((cleanup: unknown) => task.log(`cleanup after the failed deploy: ${(cleanup as Error).message}`));
      if (e instanceof NodeStartError) throw e;
      throw new Error(`${current}: ${(e as Error).message}`, { cause: e });
    } finally {
      if (this.deploying === own) this.deploying = undefined;
    }
  }

  status(): NodeStatus[] {
    return this.nodes.map((n) => n.status());
  }

  logs(nodeId: string, tail: number): string[] {
    return this.nodes.find((n) => n.id === nodeId)?.logs(tail) ?? [];
  }

  async teardown(task?: TaskHandle): Promise<void> {
    this.deploying?.abort(new Error('the lab was torn down while it was being deployed'));
    for (const n of this.nodes) n.stop();
    try {
      await this.removeAll(task);
    } finally {
      await this.closeConnections();
    }
    task?.progress(1);
  }

  private connection(uri: string): Promise<LibvirtConnection> {
    let c = this.connections.get(uri);
    if (c === undefined) {
      c = LibvirtConnection.open(uri);
      // A failed connection is not kept: the next call tries again.
      c.catch(() => this.connections.delete(uri));
      this.connections.set(uri, c);
    }
    return c;
  }

  private async closeConnections(): Promise<void> {
    const open = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(open.map(async (c) => (await c.catch(() => undefined))?.close().catch(() => undefined)));
  }

  private async vmState(node: VmNode): Promise<string | undefined> {
    return (await this.connection(node.opts.uri)).domainState(node.opts.domain);
  }

  private async endpoints(vms: PlannedVm[]): Promise<LabEndpoints> {
    const nodes = vms.map((vm) => ({ id: vm.id, role: vm.role }));
    if (this.settings.network.mode === 'nat') return natEndpoints(nodes, this.settings.network, this.labId);
    const ports = await allocateVmPorts(
      join(this.vmsDir, 'ports.json'),
      nodes.map((n) => ({ id: n.id, mqtt: n.role === 'pr' })),
    );
    return userModeEndpoints(nodes, ports);
  }

  private certify(vms: PlannedVm[], endpoints: LabEndpoints, task: TaskHandle): Map<string, NodeCertificate & { strKeyFile?: string }> {
    const result = new Map<string, NodeCertificate & { strKeyFile?: string }>();
    for (const vm of vms) {
      const names = endpoints.nodes.get(vm.id)?.names;
      if (names === undefined) throw new Error(`${vm.id} has no address`);
      // The same STR key file as the local provider's: a PV keeps its identity whichever way the lab runs.
      const strKeyFile = vm.role === 'pv' ? join(this.ctx.labDir, 'nodes', vm.id, 'str-ed25519.key') : undefined;
      const strKey = strKeyFile === undefined ? undefined : loadOrCreateStrKey(strKeyFile);
      const certificate = vmNodeCertificate(this.ctx.ca, vm.role, vm.id, names, strKey?.publicKey);
      task.log(`${vm.id}: ${certificate.issued ? 'new certificate issued' : 'certificate kept'} for ${names.ipAddresses.join(', ')}`);
      result.set(vm.id, { ...certificate, ...(strKeyFile === undefined ? {} : { strKeyFile }) });
    }
    return result;
  }

  private async ensureNetworks(vms: PlannedVm[], endpoints: LabEndpoints, task: TaskHandle): Promise<void> {
    const spec = endpoints.natNetwork;
    if (spec === undefined) {
      task.log('user-mode networking: no network to create');
      return;
    }
    for (const host of new Set(vms.map((vm) => vm.host))) {
      const virsh = new Virsh(host);
      // The deploy's teardown removed the lab's own network: one still there belongs to someone else, and lacks the nodes' fixed addresses.
      if ((await virsh.networkNames()).includes(spec.name)) {
        throw new LibvirtPlanError(`${hostLabel(host)} already has a network named ${spec.name} that this lab did not create; set another network name in the provider settings`);
      }
      await virsh.networkDefine(natNetworkXml(spec));
      this.created.update((r) => r.networks.push({ uri: host, name: spec.name }));
      await virsh.networkStart(spec.name);
      task.log(`${hostLabel(host)}: network ${spec.name} (${spec.subnet}) created`);
    }
  }

  /** The accelerator of a host: this machine by a probe of it, a remote host from its libvirt capabilities. */
  private async acceleratorOf(host: string): Promise<AcceleratorChoice> {
    if (isLocalUri(host) || this.settings.accelerator !== 'auto') return acceleratorForHost(this.settings.accelerator, host);
    const caps = await new Virsh(host).capabilities().catch(() => undefined);
    return acceleratorForHost('auto', host, caps === undefined ? undefined : virtFactsFromCapabilities(caps));
  }

  /** The lab's pool on every host, created (and recorded) where missing: under the lab directory here, in libvirt's images directory on a remote host. */
  private async ensurePools(vms: PlannedVm[], task: TaskHandle): Promise<void> {
    const pool = this.settings.pool;
    for (const host of new Set(vms.map((vm) => vm.host))) {
      const virsh = new Virsh(host);
      if (!(await virsh.poolNames()).includes(pool)) {
        const path = isLocalUri(host) ? join(this.vmsDir, 'pool') : `${REMOTE_POOL_PARENT}/${pool}`;
        await virsh.poolDefine(dirPoolXml(pool, path));
        this.created.update((r) => r.pools.push({ uri: host, name: pool }));
        await virsh.poolBuild(pool);
        task.log(`${hostLabel(host)}: pool ${pool} created at ${path}`);
      }
      if (!(await virsh.poolActive(pool))) await virsh.poolStart(pool);
    }
  }

  /** Per host and role, the image's files as that host sees them: the cache's files here, uploaded volumes on a remote host. */
  private async imageFilesOnHosts(vms: PlannedVm[], images: Map<ImageRole, RoleImage>, task: TaskHandle, signal: AbortSignal): Promise<Map<string, ImageFiles>> {
    const files = new Map<string, ImageFiles>();
    const needed = [...new Map(vms.map((vm) => [`${vm.host} ${vm.role}`, vm])).values()];
    const remote = needed.filter((vm) => !isLocalUri(vm.host));
    let done = 0;
    for (const vm of needed) {
      const image = images.get(vm.role);
      if (image === undefined) throw new Error(`no ${vm.role} image`);
      if (isLocalUri(vm.host)) {
        files.set(`${vm.host} ${vm.role}`, { disk: image.disk, kernel: image.kernel, initrd: image.initrd });
        continue;
      }
      const range = withinRange(task, done / remote.length, ++done / remote.length);
      files.set(`${vm.host} ${vm.role}`, await this.remoteImages.ensure(new Virsh(vm.host), this.settings.pool, image, range, signal));
      signal.throwIfAborted();
    }
    return files;
  }

  private async createVolumes(vms: PlannedVm[], images: Map<ImageRole, RoleImage>, imageFiles: Map<string, ImageFiles>, task: TaskHandle): Promise<Map<string, VmFiles>> {
    const pool = this.settings.pool;
    if (vms.some((vm) => isLocalUri(vm.host))) this.recordOwners([...images.values()].flatMap((i) => [i.disk, i.kernel, i.initrd]));
    const result = new Map<string, VmFiles>();
    for (const vm of vms) {
      const image = images.get(vm.role);
      const files = imageFiles.get(`${vm.host} ${vm.role}`);
      if (image === undefined || files === undefined) throw new Error(`no ${vm.role} image on ${vm.host}`);
      const virsh = new Virsh(vm.host);
      const name = this.volumeName(vm.id);
      // Each deploy starts from the image: a node's overlay from before is dropped.
      if ((await virsh.volumeNames(pool)).includes(name)) await virsh.volumeDelete(pool, name);
      await virsh.volumeCreate(pool, overlayVolumeXml(name, vm.diskGiB, files.disk));
      const dir = await virsh.poolDirectory(pool);
      // The lab's name prefix makes the serial log one of the volumes teardown removes (once a pool refresh shows it).
      const serial = `${vm.domain}.serial.log`;
      result.set(vm.id, { ...files, overlay: join(dir, name), ...(isLocalUri(vm.host) ? {} : { remoteSerial: { pool, volume: serial, path: join(dir, serial) } }) });
      if (!isLocalUri(vm.host)) this.remoteSerials.set(vm.id, { host: vm.host, pool, volume: serial });
      task.log(`${vm.id}: volume ${name} (${vm.diskGiB} GiB) backed by the ${vm.role} image ${image.id.slice(0, 12)}`);
    }
    return result;
  }

  /** Remembers who owns the image files before a VM uses them, once: libvirt's dynamic ownership may hand them to its QEMU user. */
  private recordOwners(paths: string[]): void {
    this.created.update((r) => {
      for (const path of paths) {
        if (r.owners.some((o) => o.path === path)) continue;
        const st = statSync(path, { throwIfNoEntry: false });
        if (st !== undefined) r.owners.push({ path, uid: st.uid, gid: st.gid });
      }
    });
  }

  private async waitForSsh(node: VmNode, key: LabSshKey, deadlineMs: number, signal: AbortSignal, task: TaskHandle): Promise<GuestShell> {
    const { host, port } = node.opts.endpoints.ssh;
    try {
      const shell = await GuestShell.connect({ host, port, privateKey: key.privateKey }, { deadlineMs, signal, retryMs: 1000 });
      const line = `SSH answered ${node.sinceBoot()}`;
      node.note(line);
      task.log(`${node.id}: ${line}`);
      return shell;
    } catch (e) {
      signal.throwIfAborted();
      const state = await this.vmState(node).catch(() => undefined);
      await this.fetchSerialLog(node, task);
      throw new NodeStartError(
        node.id,
        `did not answer SSH at ${host}:${port} (the VM is ${state ?? 'gone'}): ${(e as Error).message}`,
        node.serialTail(40).map((l) => `serial: ${l}`),
      );
    }
  }

  /** A remote node's serial log, copied over the local one that the node's views read. */
  private async fetchSerialLog(node: VmNode, task: TaskHandle): Promise<void> {
    const remote = this.remoteSerials.get(node.id);
    if (remote === undefined) return;
    const virsh = new Virsh(remote.host);
    try {
      await virsh.poolRefresh(remote.pool);
      await virsh.volumeDownload(remote.pool, remote.volume, node.opts.serialLog);
    } catch (e) {
      task.log(`${node.id}: the serial log on ${hostLabel(remote.host)} could not be read: ${(e as Error).message}`);
    }
  }

  private async provision(
    node: VmNode,
    shell: GuestShell,
    certificates: Map<string, NodeCertificate & { strKeyFile?: string }>,
    topology: Topology,
    plan: DeploymentPlan,
    endpoints: LabEndpoints,
    task: TaskHandle,
  ): Promise<void> {
    const cert = certificates.get(node.id);
    if (cert === undefined) throw new Error(`${node.id} has no certificate`);
    const ca = this.ctx.ca.paths;
    const config =
      node.role === 'pr'
        ? guestPrConfig(node.id, this.ctx.eventsToken)
        : guestPvConfig(node.id, this.ctx.eventsToken, this.pvSpec(topology, node.id), plan.nodes.find((n) => n.id === node.id)?.verifiers ?? [], endpoints.prForGuests, node.opts.endpoints.url);
    // One command for the files and the unit (every SSH command costs the guest a process start); --no-reload: the unit
    // is in the image, systemd knows it already, and a daemon reload under emulation takes seconds.
    const files = [
      { path: GUEST_PATHS.cert, content: readFileSync(cert.certFile), mode: 0o644 },
      { path: GUEST_PATHS.key, content: readFileSync(cert.keyFile), mode: 0o600 },
      { path: GUEST_PATHS.ca, content: readFileSync(ca.cert), mode: 0o644 },
      { path: GUEST_PATHS.crl, content: readFileSync(ca.crl), mode: 0o644 },
      ...(cert.strKeyFile === undefined ? [] : [{ path: GUEST_PATHS.strKey, content: readFileSync(cert.strKeyFile), mode: 0o600 }]),
      { path: GUEST_PATHS.config, content: `${JSON.stringify(config, null, 2)}\n`, mode: 0o600 },
      { path: GUEST_PATHS.env, content: guestNodeEnv(node.role), mode: 0o644 },
    ];
    node.attach(shell);
    await shell.writeFiles(files, 'systemctl --no-reload enable --now spms-node.service');
    const line = `configuration pushed, spms-node started ${node.sinceBoot()}`;
    node.note(line);
    task.log(`${node.id}: ${line}`);
  }

  private async awaitHealthy(node: VmNode, signal: AbortSignal, task: TaskHandle): Promise<void> {
    try {
      await node.waitHealthy(Date.now() + (this.options.healthTimeoutMs ?? 120_000), signal);
    } catch (e) {
      signal.throwIfAborted();
      throw new NodeStartError(node.id, (e as Error).message, await node.recentJournal(40));
    }
    const line = `healthy ${node.sinceBoot()}`;
    node.note(line);
    task.log(`${node.id} is ${line} at ${node.opts.endpoints.url}`);
  }

  private pvSpec(topology: Topology, id: string): Topology['pvs'][number] {
    const spec = topology.pvs.find((pv) => pv.id === id);
    if (spec === undefined) throw new Error(`the plan names a PV "${id}" that the topology does not have`);
    return spec;
  }

  /** Whether a domain's XML marks it as a node of this lab. */
  private isOurs(xml: string): boolean {
    const element = new RegExp(`<(\\w+):node\\b[^>]*xmlns:\\1=["']${SPMS_XML_NAMESPACE.replace(/[.]/g, '\\.')}["'][^>]*>`).exec(xml)?.[0];
    return element !== undefined && new RegExp(`\\slab=["']${this.labId}["']`).test(element);
  }

  private removeAll(task?: TaskHandle): Promise<void> {
    const next = this.removal.then(() => this.removeAllNow(task));
    this.removal = next.catch(() => undefined);
    return next;
  }

  /**
   * Removes the lab's domains, volumes, and the networks and pools it
   * created, on every host it used and on the default host; goes on past
   * failures and reports them all. A host the record does not name is only
   * looked at in passing: when it cannot be reached (e.g. libvirtd is not
   * running and the lab never deployed there), that is no failure.
   */
  private async removeAllNow(task?: TaskHandle): Promise<void> {
    const failures: string[] = [];
    const stepsTaken = new Set<string>();
    const step = (name: string): void => {
      if (!stepsTaken.has(name)) task?.step(name);
      stepsTaken.add(name);
    };
    const record = this.created.read();
    const hosts = [...new Set([...record.hosts, this.settings.uri])];
    for (const host of hosts) {
      const recorded = record.hosts.includes(host);
      const attempt = async (what: string, f: () => Promise<unknown>): Promise<void> => {
        try {
          await f();
        } catch (e) {
          if (recorded) failures.push(`${what}: ${(e as Error).message}`);
          else task?.log(`${what} not checked: ${(e as Error).message}`);
        }
      };
      await attempt(`domains on ${host}`, async () => {
        const conn = await this.connection(host);
        for (const name of await conn.domainNames()) {
          if (!name.startsWith(this.namePrefix)) continue;
          const xml = await conn.domainXml(name);
          if (xml === undefined || !this.isOurs(xml)) continue;
          step('remove VMs');
          await attempt(`domain ${name}`, async () => {
            if (await conn.destroyAndUndefine(name)) task?.log(`${hostLabel(host)}: domain ${name} removed`);
          });
        }
      });
      const virsh = new Virsh(host);
      const pool = this.settings.pool;
      await attempt(`volumes on ${host}`, async () => {
        if (!(await virsh.poolNames()).includes(pool)) return;
        // Files QEMU made in the pool (a remote node's serial log) are volumes only once libvirt looked again.
        if (await virsh.poolActive(pool)) await virsh.poolRefresh(pool);
        for (const vol of await virsh.volumeNames(pool)) {
          if (!vol.startsWith(this.namePrefix)) continue;
          step('remove volumes');
          await attempt(`volume ${vol}`, async () => {
            await virsh.volumeDelete(pool, vol);
            task?.log(`${hostLabel(host)}: volume ${vol} removed`);
          });
        }
      });
      for (const net of record.networks.filter((n) => n.uri === host)) {
        step('remove networks');
        await attempt(`network ${net.name}`, async () => {
          if (await virsh.networkActive(net.name)) await virsh.networkDestroy(net.name);
          if ((await virsh.networkNames()).includes(net.name)) await virsh.networkUndefine(net.name);
          this.created.update((r) => (r.networks = r.networks.filter((n) => !(n.uri === host && n.name === net.name))));
          task?.log(`${hostLabel(host)}: network ${net.name} removed`);
        });
      }
      // Uploaded images stay for the next deploy (pruneImageVolumes removes them), unless their upload never finished.
      for (const upload of record.images.filter((x) => x.uri === host && !x.complete)) {
        step('remove volumes');
        await attempt(`the unfinished upload of the ${upload.role} image`, async () => {
          await this.remoteImages.remove(virsh, upload);
          task?.log(`${hostLabel(host)}: the unfinished upload of the ${upload.role} image ${upload.id.slice(0, 12)} removed`);
        });
      }
      for (const p of record.pools.filter((x) => x.uri === host)) await attempt(`pool ${p.name}`, () => this.removePoolIfEmpty(virsh, p.name, task));
    }
    this.restoreOwners(failures);
    if (failures.length > 0) throw new LibvirtTeardownError(failures);
    this.created.update((r) => (r.hosts = []));
  }

  /** Removes a pool the lab created unless it holds volumes (the lab's cached images, or someone else's). */
  private async removePoolIfEmpty(virsh: Virsh, name: string, task?: TaskHandle): Promise<void> {
    const host = virsh.uri;
    if ((await virsh.poolNames()).includes(name)) {
      if ((await virsh.poolActive(name)) && (await virsh.volumeNames(name)).length > 0) return;
      if (await virsh.poolActive(name)) await virsh.poolDestroy(name);
      // The pool's directory was made by pool-build for the lab; on a remote host nothing else would ever remove it.
      await virsh.poolDelete(name);
      await virsh.poolUndefine(name);
    }
    this.created.update((r) => (r.pools = r.pools.filter((x) => !(x.uri === host && x.name === name))));
    task?.log(`${hostLabel(host)}: pool ${name} removed`);
  }

  /**
   * Removes the role images this lab uploaded to remote hosts (all, or those
   * whose id is not in `keep`), and then the lab's pools that are left
   * empty; a host where the lab has domains keeps its images, which they are
   * backed by. Answers the volumes removed.
   */
  async pruneImageVolumes(keep: ReadonlySet<string> = new Set(), task?: TaskHandle): Promise<string[]> {
    const removed: string[] = [];
    const failures: string[] = [];
    const record = this.created.read();
    for (const host of new Set(record.images.map((x) => x.uri))) {
      try {
        const conn = await this.connection(host);
        const ours = [];
        for (const name of await conn.domainNames()) if (name.startsWith(this.namePrefix) && this.isOurs((await conn.domainXml(name)) ?? '')) ours.push(name);
        if (ours.length > 0) {
          task?.log(`${hostLabel(host)}: images kept, the lab's domains ${ours.join(', ')} use them`);
          continue;
        }
        const virsh = new Virsh(host);
        for (const upload of record.images.filter((x) => x.uri === host && !keep.has(x.id))) {
          await this.remoteImages.remove(virsh, upload);
          removed.push(...upload.volumes.map((v) => `${hostLabel(host)} ${upload.pool}/${v}`));
          task?.log(`${hostLabel(host)}: the ${upload.role} image ${upload.id.slice(0, 12)} removed from the pool ${upload.pool}`);
        }
        for (const p of record.pools.filter((x) => x.uri === host)) await this.removePoolIfEmpty(virsh, p.name, task);
      } catch (e) {
        failures.push(`${host}: ${(e as Error).message}`);
      }
    }
    if (failures.length > 0) throw new LibvirtTeardownError(failures);
    return removed;
  }

  private restoreOwners(failures: string[]): void {
    const record = this.created.read();
    const left = record.owners.filter((o) => {
      const st = statSync(o.path, { throwIfNoEntry: false });
      if (st === undefined || (st.uid === o.uid && st.gid === o.gid)) return false;
      try {
        chownSync(o.path, o.uid, o.gid);
        return false;
      } catch (e) {
        failures.push(`${o.path} is owned by ${st.uid}:${st.gid} (libvirt's dynamic ownership) and could not be given back to ${o.uid}:${o.gid}: ${(e as Error).message}`);
        return true;
      }
    });
    this.created.update((r) => (r.owners = left));
  }
}
