// The embedded default provider: the lab's nodes as child processes of the
// daemon on loopback ports, with their configuration, data and logs under
// <labDir>/nodes/. Deploy issues (or keeps) the nodes' certificates, writes
// their configurations, starts the PR and then the PVs, and follows each
// node's event stream once it is up; teardown stops the PVs, then the PR.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NodeEventStream } from '../../events/node-event-stream.ts';
import type { Topology } from '../../state/topology.ts';
import type { TaskHandle } from '../../tasks/task-handle.ts';
import { deployedVerifiers, unavailableVerifiers } from '../../verifier-availability.ts';
import type { DeploymentPlan, NodeStatus, PlannedNode, Provider, ProviderContext } from '../provider.ts';
import { loadOrCreateStrKey } from '../../../spms/pv/str-key.ts';
import { nodeCertificate, type NodeCertificate } from './node-certificate.ts';
import { mqttUrl, nodeUrl, prConfig, pvConfig, writeConfigFile, type NodeBasics } from './node-config.ts';
import { NodeLog } from './node-log.ts';
import { allocateNodePorts } from './node-ports.ts';
import { NodeProcess, type Supervision } from './node-process.ts';

const STEPS = ['certificates', 'configuration', 'start PR', 'start PVs'];

export interface LocalProviderOptions {
  /** Overrides of the supervisor's default limits and delays (see SUPERVISION). */
  supervision?: Partial<Supervision>;
}

interface DeployedNode {
  supervisor: NodeProcess;
  events: NodeEventStream;
}

export class LocalProvider implements Provider {
  readonly kind = 'local';
  readonly deploySteps = STEPS;
  /** The nodes of the latest deploy, PR first; kept after teardown for their status and logs. */
  private nodes: DeployedNode[] = [];
  /** Aborts the deploy in progress, if any, when the lab is torn down. */
  private deploying: AbortController | undefined;

  constructor(
    private readonly ctx: ProviderContext,
    private readonly options: LocalProviderOptions = {},
  ) {}

  private get nodesDir(): string {
    return resolve(this.ctx.labDir, 'nodes');
  }

  async plan(topology: Topology): Promise<DeploymentPlan> {
    const skipped = await unavailableVerifiers(topology);
    const nodes: PlannedNode[] = [
      { id: topology.pr.id, role: 'pr' },
      ...topology.pvs.map((pv): PlannedNode => ({ id: pv.id, role: 'pv', verifiers: deployedVerifiers(pv.id, pv.verifiers, skipped) })),
    ];
    return { provider: this.kind, nodes, skipped, steps: [...STEPS] };
  }

  async deploy(plan: DeploymentPlan, topology: Topology, task: TaskHandle): Promise<NodeStatus[]> {
    // A redeploy replaces whatever runs.
    await this.teardown();
    const own = new AbortController();
    this.deploying = own;
    const signal = AbortSignal.any([task.signal, own.signal]);
    const started: DeployedNode[] = [];
    try {
      signal.throwIfAborted();
      mkdirSync(this.nodesDir, { recursive: true });
      task.step('certificates');
      const certified = this.certify(plan.nodes, task);
      task.progress(0.15);
      signal.throwIfAborted();

      task.step('configuration');
      const placed = await allocateNodePorts(
        join(this.nodesDir, 'ports.json'),
        certified.map((n) => ({ ...n, mqtt: n.role === 'pr' })),
      );
      signal.throwIfAborted();
      const prPorts = placed.find((n) => n.role === 'pr')?.ports;
      if (prPorts?.mqtt === undefined) throw new Error('the plan has no PR');
      const pr = { url: nodeUrl(prPorts.http), mqttUrl: mqttUrl(prPorts.mqtt) };
      // Each node is created right after a check, with no await in between: a teardown that aborts this deploy always finds it.
      this.nodes = started;
      for (const node of placed) {
        const file = join(this.nodesDir, `${node.id}.json`);
        const basics: NodeBasics = { id: node.id, dataDir: join(this.nodesDir, node.id), port: node.ports.http, certificate: node.certificate, ca: this.ctx.ca, eventsToken: this.ctx.eventsToken };
        mkdirSync(basics.dataDir, { recursive: true });
        writeConfigFile(file, node.role === 'pr' ? prConfig(basics, prPorts.mqtt) : pvConfig(basics, this.pvSpec(topology, node.id), node.verifiers ?? [], pr));
        signal.throwIfAborted();
        started.push(this.prepareNode(node, file, nodeUrl(node.ports.http), node.role === 'pr' ? pr.mqttUrl : undefined));
      }
      task.log(`ports: ${placed.map((n) => `${n.id} ${n.ports.http}`).join(', ')}, MQTT ${prPorts.mqtt}`);
      task.progress(0.25);

      const prNode = started.find((n) => n.supervisor.role === 'pr');
      const pvNodes = started.filter((n) => n.supervisor.role === 'pv');
      task.step('start PR');
      if (prNode !== undefined) await this.startNode(prNode, signal, task);
      task.progress(0.55);
      task.step('start PVs');
      let up = 0;
      await Promise.all(
        pvNodes.map(async (n) => {
          await this.startNode(n, signal, task);
          task.progress(0.55 + (0.45 * ++up) / pvNodes.length);
        }),
      );
      return this.status();
    } catch (e) {
      own.abort(e);
      await this.stopNodes(started);
      throw e;
    } finally {
      if (this.deploying === own) this.deploying = undefined;
    }
  }

  status(): NodeStatus[] {
    return this.nodes.map((n) => n.supervisor.status());
  }

  logs(nodeId: string, tail: number): string[] {
    return this.nodes.find((n) => n.supervisor.id === nodeId)?.supervisor.logs(tail) ?? [];
  }

  async teardown(task?: TaskHandle): Promise<void> {
    this.deploying?.abort(new Error('the lab was torn down while it was being deployed'));
    await this.stopNodes(this.nodes, task);
  }

  private certify(nodes: PlannedNode[], task: TaskHandle): (PlannedNode & { certificate: NodeCertificate })[] {
    return nodes.map((node) => {
      const strKey = node.role === 'pv' ? loadOrCreateStrKey(join(this.nodesDir, node.id, 'str-ed25519.key')) : undefined;
      const certificate = nodeCertificate(this.ctx.ca, node.role, node.id, strKey?.publicKey);
      task.log(`${node.id}: ${certificate.issued ? 'new certificate issued' : 'certificate kept'}`);
      return { ...node, certificate };
    });
  }

  private pvSpec(topology: Topology, id: string): Topology['pvs'][number] {
    const spec = topology.pvs.find((pv) => pv.id === id);
    if (spec === undefined) throw new Error(`the plan names a PV "${id}" that the topology does not have`);
    return spec;
  }

  private prepareNode(node: PlannedNode, configFile: string, url: string, prMqttUrl: string | undefined): DeployedNode {
    const events = new NodeEventStream({ node: node.id, url, caPem: this.ctx.ca.rootPem, token: this.ctx.eventsToken, emit: this.ctx.emit });
    const supervisor = new NodeProcess({
      id: node.id,
      role: node.role,
      configFile,
      url,
      ...(prMqttUrl === undefined ? {} : { mqttUrl: prMqttUrl }),
      caPem: this.ctx.ca.rootPem,
      log: new NodeLog(join(this.nodesDir, `${node.id}.log`)),
      emit: this.ctx.emit,
      onSpawn: () => events.newProcess(),
      supervision: this.options.supervision,
    });
    return { supervisor, events };
  }

  private async startNode(node: DeployedNode, signal: AbortSignal, task: TaskHandle): Promise<void> {
    task.log(`starting ${node.supervisor.id}`);
    await node.supervisor.start(signal);
    node.events.start();
    task.log(`${node.supervisor.id} is healthy at ${node.supervisor.status().url}`);
  }

  /** The PVs first, which depend on the PR, then the PR. */
  private async stopNodes(nodes: DeployedNode[], task?: TaskHandle): Promise<void> {
    for (const n of nodes) n.events.stop();
    for (const role of ['pv', 'pr'] as const) {
      const stopping = nodes.filter((n) => n.supervisor.role === role);
      if (stopping.length === 0) continue;
      task?.step(role === 'pv' ? 'stop PVs' : 'stop PR');
      await Promise.all(stopping.map((n) => n.supervisor.stop()));
    }
    task?.progress(1);
  }
}
