// Measures our prefix tree (spms/core) at one N, in a process of its own so
// that the peak RSS is this N's alone. Prints one JSON line (OursResult).
//   node --expose-gc --import tsx measures/merkle/run-ours.ts N
import { MemoryNodeStore, PrefixTree, encodeProof, decodeProof, indexOf, sha256Engine, verifyLookup, type LookupProof } from '../../spms/core/index.ts';
import { measureHashCost } from './hash-cost.ts';
import { GcMeter, collectGarbage, peakRssMb } from './process-stats.ts';
import { makeWorkload } from './workload.ts';

export interface OursResult {
  n: number;
  changes: number;
  buildMs: number;
  updateMs: number;
  proofGenUs: number;
  verifyUs: number;
  proofBytes: number;
  rssMb: number;
  hashBoundMs: number;
  updateHashBoundMs: number;
  /** Everything below explains where the time goes. */
  detail: {
    sha256NobleUs: number;
    sha256CoreUs: number;
    /** Which of the core's SHA-256 implementations ran (WebAssembly, or the JavaScript fallback). */
    sha256Engine: string;
    /** The same bounds priced with the core's own SHA-256, the hash the tree actually runs. */
    coreHashBoundMs: { build: number; update: number };
    buildHashes: number;
    updateHashes: number;
    /** Time to compute the N name indexes alone (part of buildMs). */
    indexMs: number;
    stats: { leaves: number; interiors: number; empties: number; maxDepth: number };
    nodesCreatedByUpdate: number;
    proofs: number;
    inclusion: { proofGenUs: number; verifyUs: number; proofBytes: number; meanDepth: number };
    absence: { proofGenUs: number; verifyUs: number; proofBytes: number; meanDepth: number };
    encodeUs: number;
    decodeAndVerifyUs: number;
    /** Garbage-collection pauses inside each timed phase, in ms. */
    gcMs: { build: number; update: number; proofGen: number; verify: number };
  };
}

const gc = new GcMeter();

function timeMs(fn: () => void, phase?: string): number {
  const t0 = performance.now();
  fn();
  const t1 = performance.now();
  if (phase !== undefined) gc.phase(phase, t0, t1);
  return t1 - t0;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2]);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error('usage: run-ours.ts N');
  const cost = measureHashCost();
  const w = makeWorkload(n);
  const treeId = new Uint8Array(32).fill(7);

  collectGarbage();
  const indexMs = timeMs(() => {
    for (const e of w.initial) indexOf(e.name);
  });

  const tree = PrefixTree.create(new MemoryNodeStore(), treeId);
  collectGarbage();
  const buildMs = timeMs(() => tree.commit(0, w.initial), 'build');
  const stats = tree.stats(0);
  const buildHashes = n + stats.leaves + stats.interiors + stats.empties;

  collectGarbage();
  let nodesCreated = 0;
  let root: Uint8Array = new Uint8Array(0);
  const updateMs = timeMs(() => {
    const r = tree.commit(1, w.changes);
    nodesCreated = r.nodesCreated;
    root = r.root;
  }, 'update');
  const updateHashes = w.changes.length + nodesCreated;

  // Warm the proof and verification paths once, untimed.
  for (let k = 0; k < 1000; k++) {
    const probe = w.inclusion[k % w.inclusion.length]!;
    verifyLookup(tree.prove(probe.name, 1), probe.name, probe.bindingHash, root, treeId);
  }

  collectGarbage();
  const incProofs: LookupProof[] = new Array(w.inclusion.length);
  const incGenMs = timeMs(() => {
    for (let k = 0; k < w.inclusion.length; k++) incProofs[k] = tree.prove(w.inclusion[k]!.name, 1);
  }, 'proofGen');
  const absProofs: LookupProof[] = new Array(w.absence.length);
  const absGenMs = timeMs(() => {
    for (let k = 0; k < w.absence.length; k++) absProofs[k] = tree.prove(w.absence[k]!, 1);
  }, 'proofGen');

  let failures = 0;
  const incVerifyMs = timeMs(() => {
    for (let k = 0; k < incProofs.length; k++) {
      const probe = w.inclusion[k]!;
      if (!verifyLookup(incProofs[k]!, probe.name, probe.bindingHash, root, treeId).ok) failures++;
    }
  }, 'verify');
  const absVerifyMs = timeMs(() => {
    for (let k = 0; k < absProofs.length; k++) {
      if (!verifyLookup(absProofs[k]!, w.absence[k]!, 'absent', root, treeId).ok) failures++;
    }
  }, 'verify');
  if (failures > 0) throw new Error(`${failures} proofs failed to verify`);

  const all = [...incProofs, ...absProofs];
  let encoded: Uint8Array[] = [];
  const encodeMs = timeMs(() => {
    encoded = all.map(encodeProof);
  });
  const names = [...w.inclusion.map((p) => p.name), ...w.absence];
  const expected = [...w.inclusion.map((p) => p.bindingHash), ...w.absence.map(() => 'absent' as const)];
  const decodeVerifyMs = timeMs(() => {
    for (let k = 0; k < encoded.length; k++) verifyLookup(decodeProof(encoded[k]!), names[k]!, expected[k]!, root, treeId);
  });
  const incBytes = mean(encoded.slice(0, incProofs.length).map((b) => b.length));
  const absBytes = mean(encoded.slice(incProofs.length).map((b) => b.length));

  const perProof = (ms: number, count: number): number => (ms * 1000) / count;
  const result: OursResult = {
    n,
    changes: w.changes.length,
    buildMs,
    updateMs,
    proofGenUs: perProof(incGenMs + absGenMs, all.length),
    verifyUs: perProof(incVerifyMs + absVerifyMs, all.length),
    proofBytes: mean(encoded.map((b) => b.length)),
    rssMb: peakRssMb(),
    hashBoundMs: (buildHashes * cost.nobleUs) / 1000,
    updateHashBoundMs: (updateHashes * cost.nobleUs) / 1000,
    detail: {
      sha256NobleUs: cost.nobleUs,
      sha256CoreUs: cost.coreUs,
      sha256Engine: sha256Engine.name,
      coreHashBoundMs: { build: (buildHashes * cost.coreUs) / 1000, update: (updateHashes * cost.coreUs) / 1000 },
      buildHashes,
      updateHashes,
      indexMs,
      stats,
      nodesCreatedByUpdate: nodesCreated,
      proofs: all.length,
      inclusion: {
        proofGenUs: perProof(incGenMs, incProofs.length),
        verifyUs: perProof(incVerifyMs, incProofs.length),
        proofBytes: incBytes,
        meanDepth: mean(incProofs.map((p) => p.depth)),
      },
      absence: {
        proofGenUs: perProof(absGenMs, absProofs.length),
        verifyUs: perProof(absVerifyMs, absProofs.length),
        proofBytes: absBytes,
        meanDepth: mean(absProofs.map((p) => p.depth)),
      },
      encodeUs: perProof(encodeMs, all.length),
      decodeAndVerifyUs: perProof(decodeVerifyMs, all.length),
      gcMs: await gc.totals(['build', 'update', 'proofGen', 'verify']),
    },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
