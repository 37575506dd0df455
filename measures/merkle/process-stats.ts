// Process-level figures shared by the benchmark's child processes.

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** A full collection before a timed phase, when node runs with --expose-gc, so garbage from setup is not billed to it. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
