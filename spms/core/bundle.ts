// Proof bundles (DESIGN §3.6): what a sender presents to inject a plugin into
// a peer, and the receiver's check, which returns a structured verdict saying
// which PV failed which step and whether the peer's formula still holds.
import { equalBytes, fromHex, toHex } from './bytes.ts';
import { EncodingError } from './errors.ts';
import { evaluateFormula, minimalSatisfyingSet, parseMonotoneFormula, type FormulaAst } from './formula/index.ts';
import { strFromJson, strToJson, verifyStrSignature, type SignedStr, type SignedStrJson } from './str.ts';
import { proofFromJson, proofToJson, type LookupProofJson } from './tree/proof-codec.ts';
import type { LookupProof } from './tree/proof.ts';
import { verifyLookup } from './tree/verify-lookup.ts';

export interface BundleEntry {
  pvId: string;
  /** The PV's X.509 certificate (PEM), which carries its STR key and chains to the lab CA. */
  certificate?: string;
  /** A bare STR public key, for peers that pin PV keys instead of trusting a CA. */
  publicKey?: Uint8Array;
  str: SignedStr;
  proof: LookupProof;
}

export interface ProofBundle {
  v: 1;
  name: string;
  bindingHash: Uint8Array;
  entries: BundleEntry[];
}

/** How the receiver learns a PV's STR key: a certificate-chain check (certs/) or pinned keys. */
export type KeyResolution = { ok: true; publicKey: Uint8Array } | { ok: false; reason: string };
export type KeyResolver = (entry: BundleEntry) => KeyResolution;

export type BundleStep = 'key' | 'pv-id' | 'signature' | 'freshness' | 'proof';

export interface PvVerdict {
  pvId: string;
  ok: boolean;
  /** The first step that failed. */
  step?: BundleStep;
  reason?: string;
  epoch?: number;
}

export interface BundleVerdict {
  accepted: boolean;
  /** False when the bundle is for another plugin than the one received. */
  bindingMatches: boolean;
  formulaHolds: boolean;
  /** PVs whose proofs verified. */
  verified: string[];
  pvs: PvVerdict[];
  reason: string;
}

export interface CheckBundleOptions {
  formula: string | FormulaAst;
  resolveKey: KeyResolver;
  /** bindingHash the receiver computed from the plugin bytes it got. */
  bindingHash: Uint8Array;
  nowMs: number;
  /** An STR older than this is stale (e.g. allowed epochs × epoch length). */
  maxAgeMs: number;
}

/** A KeyResolver over pinned keys: pvId -> Ed25519 public key. */
export function pinnedKeys(keys: ReadonlyMap<string, Uint8Array>): KeyResolver {
  return (entry) => {
    const key = keys.get(entry.pvId);
    return key === undefined ? { ok: false, reason: `no pinned STR key for ${entry.pvId}` } : { ok: true, publicKey: key };
  };
}

function checkEntry(bundle: ProofBundle, entry: BundleEntry, opts: CheckBundleOptions): PvVerdict {
  const bad = (step: BundleStep, reason: string): PvVerdict => ({ pvId: entry.pvId, ok: false, step, reason, epoch: entry.str.epoch });
  if (entry.str.pvId !== entry.pvId) return bad('pv-id', `the STR is signed for "${entry.str.pvId}", not "${entry.pvId}"`);
  const key = opts.resolveKey(entry);
  if (!key.ok) return bad('key', key.reason);
  if (!verifyStrSignature(entry.str, key.publicKey)) return bad('signature', 'the STR signature does not verify with the PV key');
  const age = opts.nowMs - entry.str.timestampMs;
  if (age > opts.maxAgeMs) return bad('freshness', `the STR of epoch ${entry.str.epoch} is ${Math.round(age / 1000)} s old; at most ${Math.round(opts.maxAgeMs / 1000)} s is accepted`);
  const lookup = verifyLookup(entry.proof, bundle.name, bundle.bindingHash, entry.str.root, entry.str.treeId);
  if (!lookup.ok) return bad('proof', `${lookup.code}: ${lookup.message}`);
  return { pvId: entry.pvId, ok: true, epoch: entry.str.epoch };
}

export function checkBundle(bundle: ProofBundle, opts: CheckBundleOptions): BundleVerdict {
  const ast = typeof opts.formula === 'string' ? parseMonotoneFormula(opts.formula) : opts.formula;
  const bindingMatches = equalBytes(bundle.bindingHash, opts.bindingHash);
  const seen = new Set<string>();
  const pvs = bundle.entries.map((entry) => {
    if (seen.has(entry.pvId)) return { pvId: entry.pvId, ok: false, step: 'pv-id' as const, reason: `${entry.pvId} appears twice in the bundle` };
    seen.add(entry.pvId);
    return checkEntry(bundle, entry, opts);
  });
  const verified = pvs.filter((p) => p.ok).map((p) => p.pvId);
  const formulaHolds = evaluateFormula(ast, new Set(verified));
  const accepted = bindingMatches && formulaHolds;
  const reason = !bindingMatches
    ? `the bundle is for binding ${toHex(bundle.bindingHash).slice(0, 16)}…, but the plugin received hashes to ${toHex(opts.bindingHash).slice(0, 16)}…`
    : formulaHolds
      ? `accepted: the formula holds over ${verified.join(', ') || 'no PV'}`
      : `refused: the formula does not hold over the PVs whose proofs verified (${verified.join(', ') || 'none'})`;
  return { accepted, bindingMatches, formulaHolds, verified, pvs, reason };
}

export class BundleError extends EncodingError {}

/**
 * Builds the bundle a sender presents: from candidate entries (one per PV,
 * already checked by the sender), a smallest subset that satisfies `formula`.
 */
export function buildBundle(name: string, bindingHash: Uint8Array, candidates: readonly BundleEntry[], formula: string | FormulaAst): ProofBundle {
  const ast = typeof formula === 'string' ? parseMonotoneFormula(formula) : formula;
  const byId = new Map(candidates.map((c) => [c.pvId, c]));
  const chosen = minimalSatisfyingSet(ast, byId.keys());
  if (chosen === null) {
    throw new BundleError('bundle-unsatisfiable', `the PVs that include this binding (${[...byId.keys()].join(', ') || 'none'}) cannot satisfy the formula`);
  }
  return { v: 1, name, bindingHash, entries: chosen.map((id) => byId.get(id) as BundleEntry) };
}

export interface ProofBundleJson {
  v: 1;
  name: string;
  bindingHash: string;
  entries: { pvId: string; certificate?: string; publicKey?: string; str: SignedStrJson; proof: LookupProofJson }[];
}

export function bundleToJson(b: ProofBundle): ProofBundleJson {
  return {
    v: 1,
    name: b.name,
    bindingHash: toHex(b.bindingHash),
    entries: b.entries.map((e) => ({
      pvId: e.pvId,
      ...(e.certificate === undefined ? {} : { certificate: e.certificate }),
      ...(e.publicKey === undefined ? {} : { publicKey: toHex(e.publicKey) }),
      str: strToJson(e.str),
      proof: proofToJson(e.proof),
    })),
  };
}

export function bundleFromJson(json: unknown): ProofBundle {
  const fail = (msg: string): never => {
    throw new BundleError('bundle-json', msg);
  };
  if (typeof json !== 'object' || json === null) return fail('bundle must be an object');
  const j = json as Record<string, unknown>;
  if (j.v !== 1) fail('bundle version must be 1');
  if (typeof j.name !== 'string') fail('bundle name must be a string');
  if (typeof j.bindingHash !== 'string' || !/^[0-9a-f]{64}$/.test(j.bindingHash)) fail('bundle bindingHash must be 64 hex digits');
  if (!Array.isArray(j.entries)) fail('bundle entries must be an array');
  const entries = (j.entries as unknown[]).map((raw, i) => {
    if (typeof raw !== 'object' || raw === null) return fail(`entries[${i}] must be an object`);
    const e = raw as Record<string, unknown>;
    if (typeof e.pvId !== 'string' || e.pvId.length === 0) fail(`entries[${i}].pvId must be a non-empty string`);
    if (e.certificate !== undefined && typeof e.certificate !== 'string') fail(`entries[${i}].certificate must be PEM text`);
    if (e.publicKey !== undefined && (typeof e.publicKey !== 'string' || !/^[0-9a-f]{64}$/.test(e.publicKey))) fail(`entries[${i}].publicKey must be 64 hex digits`);
    const entry: BundleEntry = { pvId: e.pvId as string, str: strFromJson(e.str), proof: proofFromJson(e.proof) };
    if (typeof e.certificate === 'string') entry.certificate = e.certificate;
    if (typeof e.publicKey === 'string') entry.publicKey = fromHex(e.publicKey);
    return entry;
  });
  return { v: 1, name: j.name as string, bindingHash: fromHex(j.bindingHash as string), entries };
}
