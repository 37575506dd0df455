import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryNodeStore, PrefixTree, hash, utf8, verifyLookup } from '../core/index.ts';
import { SqliteNodeStore } from './sqlite-node-store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dbFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spms-tree-'));
  dirs.push(dir);
  return join(dir, 'pv.sqlite');
}

const bh = (s: string): Uint8Array => hash(utf8(s));
const TREE_ID = bh('sqlite tree');

describe('SQLite node store', () => {
  it('gives the same roots and proofs as memory, across a reopen of the file', () => {
    const file = dbFile();
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    const disk = PrefixTree.create(new SqliteNodeStore(db), TREE_ID);
    const mem = PrefixTree.create(new MemoryNodeStore(), TREE_ID);
    const names = Array.from({ length: 200 }, (_, i) => `org.example.p${i}`);
    const batches = [
      names.map((n) => ({ name: n, bindingHash: bh(n) })),
      [
        { name: names[0]!, remove: true as const },
        { name: names[1]!, bindingHash: bh('new') },
      ],
      [{ name: names[0]!, bindingHash: bh('back') }],
    ];
    batches.forEach((b, epoch) => expect(disk.commit(epoch, b).root).toEqual(mem.commit(epoch, b).root));
    db.close();

    const again = new Database(file);
    const reopened = PrefixTree.open(new SqliteNodeStore(again));
    expect(reopened.treeId).toEqual(TREE_ID);
    expect(reopened.latestEpoch()).toBe(2);
    for (let epoch = 0; epoch <= 2; epoch++) {
      expect(reopened.root(epoch)).toEqual(mem.root(epoch));
      for (const n of [names[0]!, names[1]!, names[150]!, 'org.example.absent']) {
        const proof = reopened.prove(n, epoch);
        expect(proof).toEqual(mem.prove(n, epoch));
        const entry = mem.get(n, epoch);
        expect(verifyLookup(proof, n, entry?.bindingHash ?? 'absent', mem.root(epoch), TREE_ID).ok).toBe(true);
      }
    }
    // Version continues after removal and re-insertion, read back from the tombstone table.
    expect(reopened.get(names[0]!, 2)?.version).toBe(2);
    expect(reopened.commit(3, [{ name: names[0]!, bindingHash: bh('again') }]).updated).toBe(1);
    expect(reopened.get(names[0]!, 3)?.version).toBe(3);
    again.close();
  });

  it('keeps earlier epochs when a commit fails half-way', () => {
    const db = new Database(dbFile());
    const store = new SqliteNodeStore(db);
    const tree = PrefixTree.create(store, TREE_ID);
    tree.commit(0, [{ name: 'org.example.a', bindingHash: bh('a') }]);
    // A second root row for epoch 0 violates the primary key inside the transaction.
    expect(() => store.commit({ epoch: 0, root: { kind: 0, hash: bh('x') }, nodes: [], tombstones: [{ index: bh('i'), version: 9 }] })).toThrow();
    expect(store.getTombstone(bh('i'))).toBeUndefined();
    expect(tree.root(0)).toEqual(PrefixTree.create(new MemoryNodeStore(), TREE_ID).commit(0, [{ name: 'org.example.a', bindingHash: bh('a') }]).root);
    db.close();
  });
});
