// Bundles checked with trust anchored in a real lab CA: certificates carry the
// PV's STR key; revoked, foreign and mislabelled certificates are refused.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabCa } from '../../certs/lab-ca.ts';
import { checkBundle, generateStrKeyPair, hash, MemoryNodeStore, PrefixTree, signStr, utf8, ZERO_HASH, type BundleEntry, type ProofBundle } from '../core/index.ts';
import { caKeyResolver } from './ca-trust.ts';

const NAME = 'org.example.fec';
const BH = hash(utf8('binding'));
const dirs: string[] = [];
let ca: LabCa;
let other: LabCa;
let bundle: ProofBundle;

function entry(pvId: string, certificate: string, secretKey: Uint8Array): BundleEntry {
  const tree = PrefixTree.create(new MemoryNodeStore());
  const { root } = tree.commit(0, [{ name: NAME, bindingHash: BH }]);
  const str = signStr({ pvId, treeId: tree.treeId, epoch: 0, timestampMs: Date.now(), root, prevStrHash: ZERO_HASH, policyHash: hash(utf8('p')) }, secretKey);
  return { pvId, certificate, str, proof: tree.prove(NAME, 0) };
}

beforeAll(() => {
  const d1 = mkdtempSync(join(tmpdir(), 'spms-ca-'));
  const d2 = mkdtempSync(join(tmpdir(), 'spms-ca-'));
  dirs.push(d1, d2);
  ca = LabCa.init(d1, { keyBits: 2048 });
  other = LabCa.init(d2, { keyBits: 2048, commonName: 'Another CA' });
  const k1 = generateStrKeyPair();
  const k2 = generateStrKeyPair();
  const k3 = generateStrKeyPair();
  const pv1 = ca.issue({ role: 'pv', name: 'PV1', strPublicKey: k1.publicKey, ipAddresses: ['127.0.0.1'] });
  const pv2 = ca.issue({ role: 'pv', name: 'PV2', strPublicKey: k2.publicKey, ipAddresses: ['127.0.0.1'] });
  const foreign = other.issue({ role: 'pv', name: 'PV3', strPublicKey: k3.publicKey, ipAddresses: ['127.0.0.1'] });
  bundle = { v: 1, name: NAME, bindingHash: BH, entries: [entry('PV1', pv1.certPem, k1.secretKey), entry('PV2', pv2.certPem, k2.secretKey), entry('PV3', foreign.certPem, k3.secretKey)] };
});

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const check = (formula: string, crl?: string) =>
  checkBundle(bundle, { formula, resolveKey: caKeyResolver({ root: ca.rootPem, ...(crl === undefined ? {} : { crl }) }), bindingHash: BH, nowMs: Date.now(), maxAgeMs: 60_000 });

describe('CA-anchored bundle checks', () => {
  it('accepts PVs whose certificates chain to the root and carry their STR keys', () => {
    expect(check('PV1 & PV2')).toMatchObject({ accepted: true, verified: ['PV1', 'PV2'] });
  });

  it('refuses a PV certified by another CA, at the key step', () => {
    const v = check('PV1 & PV3');
    expect(v.accepted).toBe(false);
    expect(v.pvs[2]).toMatchObject({ pvId: 'PV3', ok: false, step: 'key', reason: expect.stringMatching(/not issued by the lab CA/) });
  });

  it('refuses a certificate presented under another PV id, and a revoked PV', () => {
    const swapped = { ...bundle, entries: [{ ...bundle.entries[0]!, pvId: 'PV2', str: bundle.entries[1]!.str, proof: bundle.entries[1]!.proof }] };
    const v = checkBundle(swapped, { formula: 'PV2', resolveKey: caKeyResolver({ root: ca.rootPem }), bindingHash: BH, nowMs: Date.now(), maxAgeMs: 60_000 });
    expect(v.pvs[0]).toMatchObject({ ok: false, step: 'key', reason: expect.stringMatching(/is for "PV1"/) });
    ca.revoke('pv/PV2', 'keyCompromise');
    const revoked = check('PV1 & PV2', readFileSync(ca.paths.crl, 'utf8'));
    expect(revoked.accepted).toBe(false);
    expect(revoked.pvs[1]).toMatchObject({ ok: false, step: 'key', reason: expect.stringMatching(/revoked/) });
  });
});
