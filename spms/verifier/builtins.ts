// The built-in verifiers, by kind: the four eBPF checks, `compile`, and two
// dummies for wiring tests. Factories validate their options (zod) and fail
// with the precise option at fault.
import { z } from 'zod';
import type { Anchoring } from './analysis.ts';
import { compileFiles } from './compile.ts';
import type { Verifier, VerifierInput, VerifierResult } from './contract.ts';
import { VerifierError } from './errors.ts';
import type { Finding } from './finding.ts';
import { hasErrors, sortFindings } from './finding.ts';
import { lintManifest } from './manifest-lint.ts';
import { plugletEntries } from './manifest.ts';
import type { CheckName, CheckPolicy } from './pluglet-report.ts';
import { verifyPluglet } from './pluglet-report.ts';
import { defaultSpecDir, loadSpecs } from './specs.ts';

export const optionsSchema = z.strictObject({
  /** Stack profile: PQUIC's 2048-byte frame, or the strict 512-byte one. */
  stack: z.union([z.literal(2048), z.literal(512)]).optional(),
  /** Only these helpers may be called (default: the whole API). */
  allowHelpers: z.array(z.string().min(1)).max(1024).optional(),
  /** These helpers may never be called. */
  denyHelpers: z.array(z.string().min(1)).max(1024).optional(),
  /** Accept walks of core linked lists as terminating (default true). */
  assumeFiniteLists: z.boolean().optional(),
  /** Directory of side-effect specs (default: the bundled ones). */
  specDir: z.string().min(1).optional(),
  /** Fail pluglets whose operation has no spec (default false). */
  requireSpec: z.boolean().optional(),
  /** Property name reported (default: the kind). */
  property: z.string().min(1).max(64).optional(),
  /** Per-tool compile timeout (compile verifier). */
  timeoutMs: z.number().int().positive().max(600_000).optional(),
});

export type VerifierOptions = z.infer<typeof optionsSchema>;

export function parseOptions(kind: string, raw: unknown): VerifierOptions {
  const r = optionsSchema.safeParse(raw ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'options' : `option ${issue.path.join('.')}`;
    throw new VerifierError('verifier-options', `${kind}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return r.data;
}

function policyOf(o: VerifierOptions): CheckPolicy {
  const policy: CheckPolicy = {
    stackSize: o.stack ?? 2048,
    denyHelpers: new Set(o.denyHelpers ?? []),
    assumeFiniteLists: o.assumeFiniteLists ?? true,
    specs: loadSpecs(o.specDir ?? defaultSpecDir),
    requireSpec: o.requireSpec ?? false,
  };
  if (o.allowHelpers !== undefined) policy.allowHelpers = new Set(o.allowHelpers);
  return policy;
}

const cancelled = (property: string, started: number): VerifierResult => ({ verdict: 'error', property, findings: [], log: 'cancelled', durationMs: performance.now() - started });

function summarise(findings: Finding[]): string {
  return findings
    .map(
      (f) =>
        `${f.severity} ${f.check}${f.pluglet === undefined ? '' : ` ${f.pluglet}`}${f.instruction === undefined ? '' : `@${f.instruction}`}${f.source === undefined ? '' : ` (${f.source.file}:${f.source.line})`}: ${f.message}`,
    )
    .join('\n');
}

/** A verifier running one eBPF check over every pluglet of the binding. */
function ebpfVerifier(kind: CheckName, base: VerifierOptions): Verifier {
  const property = base.property ?? kind;
  policyOf(base); // fail at construction on a bad spec directory
  return {
    kind,
    property,
    async run(input: VerifierInput, signal?: AbortSignal): Promise<VerifierResult> {
      const started = performance.now();
      try {
        const opts = parseOptions(kind, { ...base, ...input.options });
        const policy = policyOf(opts);
        const findings: Finding[] = [];
        const log: string[] = [];
        const entries = plugletEntries(input.manifest);
        if (kind === 'wellformed') {
          const files = new Set([...Object.keys(input.binding.pluglets), ...input.sources.map((s) => s.path)]);
          findings.push(...lintManifest(input.manifest, { files }));
        }
        const jobs: { path: string; anchoring?: Anchoring }[] = entries.map((e) => ({
          path: e.path,
          anchoring: { protoop: e.protoop, anchor: e.anchor, ...(e.param === undefined ? {} : { param: e.param }) },
        }));
        for (const path of Object.keys(input.binding.pluglets).sort()) if (!entries.some((e) => e.path === path)) jobs.push({ path });
        for (const job of jobs) {
          if (signal?.aborted === true) return cancelled(property, started);
          const bytes = input.binding.pluglets[job.path];
          if (bytes === undefined) continue; // reported by the manifest lint
          const r = verifyPluglet(job.path, bytes, [kind], policy, job.anchoring);
          findings.push(...r.findings);
          log.push(`${job.path}${job.anchoring === undefined ? '' : ` (${job.anchoring.protoop})`}: ${r.verdicts[kind]} in ${(r.timingsMs[kind] ?? 0).toFixed(2)} ms`);
          // Let a cancellation or another job in: each pluglet is a few milliseconds.
          await new Promise<void>((res) => setImmediate(res));
        }
        const sorted = sortFindings(findings);
        return {
          verdict: hasErrors(sorted) ? 'fail' : 'pass',
          property,
          findings: sorted,
          log: [...log, summarise(sorted)].filter((l) => l !== '').join('\n'),
          durationMs: performance.now() - started,
        };
      } catch (e) {
        return { verdict: 'error', property, findings: [], log: e instanceof Error ? e.message : String(e), durationMs: performance.now() - started };
      }
    },
  };
}

function compileVerifier(base: VerifierOptions): Verifier {
  const property = base.property ?? 'compile';
  return {
    kind: 'compile',
    property,
    async run(input: VerifierInput, signal?: AbortSignal): Promise<VerifierResult> {
      const started = performance.now();
      try {
        const opts = parseOptions('compile', { ...base, ...input.options });
        const sources = input.sources.filter((s) => s.path.endsWith('.c'));
        if (sources.length === 0)
          return { verdict: 'pass', property, findings: [{ check: 'compile', severity: 'info', message: 'the plugin has no C sources' }], log: 'no sources', durationMs: performance.now() - started };
        const r = await compileFiles(input.sources, input.manifest, { ...(signal === undefined ? {} : { signal }), ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }) });
        const findings = [...r.findings];
        // The objects must also be ones PQUIC loads correctly.
        const policy = policyOf(opts);
        for (const [path, bytes] of Object.entries(r.objects).sort(([x], [y]) => x.localeCompare(y))) {
          findings.push(...verifyPluglet(path, bytes, ['wellformed'], policy).findings.filter((f) => f.severity === 'error'));
        }
        for (const e of plugletEntries(input.manifest)) {
          const src = `${e.path.slice(0, -2)}.c`;
          if (input.sources.some((s) => s.path === src) && r.objects[e.path] === undefined && !findings.some((f) => f.pluglet === src)) {
            findings.push({ check: 'compile', severity: 'error', pluglet: src, message: 'no object was produced' });
          }
        }
        const sorted = sortFindings(findings);
        return { verdict: hasErrors(sorted) ? 'fail' : 'pass', property, findings: sorted, log: r.log, durationMs: performance.now() - started };
      } catch (e) {
        return { verdict: 'error', property, findings: [], log: e instanceof Error ? e.message : String(e), durationMs: performance.now() - started };
      }
    },
  };
}

function dummy(kind: 'dummy-pass' | 'dummy-fail', base: VerifierOptions): Verifier {
  const property = base.property ?? kind;
  const pass = kind === 'dummy-pass';
  return {
    kind,
    property,
    async run(): Promise<VerifierResult> {
      return {
        verdict: pass ? 'pass' : 'fail',
        property,
        findings: pass ? [] : [{ check: kind, severity: 'error', message: 'this verifier refuses every plugin' }],
        log: pass ? 'accepted' : 'refused',
        durationMs: 0,
      };
    },
  };
}

/**
 * Stands in for a verifier that cannot run on this host (e.g. clang is not
 * installed): every plugin gets verdict "error" with the reason, so a PV's
 * formula stays well-defined and the reason is visible per plugin.
 */
function unavailable(base: VerifierOptions, raw: unknown): Verifier {
  const property = base.property ?? 'unavailable';
  const reason = typeof (raw as { reason?: unknown } | null)?.reason === 'string' ? (raw as { reason: string }).reason : 'this verifier is not available on this host';
  return {
    kind: 'unavailable',
    property,
    async run(): Promise<VerifierResult> {
      return { verdict: 'error', property, findings: [{ check: 'unavailable', severity: 'error', message: reason }], log: `skipped: ${reason}`, durationMs: 0 };
    },
  };
}

export const builtinKinds = ['wellformed', 'termination', 'side-effects', 'memory', 'compile', 'dummy-pass', 'dummy-fail', 'unavailable'] as const;
export type BuiltinKind = (typeof builtinKinds)[number];

export function isBuiltinKind(kind: string): kind is BuiltinKind {
  return (builtinKinds as readonly string[]).includes(kind);
}

/** Creates a built-in verifier; throws VerifierError on an unknown kind or bad options. */
export function createVerifier(kind: string, options: unknown = {}): Verifier {
  if (!isBuiltinKind(kind)) throw new VerifierError('verifier-kind', `unknown verifier kind "${kind}" (built-in: ${builtinKinds.join(', ')})`);
  if (kind === 'unavailable') {
    const { reason, ...rest } = (options ?? {}) as Record<string, unknown>;
    return unavailable(parseOptions(kind, rest), { reason });
  }
  const o = parseOptions(kind, options);
  switch (kind) {
    case 'wellformed':
    case 'termination':
    case 'side-effects':
    case 'memory':
      return ebpfVerifier(kind, o);
    case 'compile':
      return compileVerifier(o);
    case 'dummy-pass':
    case 'dummy-fail':
      return dummy(kind, o);
  }
}
