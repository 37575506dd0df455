// Writes spms/core/vectors/str.json: a fixed Ed25519 STR key, a PV policy
// with its deterministic CBOR and hash, a 3-epoch STR chain (messages,
// signatures, encodings, hashes) and a forged fork of epoch 1. Run once when
// the format is fixed; the tests then hold the implementation to these bytes.
import { writeFileSync } from 'node:fs';
import { toHex, utf8 } from '../../spms/core/bytes.ts';
import { hash } from '../../spms/core/hash.ts';
import { encodePolicy, policyHash, type Policy } from '../../spms/core/policy.ts';
import { encodeSignedStr, encodeStrMessage, generateStrKeyPair, signStr, strHash, strToJson, ZERO_HASH, type SignedStr } from '../../spms/core/str.ts';

const seed = hash(utf8('spms/vectors/str/v1 key seed'));
const keys = generateStrKeyPair(seed);
const policy: Policy = {
  epochLengthMs: 60_000,
  verifiers: [
    { id: 'wf', kind: 'wellformed', property: 'wellformed' },
    { id: 'term', kind: 'termination', property: 'termination' },
    { id: 'se', kind: 'side-effects', property: 'side-effects' },
  ],
  formula: 'wellformed & (termination | side-effects)',
};
const treeId = hash(utf8('spms/vectors/str/v1 tree id'));
const start = Date.UTC(2026, 0, 1);

const entry = (s: SignedStr): Record<string, unknown> => ({
  str: strToJson(s),
  message: toHex(encodeStrMessage(s)),
  encoded: toHex(encodeSignedStr(s)),
  strHash: toHex(strHash(s)),
});

const chain: SignedStr[] = [];
for (let epoch = 0; epoch < 3; epoch++) {
  const prev = chain[epoch - 1];
  chain.push(
    signStr(
      {
        pvId: 'PV1',
        treeId,
        epoch,
        timestampMs: start + epoch * policy.epochLengthMs,
        root: hash(utf8(`spms/vectors/str/v1 root ${epoch}`)),
        prevStrHash: prev === undefined ? ZERO_HASH : strHash(prev),
        policyHash: policyHash(policy),
      },
      keys.secretKey,
    ),
  );
}
const fork = signStr({ ...(chain[1] as SignedStr), root: hash(utf8('spms/vectors/str/v1 forked root 1')) }, keys.secretKey);

const vectors = {
  description: 'SPMS STR vectors (DESIGN §3.4): Ed25519 key from a fixed seed, policy CBOR and hash, a 3-epoch chain, and an equivocating STR for epoch 1',
  secretKeySeed: toHex(seed),
  publicKey: toHex(keys.publicKey),
  policy,
  policyCbor: toHex(encodePolicy(policy)),
  policyHash: toHex(policyHash(policy)),
  chain: chain.map(entry),
  equivocation: entry(fork),
};

writeFileSync(new URL('../../spms/core/vectors/str.json', import.meta.url), `${JSON.stringify(vectors, null, 2)}\n`);
console.log('wrote spms/core/vectors/str.json');
