// What crosses the process boundary between the PV and a verifier worker.
import type { VerifierConfig } from './config.ts';

export interface VerifierJobMessage {
  verifier: Pick<VerifierConfig, 'id' | 'kind' | 'property' | 'options'>;
  /** Canonical binding bytes (CBOR). */
  binding: Uint8Array;
  /** The plugin's other files (C sources, headers, Makefile) for source-level verifiers. */
  sources: { path: string; data: Uint8Array }[];
}

export interface VerifierOutcome {
  verdict: 'pass' | 'fail' | 'error';
  property: string;
  findings: { check: string; severity: 'error' | 'warning' | 'info'; message: string; pluglet?: string; instruction?: number; disasm?: string; source?: { file: string; line: number } }[];
  log: string;
  durationMs: number;
}

export type WorkerReply = { ok: true; result: VerifierOutcome } | { ok: false; error: string };
