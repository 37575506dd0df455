import { describe, expect, it } from 'vitest';
import type { PvSpec } from './api-types.ts';
import { labTopology } from './testing/lab-fixtures.ts';
import { EXTERNAL_PRESETS, fieldIssues, formulaProblem, generalIssues, newPv, newVerifier, sameTopology, withKind } from './topology-edit.ts';

const TOPOLOGY = labTopology();
const PV = TOPOLOGY.pvs[0] as PvSpec;

describe('topology editing', () => {
  it('finds syntax errors with their column, and properties no verifier checks', () => {
    expect(formulaProblem('wellformed & termination', ['wellformed', 'termination'])).toBeNull();
    const syntax = formulaProblem('wellformed & (termination |', ['wellformed', 'termination']);
    expect(syntax?.column).toBe(28);
    expect(syntax?.message).toMatch(/column 28/);
    expect(formulaProblem('', ['x'])?.message).toBeTruthy();
    const unknown = formulaProblem('wellformed & memory_safe', ['wellformed']);
    expect(unknown).toEqual({ message: '"memory_safe" is checked by no verifier of this PV (known: wellformed)' });
    expect(formulaProblem('2of(wellformed, termination, accepted)', ['wellformed', 'termination', 'accepted'])).toBeNull();
  });

  it('adds PVs and verifiers with ids that do not collide', () => {
    expect(newPv({ ...TOPOLOGY, pvs: [PV, { ...PV, id: 'PV3', epochLengthMs: 2000 }] })).toEqual({
      id: 'PV2',
      verifiers: [{ id: 'wf', kind: 'wellformed', property: 'wellformed' }],
      formula: 'wellformed',
      epochLengthMs: 5000,
    });
    expect(newPv(TOPOLOGY).id).toBe('PV4');
    expect(newVerifier(PV, 'wellformed')).toEqual({ id: 'wf2', kind: 'wellformed', property: 'wellformed2' });
    expect(newVerifier(PV, 'side-effects')).toEqual({ id: 'fx', kind: 'side-effects', property: 'side_effects' });
    expect(newVerifier(PV, 'external', 'frama-c-eva')).toEqual({ id: 'frama_c_eva', kind: 'external', property: 'frama_c_eva', options: { preset: 'frama-c-eva' } });
    expect(EXTERNAL_PRESETS).toContain('cppcheck');
  });

  it("changes a verifier's kind, following the default property but keeping a chosen one", () => {
    expect(withKind(PV, 0, 'compile')).toEqual({ id: 'wf', kind: 'compile', property: 'compiles' });
    const custom: PvSpec = { ...PV, verifiers: [{ id: 'x', kind: 'wellformed', property: 'mine' }] };
    expect(withKind(custom, 0, 'external')).toEqual({ id: 'x', kind: 'external', property: 'mine', options: { preset: EXTERNAL_PRESETS[0] } });
    const ext: PvSpec = { ...PV, verifiers: [{ id: 'x', kind: 'external', property: 'mine', options: { preset: 'cbmc' } }] };
    expect(withKind(ext, 0, 'memory')).toEqual({ id: 'x', kind: 'memory', property: 'mine' });
  });

  it("matches the daemon's issues to the fields they are about", () => {
    const issues = [
      { path: 'pvs[1].formula', message: 'names "x"' },
      { path: 'pvs[0].verifiers[1].id', message: 'bad id' },
      { path: 'pvs[0].id', message: 'node id "PR" is used twice' },
      { path: 'pr.id', message: 'bad' },
    ];
    expect(fieldIssues(issues, 'pvs[1].formula')).toEqual(['names "x"']);
    expect(fieldIssues(issues, 'pvs[0].verifiers[1]', true)).toEqual(['bad id']);
    expect(fieldIssues(issues, 'pvs[0].verifiers[0]', true)).toEqual([]);
    expect(generalIssues(issues, TOPOLOGY)).toEqual([{ path: 'pr.id', message: 'bad' }]);
    expect(generalIssues([{ path: 'pvs[5].formula', message: 'x' }], TOPOLOGY)).toHaveLength(1);
  });

  it('tells unsaved changes', () => {
    expect(sameTopology(TOPOLOGY, structuredClone(TOPOLOGY))).toBe(true);
    expect(sameTopology(TOPOLOGY, { ...TOPOLOGY, pvs: [PV] })).toBe(false);
  });
});
