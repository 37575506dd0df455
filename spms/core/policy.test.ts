import { describe, expect, it } from 'vitest';
import { toHex } from './bytes.ts';
import { policyHash, validatePolicy, type Policy } from './policy.ts';

const policy: Policy = {
  epochLengthMs: 5000,
  verifiers: [
    { id: 'wf', kind: 'wellformed', property: 'wellformed' },
    { id: 'term', kind: 'termination', property: 'termination' },
  ],
  formula: 'wellformed & termination',
};

describe('policy', () => {
  it('hashes deterministically and changes with any field', () => {
    expect(toHex(policyHash(policy))).toBe(toHex(policyHash(JSON.parse(JSON.stringify(policy)) as Policy)));
    const variants: Policy[] = [
      { ...policy, epochLengthMs: 5001 },
      { ...policy, formula: 'wellformed' },
      { ...policy, verifiers: [...policy.verifiers].reverse() },
      { ...policy, verifiers: [{ ...policy.verifiers[0]!, kind: 'memory' }, policy.verifiers[1]!] },
    ];
    for (const v of variants) expect(toHex(policyHash(v))).not.toBe(toHex(policyHash(policy)));
  });

  it('validates untrusted policies with precise messages', () => {
    expect(validatePolicy(policy)).toEqual(policy);
    expect(() => validatePolicy({ ...policy, epochLengthMs: 3 })).toThrow(/epochLengthMs/);
    expect(() => validatePolicy({ ...policy, verifiers: [] })).toThrow(/non-empty list/);
    expect(() => validatePolicy({ ...policy, verifiers: [policy.verifiers[0], policy.verifiers[0]] })).toThrow(/appears twice/);
    expect(() => validatePolicy({ ...policy, verifiers: [{ id: 'x', kind: 'k' }] })).toThrow(/verifiers\[0\]\.property/);
    expect(() => validatePolicy({ ...policy, formula: 'wellformed & memory' })).toThrow(/names "memory"/);
    expect(() => validatePolicy({ ...policy, formula: 'wellformed &' })).toThrow(/column 13/);
    expect(() => validatePolicy(null)).toThrow(/object/);
  });
});
