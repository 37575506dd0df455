// The interface every deployment provider implements (local processes here,
// libvirt VMs later): plan what a topology needs, deploy it as a task, report
// each node's health, give each node's logs, and tear it all down.
import type { LabCa } from '../../certs/lab-ca.ts';
import type { EmitLabEvent } from '../events/lab-event.ts';
import type { Topology, VerifierSpec } from '../state/topology.ts';
import type { TaskHandle } from '../tasks/task-handle.ts';

export type NodeRole = 'pr' | 'pv';

/** A verifier of the topology that cannot run on this host, with why (e.g. clang missing). */
export interface SkippedVerifier {
  pvId: string;
  verifierId: string;
  reason: string;
}

export interface PlannedNode {
  id: string;
  role: NodeRole;
  /** For PVs: the verifiers it will run, after skipping the unavailable ones. */
  verifiers?: VerifierSpec[];
}

export interface DeploymentPlan {
  provider: string;
  nodes: PlannedNode[];
  skipped: SkippedVerifier[];
  /** Human-readable steps the deploy task will go through. */
  steps: string[];
}

export type NodeHealth = 'starting' | 'healthy' | 'unhealthy' | 'restarting' | 'stopped' | 'failed';

export interface NodeStatus {
  id: string;
  role: NodeRole;
  health: NodeHealth;
  /** The node's HTTPS gateway (PR API or PV user gateway). */
  url: string;
  /** PR only: its MQTT/TLS broker. */
  mqttUrl?: string;
  pid?: number;
  restarts: number;
  startedMs?: number;
  lastExit?: { code: number | null; signal: string | null; timeMs: number };
  /** Why the node is unhealthy or failed, when known. */
  detail?: string;
  /** The node's whole log on this host, when the provider keeps one (the panel's desktop shell can show it). */
  logFile?: string;
}

/** What a provider needs from the daemon. */
export interface ProviderContext {
  /** The lab's data directory (nodes keep their data under it). */
  labDir: string;
  ca: LabCa;
  /** Bearer token the nodes accept on their /v1/events stream. */
  eventsToken: string;
  emit: EmitLabEvent;
}

export interface Provider {
  readonly kind: string;
  /** The steps a deploy goes through, in order (the task shows them before they start). */
  readonly deploySteps: readonly string[];
  plan(topology: Topology): Promise<DeploymentPlan>;
  /** Brings the planned nodes up and resolves once every node is healthy; throws (naming the node) otherwise. */
  deploy(plan: DeploymentPlan, topology: Topology, task: TaskHandle): Promise<NodeStatus[]>;
  status(): NodeStatus[];
  /** The last `tail` lines a node wrote (stdout and stderr, in order). */
  logs(nodeId: string, tail: number): string[];
  /** Stops every node and releases every port; safe to call at any time, also twice. */
  teardown(task?: TaskHandle): Promise<void>;
}
