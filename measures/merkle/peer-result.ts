// What a peer tree reports for one N, and the time-bounded loops that keep
// slow peers inside the benchmark's overall budget.

export interface PeerResult {
  buildMs: number | null;
  /** The epoch of 1% changes, done the cheapest way the library allows. */
  updateMs: number | null;
  /** Mean over the proofs generated (inclusion, plus absence when the peer has it). */
  proofGenUs: number | null;
  verifyUs: number | null;
  proofBytes: number | null;
  rssMb: number | null;
  proofs?: { inclusion: number; absence: number };
  /** Capabilities the peer lacks and any bound applied, in words. */
  note?: string;
  /** Set when the peer did not run at this N, with the reason. */
  skipped?: string;
}

export interface Timed<T> {
  results: T[];
  ms: number;
}

/** Runs fn over items until all are done or budgetMs has passed (checked every 16 items). */
export function boundedLoop<I, T>(items: readonly I[], fn: (item: I, k: number) => T, budgetMs: number): Timed<T> {
  const results: T[] = [];
  const t0 = performance.now();
  for (let k = 0; k < items.length; k++) {
    results.push(fn(items[k] as I, k));
    if ((k & 15) === 15 && performance.now() - t0 > budgetMs) break;
  }
  return { results, ms: performance.now() - t0 };
}

export async function boundedLoopAsync<I, T>(items: readonly I[], fn: (item: I, k: number) => Promise<T>, budgetMs: number): Promise<Timed<T>> {
  const results: T[] = [];
  const t0 = performance.now();
  for (let k = 0; k < items.length; k++) {
    results.push(await fn(items[k] as I, k));
    if ((k & 15) === 15 && performance.now() - t0 > budgetMs) break;
  }
  return { results, ms: performance.now() - t0 };
}
