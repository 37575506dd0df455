import { describe, expect, it } from 'vitest';
import { utf8 } from './bytes.ts';
import { hash } from './hash.ts';
import { checkNextStr, detectEquivocation, verifyChain } from './chain.ts';
import { generateStrKeyPair, signStr, strHash, ZERO_HASH, type SignedStr } from './str.ts';

const keys = generateStrKeyPair(hash(utf8('chain key')));
const treeId = hash(utf8('chain tree'));

function chain(n: number): SignedStr[] {
  const out: SignedStr[] = [];
  for (let epoch = 0; epoch < n; epoch++) {
    const prev = out[epoch - 1];
    out.push(
      signStr(
        { pvId: 'PV1', treeId, epoch, timestampMs: 1000 + epoch * 10, root: hash(utf8(`root ${epoch}`)), prevStrHash: prev === undefined ? ZERO_HASH : strHash(prev), policyHash: hash(utf8('p')) },
        keys.secretKey,
      ),
    );
  }
  return out;
}

/** Re-signs `s` with some fields changed, as a misbehaving PV would. */
function resign(s: SignedStr, change: Partial<SignedStr>): SignedStr {
  return signStr({ ...s, ...change }, keys.secretKey);
}

const codes = (strs: SignedStr[], previous?: SignedStr): string[] =>
  verifyChain(strs, keys.publicKey, previous === undefined ? {} : { previous }).issues.map((i) => i.code);

describe('STR chain', () => {
  it('accepts a well-formed chain, also checked from a trusted previous STR', () => {
    const c = chain(5);
    expect(verifyChain(c, keys.publicKey)).toEqual({ ok: true, issues: [] });
    expect(verifyChain(c.slice(3), keys.publicKey, { previous: c[2]! }).ok).toBe(true);
    expect(verifyChain(c.slice(2), keys.publicKey).ok).toBe(true);
  });

  it('detects each kind of break with its own code', () => {
    const c = chain(5);
    expect(codes([c[0]!, c[1]!, c[3]!])).toEqual(['epoch-gap']);
    expect(codes([c[0]!, c[2]!, c[1]!])).toEqual(['epoch-gap', 'epoch-not-increasing']);
    expect(codes([c[0]!, resign(c[1]!, { prevStrHash: hash(utf8('x')) })])).toEqual(['prev-hash-mismatch']);
    expect(codes([c[0]!, resign(c[1]!, { treeId: hash(utf8('other tree')) })])).toEqual(['tree-id-changed']);
    expect(codes([c[0]!, resign(c[1]!, { pvId: 'PV2' })])).toEqual(['pv-id-changed']);
    expect(codes([c[0]!, resign(c[1]!, { timestampMs: 1000 })])).toEqual(['timestamp-not-increasing']);
    expect(codes([c[0]!, { ...c[1]!, root: hash(utf8('forged')) }])).toEqual(['bad-signature']);
    expect(codes([resign(c[0]!, { prevStrHash: hash(utf8('y')) })])).toEqual(['genesis-prev-hash']);
  });

  it('reports equivocation with both STRs as evidence', () => {
    const c = chain(3);
    const fork = resign(c[1]!, { root: hash(utf8('another root')) });
    const report = verifyChain([c[0]!, c[1]!, fork], keys.publicKey);
    expect(report.issues.map((i) => i.code)).toEqual(['equivocation']);
    expect(report.issues[0]!.evidence).toMatchObject({ pvId: 'PV1', epoch: 1, first: c[1], second: fork });
    expect(checkNextStr(c[1]!, fork, keys.publicKey)?.code).toBe('equivocation');
    expect(detectEquivocation(c[1]!, fork, keys.publicKey)).not.toBeNull();
    // Not equivocation: the same STR twice, different epochs, or a forgery that does not verify.
    expect(detectEquivocation(c[1]!, c[1]!, keys.publicKey)).toBeNull();
    expect(detectEquivocation(c[1]!, c[2]!, keys.publicKey)).toBeNull();
    expect(detectEquivocation(c[1]!, { ...c[1]!, root: hash(utf8('z')) }, keys.publicKey)).toBeNull();
  });

  it('links epochs by the hash of message and signature', () => {
    const c = chain(2);
    expect(c[1]!.prevStrHash).toEqual(strHash(c[0]!));
  });
});
