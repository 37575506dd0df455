// Entry point of a verifier worker process: receives one job over IPC, runs
// the verifier (built-in or external command), replies with its outcome, and
// exits.
import { decodeBinding } from '../core/index.ts';
import { createVerifier } from '../verifier/builtins.ts';
import { runExternalVerifier } from '../verifier/external/external-verifier.ts';
import { parseManifest } from '../verifier/manifest.ts';
import type { VerifierJobMessage, VerifierOutcome, WorkerReply } from './verifier-job.ts';

async function run(job: VerifierJobMessage): Promise<VerifierOutcome> {
  const binding = decodeBinding(job.binding);
  const { kind, property, options } = job.verifier;
  if (kind === 'external') {
    return runExternalVerifier(property, options, { name: binding.name, manifest: binding.manifest, pluglets: binding.pluglets, sources: job.sources });
  }
  const specDir = process.env.SPMS_SPEC_DIR;
  const verifier = createVerifier(kind, { ...(specDir === undefined ? {} : { specDir }), ...options, property });
  const manifest = parseManifest(new TextDecoder().decode(binding.manifest));
  return verifier.run({ binding, manifest, sources: job.sources, options: {} });
}

process.once('message', (job: VerifierJobMessage) => {
  run(job)
    .then((result): WorkerReply => ({ ok: true, result }))
    .catch((e: unknown): WorkerReply => ({ ok: false, error: e instanceof Error ? e.message : String(e) }))
    .then((reply) => {
      process.send?.(reply, () => process.exit(0));
    });
});
