// The lab's persistent state: topology, provider and its settings, the last
// deployment (status per node, addresses, versions) and the developer
// identities the daemon issued. One JSON file in the lab directory, written
// atomically (temporary file + rename); a damaged file stops the daemon with
// a message naming it, and is never overwritten.
import { existsSync } from 'node:fs';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { z } from 'zod';
import { defaultTopology, parseTopology, topologySchema, type Topology } from './topology.ts';

const nodeRecordSchema = z.object({
  id: z.string(),
  role: z.enum(['pr', 'pv']),
  url: z.string(),
  mqttUrl: z.string().optional(),
});

const deploymentSchema = z.object({
  status: z.enum(['none', 'deploying', 'deployed', 'failed', 'tearing-down']),
  provider: z.string(),
  updatedMs: z.number(),
  nodes: z.array(nodeRecordSchema),
  skipped: z.array(z.object({ pvId: z.string(), verifierId: z.string(), reason: z.string() })),
  /** Version of the node software deployed. */
  version: z.string().optional(),
  error: z.string().optional(),
});

const submissionSchema = z.object({
  name: z.string(),
  version: z.number().int(),
  archiveHash: z.string(),
  submissionId: z.string(),
  submittedMs: z.number(),
  /** The binding the daemon computed from what it submitted: what every PV should include (monitor's expectation). */
  bindingHash: z.string().optional(),
  bindingError: z.string().optional(),
});

const developerSchema = z.object({ name: z.string(), namespaces: z.array(z.string()), serial: z.string(), issuedMs: z.number() });

export const labStateSchema = z.object({
  version: z.literal(1),
  topology: topologySchema,
  /** The provider deploys use; settings keep each provider's own (settings.libvirt), so switching back and forth loses nothing. */
  provider: z.object({ kind: z.enum(['local', 'libvirt']), settings: z.record(z.string(), z.unknown()) }),
  deployment: deploymentSchema,
  /** The identity the daemon submits with (role developer). */
  labDeveloper: z.object({ name: z.string(), namespaces: z.array(z.string()) }),
  developers: z.array(developerSchema),
  /** Plugins the daemon submitted, newest last. */
  submissions: z.array(submissionSchema).default([]),
  daemon: z.object({ port: z.number().int().min(0).max(65535).optional() }),
});

export type LabState = z.infer<typeof labStateSchema>;
export type Deployment = z.infer<typeof deploymentSchema>;
export type DeveloperRecord = z.infer<typeof developerSchema>;
export type SubmissionRecord = z.infer<typeof submissionSchema>;

export class LabStateError extends Error {
  readonly code = 'state-invalid';
  constructor(message: string) {
    super(message);
    this.name = 'LabStateError';
  }
}

export function initialState(): LabState {
  return {
    version: 1,
    topology: defaultTopology(),
    provider: { kind: 'local', settings: {} },
    deployment: { status: 'none', provider: 'local', updatedMs: Date.now(), nodes: [], skipped: [] },
    labDeveloper: { name: 'lab', namespaces: ['org.example', 'org.pquic', 'be.uclouvain'] },
    developers: [],
    submissions: [],
    daemon: {},
  };
}

export class LabStore {
  private constructor(
    private readonly db: Low<LabState>,
    readonly file: string,
  ) {}

  static async open(file: string): Promise<LabStore> {
    const fresh = !existsSync(file);
    const db = new Low<LabState>(new JSONFile<LabState>(file), initialState());
    try {
      await db.read();
    } catch (e) {
      throw new LabStateError(`the lab state ${file} cannot be read (${(e as Error).message}); fix or move it away, it is not overwritten`);
    }
    const parsed = labStateSchema.safeParse(db.data);
    if (!parsed.success) {
      throw new LabStateError(`the lab state ${file} is invalid (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); fix or move it away, it is not overwritten`);
    }
    try {
      parseTopology(parsed.data.topology);
    } catch (e) {
      throw new LabStateError(`the lab state ${file} holds an invalid topology: ${(e as Error).message}`);
    }
    db.data = parsed.data;
    const store = new LabStore(db, file);
    if (fresh) await db.write();
    return store;
  }

  get state(): Readonly<LabState> {
    return this.db.data;
  }

  /** Applies a change and writes the file; changes are serialised by lowdb's writer. */
  async update(change: (s: LabState) => void): Promise<LabState> {
    change(this.db.data);
    await this.db.write();
    return this.db.data;
  }

  async setTopology(t: Topology): Promise<void> {
    await this.update((s) => {
      s.topology = t;
    });
  }
}
