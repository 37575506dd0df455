// The Peer view's reading of a bundle check (POST /api/bundles/check): one
// row per PV the formula names (verified, failed at a step, skipped by the
// PR, or left out because the sender's satisfying set did without it), the
// set the bundle presents, and the formula evaluated again here over the PVs
// whose proofs verified, with the smallest set of them that satisfies it.
import { atomsOf, evaluateFormula, minimalSatisfyingSet, parseMonotoneFormula, type FormulaAst } from '../../../../spms/core/index.ts';
import { ApiError } from './api.ts';
import type { BundleCheck } from './api-types.ts';

export type PvRowStatus = 'verified' | 'failed' | 'skipped' | 'not-presented';

export interface PvRow {
  pvId: string;
  status: PvRowStatus;
  /** The first step that failed (key, pv-id, signature, freshness, proof). */
  step?: string;
  reason?: string;
  epoch?: number;
  /** Whether the formula names this PV. */
  inFormula: boolean;
}

export interface BundleReport {
  name: string;
  formula: string;
  accepted: boolean;
  reason: string;
  /** Where the verdict comes from: the receiver's check, or the PR refusing to build a bundle at all. */
  source: 'check' | 'pr';
  rows: PvRow[];
  /** PVs the bundle presents: the sender's satisfying set. */
  presented: string[];
  /** PVs whose proofs verified. */
  verified: string[];
  /** The formula evaluated here over `verified`. */
  holdsHere: boolean | null;
  /** Whether the daemon's verdict and the evaluation here agree on the formula. */
  agrees: boolean;
  /** A smallest subset of `verified` that satisfies the formula (null: none does). */
  minimal: string[] | null;
  bindingMatches: boolean | null;
  bindingHash: string | null;
  expectedBinding: string | null;
}

function parsed(formula: string): FormulaAst | null {
  try {
    return parseMonotoneFormula(formula);
  } catch {
    return null;
  }
}

function entriesOf(bundle: unknown): { pvIds: string[]; bindingHash: string | null } {
  const b = bundle as { bindingHash?: unknown; entries?: unknown } | null;
  const entries = Array.isArray(b?.entries) ? (b.entries as { pvId?: unknown }[]) : [];
  return {
    pvIds: entries.map((e) => e.pvId).filter((id): id is string => typeof id === 'string'),
    bindingHash: typeof b?.bindingHash === 'string' ? b.bindingHash : null,
  };
}

export function bundleReport(check: BundleCheck): BundleReport {
  const ast = parsed(check.formula);
  const atoms = ast === null ? [] : atomsOf(ast);
  const { pvIds: presented, bindingHash } = entriesOf(check.bundle);
  const verdict = check.verdict;
  const rows: PvRow[] = [];
  const seen = new Set<string>();
  for (const p of verdict.pvs) {
    if (seen.has(p.pvId)) continue;
    seen.add(p.pvId);
    rows.push({
      pvId: p.pvId,
      status: p.ok ? 'verified' : 'failed',
      ...(p.step === undefined ? {} : { step: p.step }),
      ...(p.reason === undefined ? {} : { reason: p.reason }),
      ...(p.epoch === undefined ? {} : { epoch: p.epoch }),
      inFormula: atoms.includes(p.pvId),
    });
  }
  for (const s of check.skipped ?? []) {
    if (seen.has(s.pvId)) continue;
    seen.add(s.pvId);
    rows.push({ pvId: s.pvId, status: 'skipped', reason: s.reason, inFormula: atoms.includes(s.pvId) });
  }
  for (const a of atoms) {
    if (seen.has(a)) continue;
    seen.add(a);
    rows.push({ pvId: a, status: 'not-presented', reason: 'not in the bundle: the satisfying set the PR chose does without it', inFormula: true });
  }
  // The formula's own order first, then anything else the bundle carried.
  const order = (id: string): number => {
    const i = atoms.indexOf(id);
    return i === -1 ? atoms.length : i;
  };
  rows.sort((a, b) => order(a.pvId) - order(b.pvId));
  const verified = verdict.verified;
  const holdsHere = ast === null ? null : evaluateFormula(ast, new Set(verified));
  return {
    name: check.name,
    formula: check.formula,
    accepted: verdict.accepted,
    reason: verdict.reason,
    source: 'check',
    rows,
    presented,
    verified,
    holdsHere,
    agrees: holdsHere === null || holdsHere === verdict.formulaHolds,
    minimal: ast === null ? null : minimalSatisfyingSet(ast, verified),
    bindingMatches: verdict.bindingMatches,
    bindingHash,
    expectedBinding: check.expectedBinding,
  };
}

/** The PR's refusals to build a bundle, which are a peer's "refused" rather than a failure of the lab. */
const PR_REFUSALS: Record<string, string> = {
  unsatisfiable: 'the PVs that include this plugin cannot satisfy the formula',
  'not-included': 'no PV the formula names includes this plugin',
};

/** A refused report when `error` is the PR declining to build a bundle; undefined for any other failure. */
export function refusalOf(name: string, formula: string, error: unknown): BundleReport | undefined {
  if (!(error instanceof ApiError) || !Object.hasOwn(PR_REFUSALS, error.code)) return undefined;
  const ast = parsed(formula);
  const atoms = ast === null ? [] : atomsOf(ast);
  return {
    name,
    formula,
    accepted: false,
    reason: `refused: the PR could not build a bundle (${PR_REFUSALS[error.code]}): ${error.message}`,
    source: 'pr',
    rows: atoms.map((pvId) => ({ pvId, status: 'not-presented', reason: 'no proof for this PV in a bundle', inFormula: true })),
    presented: [],
    verified: [],
    holdsHere: ast === null ? null : evaluateFormula(ast, new Set()),
    agrees: true,
    minimal: null,
    bindingMatches: null,
    bindingHash: null,
    expectedBinding: null,
  };
}
