// A lab's topology: one PR and its PVs, each PV with its verifiers, the
// properties they establish, its validation formula and its epoch length.
// Validated as external input (PUT /api/lab/topology, the lab's state file)
// with the same policy rules a PV applies to its own configuration, so a
// topology the daemon accepts always deploys.
import { z } from 'zod';
import { PolicyError, validatePolicy } from '../../spms/core/index.ts';

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, 'must be an identifier: a letter or "_" then letters, digits, "_", "-", "." (at most 64)');

export const verifierSpecSchema = z
  .object({
    id: identifier,
    kind: z.string().min(1).max(128),
    property: identifier,
    options: z.record(z.string(), z.unknown()).optional(),
    timeoutMs: z.number().int().min(100).max(3_600_000).optional(),
    memoryMb: z.number().int().min(32).max(16_384).optional(),
  })
  .strict();

/**
 * A node's virtual machine when the lab runs on VMs (the libvirt provider;
 * the local provider ignores it): unset fields take the provider's defaults.
 * `host` names the libvirt host the VM runs on (a connection URI such as
 * qemu+ssh://lab2/system), for a lab spread over several hosts.
 */
export const vmSpecSchema = z
  .object({
    vcpus: z.number().int().min(1).max(64).optional(),
    memoryMiB: z.number().int().min(256).max(262_144).optional(),
    diskGiB: z.number().int().min(2).max(2048).optional(),
    host: z
      .string()
      .regex(/^[a-z][a-z0-9+.-]*:\/\/[^\s]*$/, 'must be a libvirt connection URI, e.g. qemu:///system or qemu+ssh://host/system')
      .max(512)
      .optional(),
  })
  .strict();

export const pvSpecSchema = z
  .object({
    id: identifier,
    verifiers: z.array(verifierSpecSchema).min(1).max(64),
    formula: z.string().min(1).max(4096),
    epochLengthMs: z.number().int().min(100).max(86_400_000),
    vm: vmSpecSchema.optional(),
  })
  .strict();

export const prSpecSchema = z.object({ id: identifier, vm: vmSpecSchema.optional() }).strict();

export const topologySchema = z
  .object({
    pr: prSpecSchema,
    pvs: z.array(pvSpecSchema).min(1).max(16),
  })
  .strict();

export type VerifierSpec = z.infer<typeof verifierSpecSchema>;
export type VmSpec = z.infer<typeof vmSpecSchema>;
export type PvSpec = z.infer<typeof pvSpecSchema>;
export type Topology = z.infer<typeof topologySchema>;

export class TopologyError extends Error {
  readonly code = 'topology-invalid';
  constructor(
    message: string,
    /** Each problem with the path of the field at fault, e.g. "pvs[1].formula". */
    readonly issues: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'TopologyError';
  }
}

function pathOf(parts: readonly PropertyKey[]): string {
  return parts.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') || '(root)';
}

/** Parses an untrusted topology; node ids must be unique and every PV's policy sound. */
export function parseTopology(raw: unknown): Topology {
  const parsed = topologySchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message }));
    throw new TopologyError(`invalid topology: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  const t = parsed.data;
  const issues: { path: string; message: string }[] = [];
  const ids = new Set([t.pr.id]);
  t.pvs.forEach((pv, i) => {
    if (ids.has(pv.id)) issues.push({ path: `pvs[${i}].id`, message: `node id "${pv.id}" is used twice` });
    ids.add(pv.id);
    try {
      validatePolicy({ epochLengthMs: pv.epochLengthMs, verifiers: pv.verifiers.map((v) => ({ id: v.id, kind: v.kind, property: v.property })), formula: pv.formula });
    } catch (e) {
      if (!(e instanceof PolicyError)) throw e;
      issues.push({ path: `pvs[${i}].${e.path}`, message: e.message.slice(e.path.length + 2) });
    }
  });
  if (issues.length > 0) throw new TopologyError(`invalid topology: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  return t;
}

/**
 * The default lab: three PVs that disagree usefully, so formulas such as
 * `PV1 & (PV2 | PV3)` have something to decide.
 */
export function defaultTopology(): Topology {
  return {
    pr: { id: 'PR' },
    pvs: [
      {
        id: 'PV1',
        verifiers: [
          { id: 'wf', kind: 'wellformed', property: 'wellformed' },
          { id: 'term', kind: 'termination', property: 'termination' },
        ],
        formula: 'wellformed & termination',
        epochLengthMs: 5000,
      },
      {
        id: 'PV2',
        verifiers: [
          { id: 'wf', kind: 'wellformed', property: 'wellformed' },
          { id: 'fx', kind: 'side-effects', property: 'side_effects' },
        ],
        formula: 'wellformed & side_effects',
        epochLengthMs: 5000,
      },
      {
        id: 'PV3',
        verifiers: [
          { id: 'cc', kind: 'compile', property: 'compiles' },
          { id: 'ok', kind: 'dummy-pass', property: 'accepted' },
        ],
        formula: 'compiles & accepted',
        epochLengthMs: 5000,
      },
    ],
  };
}
