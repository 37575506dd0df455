// A lower bound on the size of any satisfying set of a monotone formula,
// used to skip sizes the exhaustive search need not try and to tell in
// advance whether that search fits its budget.
import type { FormulaAst } from './ast.ts';
import { atomsOf } from './evaluate.ts';

/** Whether no atom is named by two of `operands`: then their sets add up. */
function disjoint(operands: readonly FormulaAst[]): boolean {
  const seen = new Set<string>();
  for (const o of operands) {
    for (const a of atomsOf(o)) {
      if (seen.has(a)) return false;
      seen.add(a);
    }
  }
  return true;
}

/**
 * No subset of `available` smaller than the result satisfies the monotone
 * formula (Infinity: none does). Operands with disjoint atoms need disjoint
 * parts of the set, so their bounds add up; operands that share atoms may be
 * satisfied by one set, so only the largest bound among the needed ones holds.
 * Exact for read-once formulas.
 */
export function satisfyingSizeLowerBound(ast: FormulaAst, available: ReadonlySet<string>): number {
  switch (ast.kind) {
    case 'atom':
      return available.has(ast.name) ? 1 : Infinity;
    case 'not':
      throw new TypeError('satisfyingSizeLowerBound needs a monotone formula');
    case 'or':
      return Math.min(...ast.operands.map((o) => satisfyingSizeLowerBound(o, available)));
    case 'and':
    case 'threshold': {
      const k = ast.kind === 'and' ? ast.operands.length : ast.k;
      if (k === 0) return 0;
      const needed = ast.operands
        .map((o) => satisfyingSizeLowerBound(o, available))
        .sort((x, y) => x - y)
        .slice(0, k);
      return disjoint(ast.operands) ? needed.reduce((sum, b) => sum + b, 0) : (needed[k - 1] as number);
    }
  }
}
