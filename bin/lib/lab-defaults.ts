// What a running lab gives the commands that talk to its nodes when their
// URL or certificate flags are left out: the lab's daemon (found through
// --lab-dir, else SPMS_LAB_DIR, else the default lab directory) says where
// the deployed nodes listen, and the lab's CA directory holds the root, the
// CRL and the lab developer's certificate. Each command reaches the lab it
// is given, so several labs can coexist.
import { LabCa } from '../../certs/lab-ca.ts';
import type { DaemonClient } from '../../daemon/daemon-client.ts';
import { labPaths, resolveLabDir } from '../../daemon/lab-dir.ts';
import type { LabStatus } from '../../daemon/lab.ts';
import type { Deployment } from '../../daemon/state/lab-state.ts';
import { UsageError } from './cli.ts';
import { connect } from './lab-daemon.ts';

/** The option every lab-aware command accepts, for its parse() options. */
export const LAB_DIR_OPTION = { 'lab-dir': { type: 'string' } } as const;

/** The flags of a command that reaches the PR as a developer; prClientFlags() fills in the missing ones. */
export const PR_CLIENT_FLAGS = ['pr', 'ca', 'cert', 'key'] as const;
export const PR_CLIENT_OPTIONS = { pr: { type: 'string' }, ca: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' }, ...LAB_DIR_OPTION } as const;

/** The lab a command needs is not running or not deployed; `code` makes runCommand exit with 3. */
export class LabUnavailableError extends Error {
  readonly code = 'unreachable';
  constructor(message: string) {
    super(message);
    this.name = 'LabUnavailableError';
  }
}

function given(values: Record<string, unknown>, key: string): boolean {
  return typeof values[key] === 'string' && values[key] !== '';
}

export class RunningLab {
  private constructor(
    readonly dir: string,
    readonly client: DaemonClient,
    private readonly ca: LabCa,
  ) {}

  /** The lab's running daemon; `flags` are what the command lacks, named in the error when there is none. */
  static async connect(values: Record<string, unknown>, flags: string[]): Promise<RunningLab> {
    const dir = resolveLabDir(given(values, 'lab-dir') ? (values['lab-dir'] as string) : undefined);
    const running = await connect(dir);
    if (running === undefined) {
      const list = flags.map((f) => `--${f}`).join(', ');
      throw new LabUnavailableError(`no lab daemon runs for ${dir} to take ${list} from: pass ${list}, or start that lab with "spms lab up" (--lab-dir or SPMS_LAB_DIR names the lab directory)`);
    }
    return new RunningLab(dir, running.client, LabCa.open(labPaths(dir).ca));
  }

  get caFile(): string {
    return this.ca.paths.cert;
  }

  get crlFile(): string {
    return this.ca.paths.crl;
  }

  private async nodes(): Promise<Deployment['nodes']> {
    const { deployment } = await this.client.get<LabStatus>('/api/lab/status');
    if (deployment.status !== 'deployed') throw new LabUnavailableError(`the lab in ${this.dir} is not deployed (${deployment.status}): run "spms lab up"`);
    return deployment.nodes;
  }

  async prUrl(): Promise<string> {
    const pr = (await this.nodes()).find((n) => n.role === 'pr');
    if (pr === undefined) throw new LabUnavailableError(`the lab in ${this.dir} has no PR deployed: run "spms lab up"`);
    return pr.url;
  }

  /** The gateway URL of the deployed PV `id`; an id the lab does not have is a usage error. */
  async pvUrl(id: string): Promise<string> {
    const pvs = (await this.nodes()).filter((n) => n.role === 'pv');
    const pv = pvs.find((n) => n.id === id);
    if (pv === undefined) throw new UsageError(`the lab in ${this.dir} has no PV "${id}" (its PVs: ${pvs.map((n) => n.id).join(', ') || 'none'}); --pv takes one of them or a URL`);
    return pv.url;
  }

  /** The certificate and key the daemon submits with, as the lab's CA keeps them. */
  async developer(): Promise<{ certFile: string; keyFile: string }> {
    const { labDeveloper } = await this.client.get<{ labDeveloper: { name: string } }>('/api/lab');
    return this.ca.holderFiles('developer', labDeveloper.name);
  }
}

/**
 * The value of each flag in `from`: as given, else from the running lab
 * (connected once, only when a flag is missing).
 */
export async function flagsOrLab<K extends string>(values: Record<string, unknown>, from: Record<K, (lab: RunningLab) => string | Promise<string>>): Promise<Record<K, string>> {
  const keys = Object.keys(from) as K[];
  const missing = keys.filter((k) => !given(values, k));
  const lab = missing.length > 0 ? await RunningLab.connect(values, missing) : undefined;
  const out = {} as Record<K, string>;
  for (const k of keys) out[k] = lab === undefined || given(values, k) ? (values[k] as string) : await from[k](lab);
  return out;
}

/** --pr, --ca, --cert and --key as given; the missing ones are the lab's PR, its root CA and the lab developer's certificate. */
export function prClientFlags(values: Record<string, unknown>, usage: string): Promise<Record<(typeof PR_CLIENT_FLAGS)[number], string>> {
  // A certificate of one identity with the key of another cannot work.
  if (given(values, 'cert') !== given(values, 'key')) throw new UsageError(`--cert and --key go together\n\n${usage}`);
  return flagsOrLab(values, {
    pr: (lab) => lab.prUrl(),
    ca: (lab) => lab.caFile,
    cert: async (lab) => (await lab.developer()).certFile,
    key: async (lab) => (await lab.developer()).keyFile,
  });
}
