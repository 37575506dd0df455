// Ready command templates for verification tools a lab may install. Each
// runs under the external verifier's sandbox, time and memory limits; the
// placeholders are filled per run (see external-verifier.ts).
import type { ExternalOptionsInput } from './options.ts';

export const PRESETS: Record<string, ExternalOptionsInput> = {
  // Static analysis of the C sources; any reported error fails.
  cppcheck: {
    per: 'source',
    command: ['cppcheck', '--error-exitcode=1', '--enable=warning', '--inline-suppr', '-q', '{source}'],
    success: { exitCode: 0 },
  },
  // Bounded model checking of each source's functions for memory safety.
  cbmc: {
    per: 'source',
    command: ['cbmc', '--bounds-check', '--pointer-check', '--unwind', '16', '--unwinding-assertions', '{source}'],
    success: { exitCode: 0, pattern: 'VERIFICATION SUCCESSFUL' },
  },
  // Frama-C's value analysis; alarms fail.
  'frama-c-eva': {
    per: 'source',
    command: ['frama-c', '-eva', '-eva-warn-key', 'alarm=error', '{source}'],
    success: { exitCode: 0 },
  },
  // SeaHorn's pipe over the sources (the seed's side-effect checks).
  seahorn: {
    per: 'source',
    command: ['sea', 'pf', '--inline', '{source}'],
    success: { exitCode: 0, pattern: '^unsat' },
    timeoutMs: 120_000,
    memoryMb: 1024,
  },
  // T2 termination prover on LLVM bitcode produced from each source.
  t2: {
    per: 'source',
    command: ['t2-llvm', '{source}'],
    success: { exitCode: 0, pattern: 'Termination proof succeeded' },
    timeoutMs: 120_000,
  },
};
