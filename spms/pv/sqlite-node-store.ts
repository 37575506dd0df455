// The prefix tree's NodeStore in SQLite: nodes content-addressed and shared
// across epochs, one root per epoch, every epoch written in one transaction.
import type Database from 'better-sqlite3';
import { INTERIOR, LEAF, type NodeKind, type NodeRecord, type NodeRef, type NodeStore, type TreeCommit } from '../core/index.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tree_meta (id INTEGER PRIMARY KEY CHECK (id = 1), tree_id BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS tree_nodes (
  hash BLOB PRIMARY KEY,
  kind INTEGER NOT NULL,
  depth INTEGER, idx BLOB, version INTEGER, binding_hash BLOB,
  left_kind INTEGER, left_hash BLOB, right_kind INTEGER, right_hash BLOB
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tree_roots (epoch INTEGER PRIMARY KEY, kind INTEGER NOT NULL, hash BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS tree_tombstones (idx BLOB PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;
`;

interface NodeRow {
  kind: number;
  depth: number | null;
  idx: Buffer | null;
  version: number | null;
  binding_hash: Buffer | null;
  left_kind: number | null;
  left_hash: Buffer | null;
  right_kind: number | null;
  right_hash: Buffer | null;
}

const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** Recently read nodes: proofs for nearby names walk the same upper levels. */
const CACHE_LIMIT = 50_000;

export class SqliteNodeStore implements NodeStore {
  private readonly db: Database.Database;
  private readonly cache = new Map<string, NodeRecord>();
  private readonly stmts;

  constructor(db: Database.Database) {
    this.db = db;
    db.exec(SCHEMA);
    this.stmts = {
      treeId: db.prepare<[], { tree_id: Buffer }>('SELECT tree_id FROM tree_meta WHERE id = 1'),
      setTreeId: db.prepare('INSERT INTO tree_meta (id, tree_id) VALUES (1, ?)'),
      node: db.prepare<[Buffer], NodeRow>('SELECT * FROM tree_nodes WHERE hash = ?'),
      putNode: db.prepare('INSERT OR IGNORE INTO tree_nodes (hash, kind, depth, idx, version, binding_hash, left_kind, left_hash, right_kind, right_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      root: db.prepare<[number], { kind: number; hash: Buffer }>('SELECT kind, hash FROM tree_roots WHERE epoch = ?'),
      putRoot: db.prepare('INSERT INTO tree_roots (epoch, kind, hash) VALUES (?, ?, ?)'),
      latest: db.prepare<[], { epoch: number | null }>('SELECT MAX(epoch) AS epoch FROM tree_roots'),
      tombstone: db.prepare<[Buffer], { version: number }>('SELECT version FROM tree_tombstones WHERE idx = ?'),
      putTombstone: db.prepare('INSERT INTO tree_tombstones (idx, version) VALUES (?, ?) ON CONFLICT (idx) DO UPDATE SET version = excluded.version'),
    };
  }

  readTreeId(): Uint8Array | undefined {
    const row = this.stmts.treeId.get();
    return row === undefined ? undefined : bytes(row.tree_id);
  }

  writeTreeId(treeId: Uint8Array): void {
    this.stmts.setTreeId.run(Buffer.from(treeId));
  }

  getNode(hash: Uint8Array): NodeRecord | undefined {
    const key = Buffer.from(hash).toString('hex');
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const row = this.stmts.node.get(Buffer.from(hash));
    if (row === undefined) return undefined;
    const node: NodeRecord =
      row.kind === LEAF
        ? { kind: LEAF, hash, depth: row.depth as number, index: bytes(row.idx as Buffer), version: row.version as number, bindingHash: bytes(row.binding_hash as Buffer) }
        : {
            kind: INTERIOR,
            hash,
            left: { kind: row.left_kind as NodeKind, hash: bytes(row.left_hash as Buffer) },
            right: { kind: row.right_kind as NodeKind, hash: bytes(row.right_hash as Buffer) },
          };
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, node);
    return node;
  }

  getRoot(epoch: number): NodeRef | undefined {
    const row = this.stmts.root.get(epoch);
    return row === undefined ? undefined : { kind: row.kind as NodeKind, hash: bytes(row.hash) };
  }

  latestEpoch(): number | undefined {
    return this.stmts.latest.get()?.epoch ?? undefined;
  }

  getTombstone(index: Uint8Array): number | undefined {
    return this.stmts.tombstone.get(Buffer.from(index))?.version;
  }

  commit(change: TreeCommit): void {
    this.db.transaction(() => {
      for (const n of change.nodes) {
        if (n.kind === LEAF) {
          this.stmts.putNode.run(Buffer.from(n.hash), LEAF, n.depth, Buffer.from(n.index), n.version, Buffer.from(n.bindingHash), null, null, null, null);
        } else {
          this.stmts.putNode.run(Buffer.from(n.hash), INTERIOR, null, null, null, null, n.left.kind, Buffer.from(n.left.hash), n.right.kind, Buffer.from(n.right.hash));
        }
      }
      for (const t of change.tombstones) this.stmts.putTombstone.run(Buffer.from(t.index), t.version);
      this.stmts.putRoot.run(change.epoch, change.root.kind, Buffer.from(change.root.hash));
    })();
  }
}
