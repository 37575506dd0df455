import { describe, expect, it } from 'vitest';
import { ApiError } from './api.ts';
import type { BundleCheck } from './api-types.ts';
import { bundleReport, refusalOf } from './bundle-report.ts';

const HASH = 'ab'.repeat(32);

function check(formula: string, pvs: BundleCheck['verdict']['pvs'], skipped: BundleCheck['skipped'] = [], accepted = true): BundleCheck {
  const verified = pvs.filter((p) => p.ok).map((p) => p.pvId);
  return {
    name: 'org.example.x',
    formula,
    expectedBinding: HASH,
    bundle: { v: 1, name: 'org.example.x', bindingHash: HASH, entries: pvs.map((p) => ({ pvId: p.pvId })) },
    skipped,
    verdict: { accepted, bindingMatches: true, formulaHolds: accepted, verified, pvs, reason: accepted ? 'accepted' : 'refused' },
  };
}

describe('bundleReport', () => {
  it('lists the formula PVs in its order: verified, failed, skipped by the PR, left out of the bundle', () => {
    const r = bundleReport(
      check(
        'PV1 & (PV2 | PV3) & 2of(PV4, PV5, PV1)',
        [
          { pvId: 'PV2', ok: true, epoch: 4 },
          { pvId: 'PV1', ok: true, epoch: 5 },
          { pvId: 'PV4', ok: false, step: 'freshness', reason: 'stale', epoch: 1 },
        ],
        [{ pvId: 'PV5', reason: 'unreachable' }],
        false,
      ),
    );
    expect(r.rows.map((x) => [x.pvId, x.status])).toEqual([
      ['PV1', 'verified'],
      ['PV2', 'verified'],
      ['PV3', 'not-presented'],
      ['PV4', 'failed'],
      ['PV5', 'skipped'],
    ]);
    expect(r.rows[3]).toMatchObject({ step: 'freshness', reason: 'stale', epoch: 1 });
    expect(r.rows[4]!.reason).toBe('unreachable');
    expect(r.presented).toEqual(['PV2', 'PV1', 'PV4']);
    expect(r.verified).toEqual(['PV2', 'PV1']);
    expect(r.holdsHere).toBe(false);
    expect(r.agrees).toBe(true);
    expect(r.minimal).toBeNull();
    expect(r.bindingHash).toBe(HASH);
  });

  it('evaluates the formula here and finds a smallest satisfying subset of the verified PVs', () => {
    const r = bundleReport(
      check('PV1 & (PV2 | PV3)', [
        { pvId: 'PV1', ok: true },
        { pvId: 'PV2', ok: true },
        { pvId: 'PV3', ok: true },
      ]),
    );
    expect(r.accepted).toBe(true);
    expect(r.holdsHere).toBe(true);
    expect(r.agrees).toBe(true);
    expect(r.minimal).toEqual(['PV1', 'PV2']);
  });

  it('notices when the daemon and the evaluation here disagree', () => {
    const c = check('PV1 & PV2', [{ pvId: 'PV1', ok: true }]);
    const r = bundleReport(c);
    expect(r.holdsHere).toBe(false);
    expect(r.agrees).toBe(false);
  });

  it('keeps PVs the bundle carries beyond the formula, after its own', () => {
    const r = bundleReport(
      check('PV2', [
        { pvId: 'PV9', ok: true },
        { pvId: 'PV2', ok: true },
      ]),
    );
    expect(r.rows.map((x) => [x.pvId, x.inFormula])).toEqual([
      ['PV2', true],
      ['PV9', false],
    ]);
  });

  it('tolerates a bundle without entries', () => {
    const c = check('PV1', []);
    c.bundle = null;
    const r = bundleReport(c);
    expect(r.presented).toEqual([]);
    expect(r.bindingHash).toBeNull();
    expect(r.rows).toEqual([{ pvId: 'PV1', status: 'not-presented', reason: expect.any(String), inFormula: true }]);
  });
});

describe('refusalOf', () => {
  it('turns the PR declining to build a bundle into a refused verdict', () => {
    const r = refusalOf('org.example.x', 'PV1 & PV4', new ApiError(409, 'unsatisfiable', 'the PVs that include this binding (PV1) cannot satisfy the formula'))!;
    expect(r.accepted).toBe(false);
    expect(r.source).toBe('pr');
    expect(r.reason).toContain('cannot satisfy the formula');
    expect(r.rows.map((x) => x.pvId)).toEqual(['PV1', 'PV4']);
    expect(refusalOf('org.example.x', 'PV1', new ApiError(404, 'not-included', 'none of the PVs PV1 includes org.example.x'))!.accepted).toBe(false);
  });

  it('leaves other failures to the error notice', () => {
    expect(refusalOf('org.example.x', 'PV1', new ApiError(409, 'not-deployed', 'no lab'))).toBeUndefined();
    expect(refusalOf('org.example.x', 'PV1', new Error('boom'))).toBeUndefined();
  });
});
