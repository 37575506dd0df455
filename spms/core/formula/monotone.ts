// Monotone formulas: making more atoms true never makes them false. Peers'
// trust formulas must be monotone, since a bundle can prove that a PV
// validated a plugin but never that a PV did not.
import type { FormulaAst } from './ast.ts';
import { FormulaError } from './formula-error.ts';
import { parseFormula } from './parser.ts';

/** The first negation in reading order, or undefined. */
export function firstNegation(ast: FormulaAst): Extract<FormulaAst, { kind: 'not' }> | undefined {
  if (ast.kind === 'not') return ast;
  if (ast.kind === 'atom') return undefined;
  for (const o of ast.operands) {
    const found = firstNegation(o);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Syntactic monotonicity: no negation anywhere. ("!!a" is refused although it
 * means "a": a trust formula should say what it means plainly.)
 */
export function isMonotone(ast: FormulaAst): boolean {
  return firstNegation(ast) === undefined;
}

/** Parses a peer's trust formula, refusing negation at its column. */
export function parseMonotoneFormula(source: string): FormulaAst {
  const ast = parseFormula(source);
  const neg = firstNegation(ast);
  if (neg !== undefined)
    throw new FormulaError('negation-not-allowed', neg.column, 'negation is not allowed in a trust formula: it must be monotone, since a bundle can only prove that PVs validated a plugin');
  return ast;
}
