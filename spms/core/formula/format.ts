// Canonical text of a formula: "|", "&", "!", "kof(...)", single spaces, and
// parentheses exactly where the tree has a grouping the operators alone would
// not give, so parseFormula(formatFormula(ast)) is the same tree (columns aside).
import type { FormulaAst } from './ast.ts';

function wrap(ast: FormulaAst, when: boolean): string {
  return when ? `(${formatFormula(ast)})` : formatFormula(ast);
}

/** Precondition: atom names are formula identifiers (isFormulaIdentifier), as parseFormula guarantees. */
export function formatFormula(ast: FormulaAst): string {
  switch (ast.kind) {
    case 'atom':
      return ast.name;
    case 'not':
      return `!${wrap(ast.operand, ast.operand.kind === 'and' || ast.operand.kind === 'or')}`;
    case 'and':
      return ast.operands.map((o) => wrap(o, o.kind === 'and' || o.kind === 'or')).join(' & ');
    case 'or':
      return ast.operands.map((o) => wrap(o, o.kind === 'or')).join(' | ');
    case 'threshold':
      return `${ast.k}of(${ast.operands.map(formatFormula).join(', ')})`;
  }
}
