// Meaning of a formula: true or false over the set of atoms that hold
// (PVs whose proofs verified, or properties whose verifiers passed).
import type { FormulaAst } from './ast.ts';

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
      if (ast.k === 0) return true;
      let count = 0;
      for (const o of ast.operands) if (evaluateFormula(o, satisfied) && ++count >= ast.k) return true;
      return false;
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
