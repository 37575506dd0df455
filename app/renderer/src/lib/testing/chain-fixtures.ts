// Signed STR chains for the renderer's tests, as GET /api/pvs/{id}/epochs
// sends them, built with spms/core.
import { generateStrKeyPair, hash, signStr, strHash, strToJson, toHex, utf8, ZERO_HASH, type SignedStr } from '../../../../../spms/core/index.ts';
import type { EpochChain } from '../api-types.ts';
import type { ChainStr } from '../epoch-timeline.ts';

export const CHAIN_KEYS = generateStrKeyPair(hash(utf8('panel test chain key')));
const TREE = hash(utf8('chain tree'));
const POLICY = hash(utf8('chain policy'));

/** Epochs 0..n-1 of PV1, each linked to the previous one; `rootSalt` changes the roots (for a fork). */
export function signedChain(n: number, rootSalt = ''): SignedStr[] {
  const out: SignedStr[] = [];
  let prev = ZERO_HASH;
  for (let epoch = 0; epoch < n; epoch++) {
    const s = signStr(
      { pvId: 'PV1', treeId: TREE, epoch, timestampMs: 1_700_000_000_000 + epoch * 5000, root: hash(utf8(`root ${epoch}${rootSalt}`)), prevStrHash: prev, policyHash: POLICY },
      CHAIN_KEYS.secretKey,
    );
    out.push(s);
    prev = strHash(s);
  }
  return out;
}

export function chainStr(s: SignedStr, signatureOk = true): ChainStr {
  return { ...strToJson(s), hash: toHex(strHash(s)), signatureOk };
}

/** An answer of GET /api/pvs/PV1/epochs holding `strs` (oldest first, as the daemon sends them). */
export function chainAnswer(strs: SignedStr[], latestEpoch = strs.at(-1)?.epoch ?? 0, issues: EpochChain['chain']['issues'] = []): EpochChain {
  return { pvId: 'PV1', strPublicKey: toHex(CHAIN_KEYS.publicKey), latestEpoch, chain: { ok: issues.length === 0, issues }, strs: strs.map((s) => chainStr(s)) };
}
