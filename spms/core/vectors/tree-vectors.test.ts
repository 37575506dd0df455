import { describe, expect, it } from 'vitest';
import vectors from './tree.json' with { type: 'json' };
import { computeTreeVectors } from './tree-vectors.ts';
import { fromHex } from '../bytes.ts';
import { decodeProof, proofFromJson } from '../tree/proof-codec.ts';
import { verifyLookup } from '../tree/verify-lookup.ts';
import { decodeBinding } from '../binding.ts';

describe('published tree and binding vectors', () => {
  it('are reproduced byte for byte', () => {
    expect(computeTreeVectors()).toEqual(vectors);
  });

  it('verify from their published form alone', () => {
    const treeId = fromHex(vectors.treeId);
    for (const epoch of vectors.epochs) {
      const present = new Map<string, string>();
      for (const e of vectors.epochs.slice(0, epoch.epoch + 1)) {
        for (const c of e.changes) {
          if ('remove' in c) present.delete(c.name);
          else present.set(c.name, c.bindingHash!);
        }
      }
      for (const p of epoch.proofs) {
        const proof = decodeProof(fromHex(p.binary));
        expect(proofFromJson(p.json)).toEqual(proof);
        const want = present.get(p.name);
        expect(verifyLookup(proof, p.name, want === undefined ? 'absent' : fromHex(want), fromHex(epoch.root), treeId).ok).toBe(true);
      }
    }
    expect(decodeBinding(fromHex(vectors.binding.cbor)).name).toBe('org.example.fec');
  });
});

describe('an independent implementation', () => {
  it('recomputes every published hash and root with Python hashlib', async () => {
    const { execFileSync } = await import('node:child_process');
    const dir = new URL('.', import.meta.url).pathname;
    const out = execFileSync('python3', [`${dir}check_vectors.py`, `${dir}tree.json`], { encoding: 'utf8' });
    expect(out.trim()).toBe('vectors ok');
  });
});
