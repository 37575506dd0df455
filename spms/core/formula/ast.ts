// Formula syntax tree (DESIGN §3.5). Columns are 1-based character (code
// point) positions in the source, kept so later checks such as monotonicity
// can point at the text; they take no part in a formula's meaning.

export type FormulaAst =
  | { kind: 'atom'; name: string; column: number }
  | { kind: 'not'; operand: FormulaAst; column: number }
  | { kind: 'and'; operands: FormulaAst[] }
  | { kind: 'or'; operands: FormulaAst[] }
  | { kind: 'threshold'; k: number; operands: FormulaAst[]; column: number };

/** Structural equality, ignoring columns: the same formula written at other positions. */
export function equalFormulas(a: FormulaAst, b: FormulaAst): boolean {
  switch (a.kind) {
    case 'atom':
      return b.kind === 'atom' && a.name === b.name;
    case 'not':
      return b.kind === 'not' && equalFormulas(a.operand, b.operand);
    case 'and':
    case 'or':
    case 'threshold':
      if (b.kind !== a.kind || a.operands.length !== b.operands.length) return false;
      if (a.kind === 'threshold' && b.kind === 'threshold' && a.k !== b.k) return false;
      return a.operands.every((o, i) => equalFormulas(o, b.operands[i] as FormulaAst));
  }
}
