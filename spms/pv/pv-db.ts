// The PV's SQLite database: one file, WAL, every multi-step change in one
// transaction, so a PV killed at any moment restarts with its chain and its
// job queue intact.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS strs (
  epoch INTEGER PRIMARY KEY,
  bytes BLOB NOT NULL,
  hash BLOB NOT NULL,
  changes INTEGER NOT NULL,
  pushed INTEGER NOT NULL DEFAULT 0
);
-- One row per binding the PV built: its canonical bytes and where it came from.
CREATE TABLE IF NOT EXISTS bindings (
  binding_hash BLOB PRIMARY KEY,
  name TEXT NOT NULL,
  archive_hash TEXT NOT NULL,
  bytes BLOB NOT NULL,
  created_ms INTEGER NOT NULL
);
-- A submission as the PV sees it: announced, built, verified, decided, committed.
CREATE TABLE IF NOT EXISTS submissions (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  archive_hash TEXT NOT NULL,
  binding_hash BLOB,
  state TEXT NOT NULL,
  detail TEXT,
  announced_ms INTEGER NOT NULL,
  decided_ms INTEGER,
  epoch INTEGER
);
CREATE INDEX IF NOT EXISTS submissions_name ON submissions (name, announced_ms);
CREATE TABLE IF NOT EXISTS jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  submission_id TEXT NOT NULL REFERENCES submissions (id),
  verifier_id TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  verdict TEXT,
  result TEXT,
  started_ms INTEGER,
  finished_ms INTEGER,
  UNIQUE (submission_id, verifier_id)
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, id);
-- Validated changes waiting for the next epoch (one per name; the latest decision wins).
CREATE TABLE IF NOT EXISTS pending_changes (
  name TEXT PRIMARY KEY,
  binding_hash BLOB,
  submission_id TEXT NOT NULL,
  decided_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS seen_announcements (id TEXT PRIMARY KEY, seen_ms INTEGER NOT NULL);
-- Failure reports not yet accepted by the PR.
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  body TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);
`;

export type PvDatabase = Database.Database;

export function openPvDatabase(dataDir: string): PvDatabase {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'pv.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  return db;
}

export function getMeta(db: PvDatabase, key: string): string | undefined {
  return db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key)?.value;
}

export function setMeta(db: PvDatabase, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}
