import type { FormulaAst } from './ast.ts';
import { FormulaError } from './formula-error.ts';
import { parseFormula } from './parser.ts';

export function evaluateFormula(ast: FormulaAst, satisfied: ReadonlySet<string>): boolean {
  switch (ast.kind) {
    case 'atom':
      return satisfied.has(ast.name);
    case 'not':
      return !evaluateFormula(ast.operand, satisfied);
    case 'and':
      return ast.operands.every((o) => evaluateFormula(o, satisfied));
    case 'or':
      return ast.operands.some((o) => evaluateFormula(o, satisfied));
    case 'threshold': {
      let count = 0;
      for (const o of ast.operands) if (evaluateFormula(o, satisfied) && ++count >= ast.k) return true;
      return ast.k === 0;
    }
  }
}

/** Distinct atom names, in order of first appearance. */
export function atomsOf(ast: FormulaAst): string[] {
  const out = new Set<string>();
  const walk = (n: FormulaAst): void => {
    if (n.kind === 'atom') out.add(n.name);
    else if (n.kind === 'not') walk(n.operand);
    else n.operands.forEach(walk);
  };
  walk(ast);
  return [...out];
}

function firstNegation(ast: FormulaAst): { column: number } | undefined {
  if (ast.kind === 'not') return ast;
  if (ast.kind === 'atom') return undefined;
  for (const o of ast.operands) {
    const found = firstNegation(o);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Monotone: adding satisfied atoms never makes the formula false (no negation). */
export function isMonotone(ast: FormulaAst): boolean {
  return firstNegation(ast) === undefined;
}

/** Peers' trust formulas: negation is refused, since a peer cannot prove a PV's silence. */
export function parseMonotoneFormula(source: string): FormulaAst {
  const ast = parseFormula(source);
  const neg = firstNegation(ast);
  if (neg !== undefined) throw new FormulaError('negation-not-allowed', neg.column, 'negation is not allowed in a trust formula (it must be monotone)');
  return ast;
}
