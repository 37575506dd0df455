// What the daemon's API sends and accepts (docs/daemon.md), as the renderer
// sees it on the wire.

export interface VerifierSpec {
  id: string;
  kind: string;
  property: string;
  options?: Record<string, unknown>;
  timeoutMs?: number;
  memoryMb?: number;
}

export interface PvSpec {
  id: string;
  verifiers: VerifierSpec[];
  formula: string;
  epochLengthMs: number;
}

export interface Topology {
  pr: { id: string };
  pvs: PvSpec[];
}

export interface SkippedVerifier {
  pvId: string;
  verifierId: string;
  reason: string;
}

export type NodeHealth = 'starting' | 'healthy' | 'unhealthy' | 'restarting' | 'stopped' | 'failed';

export interface NodeStatus {
  id: string;
  role: 'pr' | 'pv';
  health: NodeHealth;
  url: string;
  mqttUrl?: string;
  pid?: number;
  restarts: number;
  startedMs?: number;
  lastExit?: { code: number | null; signal: string | null; timeMs: number };
  detail?: string;
  /** The node's whole log on the daemon's host, when the provider keeps one. */
  logFile?: string;
}

export interface Deployment {
  status: 'none' | 'deploying' | 'deployed' | 'failed' | 'tearing-down';
  provider: string;
  updatedMs: number;
  nodes: { id: string; role: 'pr' | 'pv'; url: string; mqttUrl?: string }[];
  skipped: SkippedVerifier[];
  version?: string;
  error?: string;
}

export interface TaskStep {
  name: string;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  startedMs: number;
  endedMs?: number;
}

export interface Task {
  id: string;
  kind: string;
  title: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  plannedSteps: string[];
  steps: TaskStep[];
  progress: number;
  createdMs: number;
  endedMs?: number;
  logTail: string[];
  error?: { step: string | null; message: string };
}

export interface LabInfo {
  dir: string;
  topology: Topology;
  provider: { kind: string; settings: Record<string, unknown> };
  deployment: Deployment;
  labDeveloper: { name: string; namespaces: string[] };
  unavailable: SkippedVerifier[];
}

export interface LabStatus {
  deployment: Deployment;
  nodes: NodeStatus[];
  task?: Task;
}

export interface LabEvent {
  seq: number;
  time: number;
  node: string;
  type: string;
  payload: Record<string, unknown>;
}

export interface Submission {
  name: string;
  version: number;
  archiveHash: string;
  submissionId: string;
  submittedMs: number;
  bindingHash?: string;
  bindingError?: string;
  created?: boolean;
}

export interface Finding {
  check: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  pluglet?: string;
  instruction?: number;
  disasm?: string;
  source?: { file: string; line: number };
  explanation?: string;
}

export interface FailureReport {
  pvId: string;
  submissionId: string;
  name: string;
  archiveHash: string;
  bindingHash: string | null;
  reason: string;
  verifiers: { id: string; property: string; verdict: string; findings: Finding[]; log: string }[];
  receivedMs: number;
}

export interface PvPluginStatus {
  pvId: string;
  state: 'not-fetched' | 'fetched' | 'failed';
  fetchedMs: number | null;
  failure: FailureReport | null;
}

export interface PluginVersionStatus {
  id: string;
  name: string;
  version: number;
  archiveHash: string;
  size: number;
  files: number;
  submitter: string;
  submittedMs: number;
  topics: string[];
  pvs: PvPluginStatus[];
}

export interface PluginStatus {
  name: string;
  versions: PluginVersionStatus[];
  submittedByLab: Submission[];
}

/** An STR as the API sends it (spms/core strToJson): byte fields as lowercase hex. */
export interface StrJson {
  pvId: string;
  epoch: number;
  timestampMs: number;
  root: string;
  prevStrHash: string;
  treeId: string;
  policyHash: string;
  signature: string;
}

export interface EpochChain {
  pvId: string;
  strPublicKey: string;
  latestEpoch: number;
  chain: {
    ok: boolean;
    /** `reportedBy: 'pr'`: an STR the PR refused from this PV (signature checked by the daemon), received at `receivedMs`. */
    issues: { code: string; epoch: number; message: string; evidence?: { first: StrJson; second: StrJson }; reportedBy?: 'pr'; receivedMs?: number }[];
    /** Why the PR's evidence could not be read. */
    evidenceError?: string;
  };
  strs: (StrJson & { hash: string; signatureOk: boolean })[];
}

export interface ProofAnswer {
  pvId: string;
  name: string;
  epoch: number;
  kind: 'inclusion' | 'absence';
  bindingHash: string | null;
  str: StrJson;
  strSignatureOk: boolean;
  proof: unknown;
  verdict: { ok: boolean; code?: string; message?: string; [key: string]: unknown };
}

export interface PvVerdict {
  pvId: string;
  ok: boolean;
  step?: string;
  reason?: string;
  epoch?: number;
}

export interface BundleCheck {
  name: string;
  formula: string;
  expectedBinding: string | null;
  bundle: unknown;
  skipped: { pvId: string; reason: string }[];
  verdict: { accepted: boolean; bindingMatches: boolean; formulaHolds: boolean; verified: string[]; pvs: PvVerdict[]; reason: string };
}

export interface MonitorAlert {
  pvId: string;
  code: string;
  epoch?: number;
  name?: string;
  message: string;
  evidence?: unknown;
}

export interface MonitorResult {
  names: string[];
  expected: Record<string, string[]>;
  alerts: MonitorAlert[];
  observations: { pvId: string; name: string; epoch: number; state: 'expected' | 'absent' | 'unexpected'; version?: number; bindingHash?: string }[];
  /** The epochs checked on each PV (null when the window held none of its epochs), and its latest. */
  ranges: { pvId: string; from: number | null; to: number | null; latest: number }[];
  unreachable: { pvId: string; reason: string }[];
}

/** Which epochs the monitor checks: from an epoch (0 when neither is given) or the last N of each PV's chain, up to `toEpoch` or the latest. */
export interface MonitorWindow {
  fromEpoch?: number;
  toEpoch?: number;
  lastEpochs?: number;
}

export interface IssuedCertificate {
  serial: string;
  role: string;
  name: string;
  issuedMs: number;
  notAfterMs: number;
  fingerprint: string;
  dnsNames: string[];
  ipAddresses: string[];
  namespaces?: string[];
  strPublicKey?: string;
  supersedes?: string;
  revoked?: { revokedMs: number; reason: string };
  status: 'valid' | 'expired' | 'revoked';
}

export interface MeasureFile {
  file: string;
  bytes: number;
  modifiedMs: number;
}

/** Where the lab's nodes run (GET/PUT /api/lab/provider). */
export interface LibvirtSettings {
  uri: string;
  network: { mode: 'user' | 'nat'; name: string; subnet: string };
  accelerator: 'auto' | 'kvm' | 'tcg';
  defaults: { vcpus: number; memoryMiB: number; diskGiB: number };
  pool: string;
}

export interface ProviderInfo {
  kind: 'local' | 'libvirt';
  /** The libvirt settings in use, or those a switch to libvirt would start from. */
  libvirt: LibvirtSettings;
  /** The accelerator VMs get on this host under the current settings, and why. */
  accelerator: { accelerator: 'kvm' | 'tcg'; reason: string };
  /** What this host lacks to run VMs, if anything (then libvirt cannot be chosen). */
  libvirtMissing: string[];
}

/** A built VM image (GET /api/images). */
export interface VmImage {
  kind: 'base' | 'pr' | 'pv';
  id: string;
  disk: string;
  builtMs: number;
  buildDurationMs: number;
  sizeBytes: number;
}
