import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atomsOf, evaluateFormula, formatFormula, FormulaError, isMonotone, minimalSatisfyingSet, parseFormula, parseMonotoneFormula, type FormulaAst } from './index.ts';

function errorOf(f: () => unknown): { code: string; column: number } {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(FormulaError);
    return { code: (e as FormulaError).code, column: (e as FormulaError).column };
  }
  throw new Error('no error');
}

const holds = (src: string, sat: string[]): boolean => evaluateFormula(parseFormula(src), new Set(sat));

describe('formula parser', () => {
  it('parses every spelling of the operators to the same tree', () => {
    const canonical = formatFormula(parseFormula('PV1 & (PV2 | PV3)'));
    for (const src of ['PV1 and (PV2 or PV3)', 'PV1∧(PV2∨PV3)', '  PV1&(PV2|PV3)  ', '(PV1) & ((PV2) | PV3)']) {
      expect(formatFormula(parseFormula(src))).toBe(canonical);
    }
    expect(canonical).toBe('PV1 & (PV2 | PV3)');
    expect(formatFormula(parseFormula('not a ∧ ¬(b or c)'))).toBe('!a & !(b | c)');
    expect(formatFormula(parseFormula('2of(PV1, pv-2, side-effects & x.y)'))).toBe('2of(PV1, pv-2, side-effects & x.y)');
  });

  it('gives & precedence over |', () => {
    expect(parseFormula('a | b & c')).toMatchObject({ kind: 'or', operands: [{ kind: 'atom', name: 'a' }, { kind: 'and' }] });
  });

  it.each([
    ['', 'empty', 1],
    ['   ', 'empty', 1],
    ['PV1 &', 'unexpected-end', 6],
    ['PV1 & & PV2', 'unexpected-token', 7],
    ['PV1 PV2', 'unexpected-token', 5],
    ['(PV1 | PV2', 'unexpected-end', 11],
    ['PV1 | PV2)', 'unexpected-token', 10],
    ['PV1 $ PV2', 'unexpected-char', 5],
    ['∧∧', 'unexpected-token', 1],
    ['PV1 ∧ ∧', 'unexpected-token', 7],
    ['2 (a, b)', 'expected-of', 3],
    ['3of(a, b)', 'threshold-too-large', 1],
    ['2of()', 'unexpected-token', 5],
    ['2of(a b)', 'unexpected-token', 7],
    ['and', 'unexpected-token', 1],
    ['-x', 'unexpected-char', 1],
  ])('refuses %j with %s at column %i', (src, code, column) => {
    expect(errorOf(() => parseFormula(src))).toEqual({ code, column });
  });

  it('names what it expected in its messages', () => {
    expect(() => parseFormula('(a | b')).toThrow(/column 7: expected "\)" to close the "\(" at column 1, found the end of the formula/);
  });

  it('refuses negation in peers formulas, pointing at it', () => {
    expect(errorOf(() => parseMonotoneFormula('PV1 & ¬PV2'))).toEqual({ code: 'negation-not-allowed', column: 7 });
    expect(isMonotone(parseFormula('2of(a, b | c)'))).toBe(true);
    expect(isMonotone(parseFormula('a & !b'))).toBe(false);
  });
});

describe('formula evaluation', () => {
  it('follows the truth tables', () => {
    const table: [string, string[], boolean][] = [
      ['PV1 & (PV2 | PV3)', ['PV1', 'PV2'], true],
      ['PV1 & (PV2 | PV3)', ['PV1', 'PV3'], true],
      ['PV1 & (PV2 | PV3)', ['PV2', 'PV3'], false],
      ['PV1 & (PV2 | PV3)', ['PV1'], false],
      ['!a', [], true],
      ['!a', ['a'], false],
      ['2of(a, b, c)', ['a', 'c'], true],
      ['2of(a, b, c)', ['b'], false],
      ['0of(a)', [], true],
      ['1of(a & b, c)', ['a'], false],
      ['1of(a & b, c)', ['a', 'b'], true],
    ];
    for (const [src, sat, want] of table) expect([src, sat, holds(src, sat)]).toEqual([src, sat, want]);
    expect(atomsOf(parseFormula('a & (b | a) & 2of(c, b)'))).toEqual(['a', 'b', 'c']);
  });
});

const atomArb = fc.constantFrom('PV1', 'PV2', 'PV3', 'PV4', 'PV5');
const monotoneArb: fc.Arbitrary<FormulaAst> = fc.letrec<{ f: FormulaAst }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atomArb.map((name): FormulaAst => ({ kind: 'atom', name, column: 0 })),
    fc.array(tie('f'), { minLength: 2, maxLength: 3 }).map((operands): FormulaAst => ({ kind: 'and', operands })),
    fc.array(tie('f'), { minLength: 2, maxLength: 3 }).map((operands): FormulaAst => ({ kind: 'or', operands })),
    fc.array(tie('f'), { minLength: 1, maxLength: 3 }).chain((operands) => fc.integer({ min: 0, max: operands.length }).map((k): FormulaAst => ({ kind: 'threshold', k, operands, column: 0 }))),
  ),
})).f;

describe('formula properties', () => {
  it('formats to text that parses back to an equivalent formula, and formatting is stable', () => {
    fc.assert(
      fc.property(monotoneArb, fc.subarray(['PV1', 'PV2', 'PV3', 'PV4', 'PV5']), (ast, sat) => {
        const text = formatFormula(ast);
        const back = parseFormula(text);
        expect(formatFormula(back)).toBe(text);
        expect(evaluateFormula(back, new Set(sat))).toBe(evaluateFormula(ast, new Set(sat)));
      }),
    );
  });

  it('finds a smallest satisfying set, none of whose proper subsets satisfies', () => {
    fc.assert(
      fc.property(monotoneArb, fc.subarray(['PV1', 'PV2', 'PV3', 'PV4', 'PV5']), (ast, available) => {
        const set = minimalSatisfyingSet(ast, available);
        const all = evaluateFormula(ast, new Set(available));
        if (set === null) {
          expect(all).toBe(false);
          return;
        }
        expect(evaluateFormula(ast, new Set(set))).toBe(true);
        expect(set.every((a) => available.includes(a))).toBe(true);
        for (const drop of set) expect(evaluateFormula(ast, new Set(set.filter((a) => a !== drop)))).toBe(false);
      }),
    );
    expect(minimalSatisfyingSet(parseFormula('PV1 & (PV2 | PV3)'), ['PV3', 'PV2', 'PV1'])).toEqual(['PV1', 'PV2']);
    expect(minimalSatisfyingSet(parseFormula('PV1 & PV2'), ['PV1'])).toBeNull();
  });

  it('stays fast and irreducible beyond the exhaustive limit', () => {
    const ids = Array.from({ length: 30 }, (_, i) => `PV${i}`);
    const ast = parseFormula(`15of(${ids.join(', ')})`);
    const set = minimalSatisfyingSet(ast, ids)!;
    expect(set).toHaveLength(15);
  });
});
