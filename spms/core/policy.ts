// A PV's policy (DESIGN §3.4): its epoch length, its verifiers and the
// properties they check, and its validation formula over those properties.
// policyHash = H(deterministic CBOR of
//   {"v": 1, "epochLengthMs": uint, "formula": text,
//    "verifiers": [{"id": text, "kind": text, "property": text}, ...]})
// with verifiers in the PV's configured order, so every STR commits to it.
import { encodeCanonical } from './cbor.ts';
import { SpmsError } from './errors.ts';
import { parseFormula, atomsOf } from './formula/index.ts';
import { hash } from './hash.ts';

export interface PolicyVerifier {
  id: string;
  kind: string;
  property: string;
}

export interface Policy {
  epochLengthMs: number;
  verifiers: PolicyVerifier[];
  formula: string;
}

export class PolicyError extends SpmsError {
  constructor(message: string) {
    super('policy-invalid', message);
    this.name = 'PolicyError';
  }
}

/** Validates an untrusted policy; the formula may only name configured properties. */
export function validatePolicy(value: unknown): Policy {
  if (typeof value !== 'object' || value === null) throw new PolicyError('policy must be an object');
  const p = value as Record<string, unknown>;
  if (typeof p.epochLengthMs !== 'number' || !Number.isSafeInteger(p.epochLengthMs) || p.epochLengthMs < 100) throw new PolicyError('epochLengthMs must be an integer of at least 100');
  if (!Array.isArray(p.verifiers) || p.verifiers.length === 0) throw new PolicyError('verifiers must be a non-empty list');
  const ids = new Set<string>();
  const verifiers = p.verifiers.map((v: unknown, i: number): PolicyVerifier => {
    const r = v as Record<string, unknown> | null;
    for (const field of ['id', 'kind', 'property'] as const) {
      if (typeof r?.[field] !== 'string' || (r[field] as string).length === 0) throw new PolicyError(`verifiers[${i}].${field} must be a non-empty string`);
    }
    const id = r!.id as string;
    if (ids.has(id)) throw new PolicyError(`verifier id "${id}" appears twice`);
    ids.add(id);
    return { id, kind: r!.kind as string, property: r!.property as string };
  });
  if (typeof p.formula !== 'string') throw new PolicyError('formula must be a string');
  const properties = new Set(verifiers.map((v) => v.property));
  for (const atom of atomsOf(parseFormula(p.formula))) {
    if (!properties.has(atom)) throw new PolicyError(`the formula names "${atom}", which no verifier checks (known: ${[...properties].join(', ')})`);
  }
  return { epochLengthMs: p.epochLengthMs, verifiers, formula: p.formula };
}

export function encodePolicy(p: Policy): Uint8Array {
  return encodeCanonical({
    v: 1,
    epochLengthMs: p.epochLengthMs,
    formula: p.formula,
    verifiers: p.verifiers.map((v) => ({ id: v.id, kind: v.kind, property: v.property })),
  });
}

export function policyHash(p: Policy): Uint8Array {
  return hash(encodePolicy(p));
}
