// Formula syntax tree (DESIGN §3.5). Columns are 1-based code-point positions
// in the source, kept so later checks (monotonicity) can point at the text.

export type FormulaAst =
  | { kind: 'atom'; name: string; column: number }
  | { kind: 'not'; operand: FormulaAst; column: number }
  | { kind: 'and'; operands: FormulaAst[] }
  | { kind: 'or'; operands: FormulaAst[] }
  | { kind: 'threshold'; k: number; operands: FormulaAst[]; column: number };
