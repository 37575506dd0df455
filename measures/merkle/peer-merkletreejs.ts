// Peer: merkletreejs with SHA-256 (Node's native hash). A dense tree over a
// list of leaves, leaf = SHA-256(name || bindingHash), in insertion order.
// It has no absence proofs and no incremental update: updateLeaf, addLeaf and
// removeLeaf each recompute every layer, so the epoch is applied to the leaf
// list and the tree rebuilt once. It looks leaves up by linear scan, so the
// name -> position map a user must keep is part of build and update here.
import { createHash } from 'node:crypto';
import { MerkleTree } from 'merkletreejs';
import type { Workload } from './workload.ts';
import { boundedLoop, type PeerResult } from './peer-result.ts';
import { peakRssMb } from './process-stats.ts';

type Proof = { position: 'left' | 'right'; data: Buffer }[];

const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

function leafOf(name: string, bindingHash: Uint8Array): Buffer {
  return createHash('sha256').update(name).update(bindingHash).digest();
}

function positionsOf(names: readonly string[]): Map<string, number> {
  const positions = new Map<string, number>();
  names.forEach((name, i) => positions.set(name, i));
  return positions;
}

export function runMerkletreejs(w: Workload, budgetMs: number): PeerResult {
  let t0 = performance.now();
  let names = w.initial.map((e) => e.name);
  let leaves = w.initial.map((e) => leafOf(e.name, e.bindingHash));
  let positions = positionsOf(names);
  // The epoch-0 tree: only its construction is measured, the epoch rebuilds it.
  new MerkleTree(leaves, sha256);
  const buildMs = performance.now() - t0;

  t0 = performance.now();
  const removed = new Set<string>();
  for (const c of w.changes) {
    const at = positions.get(c.name);
    if ('remove' in c) removed.add(c.name);
    else if (at !== undefined) leaves[at] = leafOf(c.name, c.bindingHash);
    else {
      positions.set(c.name, names.length);
      names.push(c.name);
      leaves.push(leafOf(c.name, c.bindingHash));
    }
  }
  if (removed.size > 0) {
    const keep = names.map((name) => !removed.has(name));
    names = names.filter((_, i) => keep[i]);
    leaves = leaves.filter((_, i) => keep[i]);
    positions = positionsOf(names);
  }
  const tree = new MerkleTree(leaves, sha256);
  const updateMs = performance.now() - t0;
  const root = tree.getRoot();

  const gen = boundedLoop(
    w.inclusion,
    (probe) => {
      const at = positions.get(probe.name) as number;
      return tree.getProof(leaves[at] as Buffer, at) as Proof;
    },
    budgetMs,
  );
  let failures = 0;
  const verify = boundedLoop(
    gen.results,
    (proof, k) => {
      const probe = w.inclusion[k]!;
      if (!tree.verify(proof, leafOf(probe.name, probe.bindingHash), root)) failures++;
    },
    budgetMs,
  );
  if (failures > 0) throw new Error(`merkletreejs: ${failures} proofs failed to verify`);
  // A compact encoding: 32 bytes per sibling and one bit for its side.
  const bytes = gen.results.map((p) => 32 * p.length + Math.ceil(p.length / 8));

  return {
    buildMs,
    updateMs,
    proofGenUs: (gen.ms * 1000) / gen.results.length,
    verifyUs: (verify.ms * 1000) / verify.results.length,
    proofBytes: bytes.reduce((a, b) => a + b, 0) / bytes.length,
    rssMb: peakRssMb(),
    proofs: { inclusion: gen.results.length, absence: 0 },
    note: 'no absence proofs (inclusion only); every change recomputes all layers, so the epoch is one full rebuild',
  };
}
