// Running the eBPF checks over one pluglet object and over a whole plugin,
// with per-check timings and a deterministic result.
import { PlugletAnalysis } from './analysis.ts';
import type { Anchoring } from './analysis.ts';
import { checkMemory } from './checks/memory.ts';
import { checkSideEffects } from './checks/side-effects.ts';
import { checkTermination } from './checks/termination.ts';
import { checkWellformed } from './checks/wellformed.ts';
import type { Finding } from './finding.ts';
import { hasErrors, sortFindings } from './finding.ts';
import { loadProgram } from './program.ts';
import type { Spec } from './specs.ts';

export type CheckName = 'wellformed' | 'termination' | 'side-effects' | 'memory';
export const CHECK_NAMES: readonly CheckName[] = ['wellformed', 'termination', 'side-effects', 'memory'];

export interface CheckPolicy {
  stackSize: 2048 | 512;
  allowHelpers?: ReadonlySet<string>;
  denyHelpers: ReadonlySet<string>;
  assumeFiniteLists: boolean;
  specs: ReadonlyMap<string, Spec>;
  requireSpec: boolean;
}

export interface PlugletReport {
  pluglet: string;
  anchoring?: Anchoring;
  verdicts: Partial<Record<CheckName, 'pass' | 'fail'>>;
  findings: Finding[];
  timingsMs: Partial<Record<CheckName | 'load', number>>;
}

/** Runs the chosen checks; never throws on any object bytes. */
export function verifyPluglet(pluglet: string, bytes: Uint8Array, checks: readonly CheckName[], policy: CheckPolicy, anchoring?: Anchoring): PlugletReport {
  const t0 = performance.now();
  const loaded = loadProgram(bytes, pluglet);
  const report: PlugletReport = { pluglet, verdicts: {}, findings: [], timingsMs: { load: performance.now() - t0 } };
  if (anchoring !== undefined) report.anchoring = anchoring;
  if (!loaded.ok) {
    for (const c of checks) {
      report.verdicts[c] = 'fail';
      report.findings.push(...loaded.findings.map((f) => ({ ...f, check: c })));
    }
    report.findings = sortFindings(report.findings);
    return report;
  }
  const a = new PlugletAnalysis(pluglet, loaded.program, anchoring);
  for (const c of checks) {
    const t = performance.now();
    let found: Finding[];
    try {
      found = runCheck(a, c, policy);
    } catch (e) {
      // An analysis defect must not take the verifier down: it is a failure to prove.
      found = [a.note(c, 'error', `internal analysis error: ${e instanceof Error ? e.message : String(e)}`)];
    }
    report.timingsMs[c] = performance.now() - t;
    report.verdicts[c] = hasErrors(found) ? 'fail' : 'pass';
    report.findings.push(...found);
  }
  report.findings = sortFindings(report.findings);
  return report;
}

function runCheck(a: PlugletAnalysis, c: CheckName, policy: CheckPolicy): Finding[] {
  switch (c) {
    case 'wellformed':
      return checkWellformed(a, { ...(policy.allowHelpers === undefined ? {} : { allow: policy.allowHelpers }), deny: policy.denyHelpers, stackSize: policy.stackSize });
    case 'termination':
      return checkTermination(a, { assumeFiniteLists: policy.assumeFiniteLists });
    case 'side-effects':
      return checkSideEffects(a, { specs: policy.specs, requireSpec: policy.requireSpec });
    case 'memory': {
      const protoop = a.anchoring?.protoop;
      return checkMemory(a, { stackSize: policy.stackSize, spec: protoop === undefined ? undefined : policy.specs.get(protoop) });
    }
  }
}
