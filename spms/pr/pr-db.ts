// The PR's SQLite database: one file, WAL, every multi-step change in one
// transaction. Archive bytes live beside it on disk, content-addressed.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type PrDatabase = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- First registration wins; the owner is the developer certificate's common name.
CREATE TABLE IF NOT EXISTS namespaces (
  namespace TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  owner_serial TEXT NOT NULL,
  registered_ms INTEGER NOT NULL
);
-- Every distinct archive submitted for a name is one version.
CREATE TABLE IF NOT EXISTS submissions (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  archive_hash TEXT NOT NULL,
  size INTEGER NOT NULL,
  files INTEGER NOT NULL,
  submitter TEXT NOT NULL,
  submitted_ms INTEGER NOT NULL,
  topics TEXT NOT NULL,
  UNIQUE (name, version),
  UNIQUE (name, archive_hash)
);
-- The announcement log PVs catch up on; cursor is its position.
CREATE TABLE IF NOT EXISTS announcements (
  cursor INTEGER PRIMARY KEY AUTOINCREMENT,
  submission_id TEXT NOT NULL UNIQUE REFERENCES submissions (id),
  name TEXT NOT NULL,
  archive_hash TEXT NOT NULL,
  submitted_ms INTEGER NOT NULL,
  topics TEXT NOT NULL
);
-- PVs the PR has met (their latest certificate carries the STR key).
CREATE TABLE IF NOT EXISTS pvs (
  pv_id TEXT PRIMARY KEY,
  certificate TEXT NOT NULL,
  str_public_key TEXT NOT NULL,
  first_seen_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS fetches (
  pv_id TEXT NOT NULL,
  submission_id TEXT NOT NULL REFERENCES submissions (id),
  fetched_ms INTEGER NOT NULL,
  PRIMARY KEY (pv_id, submission_id)
);
-- Every STR accepted, per PV, in chain order.
CREATE TABLE IF NOT EXISTS strs (
  pv_id TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  timestamp_ms INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  str_hash TEXT NOT NULL,
  received_ms INTEGER NOT NULL,
  PRIMARY KEY (pv_id, epoch)
);
CREATE TABLE IF NOT EXISTS failures (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  pv_id TEXT NOT NULL,
  submission_id TEXT NOT NULL REFERENCES submissions (id),
  report TEXT NOT NULL,
  received_ms INTEGER NOT NULL,
  UNIQUE (pv_id, submission_id)
);
-- STRs refused for breaking a PV's chain, with what they contradict.
CREATE TABLE IF NOT EXISTS evidence (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  pv_id TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  code TEXT NOT NULL,
  message TEXT NOT NULL,
  refused BLOB NOT NULL,
  previous BLOB,
  received_ms INTEGER NOT NULL
);
`;

export function openPrDatabase(dataDir: string): PrDatabase {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(join(dataDir, 'pr.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);
  // Databases made before PVs registered their gateway address gain the column.
  const pvColumns = db
    .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('pvs')")
    .all()
    .map((c) => c.name);
  if (!pvColumns.includes('gateway_url')) db.exec('ALTER TABLE pvs ADD COLUMN gateway_url TEXT');
  return db;
}
