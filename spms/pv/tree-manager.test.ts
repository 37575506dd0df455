import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hash, utf8, verifyChain, verifyLookup } from '../core/index.ts';
import { openPvDatabase } from './pv-db.ts';
import { loadOrCreateStrKey } from './str-key.ts';
import { TreeManager } from './tree-manager.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'spms-pv-'));
  dirs.push(d);
  return d;
};
const policy = hash(utf8('policy'));

describe('tree manager', () => {
  it('publishes one chained STR per epoch, with or without changes, and survives a reopen', () => {
    const dir = tmp();
    const key = loadOrCreateStrKey(join(dir, 'str.key'));
    let db = openPvDatabase(dir);
    db.prepare("INSERT INTO submissions (id, name, archive_hash, state, announced_ms) VALUES ('s1', 'org.example.a', 'h', 'valid', 0)").run();
    let tm = new TreeManager(db, 'PV1', key, policy);
    const e0 = tm.publishEpoch(1000);
    expect(e0.str.epoch).toBe(0);
    tm.queueChange('org.example.a', hash(utf8('a1')), 's1', 1500);
    const e1 = tm.publishEpoch(2000);
    expect(e1.changes).toHaveLength(1);
    expect(db.prepare("SELECT state, epoch FROM submissions WHERE id = 's1'").get()).toEqual({ state: 'committed', epoch: 1 });
    const treeId = tm.tree.treeId;
    db.close();

    // Same key file, same database: the chain continues.
    expect(loadOrCreateStrKey(join(dir, 'str.key')).publicKey).toEqual(key.publicKey);
    db = openPvDatabase(dir);
    tm = new TreeManager(db, 'PV1', key, policy);
    expect(tm.tree.treeId).toEqual(treeId);
    const e2 = tm.publishEpoch(1500); // the clock stepped back: the timestamp still increases
    expect(e2.str.timestampMs).toBe(2001);
    const chain = tm.strRange(0, 10);
    expect(chain.map((s) => s.epoch)).toEqual([0, 1, 2]);
    expect(verifyChain(chain, key.publicKey)).toEqual({ ok: true, issues: [] });
    const proof = tm.tree.prove('org.example.a', 2);
    expect(verifyLookup(proof, 'org.example.a', hash(utf8('a1')), e2.str.root, treeId).ok).toBe(true);
    expect(tm.unpushedStrs()).toHaveLength(3);
    tm.markPushed(0);
    expect(tm.unpushedStrs().map((s) => s.epoch)).toEqual([1, 2]);
    db.close();
  });

  it('keeps only the latest decision for a name within an epoch', () => {
    const dir = tmp();
    const db = openPvDatabase(dir);
    const tm = new TreeManager(db, 'PV1', loadOrCreateStrKey(join(dir, 'k')), policy);
    tm.queueChange('org.example.a', hash(utf8('a1')), 's1', 1);
    tm.queueChange('org.example.a', hash(utf8('a2')), 's2', 2);
    const { str } = tm.publishEpoch(10);
    expect(tm.tree.get('org.example.a', str.epoch)?.bindingHash).toEqual(hash(utf8('a2')));
    db.close();
  });
});
