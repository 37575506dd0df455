// The tree manager: once per epoch, apply the validated changes to the
// prefix tree, sign exactly one STR chained to the previous one, and store
// both in one transaction. Pushing to the PR happens after, and is retried.
import { decodeSignedStr, encodeSignedStr, PrefixTree, signStr, strHash, ZERO_HASH, type SignedStr, type TreeChange } from '../core/index.ts';
import type { PvDatabase } from './pv-db.ts';
import { SqliteNodeStore } from './sqlite-node-store.ts';
import type { StrKey } from './str-key.ts';

export interface EpochPublished {
  str: SignedStr;
  changes: { name: string; bindingHash: Uint8Array | null; submissionId: string }[];
}

interface PendingRow {
  name: string;
  binding_hash: Buffer | null;
  submission_id: string;
}

export class TreeManager {
  readonly tree: PrefixTree;
  private readonly db: PvDatabase;

  constructor(
    db: PvDatabase,
    private readonly pvId: string,
    private readonly key: StrKey,
    private readonly policyHash: Uint8Array,
  ) {
    this.db = db;
    const store = new SqliteNodeStore(db);
    this.tree = store.readTreeId() === undefined ? PrefixTree.create(store) : PrefixTree.open(store);
  }

  /** Kept in memory: every gateway request asks for it, and only publishEpoch changes it. */
  private latest: SignedStr | undefined;

  latestStr(): SignedStr | undefined {
    if (this.latest === undefined) {
      const row = this.db.prepare<[], { bytes: Buffer }>('SELECT bytes FROM strs ORDER BY epoch DESC LIMIT 1').get();
      this.latest = row === undefined ? undefined : decodeSignedStr(new Uint8Array(row.bytes));
    }
    return this.latest;
  }

  str(epoch: number): SignedStr | undefined {
    const row = this.db.prepare<[number], { bytes: Buffer }>('SELECT bytes FROM strs WHERE epoch = ?').get(epoch);
    return row === undefined ? undefined : decodeSignedStr(new Uint8Array(row.bytes));
  }

  strRange(from: number, to: number): SignedStr[] {
    return this.db
      .prepare<[number, number], { bytes: Buffer }>('SELECT bytes FROM strs WHERE epoch BETWEEN ? AND ? ORDER BY epoch')
      .all(from, to)
      .map((r) => decodeSignedStr(new Uint8Array(r.bytes)));
  }

  /** Records a decision to apply at the next epoch; a later decision for the same name replaces it. */
  queueChange(name: string, bindingHash: Uint8Array | null, submissionId: string, nowMs: number): void {
    this.db
      .prepare(
        `INSERT INTO pending_changes (name, binding_hash, submission_id, decided_ms) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET binding_hash = excluded.binding_hash, submission_id = excluded.submission_id, decided_ms = excluded.decided_ms`,
      )
      .run(name, bindingHash === null ? null : Buffer.from(bindingHash), submissionId, nowMs);
  }

  /** Publishes the next epoch: one STR, also when nothing changed, so silence is visible. */
  publishEpoch(nowMs: number): EpochPublished {
    const published = this.db.transaction((): EpochPublished => {
      const prev = this.latestStr();
      const epoch = prev === undefined ? 0 : prev.epoch + 1;
      const rows = this.db.prepare<[], PendingRow>('SELECT name, binding_hash, submission_id FROM pending_changes ORDER BY name').all();
      const changes: TreeChange[] = rows.map((r) => (r.binding_hash === null ? { name: r.name, remove: true } : { name: r.name, bindingHash: new Uint8Array(r.binding_hash) }));
      const { root } = this.tree.commit(epoch, changes);
      // Timestamps must strictly increase even if the clock steps back.
      const timestampMs = prev === undefined ? nowMs : Math.max(nowMs, prev.timestampMs + 1);
      const str = signStr(
        { pvId: this.pvId, treeId: this.tree.treeId, epoch, timestampMs, root, prevStrHash: prev === undefined ? ZERO_HASH : strHash(prev), policyHash: this.policyHash },
        this.key.secretKey,
      );
      this.db.prepare('INSERT INTO strs (epoch, bytes, hash, changes) VALUES (?, ?, ?, ?)').run(epoch, Buffer.from(encodeSignedStr(str)), Buffer.from(strHash(str)), rows.length);
      const commit = this.db.prepare("UPDATE submissions SET state = CASE state WHEN 'valid' THEN 'committed' ELSE state END, epoch = ? WHERE id = ?");
      for (const r of rows) commit.run(epoch, r.submission_id);
      this.db.prepare('DELETE FROM pending_changes').run();
      return { str, changes: rows.map((r) => ({ name: r.name, bindingHash: r.binding_hash === null ? null : new Uint8Array(r.binding_hash), submissionId: r.submission_id })) };
    })();
    this.latest = published.str;
    return published;
  }

  unpushedStrs(): SignedStr[] {
    return this.db
      .prepare<[], { bytes: Buffer }>('SELECT bytes FROM strs WHERE pushed = 0 ORDER BY epoch')
      .all()
      .map((r) => decodeSignedStr(new Uint8Array(r.bytes)));
  }

  markPushed(epoch: number): void {
    this.db.prepare('UPDATE strs SET pushed = 1 WHERE epoch = ?').run(epoch);
  }
}
