// Entry point of a verifier worker process: receives one job over IPC, runs
// the verifier, replies with its outcome, and exits.
import { decodeBinding } from '../core/index.ts';
import { runExternalVerifier } from '../verifier/external/external-verifier.ts';
import type { VerifierJobMessage, VerifierOutcome, WorkerReply } from './verifier-job.ts';

async function run(job: VerifierJobMessage): Promise<VerifierOutcome> {
  const binding = decodeBinding(job.binding);
  const { kind, property, options } = job.verifier;
  if (kind === 'external') {
    return runExternalVerifier(property, options, { name: binding.name, manifest: binding.manifest, pluglets: binding.pluglets, sources: job.sources });
  }
  throw new Error(`unknown verifier kind "${kind}"`);
}

process.once('message', (job: VerifierJobMessage) => {
  run(job)
    .then((result): WorkerReply => ({ ok: true, result }))
    .catch((e: unknown): WorkerReply => ({ ok: false, error: e instanceof Error ? e.message : String(e) }))
    .then((reply) => {
      process.send?.(reply, () => process.exit(0));
    });
});
