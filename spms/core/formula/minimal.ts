// Smallest satisfying sets: the sender of a bundle presents as few PV proofs
// as the peer's formula needs (DESIGN §3.6).
import type { FormulaAst } from './ast.ts';
import { atomsOf, evaluateFormula } from './evaluate.ts';
import { FormulaError } from './formula-error.ts';
import { firstNegation } from './monotone.ts';
import { satisfyingSizeLowerBound } from './lower-bound.ts';
import { cheapestCover, isReadOnce } from './read-once.ts';

/** Formula evaluations an exhaustive search may spend: 2^16 covers every subset of 16 atoms. */
export const DEFAULT_SEARCH_BUDGET = 1 << 16;

function* combinations(items: readonly string[], k: number, start = 0, acc: string[] = []): Generator<string[]> {
  if (acc.length === k) {
    yield [...acc];
    return;
  }
  for (let i = start; i <= items.length - (k - acc.length); i++) {
    acc.push(items[i] as string);
    yield* combinations(items, k, i + 1, acc);
    acc.pop();
  }
}

/** Drops members, last name first, while the monotone formula still holds: no member of the result can go. */
function prune(ast: FormulaAst, set: readonly string[]): string[] {
  const chosen = new Set(set);
  for (const atom of [...set].reverse()) {
    chosen.delete(atom);
    if (!evaluateFormula(ast, chosen)) chosen.add(atom);
  }
  return [...chosen].sort();
}

/** Sum of C(n, k) for k in [from, to], or Infinity once it passes `cap`. */
function subsetsBetween(n: number, from: number, to: number, cap: number): number {
  let total = 0;
  let c = 1; // C(n, 0)
  for (let k = 0; k <= to; k++) {
    if (k > 0) c = (c * (n - k + 1)) / k;
    if (k >= from) total += c;
    if (total > cap) return Infinity;
  }
  return total;
}

/**
 * A satisfying subset of `available` (atoms outside it count as false), or
 * null when none exists. Candidates are the formula's atoms that are
 * available; names are ordered as JavaScript strings, sets as sorted lists
 * (compareSets: smaller first, then element by element).
 *
 * Guarantees:
 * - Exact (the smallest satisfying set, and the first of the smallest) for
 *   read-once monotone formulas of any size, in near-linear time.
 * - Exact for other monotone formulas when the exhaustive search between a
 *   lower bound and the size of a greedy solution fits in `budget` formula
 *   evaluations; when it does not, that greedy solution is returned
 *   directly: satisfying and irreducible (no proper subset satisfies), found
 *   in polynomial time, so 30 or 300 PVs never blow up.
 * - Exact for formulas with negation when the search by increasing size finds
 *   the answer within `budget` evaluations (always with at most 16 candidates
 *   by default); otherwise a FormulaError "search-too-large" at the negation,
 *   rather than a wrong null.
 * Deterministic: the same formula and set of available names give the same result.
 */
export function minimalSatisfyingSet(ast: FormulaAst, available: Iterable<string>, opts: { budget?: number } = {}): string[] | null {
  const have = new Set(available);
  const candidates = atomsOf(ast)
    .filter((a) => have.has(a))
    .sort();
  const budget = opts.budget ?? DEFAULT_SEARCH_BUDGET;
  const negation = firstNegation(ast);
  if (negation === undefined) {
    const cover = cheapestCover(ast, have);
    if (cover === null) return null;
    if (isReadOnce(ast)) return cover;
    const bound = prune(ast, cover);
    const lower = satisfyingSizeLowerBound(ast, have);
    if (subsetsBetween(candidates.length, lower, bound.length, budget) > budget) return bound;
    // Within budget: the first hit by increasing size, each size in order, is the
    // answer, and there is one by size bound.length at the latest.
    for (let k = lower; k <= bound.length; k++) {
      for (const set of combinations(candidates, k)) if (evaluateFormula(ast, new Set(set))) return set;
    }
    return bound;
  }
  let left = budget;
  for (let k = 0; k <= candidates.length; k++) {
    for (const set of combinations(candidates, k)) {
      if (left-- <= 0) {
        throw new FormulaError('search-too-large', negation.column, `the formula is not monotone (negation here) and has ${candidates.length} available atoms: too many to search exhaustively`);
      }
      if (evaluateFormula(ast, new Set(set))) return set;
    }
  }
  return null;
}
