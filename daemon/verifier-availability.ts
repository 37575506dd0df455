// Which of a topology's verifiers can run on this host. Built-in analyses
// always can; `compile` needs clang, opt and llc; an external verifier needs
// its command on PATH. An unavailable verifier is deployed as the built-in
// `unavailable` stand-in, which answers "error" with the reason for every
// plugin: the PV's formula stays valid and the reason shows per plugin.
import { compilerUnavailableReason } from '../spms/verifier/compile.ts';
import { resolveExternalOptions } from '../spms/verifier/external/external-verifier.ts';
import { onPath } from './on-path.ts';
import type { SkippedVerifier } from './providers/provider.ts';
import type { Topology, VerifierSpec } from './state/topology.ts';

async function reasonFor(v: VerifierSpec, compiler: () => Promise<string | undefined>): Promise<string | undefined> {
  if (v.kind === 'compile') return compiler();
  if (v.kind !== 'external') return undefined;
  let command: string | undefined;
  try {
    command = resolveExternalOptions(v.options ?? {}).command[0];
  } catch (e) {
    return (e as Error).message;
  }
  if (command === undefined) return 'the external verifier has an empty command';
  return onPath(command) ? undefined : `${command} is not installed (not found in PATH)`;
}

/** The verifiers of `topology` that cannot run here, each with why. */
export async function unavailableVerifiers(topology: Topology): Promise<SkippedVerifier[]> {
  let compilerReason: Promise<string | undefined> | undefined;
  const compiler = (): Promise<string | undefined> => (compilerReason ??= compilerUnavailableReason());
  const skipped: SkippedVerifier[] = [];
  for (const pv of topology.pvs) {
    for (const v of pv.verifiers) {
      const reason = await reasonFor(v, compiler);
      if (reason !== undefined) skipped.push({ pvId: pv.id, verifierId: v.id, reason });
    }
  }
  return skipped;
}

/** A PV's verifiers as deployed: each unavailable one replaced by its stand-in. */
export function deployedVerifiers(pvId: string, verifiers: VerifierSpec[], skipped: SkippedVerifier[]): VerifierSpec[] {
  return verifiers.map((v) => {
    const s = skipped.find((x) => x.pvId === pvId && x.verifierId === v.id);
    return s === undefined ? v : { id: v.id, kind: 'unavailable', property: v.property, options: { reason: `${v.kind} verifier skipped: ${s.reason}` } };
  });
}
