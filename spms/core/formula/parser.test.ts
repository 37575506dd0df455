import { describe, expect, it } from 'vitest';
import { equalFormulas, formatFormula, FormulaError, isFormulaIdentifier, MAX_FORMULA_CHARS, MAX_FORMULA_DEPTH, parseFormula, type FormulaAst } from './index.ts';

function errorOf(src: unknown): { code: string; column: number; message: string } {
  try {
    parseFormula(src as string);
  } catch (e) {
    expect(e).toBeInstanceOf(FormulaError);
    const f = e as FormulaError;
    return { code: f.code, column: f.column, message: f.message };
  }
  throw new Error(`accepted ${JSON.stringify(src)}`);
}

const atom = (name: string): FormulaAst => ({ kind: 'atom', name, column: 0 });

describe('formula parser', () => {
  it('parses every spelling of the operators to the same tree', () => {
    const want = parseFormula('PV1 & (PV2 | PV3)');
    for (const src of ['PV1 and (PV2 or PV3)', 'PV1∧(PV2∨PV3)', '  PV1&(PV2|PV3)  ', '(PV1) & ((PV2) | PV3)', 'PV1\tand\n(PV2 ∨ PV3)']) {
      expect(equalFormulas(parseFormula(src), want)).toBe(true);
    }
    expect(equalFormulas(parseFormula('not a ∧ ¬b & !c'), parseFormula('!a & !b & !c'))).toBe(true);
    expect(formatFormula(want)).toBe('PV1 & (PV2 | PV3)');
  });

  it('gives ! precedence over &, and & over |, and builds one node per chain', () => {
    expect(equalFormulas(parseFormula('a | b & c'), { kind: 'or', operands: [atom('a'), { kind: 'and', operands: [atom('b'), atom('c')] }] })).toBe(true);
    expect(equalFormulas(parseFormula('!a & b'), { kind: 'and', operands: [{ kind: 'not', operand: atom('a'), column: 0 }, atom('b')] })).toBe(true);
    expect(equalFormulas(parseFormula('a & b & c'), { kind: 'and', operands: [atom('a'), atom('b'), atom('c')] })).toBe(true);
    expect(equalFormulas(parseFormula('a & (b & c)'), { kind: 'and', operands: [atom('a'), { kind: 'and', operands: [atom('b'), atom('c')] }] })).toBe(true);
    expect(equalFormulas(parseFormula('not not a'), { kind: 'not', operand: { kind: 'not', operand: atom('a'), column: 0 }, column: 0 })).toBe(true);
  });

  it('parses thresholds, including 0of and spaced or zero-padded counts', () => {
    expect(parseFormula('2of(PV1, pv-2, side-effects & x.y)')).toMatchObject({ kind: 'threshold', k: 2, column: 1, operands: [{ name: 'PV1' }, { name: 'pv-2' }, { kind: 'and' }] });
    expect(parseFormula('0of(a)')).toMatchObject({ kind: 'threshold', k: 0 });
    expect(equalFormulas(parseFormula('02 of ( a , b )'), parseFormula('2of(a, b)'))).toBe(true);
    expect(parseFormula('!1of(a)')).toMatchObject({ kind: 'not', operand: { kind: 'threshold', k: 1 } });
  });

  it('accepts the documented identifier charset, keywords only as whole lowercase words', () => {
    for (const name of ['PV1', 'pv-2', 'side-effects', 'lab.pv_3', '_x', 'andy', 'order', 'notary', 'often', 'AND', 'Of']) {
      expect(parseFormula(name)).toMatchObject({ kind: 'atom', name });
      expect(isFormulaIdentifier(name)).toBe(true);
    }
    for (const name of ['and', 'or', 'not', 'of', '1PV', '-x', 'a b', '', 'é', 'a+b']) expect(isFormulaIdentifier(name)).toBe(false);
  });

  it('records the column of atoms, negations and thresholds in characters', () => {
    expect(parseFormula('x ∧ ¬y')).toMatchObject({ kind: 'and', operands: [{ column: 1 }, { kind: 'not', column: 5, operand: { name: 'y', column: 6 } }] });
    expect(parseFormula('a ∨ 2of(b, c)')).toMatchObject({ operands: [{}, { kind: 'threshold', column: 5 }] });
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
    ['a ∧ b ∧ ∧', 'unexpected-token', 9],
    ['¬¬ $', 'unexpected-char', 4],
    ['a & 🙂', 'unexpected-char', 5],
    ['🙂 | 🙂', 'unexpected-char', 1],
    ['2 (a, b)', 'expected-of', 3],
    ['2', 'expected-of', 2],
    ['1PV', 'expected-of', 2],
    ['2of', 'unexpected-end', 4],
    ['3of(a, b)', 'threshold-too-large', 1],
    ['x | 3of(a, b)', 'threshold-too-large', 5],
    ['99999999999999999999of(a)', 'threshold-too-large', 1],
    ['2of()', 'unexpected-token', 5],
    ['2of(a b)', 'unexpected-token', 7],
    ['2of(a,)', 'unexpected-token', 7],
    ['2of(a, b', 'unexpected-end', 9],
    ['and', 'unexpected-token', 1],
    ['of', 'unexpected-token', 1],
    ['a | of', 'unexpected-token', 5],
    ['-x', 'unexpected-char', 1],
    ['PV1 AND PV2', 'unexpected-token', 5],
    ['()', 'unexpected-token', 2],
    ['a,b', 'unexpected-token', 2],
  ])('refuses %j with %s at column %i', (src, code, column) => {
    const e = errorOf(src);
    expect({ code: e.code, column: e.column }).toEqual({ code, column });
    expect(e.message).toMatch(new RegExp(`^column ${column}: `));
  });

  it('names what it expected in its messages', () => {
    expect(errorOf('(a | b').message).toBe('column 7: expected ")" to close the "(" at column 1, found the end of the formula');
    expect(errorOf('a | b)').message).toBe('column 6: expected the end of the formula (this ")" closes nothing), found ")"');
    expect(errorOf('PV1 AND PV2').message).toMatch(/expected "\|", "&" or the end of the formula, found "AND" \(operators are lowercase: "and"\)/);
    expect(errorOf('a & $').message).toMatch(/unexpected character "\$"; expected a name/);
    expect(errorOf('3of(a, b)').message).toMatch(/threshold 3 exceeds its 2 operands; expected a number from 0 to 2/);
    expect(errorOf('2x').message).toMatch(/expected "of" after 2, found "x"/);
    expect(errorOf('2of(a b)').message).toMatch(/expected "\)" or "," in the threshold opened at column 1, found "b"/);
    expect(errorOf('').message).toMatch(/empty; expected a name/);
  });

  it('bounds length and nesting, pointing at where the limit is crossed', () => {
    const deep = (n: number): string => '('.repeat(n) + 'a' + ')'.repeat(n);
    expect(parseFormula(deep(MAX_FORMULA_DEPTH))).toMatchObject({ kind: 'atom', name: 'a', column: MAX_FORMULA_DEPTH + 1 });
    expect(errorOf(deep(MAX_FORMULA_DEPTH + 1))).toMatchObject({ code: 'too-deep', column: MAX_FORMULA_DEPTH + 1 });
    expect(errorOf('!'.repeat(10_000) + 'a')).toMatchObject({ code: 'too-long' });
    expect(errorOf('¬'.repeat(MAX_FORMULA_DEPTH + 1) + 'a')).toMatchObject({ code: 'too-deep', column: MAX_FORMULA_DEPTH + 1 });
    const long = 'a|'.repeat(MAX_FORMULA_CHARS / 2) + 'a';
    expect(errorOf(long)).toMatchObject({ code: 'too-long', column: MAX_FORMULA_CHARS + 1 });
    expect(parseFormula(long.slice(2))).toMatchObject({ kind: 'or' });
    expect(errorOf('a'.repeat(10_000_000))).toMatchObject({ code: 'too-long', column: MAX_FORMULA_CHARS + 1 });
    // Characters, not UTF-16 units: 4096 "∧"-sized or emoji-sized characters are within the limit.
    expect(errorOf('🙂'.repeat(MAX_FORMULA_CHARS))).toMatchObject({ code: 'unexpected-char', column: 1 });
  });

  it('refuses what is not text', () => {
    expect(errorOf(42)).toMatchObject({ code: 'not-a-string', column: 1, message: 'column 1: a formula must be a string, got number' });
    expect(errorOf(null).message).toMatch(/got null/);
  });
});
