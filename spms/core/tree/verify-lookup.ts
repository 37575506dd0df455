// Lookup-proof verification: recompute the root from the terminal node and
// its siblings, compare it with the STR's root, then decide inclusion or
// absence. Pure and browser-safe; every refusal has a code and a reason.
import { equalBytes, toHex } from '../bytes.ts';
import { bitAt, indexOf, INDEX_BITS, samePrefix } from './index-bits.ts';
import { emptyHash, interiorHash, leafHash } from './node-hash.ts';
import type { LookupProof } from './proof.ts';

export type LookupFailure = 'malformed' | 'terminal-off-path' | 'root-mismatch' | 'not-included' | 'binding-mismatch' | 'present';

export type LookupVerdict =
  | {
      ok: true;
      kind: 'inclusion' | 'absence';
      depth: number;
      /** Version of the name's leaf (inclusion only). */
      version?: number;
    }
  | { ok: false; code: LookupFailure; message: string; depth?: number };

/** One step of the recomputation, for drawing a proof and showing where it breaks. */
export interface ProofStep {
  depth: number;
  bit: 0 | 1;
  sibling: Uint8Array;
  siblingEmpty: boolean;
  /** Hash of the node on the path at this depth before combining with the sibling. */
  node: Uint8Array;
  /** Hash of the parent (depth - 1) after combining. */
  parent: Uint8Array;
}

export interface RecomputedPath {
  terminal: Uint8Array;
  steps: ProofStep[];
  root: Uint8Array;
}

function fail(code: LookupFailure, message: string, depth?: number): LookupVerdict {
  return depth === undefined ? { ok: false, code, message } : { ok: false, code, message, depth };
}

function structureProblem(proof: LookupProof): string | undefined {
  if (!Number.isInteger(proof.depth) || proof.depth < 0 || proof.depth > INDEX_BITS) return `depth ${proof.depth} is outside 0..${INDEX_BITS}`;
  if (proof.siblings.length !== proof.depth) return `${proof.siblings.length} siblings for depth ${proof.depth}`;
  for (const s of proof.siblings) if (s !== null && s.length !== 32) return 'a sibling hash is not 32 bytes';
  const t = proof.terminal;
  if (t.kind === 'leaf') {
    if (t.index !== null && t.index.length !== 32) return 'leaf index is not 32 bytes';
    if (t.bindingHash.length !== 32) return 'leaf bindingHash is not 32 bytes';
    if (!Number.isSafeInteger(t.version) || t.version < 1) return `leaf version ${t.version} is not a positive integer`;
  }
  return undefined;
}

/** Recomputes every hash on the path of `index` (throws nothing; call verifyLookup for a verdict). */
export function recomputePath(proof: LookupProof, index: Uint8Array, treeId: Uint8Array): RecomputedPath {
  const d = proof.depth;
  const t = proof.terminal;
  let node = t.kind === 'empty' ? emptyHash(treeId, d, index) : leafHash(treeId, d, t.index ?? index, t.version, t.bindingHash);
  const terminal = node;
  const steps: ProofStep[] = [];
  for (let i = 0; i < d; i++) {
    const depth = d - i;
    const given = proof.siblings[i] ?? null;
    const sibling = given ?? emptyHash(treeId, depth, index, true);
    const bit = bitAt(index, depth - 1);
    const parent = bit === 0 ? interiorHash(node, sibling) : interiorHash(sibling, node);
    steps.push({ depth, bit, sibling, siblingEmpty: given === null, node, parent });
    node = parent;
  }
  return { terminal, steps, root: node };
}

/**
 * Verifies `proof` for `name` against `root` of the tree `treeId`.
 * `expected` is the bindingHash that must be included, or 'absent'.
 */
export function verifyLookup(proof: LookupProof, name: string, expected: Uint8Array | 'absent', root: Uint8Array, treeId: Uint8Array): LookupVerdict {
  return verifyLookupAt(proof, indexOf(name), name, expected, root, treeId);
}

/** verifyLookup for a raw index; `name` only labels the messages. */
export function verifyLookupAt(proof: LookupProof, index: Uint8Array, name: string, expected: Uint8Array | 'absent', root: Uint8Array, treeId: Uint8Array): LookupVerdict {
  const problem = structureProblem(proof);
  if (problem !== undefined) return fail('malformed', `malformed proof: ${problem}`);
  const d = proof.depth;
  const t = proof.terminal;
  if (t.kind === 'leaf' && t.index !== null && !samePrefix(t.index, index, d)) {
    return fail('terminal-off-path', `the proof's leaf does not lie on the path of "${name}" at depth ${d}`, d);
  }
  const path = recomputePath(proof, index, treeId);
  if (!equalBytes(path.root, root)) {
    return fail('root-mismatch', `recomputed root ${toHex(path.root).slice(0, 16)}… differs from the signed root ${toHex(root).slice(0, 16)}…`, d);
  }
  const included = t.kind === 'leaf' && (t.index === null || equalBytes(t.index, index));
  if (expected === 'absent') {
    return included ? fail('present', `"${name}" is in the tree (version ${t.kind === 'leaf' ? t.version : 0}); absence was expected`, d) : { ok: true, kind: 'absence', depth: d };
  }
  if (!included) return fail('not-included', `the tree proves "${name}" absent`, d);
  if (!equalBytes(t.bindingHash, expected)) {
    return fail('binding-mismatch', `"${name}" is bound to ${toHex(t.bindingHash).slice(0, 16)}…, not to the expected ${toHex(expected).slice(0, 16)}…`, d);
  }
  return { ok: true, kind: 'inclusion', depth: d, version: t.version };
}
