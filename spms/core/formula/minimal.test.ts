import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atomsOf, evaluateFormula, FormulaError, minimalSatisfyingSet, parseFormula, type FormulaAst } from './index.ts';
import { satisfyingSizeLowerBound } from './lower-bound.ts';
import { cheapestCover, compareSets, isReadOnce } from './read-once.ts';

const pool = ['PV1', 'PV2', 'PV3', 'PV4', 'PV5', 'PV6'];

/** The reference answer: every subset, smallest first, then in compareSets order. */
function bruteForce(ast: FormulaAst, available: readonly string[]): string[] | null {
  const cands = atomsOf(ast)
    .filter((a) => available.includes(a))
    .sort();
  const sets = Array.from({ length: 2 ** cands.length }, (_, mask) => cands.filter((_, i) => (mask >> i) & 1)).sort(compareSets);
  return sets.find((s) => evaluateFormula(ast, new Set(s))) ?? null;
}

function formulaArb(atoms: fc.Arbitrary<string>, negation: boolean): fc.Arbitrary<FormulaAst> {
  return fc.letrec<{ f: FormulaAst }>((tie) => ({
    f: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      atoms.map((name): FormulaAst => ({ kind: 'atom', name, column: 0 })),
      negation ? tie('f').map((operand): FormulaAst => ({ kind: 'not', operand, column: 1 })) : atoms.map((name): FormulaAst => ({ kind: 'atom', name, column: 0 })),
      fc.array(tie('f'), { minLength: 2, maxLength: 3 }).map((operands): FormulaAst => ({ kind: 'and', operands })),
      fc.array(tie('f'), { minLength: 2, maxLength: 3 }).map((operands): FormulaAst => ({ kind: 'or', operands })),
      fc.array(tie('f'), { minLength: 1, maxLength: 4 }).chain((operands) => fc.nat({ max: operands.length }).map((k): FormulaAst => ({ kind: 'threshold', k, operands, column: 0 }))),
    ),
  })).f;
}

/** Read-once formulas: the generated tree with its atoms renamed a0, a1, … in reading order. */
function renameReadOnce(ast: FormulaAst, counter = { n: 0 }): FormulaAst {
  if (ast.kind === 'atom') return { ...ast, name: `a${String(counter.n++).padStart(2, '0')}` };
  if (ast.kind === 'not') return { ...ast, operand: renameReadOnce(ast.operand, counter) };
  return { ...ast, operands: ast.operands.map((o) => renameReadOnce(o, counter)) };
}

describe('minimal satisfying sets', () => {
  it('picks the smallest set, ties broken by name order', () => {
    expect(minimalSatisfyingSet(parseFormula('PV1 & (PV2 | PV3)'), ['PV3', 'PV2', 'PV1'])).toEqual(['PV1', 'PV2']);
    expect(minimalSatisfyingSet(parseFormula('PV1 & (PV2 | PV3)'), ['PV3', 'PV1', 'PV9'])).toEqual(['PV1', 'PV3']);
    expect(minimalSatisfyingSet(parseFormula('(a & b & c) | (d & e) | 2of(f, g, h)'), 'abcdefgh'.split(''))).toEqual(['d', 'e']);
    expect(minimalSatisfyingSet(parseFormula('2of(c, b, a)'), ['a', 'b', 'c'])).toEqual(['a', 'b']);
    expect(minimalSatisfyingSet(parseFormula('(a & z) | (b & y)'), ['a', 'b', 'y', 'z'])).toEqual(['a', 'z']);
    expect(minimalSatisfyingSet(parseFormula('0of(a, b)'), [])).toEqual([]);
    expect(minimalSatisfyingSet(parseFormula('PV1 & PV2'), ['PV1'])).toBeNull();
    expect(minimalSatisfyingSet(parseFormula('a | b'), [])).toBeNull();
  });

  it('shares atoms a formula names twice', () => {
    expect(minimalSatisfyingSet(parseFormula('(a | b) & (b | c) & (c | a)'), ['a', 'b', 'c'])).toEqual(['a', 'b']);
    expect(minimalSatisfyingSet(parseFormula('(a & b) | (a & c) | d & e & f'), ['a', 'b', 'c', 'd', 'e', 'f'])).toEqual(['a', 'b']);
  });

  it('searches past the greedy solution when the budget allows, and falls back to it otherwise', () => {
    const ast = parseFormula('(a | x) & (b | x) & (c | x)');
    expect(minimalSatisfyingSet(ast, ['a', 'b', 'c', 'x'])).toEqual(['x']);
    expect(minimalSatisfyingSet(ast, ['a', 'b', 'c', 'x'], { budget: 3 })).toEqual(['a', 'b', 'c']);
  });

  it('bounds the size from below, exactly on read-once formulas', () => {
    fc.assert(
      fc.property(formulaArb(fc.constantFrom(...pool), false), fc.subarray(pool), (ast, available) => {
        const best = bruteForce(ast, available);
        const lower = satisfyingSizeLowerBound(ast, new Set(available));
        if (best === null) expect(cheapestCover(ast, new Set(available))).toBeNull();
        else expect(lower).toBeLessThanOrEqual(best.length);
        if (best !== null && isReadOnce(ast)) expect(lower).toBe(best.length);
      }),
      { numRuns: 300 },
    );
    expect(satisfyingSizeLowerBound(parseFormula('3of(a, b, c, d) & (c | d)'), new Set('abcd'))).toBe(3);
    expect(satisfyingSizeLowerBound(parseFormula('2of(a & b, c & d, e)'), new Set('abcde'))).toBe(3);
    expect(satisfyingSizeLowerBound(parseFormula('a & z'), new Set('a'))).toBe(Infinity);
  });

  it('handles negation exactly: absent atoms count as false', () => {
    expect(minimalSatisfyingSet(parseFormula('!a'), ['a'])).toEqual([]);
    expect(minimalSatisfyingSet(parseFormula('b & !a'), ['a', 'b'])).toEqual(['b']);
    expect(minimalSatisfyingSet(parseFormula('a & !a'), ['a'])).toBeNull();
  });

  it('matches the exhaustive reference on random formulas, with and without negation', () => {
    fc.assert(
      fc.property(formulaArb(fc.constantFrom(...pool), true), fc.subarray(pool), (ast, available) => {
        expect(minimalSatisfyingSet(ast, available)).toEqual(bruteForce(ast, available));
      }),
      { numRuns: 300 },
    );
  });

  it('is exact on read-once formulas by structure alone, whatever their size', () => {
    fc.assert(
      fc.property(
        formulaArb(fc.constant('x'), false).map((f) => renameReadOnce(f)),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (ast, share) => {
          const atoms = atomsOf(ast);
          fc.pre(atoms.length <= 12);
          expect(isReadOnce(ast)).toBe(true);
          const available = atoms.filter((_, i) => (i * 0.37) % 1 < share);
          expect(cheapestCover(ast, new Set(available))).toEqual(bruteForce(ast, available));
          expect(minimalSatisfyingSet(ast, available, { budget: 0 })).toEqual(bruteForce(ast, available));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('returns a satisfying set no proper subset of which satisfies, for monotone formulas', () => {
    fc.assert(
      fc.property(formulaArb(fc.constantFrom(...pool), false), fc.subarray(pool), fc.constantFrom(0, 3, 50), (ast, available, budget) => {
        const set = minimalSatisfyingSet(ast, available, { budget });
        if (set === null) {
          expect(evaluateFormula(ast, new Set(available))).toBe(false);
          return;
        }
        expect(evaluateFormula(ast, new Set(set))).toBe(true);
        expect(set.every((a) => available.includes(a))).toBe(true);
        expect([...set].sort()).toEqual(set);
        for (const drop of set) expect(evaluateFormula(ast, new Set(set.filter((a) => a !== drop)))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('stays fast beyond the exhaustive search on 30 and 300 PVs', () => {
    const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `PV${String(i).padStart(3, '0')}`);
    const thirty = ids(30);
    expect(minimalSatisfyingSet(parseFormula(`15of(${thirty.join(', ')})`), thirty)).toEqual(thirty.slice(0, 15));
    // Repeated atoms: not read-once, so the search runs out of budget and the pruned bound is returned.
    const shared = parseFormula(`15of(${thirty.join(', ')}) & (PV029 | PV028)`);
    const set = minimalSatisfyingSet(shared, thirty)!;
    expect(set).toHaveLength(15);
    expect(evaluateFormula(shared, new Set(set))).toBe(true);
    for (const drop of set) expect(evaluateFormula(shared, new Set(set.filter((a) => a !== drop)))).toBe(false);
    const many = ids(300);
    expect(minimalSatisfyingSet(parseFormula(`100of(${many.join(', ')}) & 2of(${many.slice(150).join(', ')})`), many)).toHaveLength(100);
  });

  it('refuses, at the negation, a non-monotone search that exceeds its budget', () => {
    const ids = Array.from({ length: 20 }, (_, i) => `p${i}`);
    const ast = parseFormula(`x & !y | 10of(${ids.join(', ')})`);
    let caught: unknown;
    try {
      minimalSatisfyingSet(ast, ids, { budget: 100 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(FormulaError);
    expect(caught).toMatchObject({ code: 'search-too-large', column: 5 });
    // Within budget the same kind of formula is answered exactly.
    expect(minimalSatisfyingSet(parseFormula('x & !y | 2of(a, b, c)'), ['a', 'b', 'c', 'x', 'y'])).toEqual(['x']);
  });
});
