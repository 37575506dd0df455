import { describe, expect, it } from 'vitest';
import { parseTopology, type Topology } from './state/topology.ts';
import { deployedVerifiers, unavailableVerifiers } from './verifier-availability.ts';

const topology: Topology = parseTopology({
  pr: { id: 'PR' },
  pvs: [
    {
      id: 'PV1',
      verifiers: [
        { id: 'wf', kind: 'wellformed', property: 'wellformed' },
        { id: 'cc', kind: 'compile', property: 'compiles' },
        { id: 't2', kind: 'external', property: 'terminates', options: { preset: 't2' } },
        { id: 'own', kind: 'external', property: 'own', options: { command: ['/nonexistent/checker', '{dir}'] } },
        { id: 'sh', kind: 'external', property: 'sh', options: { command: ['sh', '-c', 'true'] } },
      ],
      formula: 'wellformed & compiles & terminates & own & sh',
      epochLengthMs: 1000,
    },
  ],
});

describe('verifier availability', () => {
  it('marks external commands that are not installed, with why, and keeps what can run', async () => {
    const skipped = await unavailableVerifiers(topology);
    const ids = skipped.map((s) => s.verifierId);
    expect(ids).toContain('t2');
    expect(ids).toContain('own');
    expect(ids).not.toContain('wf');
    expect(ids).not.toContain('sh');
    // clang and llvm are installed where the tests run.
    expect(ids).not.toContain('cc');
    expect(skipped.find((s) => s.verifierId === 'own')?.reason).toBe('/nonexistent/checker is not installed (not found in PATH)');
  });

  it('deploys a skipped verifier as the stand-in that keeps its property', async () => {
    const skipped = [{ pvId: 'PV1', verifierId: 'cc', reason: 'clang-14 or clang not found in PATH' }];
    const pv = topology.pvs[0];
    if (pv === undefined) throw new Error('no PV');
    const deployed = deployedVerifiers('PV1', pv.verifiers, skipped);
    expect(deployed[1]).toEqual({ id: 'cc', kind: 'unavailable', property: 'compiles', options: { reason: 'compile verifier skipped: clang-14 or clang not found in PATH' } });
    expect(deployed[0]).toBe(pv.verifiers[0]);
    expect(deployedVerifiers('PV2', pv.verifiers, skipped)).toEqual(pv.verifiers);
  });
});
