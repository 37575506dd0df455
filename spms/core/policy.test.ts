import { describe, expect, it } from 'vitest';
import { toHex } from './bytes.ts';
import { encodeCanonical } from './cbor.ts';
import vectors from './vectors/str.json' with { type: 'json' };
import { hash } from './hash.ts';
import { encodePolicy, policyHash, PolicyError, validatePolicy, type Policy } from './policy.ts';

const policy: Policy = {
  epochLengthMs: 5000,
  verifiers: [
    { id: 'wf', kind: 'wellformed', property: 'wellformed' },
    { id: 'term', kind: 'termination', property: 'termination' },
  ],
  formula: 'wellformed & termination',
};

function refusal(value: unknown): { code: string; path: string; message: string } {
  try {
    validatePolicy(value);
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    const p = e as PolicyError;
    return { code: p.code, path: p.path, message: p.message };
  }
  throw new Error('policy accepted');
}

describe('policy hash', () => {
  it('is H of the deterministic CBOR map with the documented keys, in canonical key order', () => {
    const bytes = encodePolicy(policy);
    expect(bytes).toEqual(
      encodeCanonical({ v: 1, epochLengthMs: 5000, formula: 'wellformed & termination', verifiers: policy.verifiers.map((v) => ({ id: v.id, kind: v.kind, property: v.property })) }),
    );
    // Map of 4 entries, then "v" first (shortest key) and "epochLengthMs" last.
    expect(bytes[0]).toBe(0xa4);
    expect(toHex(bytes.subarray(1, 3))).toBe('6176');
    expect(new TextDecoder().decode(bytes).indexOf('epochLengthMs')).toBeGreaterThan(new TextDecoder().decode(bytes).indexOf('verifiers'));
    expect(policyHash(policy)).toEqual(hash(bytes));
  });

  it('reproduces the published vector', () => {
    expect(toHex(encodePolicy(vectors.policy))).toBe(vectors.policyCbor);
    expect(toHex(policyHash(vectors.policy))).toBe(vectors.policyHash);
    expect(vectors.chain.every((c) => c.str.policyHash === vectors.policyHash)).toBe(true);
  });

  it('hashes deterministically and changes with any field', () => {
    expect(toHex(policyHash(policy))).toBe(toHex(policyHash(JSON.parse(JSON.stringify(policy)) as Policy)));
    const variants: Policy[] = [
      { ...policy, epochLengthMs: 5001 },
      { ...policy, formula: 'wellformed' },
      { ...policy, formula: 'termination & wellformed' },
      { ...policy, verifiers: [...policy.verifiers].reverse() },
      { ...policy, verifiers: [{ ...policy.verifiers[0]!, kind: 'memory' }, policy.verifiers[1]!] },
      { ...policy, verifiers: [{ ...policy.verifiers[0]!, id: 'wf2' }, policy.verifiers[1]!] },
    ];
    const hashes = new Set([toHex(policyHash(policy)), ...variants.map((v) => toHex(policyHash(v)))]);
    expect(hashes.size).toBe(variants.length + 1);
  });

  it('commits to the meaning of the formula, not its spelling', () => {
    expect(policyHash({ ...policy, formula: 'wellformed and  (termination)' })).toEqual(policyHash(policy));
    expect(validatePolicy({ ...policy, formula: 'wellformed ∧ termination' }).formula).toBe('wellformed & termination');
  });
});

describe('policy guard', () => {
  it('accepts a sound policy and returns a fresh copy', () => {
    const copy = validatePolicy(policy);
    expect(copy).toEqual(policy);
    expect(copy.verifiers).not.toBe(policy.verifiers);
    expect(validatePolicy({ ...policy, formula: '!wellformed | 1of(termination)' }).formula).toBe('!wellformed | 1of(termination)');
  });

  it.each([
    [null, 'policy-invalid', 'policy', /must be an object/],
    [[policy], 'policy-invalid', 'policy', /must be an object/],
    [{ ...policy, epochLengthMs: 3 }, 'policy-invalid', 'epochLengthMs', /at least 100/],
    [{ ...policy, epochLengthMs: 1000.5 }, 'policy-invalid', 'epochLengthMs', /integer/],
    [{ ...policy, epochLenghtMs: 5000 }, 'policy-invalid', 'epochLenghtMs', /unknown field/],
    [{ ...policy, verifiers: [] }, 'policy-invalid', 'verifiers', /1 to 64 verifiers/],
    [{ ...policy, verifiers: 'wf' }, 'policy-invalid', 'verifiers', /list/],
    [{ ...policy, verifiers: [policy.verifiers[0], policy.verifiers[0]] }, 'policy-invalid', 'verifiers[1].id', /appears twice/],
    [{ ...policy, verifiers: [{ id: 'x', kind: 'k' }] }, 'policy-invalid', 'verifiers[0].property', /must be a name/],
    [{ ...policy, verifiers: [{ id: 'x', kind: 'k', property: 'side effects' }] }, 'policy-invalid', 'verifiers[0].property', /"side effects"/],
    [{ ...policy, verifiers: [{ id: 'and', kind: 'k', property: 'p' }] }, 'policy-invalid', 'verifiers[0].id', /not and\/or\/not\/of/],
    [{ ...policy, verifiers: [{ id: 'x', kind: '', property: 'p' }] }, 'policy-invalid', 'verifiers[0].kind', /1 to 128 characters/],
    [{ ...policy, verifiers: [{ id: 'x', kind: 'k', property: 'p', timeout: 3 }] }, 'policy-invalid', 'verifiers[0].timeout', /unknown field/],
    [{ ...policy, verifiers: [7] }, 'policy-invalid', 'verifiers[0]', /must be an object/],
    [{ ...policy, formula: 7 }, 'policy-invalid', 'formula', /must be a string/],
    [{ ...policy, formula: 'wellformed & memory' }, 'policy-formula', 'formula', /names "memory", which no verifier checks/],
    [{ ...policy, formula: 'wellformed &' }, 'policy-formula', 'formula', /column 13: expected/],
  ])('refuses %j with %s at %s', (value, code, path, message) => {
    const r = refusal(value);
    expect([r.code, r.path]).toEqual([code, path]);
    expect(r.message).toMatch(message);
  });

  it('refuses to hash an invalid policy', () => {
    expect(() => policyHash({ ...policy, epochLengthMs: -1 })).toThrow(PolicyError);
  });
});
