/**
 * The one SQLite file of the embedded runtime (`<dataDir>/state.sqlite`). The record store, its
 * change log and the queues share it, so a record write and its change row commit in one
 * transaction. Several processes may open the same file: WAL mode and a busy timeout let readers
 * and one writer at a time work side by side.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

export const STATE_DATABASE_FILE = 'state.sqlite';

export interface OpenDatabaseOptions {
  /** How long a writer waits for another connection's lock before failing (ms). */
  readonly busyTimeoutMs?: number;
}

/**
 * Schema migrations, applied in order and recorded in `PRAGMA user_version`. Never edit a
 * released entry: append a new one.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE IF NOT EXISTS records (
    application_id    TEXT PRIMARY KEY,
    status            TEXT NOT NULL,
    status_changed_at INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    version           INTEGER NOT NULL,
    body              TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS records_by_status ON records (status, status_changed_at);
  CREATE INDEX IF NOT EXISTS records_by_expiry ON records (expires_at);

  CREATE TABLE IF NOT EXISTS record_changes (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    event_name     TEXT NOT NULL CHECK (event_name IN ('INSERT', 'MODIFY', 'REMOVE')),
    application_id TEXT NOT NULL,
    old_image      TEXT,
    new_image      TEXT,
    ttl_removal    INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS record_changes_by_time ON record_changes (created_at);

  CREATE TABLE IF NOT EXISTS stream_checkpoints (
    consumer   TEXT PRIMARY KEY,
    seq        INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE IF NOT EXISTS queues (
    name                 TEXT PRIMARY KEY,
    visibility_timeout_s INTEGER NOT NULL,
    retention_s          INTEGER NOT NULL,
    max_receive_count    INTEGER,
    dead_letter_queue    TEXT,
    max_message_bytes    INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE IF NOT EXISTS queue_messages (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    queue          TEXT NOT NULL,
    message_id     TEXT NOT NULL UNIQUE,
    body           TEXT NOT NULL,
    sent_at        INTEGER NOT NULL,
    visible_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    receive_count  INTEGER NOT NULL DEFAULT 0,
    receipt_handle TEXT UNIQUE,
    dead_lettered_from TEXT
  ) STRICT;
  CREATE INDEX IF NOT EXISTS queue_messages_visible ON queue_messages (queue, visible_at, seq);
  CREATE INDEX IF NOT EXISTS queue_messages_expiry ON queue_messages (expires_at);

  CREATE TABLE IF NOT EXISTS queue_dedup (
    queue            TEXT NOT NULL,
    deduplication_id TEXT NOT NULL,
    message_id       TEXT NOT NULL,
    expires_at       INTEGER NOT NULL,
    PRIMARY KEY (queue, deduplication_id)
  ) STRICT;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Opens (creating when needed) the database at `path`, or an in-memory one for `':memory:'`, and
 * brings its schema up to date.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  const inMemory = path === ':memory:';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    if (!inMemory) db.pragma('journal_mode = WAL');
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Opens `<dataDir>/state.sqlite`. */
export function openStateDatabase(dataDir: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  return openDatabase(join(dataDir, STATE_DATABASE_FILE), options);
}

/** Applies the migrations the file has not seen yet, each in its own transaction. */
export function migrate(db: SqliteDatabase): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  if (!Number.isInteger(current) || current > MIGRATIONS.length) {
    throw new Error(`database schema version ${String(current)} is newer than this program (${MIGRATIONS.length})`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    const sql = MIGRATIONS[v] as string;
    db.transaction(() => {
      // Another process may have migrated while this one waited for the write lock.
      if (Number(db.pragma('user_version', { simple: true })) !== v) return;
      db.exec(sql);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

/** Closes the database; safe to call twice. */
export function closeDatabase(db: SqliteDatabase): void {
  if (db.open) db.close();
}
