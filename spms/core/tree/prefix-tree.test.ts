import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equalBytes } from '../bytes.ts';
import { hash } from '../hash.ts';
import { utf8 } from '../bytes.ts';
import { TreeError } from '../errors.ts';
import { indexOf } from './index-bits.ts';
import { MemoryNodeStore } from './memory-store.ts';
import { EMPTY, INTERIOR, LEAF, type InteriorRecord, type NodeRef } from './node-store.ts';
import { PrefixTree, type TreeChange } from './prefix-tree.ts';
import { decodeProof, encodeProof, proofFromJson, proofToJson } from './proof-codec.ts';
import { verifyLookup, verifyLookupAt } from './verify-lookup.ts';

const TREE_ID = hash(utf8('test tree'));
const bh = (s: string): Uint8Array => hash(utf8(`binding:${s}`));
const nameOf = (i: number): string => `org.example.p${i}`;

function newTree(): PrefixTree {
  return PrefixTree.create(new MemoryNodeStore(), TREE_ID);
}

/** Walks a tree and asserts the compression invariant: no interior node has fewer than two leaves below. */
function assertCompressed(ref: NodeRef): number {
  if (ref.kind === EMPTY) return 0;
  if (ref.kind === LEAF) return 1;
  const node = ref as InteriorRecord;
  const l = assertCompressed(node.left);
  const r = assertCompressed(node.right);
  expect(l + r).toBeGreaterThanOrEqual(2);
  return l + r;
}

type Model = Map<string, { bindingHash: Uint8Array; version: number }>;

const batchArb = fc.array(fc.record({ id: fc.integer({ min: 0, max: 60 }), op: fc.constantFrom('set', 'set', 'remove'), salt: fc.integer({ min: 0, max: 3 }) }), { maxLength: 25 });

describe('prefix tree', () => {
  it('starts from the empty root and proves absence in it', () => {
    const tree = newTree();
    const r = tree.commit(0, []);
    expect(r.root).toEqual(tree.emptyRoot());
    const proof = tree.prove('org.example.none', 0);
    expect(proof.depth).toBe(0);
    expect(verifyLookup(proof, 'org.example.none', 'absent', r.root, TREE_ID)).toEqual({ ok: true, kind: 'absence', depth: 0 });
  });

  it('keeps every epoch provable: inclusion for present names, absence for others, with versions', () => {
    fc.assert(
      fc.property(fc.array(batchArb, { minLength: 1, maxLength: 6 }), (batches) => {
        const tree = newTree();
        const model: Model = new Map();
        const lastVersion = new Map<string, number>();
        const snapshots: { root: Uint8Array; model: Model }[] = [];
        batches.forEach((batch, epoch) => {
          const seen = new Set<number>();
          const changes: TreeChange[] = [];
          for (const c of batch) {
            if (seen.has(c.id)) continue;
            seen.add(c.id);
            const name = nameOf(c.id);
            if (c.op === 'remove') {
              changes.push({ name, remove: true });
              model.delete(name);
              continue;
            }
            const next = bh(`${c.id}/${c.salt}`);
            changes.push({ name, bindingHash: next });
            const cur = model.get(name);
            if (cur !== undefined && equalBytes(cur.bindingHash, next)) continue;
            const version = (lastVersion.get(name) ?? 0) + 1;
            lastVersion.set(name, version);
            model.set(name, { bindingHash: next, version });
          }
          const { root } = tree.commit(epoch, changes);
          snapshots.push({ root, model: new Map(model) });
          assertCompressed(tree.store.getRoot(epoch)!);
        });
        snapshots.forEach(({ root, model: m }, epoch) => {
          expect(tree.root(epoch)).toEqual(root);
          for (let id = 0; id <= 60; id++) {
            const name = nameOf(id);
            const proof = tree.prove(name, epoch);
            const want = m.get(name);
            const verdict = verifyLookup(proof, name, want?.bindingHash ?? 'absent', root, TREE_ID);
            expect(verdict.ok).toBe(true);
            if (want !== undefined) expect(verdict).toMatchObject({ kind: 'inclusion', version: want.version });
            else expect(verdict).toMatchObject({ kind: 'absence' });
          }
        });
      }),
      { numRuns: 40 },
    );
  });

  it('has a root independent of insertion order and batching', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 5 }), (ids, parts) => {
        const one = newTree();
        const all = ids.map((id) => ({ name: nameOf(id), bindingHash: bh(String(id)) }));
        const single = one.commit(0, all).root;
        const shuffled = [...all].reverse();
        const many = newTree();
        const size = Math.ceil(shuffled.length / parts);
        let epoch = 0;
        let root: Uint8Array = new Uint8Array();
        for (let i = 0; i < shuffled.length; i += size) root = many.commit(epoch++, shuffled.slice(i, i + size)).root;
        expect(root).toEqual(single);
      }),
      { numRuns: 60 },
    );
  });

  it('counts versions across updates, no-op updates and re-insertions', () => {
    const tree = newTree();
    const name = 'org.example.v';
    tree.commit(0, [{ name, bindingHash: bh('a') }]);
    expect(tree.get(name, 0)?.version).toBe(1);
    const same = tree.commit(1, [{ name, bindingHash: bh('a') }]);
    expect(same).toMatchObject({ updated: 0, nodesCreated: 0 });
    tree.commit(2, [{ name, bindingHash: bh('b') }]);
    expect(tree.get(name, 2)?.version).toBe(2);
    tree.commit(3, [{ name, remove: true }]);
    expect(tree.get(name, 3)).toBeUndefined();
    tree.commit(4, [{ name, bindingHash: bh('a') }]);
    expect(tree.get(name, 4)?.version).toBe(3);
    expect(tree.get(name, 0)?.version).toBe(1);
  });

  it('refuses bad commits with typed errors and keeps the stored epochs', () => {
    const tree = newTree();
    tree.commit(0, [{ name: 'org.example.a', bindingHash: bh('a') }]);
    const code = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(TreeError);
        return (e as TreeError).code;
      }
      return 'none';
    };
    expect(code(() => tree.commit(2, []))).toBe('epoch-order');
    expect(
      code(() =>
        tree.commit(1, [
          { name: 'org.example.b', bindingHash: bh('b') },
          { name: 'org.example.b', remove: true },
        ]),
      ),
    ).toBe('duplicate-change');
    expect(code(() => tree.commit(1, [{ name: 'org.example.b', bindingHash: new Uint8Array(3) }]))).toBe('bad-binding-hash');
    expect(code(() => tree.root(7))).toBe('unknown-epoch');
    expect(code(() => PrefixTree.create(tree.store))).toBe('tree-exists');
    expect(code(() => PrefixTree.open(new MemoryNodeStore()))).toBe('tree-missing');
    expect(() => tree.commit(1, [{ name: 'Bad Name', bindingHash: bh('b') }])).toThrow(/plugin name/);
    expect(tree.latestEpoch()).toBe(0);
    expect(tree.commit(1, []).root).toEqual(tree.root(0));
  });

  it('reopens over the same store and resolves nodes by hash', () => {
    const store = new MemoryNodeStore();
    const tree = PrefixTree.create(store, TREE_ID);
    const names = Array.from({ length: 50 }, (_, i) => nameOf(i));
    tree.commit(
      0,
      names.map((n) => ({ name: n, bindingHash: bh(n) })),
    );
    const again = PrefixTree.open(store);
    const root = store.getRoot(0)!;
    expect(root.kind).toBe(INTERIOR);
    expect(store.getNode(root.hash)).toBe(root);
    expect(again.prove(names[7]!, 0)).toEqual(tree.prove(names[7]!, 0));
  });
});

describe('lookup proofs', () => {
  const tree = newTree();
  const names = Array.from({ length: 300 }, (_, i) => nameOf(i));
  const { root } = tree.commit(
    0,
    names.map((n) => ({ name: n, bindingHash: bh(n) })),
  );

  it('round-trips through binary and JSON', () => {
    for (const name of [names[3]!, 'org.example.absent', 'org.other.x']) {
      const proof = tree.prove(name, 0);
      expect(decodeProof(encodeProof(proof))).toEqual(proof);
      expect(proofFromJson(JSON.parse(JSON.stringify(proofToJson(proof))))).toEqual(proof);
    }
  });

  it('fails when any bit of the encoded proof is flipped', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 399 }), fc.nat(), (i, bitSeed) => {
        const name = nameOf(i);
        const present = i < 300;
        const bytes = encodeProof(tree.prove(name, 0));
        const bit = bitSeed % (bytes.length * 8);
        const mutated = Uint8Array.from(bytes);
        mutated[bit >>> 3]! ^= 0x80 >>> (bit & 7);
        let ok: boolean;
        try {
          ok = verifyLookup(decodeProof(mutated), name, present ? bh(name) : 'absent', root, TREE_ID).ok;
        } catch (e) {
          expect((e as Error).name).toBe('EncodingError');
          ok = false;
        }
        expect(ok).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it('fails when the root, treeId, expected binding or index is altered', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 399 }), fc.integer({ min: 0, max: 255 }), (i, bit) => {
        const name = nameOf(i);
        const present = i < 300;
        const proof = tree.prove(name, 0);
        const expected = present ? bh(name) : 'absent';
        const flip = (b: Uint8Array): Uint8Array => {
          const c = Uint8Array.from(b);
          c[bit >>> 3]! ^= 0x80 >>> (bit & 7);
          return c;
        };
        expect(verifyLookup(proof, name, expected, root, TREE_ID).ok).toBe(true);
        expect(verifyLookup(proof, name, expected, flip(root), TREE_ID)).toMatchObject({ ok: false, code: 'root-mismatch' });
        expect(verifyLookup(proof, name, expected, root, flip(TREE_ID)).ok).toBe(false);
        if (present) {
          expect(verifyLookup(proof, name, flip(bh(name)), root, TREE_ID)).toMatchObject({ ok: false, code: 'binding-mismatch' });
          expect(verifyLookup(proof, name, 'absent', root, TREE_ID)).toMatchObject({ ok: false, code: 'present' });
        } else {
          expect(verifyLookup(proof, name, bh(name), root, TREE_ID)).toMatchObject({ ok: false, code: 'not-included' });
        }
        // An inclusion proof binds the whole index; an absence proof binds the first `depth` bits.
        if (present || bit < proof.depth) {
          expect(verifyLookupAt(proof, flip(indexOf(name)), name, expected, root, TREE_ID).ok).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('refuses structurally malformed proofs and garbage encodings with clear errors', () => {
    const proof = tree.prove(names[0]!, 0);
    expect(verifyLookup({ ...proof, siblings: proof.siblings.slice(1) }, names[0]!, bh(names[0]!), root, TREE_ID)).toMatchObject({ ok: false, code: 'malformed' });
    expect(verifyLookup({ ...proof, depth: 999, siblings: [] }, names[0]!, bh(names[0]!), root, TREE_ID)).toMatchObject({ ok: false, code: 'malformed' });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeProof(bytes);
        } catch (e) {
          expect((e as Error).name).toBe('EncodingError');
        }
      }),
    );
    expect(() => proofFromJson({ depth: 1, terminal: { kind: 'empty' }, siblings: ['zz'] })).toThrow(/64 lowercase hex/);
    expect(() => proofFromJson({ depth: 0, terminal: { kind: 'leaf', version: 0, bindingHash: '00'.repeat(32) }, siblings: [] })).toThrow(/positive integer/);
  });

  it('keeps proofs compact', () => {
    const bytes = encodeProof(tree.prove(names[1]!, 0));
    // 300 names: depth about 9-11, so well under 32 bytes per level plus 44 of header and leaf.
    expect(bytes.length).toBeLessThan(44 + 2 + 32 * 16);
    expect(bytes.length).toBe(44 + Math.ceil(tree.prove(names[1]!, 0).depth / 8) + 32 * tree.prove(names[1]!, 0).siblings.filter((s) => s !== null).length);
  });
});
