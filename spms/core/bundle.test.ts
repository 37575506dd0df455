import { describe, expect, it } from 'vitest';
import { utf8 } from './bytes.ts';
import { hash } from './hash.ts';
import { buildBundle, bundleFromJson, bundleToJson, checkBundle, pinnedKeys, type BundleEntry, type CheckBundleOptions } from './bundle.ts';
import { generateStrKeyPair, signStr, ZERO_HASH } from './str.ts';
import { MemoryNodeStore } from './tree/memory-store.ts';
import { PrefixTree } from './tree/prefix-tree.ts';

const NAME = 'org.example.fec';
const GOOD = hash(utf8('good binding'));
const NOW = 1_800_000_000_000;

/** Three PVs; PV3 does not include the plugin. */
function lab(): { entries: BundleEntry[]; keys: Map<string, Uint8Array> } {
  const keys = new Map<string, Uint8Array>();
  const entries = ['PV1', 'PV2', 'PV3'].map((pvId) => {
    const k = generateStrKeyPair(hash(utf8(pvId)));
    keys.set(pvId, k.publicKey);
    const tree = PrefixTree.create(new MemoryNodeStore(), hash(utf8(`tree ${pvId}`)));
    const { root } = tree.commit(
      0,
      pvId === 'PV3'
        ? [{ name: 'org.example.other', bindingHash: GOOD }]
        : [
            { name: NAME, bindingHash: GOOD },
            { name: 'org.example.other', bindingHash: GOOD },
          ],
    );
    const str = signStr({ pvId, treeId: tree.treeId, epoch: 0, timestampMs: NOW - 1000, root, prevStrHash: ZERO_HASH, policyHash: hash(utf8('policy')) }, k.secretKey);
    return { pvId, str, proof: tree.prove(NAME, 0) };
  });
  return { entries, keys };
}

const options = (keys: Map<string, Uint8Array>, formula: string): CheckBundleOptions => ({ formula, resolveKey: pinnedKeys(keys), bindingHash: GOOD, nowMs: NOW, maxAgeMs: 60_000 });

describe('proof bundles', () => {
  it('picks a minimal satisfying set and is accepted', () => {
    const { entries, keys } = lab();
    const bundle = buildBundle(NAME, GOOD, entries.slice(0, 2), 'PV1 & (PV2 | PV3)');
    expect(bundle.entries.map((e) => e.pvId)).toEqual(['PV1', 'PV2']);
    const verdict = checkBundle(bundle, options(keys, 'PV1 & (PV2 | PV3)'));
    expect(verdict).toMatchObject({ accepted: true, formulaHolds: true, bindingMatches: true, verified: ['PV1', 'PV2'] });
    expect(checkBundle(bundleFromJson(JSON.parse(JSON.stringify(bundleToJson(bundle)))), options(keys, 'PV1 & (PV2 | PV3)')).accepted).toBe(true);
  });

  it('says which PV failed which step', () => {
    const { entries, keys } = lab();
    const all = { v: 1 as const, name: NAME, bindingHash: GOOD, entries };
    const verdict = checkBundle(all, options(keys, 'PV1 & PV3'));
    expect(verdict.accepted).toBe(false);
    expect(verdict.pvs.find((p) => p.pvId === 'PV3')).toMatchObject({ ok: false, step: 'proof', reason: expect.stringMatching(/^not-included/) });
    expect(checkBundle(all, options(keys, '2of(PV1, PV2, PV3)')).accepted).toBe(true);

    const forged = { ...all, entries: [{ ...entries[0]!, str: { ...entries[0]!.str, root: hash(utf8('x')) } }, entries[1]!] };
    expect(checkBundle(forged, options(keys, 'PV1')).pvs[0]).toMatchObject({ ok: false, step: 'signature' });

    const stale = checkBundle(all, { ...options(keys, 'PV1'), nowMs: NOW + 3_600_000 });
    expect(stale.pvs[0]).toMatchObject({ ok: false, step: 'freshness' });

    const unknownKey = checkBundle(all, { ...options(new Map([['PV2', keys.get('PV2')!]]), 'PV1') });
    expect(unknownKey.pvs[0]).toMatchObject({ ok: false, step: 'key' });

    const renamed = checkBundle({ ...all, entries: [{ ...entries[0]!, pvId: 'PV2' }] }, options(keys, 'PV2'));
    expect(renamed.pvs[0]).toMatchObject({ ok: false, step: 'pv-id' });

    const duplicated = checkBundle({ ...all, entries: [entries[0]!, entries[0]!] }, options(keys, 'PV1'));
    expect(duplicated.pvs[1]).toMatchObject({ ok: false, step: 'pv-id' });
  });

  it('refuses a plugin whose bytes do not match the bundle', () => {
    const { entries, keys } = lab();
    const bundle = buildBundle(NAME, GOOD, entries, 'PV1');
    const verdict = checkBundle(bundle, { ...options(keys, 'PV1'), bindingHash: hash(utf8('tampered plugin')) });
    expect(verdict).toMatchObject({ accepted: false, bindingMatches: false });
    expect(verdict.reason).toMatch(/plugin received/);
    // A bundle claiming the tampered hash fails at the proof step instead.
    const claimed = { ...bundle, bindingHash: hash(utf8('tampered plugin')) };
    expect(checkBundle(claimed, { ...options(keys, 'PV1'), bindingHash: claimed.bindingHash }).pvs[0]).toMatchObject({ step: 'proof', reason: expect.stringMatching(/^binding-mismatch/) });
  });

  it('refuses unsatisfiable requests and malformed JSON clearly', () => {
    const { entries } = lab();
    expect(() => buildBundle(NAME, GOOD, entries.slice(0, 1), 'PV1 & PV2')).toThrow(/cannot satisfy/);
    expect(() => buildBundle(NAME, GOOD, entries, 'PV1 & !PV2')).toThrow(/negation/);
    expect(() => bundleFromJson({ v: 2 })).toThrow(/version/);
    expect(() => bundleFromJson({ v: 1, name: NAME, bindingHash: 'zz', entries: [] })).toThrow(/64 hex/);
    expect(() => bundleFromJson({ ...bundleToJson(buildBundle(NAME, GOOD, entries, 'PV1')), entries: [{ pvId: 'PV1', str: {}, proof: {} }] })).toThrow(/STR|str|pvId/);
  });
});
