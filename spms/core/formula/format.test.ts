import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equalFormulas, formatFormula, parseFormula, type FormulaAst } from './index.ts';

const names = ['PV1', 'pv-2', 'side-effects', 'lab.pv_3', '_x', 'AND'];

/** Any tree parseFormula can produce: and/or with two or more operands, thresholds with k <= operands. */
const formulaArb: fc.Arbitrary<FormulaAst> = fc.letrec<{ f: FormulaAst }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...names).map((name): FormulaAst => ({ kind: 'atom', name, column: 0 })),
    tie('f').map((operand): FormulaAst => ({ kind: 'not', operand, column: 0 })),
    fc.array(tie('f'), { minLength: 2, maxLength: 3 }).map((operands): FormulaAst => ({ kind: 'and', operands })),
    fc.array(tie('f'), { minLength: 2, maxLength: 3 }).map((operands): FormulaAst => ({ kind: 'or', operands })),
    fc.array(tie('f'), { minLength: 1, maxLength: 3 }).chain((operands) => fc.nat({ max: operands.length }).map((k): FormulaAst => ({ kind: 'threshold', k, operands, column: 0 }))),
  ),
})).f;

/** Writes `ast` with a random spelling of each operator and random spacing, grouping only where needed. */
function spell(ast: FormulaAst, pick: () => number): string {
  const sp = (): string => [' ', '', '  ', '\t'][pick() % 4] as string;
  const op = (forms: string[]): string => {
    const f = forms[pick() % forms.length] as string;
    // Word operators need a space on each side to stay separate from names.
    return /^[a-z]/.test(f) ? ` ${f} ` : `${sp()}${f}${sp()}`;
  };
  const group = (o: FormulaAst, when: boolean): string => (when ? `(${sp()}${spell(o, pick)}${sp()})` : spell(o, pick));
  switch (ast.kind) {
    case 'atom':
      return ast.name;
    case 'not': {
      const n = ['!', '¬', 'not '][pick() % 3] as string;
      return `${n}${group(ast.operand, ast.operand.kind === 'and' || ast.operand.kind === 'or')}`;
    }
    case 'and':
      return ast.operands.map((o) => group(o, o.kind === 'and' || o.kind === 'or')).join(op(['&', 'and', '∧']));
    case 'or':
      return ast.operands.map((o) => group(o, o.kind === 'or')).join(op(['|', 'or', '∨']));
    case 'threshold':
      return `${ast.k}${sp()}of${sp()}(${ast.operands.map((o) => spell(o, pick)).join(`${sp()},${sp()}`)})`;
  }
}

describe('formula formatting', () => {
  it('writes canonical text', () => {
    expect(formatFormula(parseFormula('not a ∧ ¬(b or c)'))).toBe('!a & !(b | c)');
    expect(formatFormula(parseFormula('a & (b & c) | (d | e)'))).toBe('a & (b & c) | (d | e)');
    expect(formatFormula(parseFormula('2 of ( a,b ∧ c )'))).toBe('2of(a, b & c)');
    expect(formatFormula(parseFormula('((a))'))).toBe('a');
  });

  it('gives text that parses back to the same tree, and is stable', () => {
    fc.assert(
      fc.property(formulaArb, (ast) => {
        const text = formatFormula(ast);
        const back = parseFormula(text);
        expect(equalFormulas(back, ast)).toBe(true);
        expect(formatFormula(back)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('reads every spelling of a formula as the same tree', () => {
    fc.assert(
      fc.property(formulaArb, fc.infiniteStream(fc.nat()), (ast, stream) => {
        const it = stream[Symbol.iterator]();
        const text = spell(ast, () => it.next().value as number);
        expect(equalFormulas(parseFormula(text), ast)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
