// Real prefix trees and proofs for the renderer's tests, built with
// spms/core. Names are picked by the bits of their index so the proofs have
// the shapes the tests need: empty siblings, an empty terminal, the leaf of
// another name.
import {
  bitAt,
  generateStrKeyPair,
  hash,
  indexOf,
  MemoryNodeStore,
  PrefixTree,
  proofToJson,
  signStr,
  strFromJson,
  strHash,
  strToJson,
  toHex,
  utf8,
  ZERO_HASH,
  type LookupProof,
  type SignedStrJson,
} from '../../../../../spms/core/index.ts';
import type { EpochChain, ProofAnswer } from '../api-types.ts';
import type { ProofContext } from '../proof-steps.ts';

export const TREE_ID = hash(utf8('panel test tree'));

export const bindingOf = (name: string): Uint8Array => hash(utf8(`binding:${name}`));

/** The first name org.example.n<i> whose index starts with `bits` (and is not in `taken`). */
export function nameWithPrefix(bits: string, taken: readonly string[] = []): string {
  for (let i = 0; i < 100_000; i++) {
    const name = `org.example.n${i}`;
    if (taken.includes(name)) continue;
    const index = indexOf(name);
    if ([...bits].every((b, k) => bitAt(index, k) === Number(b))) return name;
  }
  throw new Error(`no name with prefix ${bits}`);
}

export interface ProofFixture {
  tree: PrefixTree;
  root: Uint8Array;
  /** In the tree; its proof has depth 4: the leaf of `twin` at depth 4, empty subtrees at depths 3 and 2, the leaf of `other` at depth 1. */
  present: string;
  twin: string;
  other: string;
  /** Absent: its path ends in an empty subtree at depth 2. */
  absentEmpty: string;
  /** Absent: its path ends at depth 1 in the leaf of `other`. */
  absentOther: string;
}

/**
 * Three names: `present` and `twin` share their first three bits (000) and
 * differ at the fourth, `other` starts with 1. So the tree's root has `other`
 * as a leaf on the right and, on the left, a chain down to depth 3 whose
 * siblings at depths 2 and 3 are empty.
 */
export function proofFixture(): ProofFixture {
  const present = nameWithPrefix('0000');
  const twin = nameWithPrefix('0001');
  const other = nameWithPrefix('1');
  const absentEmpty = nameWithPrefix('01');
  const absentOther = nameWithPrefix('1', [other]);
  const tree = PrefixTree.create(new MemoryNodeStore(), TREE_ID);
  const { root } = tree.commit(
    0,
    [present, twin, other].map((name) => ({ name, bindingHash: bindingOf(name) })),
  );
  return { tree, root, present, twin, other, absentEmpty, absentOther };
}

/** What the Proofs view verifies for `name`: the proof, the tree id, the signed root and what it must show. */
export function contextFor(f: ProofFixture, name: string): ProofContext & { proof: LookupProof } {
  const proof = f.tree.prove(name, 0);
  const t = proof.terminal;
  const expected = t.kind === 'leaf' && t.index === null ? t.bindingHash : 'absent';
  return { name, proof, treeId: TREE_ID, signedRoot: f.root, expected };
}

const STR_KEYS = generateStrKeyPair(hash(utf8('panel test STR key')));

/** The fixture's epoch 0 signed as PV1's STR, as the daemon sends it. */
export function fixtureStr(f: ProofFixture): SignedStrJson {
  const str = signStr({ pvId: 'PV1', treeId: TREE_ID, epoch: 0, timestampMs: 1_700_000_000_000, root: f.root, prevStrHash: ZERO_HASH, policyHash: hash(utf8('policy')) }, STR_KEYS.secretKey);
  return strToJson(str);
}

/** GET /api/proofs/{name}?pv=PV1 for the fixture, as the daemon answers it. */
export function proofAnswerFor(f: ProofFixture, name: string): ProofAnswer {
  const ctx = contextFor(f, name);
  const inclusion = ctx.expected !== 'absent';
  return {
    pvId: 'PV1',
    name,
    epoch: 0,
    kind: inclusion ? 'inclusion' : 'absence',
    bindingHash: inclusion ? toHex(ctx.expected as Uint8Array) : null,
    str: fixtureStr(f),
    strSignatureOk: true,
    proof: proofToJson(ctx.proof),
    verdict: { ok: true, kind: inclusion ? 'inclusion' : 'absence', depth: ctx.proof.depth },
  };
}

/** GET /api/pvs/PV1/epochs for the fixture. */
export function epochChainFor(f: ProofFixture): EpochChain {
  const s = fixtureStr(f);
  return {
    pvId: 'PV1',
    strPublicKey: toHex(STR_KEYS.publicKey),
    latestEpoch: 0,
    chain: { ok: true, issues: [] },
    strs: [{ ...s, hash: toHex(strHash(strFromJson(s))), signatureOk: true }],
  };
}
