import type { FormulaAst } from './ast.ts';

/** Canonical text: "|", "&", "!", "kof(...)", parentheses only where precedence needs them. */
export function formatFormula(ast: FormulaAst): string {
  switch (ast.kind) {
    case 'atom':
      return ast.name;
    case 'not':
      return `!${ast.operand.kind === 'and' || ast.operand.kind === 'or' ? `(${formatFormula(ast.operand)})` : formatFormula(ast.operand)}`;
    case 'and':
      return ast.operands.map((o) => (o.kind === 'or' ? `(${formatFormula(o)})` : formatFormula(o))).join(' & ');
    case 'or':
      return ast.operands.map(formatFormula).join(' | ');
    case 'threshold':
      return `${ast.k}of(${ast.operands.map(formatFormula).join(', ')})`;
  }
}
