// A PV's policy (DESIGN §3.4): its epoch length, its verifiers and the
// properties they check, and its validation formula over those properties.
// Every STR commits to it through
//   policyHash = H(deterministic CBOR (RFC 8949 §4.2.1) of
//     {"v": 1, "epochLengthMs": uint, "formula": text,
//      "verifiers": [{"id": text, "kind": text, "property": text}, ...]})
// The verifiers keep the PV's configured order; the formula is hashed in its
// canonical text (formatFormula), so "a and b" and "a & b" commit alike.
// Deterministic CBOR sorts map keys by their encoded bytes, so the bytes
// read: v, formula, verifiers, epochLengthMs; and id, kind, property.
import { encodeCanonical } from './cbor.ts';
import { SpmsError } from './errors.ts';
import { atomsOf, formatFormula, FormulaError, isFormulaIdentifier, parseFormula } from './formula/index.ts';
import { hash } from './hash.ts';

export interface PolicyVerifier {
  /** Unique within the PV; also an MQTT topic level, hence the identifier charset. */
  id: string;
  /** Which verifier implementation runs, e.g. "termination" or an external preset. */
  kind: string;
  /** The property its pass establishes, as named in the formula. */
  property: string;
}

export interface Policy {
  epochLengthMs: number;
  verifiers: PolicyVerifier[];
  formula: string;
}

export const POLICY_VERSION = 1;
export const MIN_EPOCH_LENGTH_MS = 100;
export const MAX_VERIFIERS = 64;
export const MAX_KIND_CHARS = 128;

export type PolicyErrorCode = 'policy-invalid' | 'policy-formula';

/** `path` names the offending field, e.g. "verifiers[1].property". */
export class PolicyError extends SpmsError {
  override readonly code: PolicyErrorCode;
  readonly path: string;
  constructor(code: PolicyErrorCode, path: string, message: string) {
    super(code, `${path}: ${message}`);
    this.name = 'PolicyError';
    this.code = code;
    this.path = path;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new PolicyError('policy-invalid', path === '' ? key : `${path}.${key}`, `unknown field; expected one of ${allowed.join(', ')}`);
  }
}

function identifier(value: unknown, path: string): string {
  if (typeof value !== 'string' || !isFormulaIdentifier(value)) {
    throw new PolicyError('policy-invalid', path, `must be a name of an ASCII letter or "_" followed by letters, digits, "_", "-" or "." (not and/or/not/of), got ${JSON.stringify(value)}`);
  }
  return value;
}

function verifierOf(value: unknown, i: number): PolicyVerifier {
  const path = `verifiers[${i}]`;
  if (!isRecord(value)) throw new PolicyError('policy-invalid', path, 'must be an object with id, kind and property');
  onlyKeys(value, ['id', 'kind', 'property'], path);
  const { kind } = value;
  if (typeof kind !== 'string' || kind.length === 0 || kind.length > MAX_KIND_CHARS) throw new PolicyError('policy-invalid', `${path}.kind`, `must be a string of 1 to ${MAX_KIND_CHARS} characters`);
  return { id: identifier(value.id, `${path}.id`), kind, property: identifier(value.property, `${path}.property`) };
}

/**
 * Guard for an untrusted policy (a PV's configuration, a JSON body): refuses
 * unknown fields, checks every value, and requires the formula to name only
 * configured properties. Returns a fresh policy with the formula in canonical text.
 */
export function validatePolicy(value: unknown): Policy {
  if (!isRecord(value)) throw new PolicyError('policy-invalid', 'policy', 'must be an object with epochLengthMs, verifiers and formula');
  onlyKeys(value, ['epochLengthMs', 'verifiers', 'formula'], '');
  const { epochLengthMs, verifiers: list, formula } = value;
  if (typeof epochLengthMs !== 'number' || !Number.isSafeInteger(epochLengthMs) || epochLengthMs < MIN_EPOCH_LENGTH_MS) {
    throw new PolicyError('policy-invalid', 'epochLengthMs', `must be an integer number of milliseconds, at least ${MIN_EPOCH_LENGTH_MS}`);
  }
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_VERIFIERS) throw new PolicyError('policy-invalid', 'verifiers', `must be a list of 1 to ${MAX_VERIFIERS} verifiers`);
  const verifiers = list.map(verifierOf);
  const ids = new Set<string>();
  verifiers.forEach((v, i) => {
    if (ids.has(v.id)) throw new PolicyError('policy-invalid', `verifiers[${i}].id`, `verifier id "${v.id}" appears twice`);
    ids.add(v.id);
  });
  if (typeof formula !== 'string') throw new PolicyError('policy-invalid', 'formula', 'must be a string');
  let ast;
  try {
    ast = parseFormula(formula);
  } catch (e) {
    if (e instanceof FormulaError) throw new PolicyError('policy-formula', 'formula', e.message);
    throw e;
  }
  const properties = new Set(verifiers.map((v) => v.property));
  for (const atom of atomsOf(ast)) {
    if (!properties.has(atom)) throw new PolicyError('policy-formula', 'formula', `names "${atom}", which no verifier checks (known: ${[...properties].join(', ')})`);
  }
  return { epochLengthMs, verifiers, formula: formatFormula(ast) };
}

/** The exact bytes policyHash covers; validates first, so only sound policies are ever committed to. */
export function encodePolicy(p: Policy): Uint8Array {
  const valid = validatePolicy(p);
  return encodeCanonical({
    v: POLICY_VERSION,
    epochLengthMs: valid.epochLengthMs,
    formula: valid.formula,
    verifiers: valid.verifiers.map((v) => ({ id: v.id, kind: v.kind, property: v.property })),
  });
}

export function policyHash(p: Policy): Uint8Array {
  return hash(encodePolicy(p));
}
