// A proof as GET /api/proofs/{name} answers it, turned into what the browser
// verifies on its own: the decoded proof, the STR's tree id and signed root,
// and what the proof must show (the name's binding, or its absence).
import { equalBytes, indexOf, proofFromJson, strFromJson, type SignedStr } from '../../../../spms/core/index.ts';
import type { ProofAnswer } from './api-types.ts';
import { strJsonOf } from './epoch-timeline.ts';
import type { ProofContext } from './proof-steps.ts';

/** The STR signature as the browser checked it. */
export type SignatureCheck = { state: 'checking' } | { state: 'done'; ok: boolean } | { state: 'unavailable'; message: string };

export interface DecodedProof {
  ctx: ProofContext;
  str: SignedStr;
}

/** Decodes the answer strictly (spms/core's codecs); throws an EncodingError when it is malformed. */
export function decodeProofAnswer(answer: ProofAnswer): DecodedProof {
  const proof = proofFromJson(answer.proof);
  const str = strFromJson(strJsonOf(answer.str));
  const t = proof.terminal;
  // What the proof itself shows: inclusion when its leaf carries the name's own index.
  const own = t.kind === 'leaf' && (t.index === null || equalBytes(t.index, indexOf(answer.name)));
  const expected = own && t.kind === 'leaf' ? t.bindingHash : 'absent';
  return { ctx: { name: answer.name, proof, treeId: str.treeId, signedRoot: str.root, expected }, str };
}
