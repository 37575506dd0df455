// Smallest satisfying sets: the sender of a bundle presents as few PV proofs
// as the peer's formula needs.
import type { FormulaAst } from './ast.ts';
import { atomsOf, evaluateFormula } from './evaluate.ts';

/** Up to this many candidate atoms the search is exhaustive by size (at most 2^20 evaluations). */
export const EXACT_SEARCH_LIMIT = 20;

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

/**
 * A satisfying subset of `available`, or null when none exists.
 * Guarantee: with at most EXACT_SEARCH_LIMIT candidate atoms (atoms of the
 * formula that are available), the result has the smallest possible size,
 * ties broken by sorted order of names. Beyond that, for monotone formulas,
 * the result is irreducible (no member can be dropped), found greedily.
 */
export function minimalSatisfyingSet(ast: FormulaAst, available: Iterable<string>): string[] | null {
  const have = new Set(available);
  const candidates = atomsOf(ast).filter((a) => have.has(a)).sort();
  if (candidates.length <= EXACT_SEARCH_LIMIT) {
    for (let k = 0; k <= candidates.length; k++) {
      for (const set of combinations(candidates, k)) if (evaluateFormula(ast, new Set(set))) return set;
    }
    return null;
  }
  const chosen = new Set(candidates);
  if (!evaluateFormula(ast, chosen)) return null;
  for (const atom of [...candidates].reverse()) {
    chosen.delete(atom);
    if (!evaluateFormula(ast, chosen)) chosen.add(atom);
  }
  return [...chosen].sort();
}
