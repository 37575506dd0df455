// Process-level figures shared by the benchmark's child processes.
import { PerformanceObserver } from 'node:perf_hooks';

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** A full collection before a timed phase, when node runs with --expose-gc, so garbage from setup is not billed to it. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Sums garbage-collection pauses that fall inside named time windows (performance.now() timeline). */
export class GcMeter {
  private readonly pauses: { start: number; duration: number }[] = [];
  private readonly windows: { name: string; start: number; end: number }[] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) this.pauses.push({ start: e.startTime, duration: e.duration });
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  phase(name: string, start: number, end: number): void {
    this.windows.push({ name, start, end });
  }

  /** Entries arrive asynchronously, after a timer turn of the event loop (an immediate is too early). */
  async totals<K extends string>(names: K[]): Promise<Record<K, number>> {
    await new Promise((resolve) => setTimeout(resolve, 50));
    this.observer.disconnect();
    const out = Object.fromEntries(names.map((n) => [n, 0])) as Record<K, number>;
    for (const p of this.pauses) {
      const w = this.windows.find((x) => p.start >= x.start && p.start < x.end);
      if (w !== undefined && w.name in out) out[w.name as K] += p.duration;
    }
    return out;
  }
}
