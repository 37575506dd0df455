// The price of one SHA-256 on this machine, for the hash-count lower bound:
// the mean time of @noble/hashes' sha256 over messages of 64 to 100 bytes
// (the sizes of the tree's node encodings), measured in the same process as
// the tree so both see the same CPU state.
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { hash as coreHash } from '../../spms/core/index.ts';

function meanMicros(fn: (m: Uint8Array) => Uint8Array, calls: number): number {
  const messages: Uint8Array[] = [];
  for (let len = 64; len <= 100; len++) messages.push(new Uint8Array(len).fill(len));
  let sink = 0;
  const run = (count: number): number => {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) sink ^= fn(messages[i % messages.length] as Uint8Array)[0] as number;
    return performance.now() - t0;
  };
  run(Math.min(calls, 50_000)); // warm-up: let the JIT settle before timing
  // Best of three, so a scheduler hiccup on a shared machine does not inflate the bound.
  let best = Infinity;
  for (let r = 0; r < 3; r++) best = Math.min(best, run(calls));
  if (sink === -1) console.error(sink); // keeps the results observable
  return (best * 1000) / calls;
}

export interface HashCost {
  /** µs per SHA-256 of 64–100 bytes with @noble/hashes: the unit of the bound. */
  nobleUs: number;
  /** The same with the core's own SHA-256, which the tree uses. */
  coreUs: number;
}

export function measureHashCost(calls = 200_000): HashCost {
  return { nobleUs: meanMicros(nobleSha256, calls), coreUs: meanMicros(coreHash, calls) };
}
