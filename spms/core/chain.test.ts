import { describe, expect, it } from 'vitest';
import { utf8 } from './bytes.ts';
import { hash } from './hash.ts';
import { checkNextStr, detectEquivocation, verifyChain } from './chain.ts';
import { generateStrKeyPair, signStr, strFromJson, strHash, ZERO_HASH, type SignedStr } from './str.ts';
import { fromHex } from './bytes.ts';
import vectors from './vectors/str.json' with { type: 'json' };

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

const codes = (strs: SignedStr[], previous?: SignedStr): string[] => verifyChain(strs, keys.publicKey, previous === undefined ? {} : { previous }).issues.map((i) => i.code);

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

  it('reports every broken rule of one STR and keeps checking after it', () => {
    const c = chain(4);
    const bad = resign(c[2]!, { prevStrHash: hash(utf8('x')), timestampMs: 5, treeId: hash(utf8('t2')) });
    const report = verifyChain([c[0]!, c[1]!, bad, c[3]!], keys.publicKey);
    expect(report.issues.map((i) => [i.code, i.epoch, i.index])).toEqual([
      ['tree-id-changed', 2, 2],
      ['prev-hash-mismatch', 2, 2],
      ['timestamp-not-increasing', 2, 2],
      ['tree-id-changed', 3, 3],
      ['prev-hash-mismatch', 3, 3],
    ]);
    expect(checkNextStr(c[1]!, bad, keys.publicKey)?.code).toBe('tree-id-changed');
  });

  it('does not let a forged or backward STR become the new anchor', () => {
    const c = chain(4);
    const forged = { ...c[2]!, root: hash(utf8('forged')) };
    expect(codes([c[0]!, c[1]!, forged, c[2]!, c[3]!])).toEqual(['bad-signature']);
    // The backward STR is reported once; epoch 3 still links to epoch 2.
    expect(codes([c[0]!, c[2]!, c[1]!, c[3]!])).toEqual(['epoch-gap', 'epoch-not-increasing']);
    expect(codes([c[0]!, c[1]!, c[1]!])).toEqual(['epoch-not-increasing']);
  });

  it('names the missing epochs of a gap', () => {
    const c = chain(6);
    expect(verifyChain([c[0]!, c[2]!], keys.publicKey).issues[0]!.message).toMatch(/epoch 1 is missing/);
    expect(verifyChain([c[0]!, c[5]!], keys.publicKey).issues[0]!.message).toMatch(/epochs 1 to 4 are missing/);
  });

  it('checks the first STR against a trusted previous one', () => {
    const c = chain(4);
    expect(codes([c[3]!], c[1]!)).toEqual(['epoch-gap']);
    expect(codes([c[1]!], c[1]!)).toEqual(['epoch-not-increasing']);
    const fork = resign(c[2]!, { root: hash(utf8('fork')) });
    expect(codes([fork], c[2]!)).toEqual(['equivocation']);
    expect(checkNextStr(undefined, c[0]!, keys.publicKey)).toBeNull();
    expect(checkNextStr(undefined, c[2]!, keys.publicKey)).toBeNull();
    expect(checkNextStr(c[0]!, c[1]!, keys.publicKey)).toBeNull();
  });

  it('finds a fork that is not adjacent and ignores STRs of other keys', () => {
    const c = chain(4);
    const fork = resign(c[1]!, { root: hash(utf8('late fork')) });
    const report = verifyChain([c[0]!, c[1]!, c[2]!, c[3]!, fork], keys.publicKey);
    expect(report.issues.map((i) => [i.code, i.index])).toEqual([['equivocation', 4]]);
    expect(report.issues[0]!.evidence).toMatchObject({ first: c[1], second: fork });
    const stranger = generateStrKeyPair(hash(utf8('stranger')));
    const foreign = signStr({ ...c[1]!, root: hash(utf8('foreign')) }, stranger.secretKey);
    expect(detectEquivocation(c[1]!, foreign, keys.publicKey)).toBeNull();
    expect(detectEquivocation(c[1]!, resign(c[1]!, { pvId: 'PV9' }), keys.publicKey)).toBeNull();
    expect(codes([c[0]!, c[1]!, foreign])).toEqual(['bad-signature']);
  });

  it('links epochs by the hash of message and signature', () => {
    const c = chain(2);
    expect(c[1]!.prevStrHash).toEqual(strHash(c[0]!));
  });
});

describe('published STR chain vectors', () => {
  it('form a valid chain, and the published fork is equivocation', () => {
    const key = fromHex(vectors.publicKey);
    const strs = vectors.chain.map((v) => strFromJson(v.str));
    expect(verifyChain(strs, key)).toEqual({ ok: true, issues: [] });
    const fork = strFromJson(vectors.equivocation.str);
    expect(detectEquivocation(strs[1]!, fork, key)).toEqual({ pvId: 'PV1', epoch: 1, first: strs[1], second: fork });
    expect(verifyChain([...strs, fork], key).issues.map((i) => [i.code, i.index])).toEqual([['equivocation', 3]]);
  });
});
