// Peer: @iden3/js-merkletree, a compressed sparse tree with inclusion and
// absence proofs, hashing with Poseidon (its only hash), over its in-memory
// DB. Keys and values must be field elements, so a name's key is the first
// 31 bytes of SHA-256(name) and the value the first 31 bytes of its
// bindingHash. Every call is asynchronous; the epoch is one call per change
// (update, add or delete), which is how the library applies changes.
import { createHash } from 'node:crypto';
import { InMemoryDB, Merkletree, str2Bytes, verifyProof, type Proof } from '@iden3/js-merkletree';
import type { Workload } from './workload.ts';
import { boundedLoopAsync, type PeerResult } from './peer-result.ts';
import { peakRssMb } from './process-stats.ts';

/** Enough levels for a million random keys (deepest shared prefix ≈ 2·log2 N ≈ 40 bits). */
const MAX_LEVELS = 64;

function fieldOf(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes.subarray(0, 31)).toString('hex')}`);
}

function keyOf(name: string): bigint {
  return fieldOf(createHash('sha256').update(name).digest());
}

export async function runIden3(w: Workload, budgetMs: number): Promise<PeerResult> {
  const mt = new Merkletree(new InMemoryDB(str2Bytes('')), true, MAX_LEVELS);

  let t0 = performance.now();
  for (const e of w.initial) await mt.add(keyOf(e.name), fieldOf(e.bindingHash));
  const buildMs = performance.now() - t0;

  const present = new Set(w.initial.map((e) => e.name));
  t0 = performance.now();
  for (const c of w.changes) {
    const key = keyOf(c.name);
    if ('remove' in c) await mt.delete(key);
    else if (present.has(c.name)) await mt.update(key, fieldOf(c.bindingHash));
    else await mt.add(key, fieldOf(c.bindingHash));
  }
  const updateMs = performance.now() - t0;
  const root = await mt.root();

  // Half the budget each for inclusion and absence, per phase.
  const half = budgetMs / 2;
  const incGen = await boundedLoopAsync(w.inclusion, async (p) => (await mt.generateProof(keyOf(p.name))).proof, half);
  const absGen = await boundedLoopAsync(w.absence, async (name) => (await mt.generateProof(keyOf(name))).proof, half);
  let failures = 0;
  const incVerify = await boundedLoopAsync(
    incGen.results,
    async (proof: Proof, k) => {
      const p = w.inclusion[k]!;
      if (!proof.existence || !(await verifyProof(root, proof, keyOf(p.name), fieldOf(p.bindingHash)))) failures++;
    },
    half,
  );
  const absVerify = await boundedLoopAsync(
    absGen.results,
    async (proof: Proof, k) => {
      if (proof.existence || !(await verifyProof(root, proof, keyOf(w.absence[k]!), 0n))) failures++;
    },
    half,
  );
  if (failures > 0) throw new Error(`iden3: ${failures} proofs failed to verify`);

  const proofs = [...incGen.results, ...absGen.results];
  const generated = proofs.length;
  const verified = incVerify.results.length + absVerify.results.length;
  return {
    buildMs,
    updateMs,
    proofGenUs: ((incGen.ms + absGen.ms) * 1000) / generated,
    verifyUs: ((incVerify.ms + absVerify.ms) * 1000) / verified,
    proofBytes: proofs.reduce((a, p) => a + p.bytes().length, 0) / generated,
    rssMb: peakRssMb(),
    proofs: { inclusion: incGen.results.length, absence: absGen.results.length },
    note: `Poseidon hash; proofs bounded to ${Math.round(half / 1000)} s per kind and phase`,
  };
}
