import { describe, expect, it } from 'vitest';
import { atomsOf, evaluateFormula, FormulaError, isMonotone, parseFormula, parseMonotoneFormula } from './index.ts';

/** Every subset of `atoms`, as the set of atoms that hold. */
function assignments(atoms: readonly string[]): Set<string>[] {
  return Array.from({ length: 2 ** atoms.length }, (_, mask) => new Set(atoms.filter((_, i) => (mask >> i) & 1)));
}

describe('formula evaluation', () => {
  it.each<[string, (s: Set<string>) => boolean]>([
    ['a', (s) => s.has('a')],
    ['!a', (s) => !s.has('a')],
    ['a & b', (s) => s.has('a') && s.has('b')],
    ['a | b', (s) => s.has('a') || s.has('b')],
    ['a | b & c', (s) => s.has('a') || (s.has('b') && s.has('c'))],
    ['(a | b) & c', (s) => (s.has('a') || s.has('b')) && s.has('c')],
    ['!a & b', (s) => !s.has('a') && s.has('b')],
    ['!(a & b)', (s) => !(s.has('a') && s.has('b'))],
    ['2of(a, b, c)', (s) => ['a', 'b', 'c'].filter((x) => s.has(x)).length >= 2],
    ['3of(a, b, c)', (s) => s.has('a') && s.has('b') && s.has('c')],
    ['1of(a & b, c)', (s) => (s.has('a') && s.has('b')) || s.has('c')],
    ['0of(a, b)', () => true],
    ['!0of(a)', () => false],
    ['2of(a, a, b)', (s) => s.has('a')],
    ['PV1 & (PV2 | PV3)', (s) => s.has('PV1') && (s.has('PV2') || s.has('PV3'))],
  ])('%s follows its truth table', (src, truth) => {
    const ast = parseFormula(src);
    const atoms = atomsOf(ast);
    for (const sat of assignments(atoms)) expect([[...sat], evaluateFormula(ast, sat)]).toEqual([[...sat], truth(sat)]);
  });

  it('ignores atoms that the formula does not name', () => {
    expect(evaluateFormula(parseFormula('a & b'), new Set(['a', 'b', 'z']))).toBe(true);
    expect(evaluateFormula(parseFormula('!z'), new Set(['a']))).toBe(true);
  });

  it('lists distinct atoms in order of first appearance', () => {
    expect(atomsOf(parseFormula('a & (b | a) & 2of(c, b) & !d'))).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('monotone formulas', () => {
  it('are those without negation', () => {
    expect(isMonotone(parseFormula('2of(a, b | c) & d'))).toBe(true);
    expect(isMonotone(parseFormula('a & !b'))).toBe(false);
    expect(isMonotone(parseFormula('2of(a, not b)'))).toBe(false);
    expect(isMonotone(parseFormula('!!a'))).toBe(false);
  });

  it('refuses negation in peers formulas, pointing at the first one', () => {
    for (const [src, column] of [
      ['PV1 & ¬PV2', 7],
      ['2of(a, b, not c) | !d', 11],
      ['!a', 1],
    ] as const) {
      let caught: unknown;
      try {
        parseMonotoneFormula(src);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(FormulaError);
      expect(caught).toMatchObject({ code: 'negation-not-allowed', column });
      expect((caught as Error).message).toMatch(/must be monotone/);
    }
    expect(parseMonotoneFormula('PV1 & (PV2 | PV3)')).toMatchObject({ kind: 'and' });
    expect(() => parseMonotoneFormula('a &')).toThrow(/column 4/);
  });
});
