/**
 * The change log of the local record store: a DynamoDB-Streams-like list of every create, update
 * and delete (with old and new images), written in the same transaction as the record itself.
 * The embedded runtime reads it after a per-consumer checkpoint and turns each change into a
 * DynamoDB-stream-shaped event for the same handlers that run in AWS.
 */
import type { ApplicationRecord } from '../../core/record';
import { RECORD_STATUSES } from '../../core/states';
import type { SqliteDatabase } from './sqlite-database';

export type RecordChangeEventName = 'INSERT' | 'MODIFY' | 'REMOVE';

export interface RecordChange {
  /** Position in the log; strictly increasing. */
  readonly seq: number;
  readonly eventName: RecordChangeEventName;
  readonly applicationId: string;
  readonly oldImage: ApplicationRecord | null;
  readonly newImage: ApplicationRecord | null;
  /** A REMOVE done by the TTL sweep (DynamoDB marks these with the service principal). */
  readonly ttlRemoval: boolean;
  readonly createdAt: Date;
}

export interface RecordChangeFeed {
  /** Up to `limit` changes with `seq > afterSeq`, oldest first. */
  readAfter(afterSeq: number, limit: number): RecordChange[];
  /** Up to `limit` changes the consumer has not acknowledged yet. */
  readPending(consumer: string, limit: number): RecordChange[];
  /** The last acknowledged seq of `consumer` (0 when it has none). */
  checkpoint(consumer: string): number;
  /** Moves the consumer's checkpoint forward to `seq` (never backwards). */
  ack(consumer: string, seq: number): void;
  /** The newest seq in the log (0 when empty). */
  latestSeq(): number;
  /** Deletes changes written before `before` (DynamoDB Streams keeps 24 hours); returns how many. */
  prune(before: Date): number;
}

/** Checks what comes back from the table is a record, cheaply (shape, not every field). */
export function parseStoredRecord(json: string): ApplicationRecord {
  const value: unknown = JSON.parse(json);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('stored record is not an object');
  }
  const r = value as Record<string, unknown>;
  const ok =
    typeof r.applicationId === 'string' &&
    typeof r.version === 'number' &&
    Number.isSafeInteger(r.version) &&
    typeof r.status === 'string' &&
    (RECORD_STATUSES as readonly string[]).includes(r.status) &&
    typeof r.expiresAt === 'string' &&
    typeof r.statusChangedAt === 'string' &&
    typeof r.uploads === 'object' &&
    r.uploads !== null;
  if (!ok) throw new Error('stored record has an unexpected shape');
  return value as ApplicationRecord;
}

/** Appends one change row; call inside the transaction that wrote the record. */
export function appendRecordChange(
  db: SqliteDatabase,
  change: {
    eventName: RecordChangeEventName;
    applicationId: string;
    oldImage: string | null;
    newImage: string | null;
    ttlRemoval?: boolean;
    at: Date;
  },
): void {
  db.prepare(
    `INSERT INTO record_changes (event_name, application_id, old_image, new_image, ttl_removal, created_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(change.eventName, change.applicationId, change.oldImage, change.newImage, change.ttlRemoval ? 1 : 0, change.at.getTime());
}

interface ChangeRow {
  seq: number;
  event_name: string;
  application_id: string;
  old_image: string | null;
  new_image: string | null;
  ttl_removal: number;
  created_at: number;
}

function toChange(row: ChangeRow): RecordChange {
  if (row.event_name !== 'INSERT' && row.event_name !== 'MODIFY' && row.event_name !== 'REMOVE') {
    throw new Error(`unexpected change event ${row.event_name}`);
  }
  return {
    seq: row.seq,
    eventName: row.event_name,
    applicationId: row.application_id,
    oldImage: row.old_image === null ? null : parseStoredRecord(row.old_image),
    newImage: row.new_image === null ? null : parseStoredRecord(row.new_image),
    ttlRemoval: row.ttl_removal === 1,
    createdAt: new Date(row.created_at),
  };
}

function assertConsumer(consumer: string): void {
  if (consumer.length === 0 || consumer.length > 200) throw new RangeError('consumer name must be 1-200 characters');
}

function assertLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
}

export function createSqliteRecordChangeFeed(db: SqliteDatabase, options: { clock?: { now(): Date } } = {}): RecordChangeFeed {
  const now = () => options.clock?.now() ?? new Date();
  const selectAfter = db.prepare<[number, number], ChangeRow>(
    'SELECT seq, event_name, application_id, old_image, new_image, ttl_removal, created_at FROM record_changes WHERE seq > ? ORDER BY seq LIMIT ?',
  );
  const selectCheckpoint = db.prepare<[string], { seq: number }>('SELECT seq FROM stream_checkpoints WHERE consumer = ?');
  const upsertCheckpoint = db.prepare<[string, number, number]>(
    `INSERT INTO stream_checkpoints (consumer, seq, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (consumer) DO UPDATE SET seq = max(seq, excluded.seq), updated_at = excluded.updated_at`,
  );
  const selectLatest = db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM record_changes');
  const deleteBefore = db.prepare<[number]>('DELETE FROM record_changes WHERE created_at < ?');

  const feed: RecordChangeFeed = {
    readAfter(afterSeq, limit) {
      assertLimit(limit);
      return selectAfter.all(afterSeq, limit).map(toChange);
    },
    readPending(consumer, limit) {
      return feed.readAfter(feed.checkpoint(consumer), limit);
    },
    checkpoint(consumer) {
      assertConsumer(consumer);
      return selectCheckpoint.get(consumer)?.seq ?? 0;
    },
    ack(consumer, seq) {
      assertConsumer(consumer);
      if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError('seq must be a non-negative integer');
      upsertCheckpoint.run(consumer, seq, now().getTime());
    },
    latestSeq() {
      return selectLatest.get()?.seq ?? 0;
    },
    prune(before) {
      return deleteBefore.run(before.getTime()).changes;
    },
  };
  return feed;
}
