import { describe, expect, it } from 'vitest';
import { parseFormula } from '../../../../spms/core/index.ts';
import { analyzeFormula, caretLine, formulaSegments, splitAtColumn } from './formula-analysis.ts';

describe('analyzeFormula', () => {
  it('gives the canonical form, the atoms and the unknown ones', () => {
    const a = analyzeFormula('PV1 and (PV9 or PV1)', { known: ['PV1', 'PV2'] });
    expect(a).toMatchObject({ ok: true, canonical: 'PV1 & (PV9 | PV1)', atoms: ['PV1', 'PV9'], unknown: ['PV9'] });
    expect(analyzeFormula('PV9').ok && analyzeFormula('PV9')).toMatchObject({ unknown: [] });
  });

  it('reports the column and drops the "column N:" prefix from the message', () => {
    const a = analyzeFormula('PV1 &', {});
    expect(a.ok).toBe(false);
    if (!a.ok) {
      expect(a.problem).toMatchObject({ code: 'unexpected-end', column: 6 });
      expect(a.problem.message).not.toMatch(/^column/);
    }
    const n = analyzeFormula('!PV1', { monotone: true });
    expect(!n.ok && n.problem.code).toBe('negation-not-allowed');
    expect(analyzeFormula('!PV1').ok).toBe(true);
  });
});

describe('formulaSegments', () => {
  it('cuts the text at every atom occurrence, keeping everything else as written', () => {
    const src = '2of( PV1,PV2 , ¬x) ∧ PV1';
    const segs = formulaSegments(src, parseFormula(src));
    expect(segs.map((s) => s.text).join('')).toBe(src);
    expect(segs.filter((s) => s.atom !== undefined).map((s) => s.atom)).toEqual(['PV1', 'PV2', 'x', 'PV1']);
  });

  it('ignores columns that do not match the text', () => {
    expect(formulaSegments('abc', parseFormula('   x'))).toEqual([{ text: 'abc' }]);
  });
});

describe('caret and underline', () => {
  it('pads with spaces, keeping tabs, and clamps to the end', () => {
    expect(caretLine('a\tb c', 5)).toBe(' \t  ^');
    expect(caretLine('ab', 10)).toBe('  ^');
    expect(splitAtColumn('a ∧ b', 3)).toEqual({ before: 'a ', at: '∧', after: ' b' });
    expect(splitAtColumn('ab', 3)).toEqual({ before: 'ab', at: '', after: '' });
  });
});
