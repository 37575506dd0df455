// The verifier contract of the Plugin Validator (DESIGN §4): a verifier gets
// the binding, its parsed manifest and the plugin's sources, and answers with
// a verdict on one property, findings, a log and its duration. `error` means
// the verifier could not do its job (bad options, missing tool, cancelled),
// not that the plugin is bad.
import type { Binding } from '../core/binding.ts';
import type { Finding } from './finding.ts';
import type { Manifest } from './manifest.ts';

export type { Finding } from './finding.ts';
export type { Binding } from '../core/binding.ts';

export type Verdict = 'pass' | 'fail' | 'error';

export interface VerifierResult {
  verdict: Verdict;
  property: string;
  findings: Finding[];
  log: string;
  durationMs: number;
}

export interface VerifierInput {
  binding: Binding;
  manifest: Manifest;
  sources: { path: string; data: Uint8Array }[];
  options: Record<string, unknown>;
}

export interface Verifier {
  readonly kind: string;
  readonly property: string;
  run(input: VerifierInput, signal?: AbortSignal): Promise<VerifierResult>;
}
