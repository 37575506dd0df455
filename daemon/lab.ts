// One lab as the daemon owns it: its state, CA, event stream, tasks and the
// provider that runs its nodes. Deploy and teardown run as tasks, one at a
// time; everything they do is on the event stream.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { LabCa } from '../certs/lab-ca.ts';
import { CrlKeeper } from './crl-keeper.ts';
import { EventHub } from './events/event-hub.ts';
import { IMAGE_STEPS, ImageBuilder } from './images/image-builder.ts';
import type { ImageRole } from './images/role-image.ts';
import { withinRange } from './images/task-range.ts';
import { ApiError } from './http/api-error.ts';
import { labPaths, type LabPaths } from './lab-dir.ts';
import { LabDeveloper } from './lab-developer.ts';
import { LocalProvider } from './providers/local/local-provider.ts';
import { chooseAccelerator, type AcceleratorChoice } from './providers/libvirt/accelerator.ts';
import { createLibvirtProvider } from './providers/libvirt/create-libvirt-provider.ts';
import { LibvirtProvider } from './providers/libvirt/libvirt-provider.ts';
import { LibvirtSettingsError, parseLibvirtSettings, type LibvirtSettings } from './providers/libvirt/libvirt-settings.ts';
import type { NodeStatus, Provider, ProviderContext } from './providers/provider.ts';
import { missingVmTools } from './providers/vm-host-tools.ts';
import { LabStore, type Deployment } from './state/lab-state.ts';
import { parseTopology, type Topology } from './state/topology.ts';
import type { Task } from './tasks/task.ts';
import { TaskManager } from './tasks/task-manager.ts';

export interface LabOptions {
  /** RSA size of a new root CA (3072 by default; tests use 2048 for speed). */
  caKeyBits?: 2048 | 3072 | 4096;
  /** Lifetime of the CRLs of a new root CA (90 days by default); the CA keeps it (`spms ca crl --crl-days` changes it). */
  crlValidityDays?: number;
}

const providerChoiceSchema = z.object({ kind: z.enum(['local', 'libvirt']), settings: z.unknown().optional() }).strict();

export interface ProviderInfo {
  kind: 'local' | 'libvirt';
  libvirt: LibvirtSettings;
  /** The accelerator VMs get on this host under these settings, and why. */
  accelerator: AcceleratorChoice;
  /** What this host lacks to run VMs (empty when nothing). */
  libvirtMissing: string[];
}

export interface LabStatus {
  deployment: Deployment;
  nodes: NodeStatus[];
  task?: Task;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export class Lab {
  readonly hub = new EventHub();
  readonly tasks = new TaskManager((e) => this.hub.emit(e));
  readonly developer: LabDeveloper;
  readonly crl: CrlKeeper;
  /** The VM images (built on demand by deploys on libvirt, or by an image task). */
  readonly images: ImageBuilder;
  private current: Provider;
  private readonly eventsToken = randomBytes(24).toString('base64url');
  /** Whether the lab was deployed when the daemon last stopped. */
  readonly wasDeployed: boolean;

  private constructor(
    readonly paths: LabPaths,
    readonly store: LabStore,
    readonly ca: LabCa,
  ) {
    this.developer = new LabDeveloper(ca, store);
    this.crl = new CrlKeeper(ca, (e) => this.hub.emit(e));
    this.images = new ImageBuilder({ dir: join(paths.dir, 'images') });
    this.current = this.createProvider();
    this.wasDeployed = store.state.deployment.status === 'deployed' || store.state.deployment.status === 'deploying';
  }

  static async open(dir: string, opts: LabOptions = {}): Promise<Lab> {
    const paths = labPaths(dir);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const store = await LabStore.open(paths.state);
    const ca = existsSync(join(paths.ca, 'ca.crt'))
      ? LabCa.open(paths.ca)
      : LabCa.init(paths.ca, {
          commonName: 'SPMS Lab Root CA',
          ...(opts.caKeyBits === undefined ? {} : { keyBits: opts.caKeyBits }),
          ...(opts.crlValidityDays === undefined ? {} : { crlValidityDays: opts.crlValidityDays }),
        });
    const lab = new Lab(paths, store, ca);
    lab.crl.checkOrReport();
    lab.crl.start();
    // Processes do not outlive the daemon: whatever was running is gone now.
    if (store.state.deployment.status !== 'none') {
      await store.update((s) => {
        s.deployment = { ...s.deployment, status: 'none', nodes: [], updatedMs: Date.now() };
      });
    }
    return lab;
  }

  get provider(): Provider {
    return this.current;
  }

  private providerContext(): ProviderContext {
    return { labDir: this.paths.dir, ca: this.ca, eventsToken: this.eventsToken, emit: (e) => this.hub.emit(e) };
  }

  private createProvider(): Provider {
    const p = this.store.state.provider;
    if (p.kind === 'local') return new LocalProvider(this.providerContext());
    return createLibvirtProvider(this.providerContext(), parseLibvirtSettings(p.settings.libvirt), this.images);
  }

  /** The provider in use, the libvirt settings (in use, or kept for a switch), and what this host can do for VMs. */
  async providerInfo(): Promise<ProviderInfo> {
    const p = this.store.state.provider;
    const libvirt = parseLibvirtSettings(p.settings.libvirt);
    return { kind: p.kind, libvirt, accelerator: chooseAccelerator(libvirt.accelerator), libvirtMissing: missingVmTools() };
  }

  /** Switches provider (and its settings) while nothing is deployed or running. */
  async setProvider(raw: unknown): Promise<ProviderInfo> {
    const body = providerChoiceSchema.safeParse(raw);
    if (!body.success)
      throw new ApiError(400, 'bad-provider', `expected {kind: "local" | "libvirt", settings?}: ${body.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    let libvirt: LibvirtSettings;
    try {
      libvirt = parseLibvirtSettings(body.data.settings ?? this.store.state.provider.settings.libvirt);
    } catch (e) {
      if (e instanceof LibvirtSettingsError) throw new ApiError(400, e.code, e.message);
      throw e;
    }
    this.refuseWhileBusy();
    if (this.store.state.deployment.status !== 'none' && this.store.state.deployment.status !== 'failed')
      throw new ApiError(409, 'lab-deployed', `the lab is ${this.store.state.deployment.status}: tear it down before changing where it runs`);
    if (body.data.kind === 'libvirt') {
      const missing = missingVmTools();
      if (missing.length > 0) throw new ApiError(409, 'vm-tools-missing', `this host cannot run the lab as VMs: ${missing.join('; ')} (scripts/setup.sh --vm installs them)`);
    }
    await this.provider.teardown();
    await this.store.update((s) => {
      s.provider = { kind: body.data.kind, settings: { ...s.provider.settings, libvirt } };
      s.deployment = { ...s.deployment, provider: body.data.kind };
    });
    this.current = this.createProvider();
    const info = await this.providerInfo();
    this.hub.emit({ node: 'daemon', type: 'provider-changed', payload: { kind: info.kind, accelerator: info.accelerator } });
    return info;
  }

  get topology(): Topology {
    return this.store.state.topology;
  }

  async setTopology(raw: unknown): Promise<Topology> {
    const t = parseTopology(raw);
    const busy = this.tasks.running();
    if (busy !== undefined) throw new ApiError(409, 'busy', `a ${busy.kind} task is running (${busy.id}); wait for it or cancel it`);
    if (this.store.state.deployment.status === 'deployed') throw new ApiError(409, 'lab-deployed', 'the lab is deployed: tear it down before changing its topology');
    await this.store.setTopology(t);
    this.hub.emit({ node: 'daemon', type: 'topology-changed', payload: { topology: t } });
    return t;
  }

  status(): LabStatus {
    const task = this.tasks.running();
    return { deployment: this.store.state.deployment, nodes: this.provider.status(), ...(task === undefined ? {} : { task }) };
  }

  private refuseWhileBusy(): void {
    const busy = this.tasks.running();
    if (busy !== undefined) throw new ApiError(409, 'busy', `a ${busy.kind} task is already running (${busy.id})`);
  }

  deploy(): Task {
    this.refuseWhileBusy();
    const topology = this.topology;
    const planned = ['plan', ...this.provider.deploySteps, 'lab developer'];
    return this.tasks.start('deploy', `Deploy ${topology.pvs.length + 1} nodes (${this.provider.kind})`, planned, async (task) => {
      task.step('plan');
      // The nodes get the CRL as it is now: it must not expire under them.
      const renewed = this.crl.check();
      if (renewed !== undefined) task.log(`CRL renewed, valid until ${new Date(renewed.nextUpdateMs).toISOString()}`);
      const plan = await this.provider.plan(topology);
      for (const s of plan.skipped) task.log(`${s.pvId}/${s.verifierId} skipped: ${s.reason}`);
      await this.store.update((s) => {
        s.deployment = { status: 'deploying', provider: this.provider.kind, updatedMs: Date.now(), nodes: [], skipped: plan.skipped, version: packageVersion() };
      });
      try {
        const nodes = await this.provider.deploy(plan, topology, task);
        task.step('lab developer');
        await this.developer.ensure();
        await this.store.update((s) => {
          s.deployment = {
            ...s.deployment,
            status: 'deployed',
            updatedMs: Date.now(),
            nodes: nodes.map((n) => ({ id: n.id, role: n.role, url: n.url, ...(n.mqttUrl === undefined ? {} : { mqttUrl: n.mqttUrl }) })),
          };
          delete s.deployment.error;
        });
        this.hub.emit({ node: 'daemon', type: 'lab-deployed', payload: { nodes } });
      } catch (e) {
        await this.provider.teardown();
        await this.store.update((s) => {
          s.deployment = { ...s.deployment, status: task.signal.aborted ? 'none' : 'failed', updatedMs: Date.now(), nodes: [], error: (e as Error).message };
        });
        throw e;
      }
    });
  }

  teardown(): Task {
    const deploying = this.tasks.running('deploy');
    if (deploying !== undefined) this.tasks.cancel(deploying.id);
    else this.refuseWhileBusy();
    return this.tasks.start('teardown', 'Tear the lab down', ['stop nodes'], async (task) => {
      if (deploying !== undefined) await this.tasks.finished(deploying.id);
      task.step('stop nodes');
      await this.store.update((s) => {
        s.deployment = { ...s.deployment, status: 'tearing-down', updatedMs: Date.now() };
      });
      await this.provider.teardown(task);
      await this.store.update((s) => {
        s.deployment = { ...s.deployment, status: 'none', updatedMs: Date.now(), nodes: [] };
      });
      this.hub.emit({ node: 'daemon', type: 'lab-torn-down', payload: {} });
    });
  }

  /** Builds the images a VM deploy needs (only what is missing or out of date). */
  /** Builds what is missing or out of date; `refresh` first asks for Debian's current packages. */
  buildImages(role: 'pr' | 'pv' | 'all', refresh = false): Task {
    this.refuseWhileBusy();
    if (refresh) this.images.refreshDebian();
    const roles: ImageRole[] = role === 'all' ? ['pr', 'pv'] : [role];
    const planned = [IMAGE_STEPS.base, IMAGE_STEPS.bundle, ...roles.map((r) => IMAGE_STEPS.role(r))];
    return this.tasks.start('image-build', `Build the ${roles.join(' and ')} image${roles.length > 1 ? 's' : ''}`, planned, async (task) => {
      for (const [i, r] of roles.entries()) {
        const image = await this.images.ensure(r, withinRange(task, i / roles.length, (i + 1) / roles.length));
        task.log(`${r} image ${image.id}: ${image.disk} (${(image.sizeBytes / 2 ** 20).toFixed(0)} MiB)`);
      }
    });
  }

  /** Removes the images current inputs would not use; refused while a task may be using them. */
  async pruneImages(): Promise<string[]> {
    this.refuseWhileBusy();
    const removed = await this.images.prune();
    // Uploads to remote hosts follow the local cache: what it no longer holds goes there too.
    if (this.current instanceof LibvirtProvider) removed.push(...(await this.current.pruneImageVolumes(new Set(this.images.list().map((i) => i.id)))));
    return removed;
  }

  /** The deployed node's gateway URL; 409 when the lab is not deployed. */
  nodeUrl(id: string): string {
    const d = this.store.state.deployment;
    if (d.status !== 'deployed') throw new ApiError(409, 'not-deployed', 'the lab is not deployed: deploy it first');
    const n = d.nodes.find((x) => x.id === id);
    if (n === undefined) throw new ApiError(404, 'unknown-node', `no node "${id}" in the deployed lab (nodes: ${d.nodes.map((x) => x.id).join(', ')})`);
    return n.url;
  }

  prUrl(): string {
    return this.nodeUrl(this.topology.pr.id);
  }

  pvIds(): string[] {
    return this.store.state.deployment.nodes.filter((n) => n.role === 'pv').map((n) => n.id);
  }

  /** Stops everything the lab runs (daemon exit). */
  async close(): Promise<void> {
    this.crl.stop();
    await this.tasks.cancelAll();
    await this.provider.teardown();
  }
}
