/**
 * The staging table on SQLite. Records are stored as JSON with the columns the queries need.
 * Every write is conditional (as a DynamoDB condition expression) and appends its change row in
 * the same transaction. Records past `expiresAt` read as absent and are removed by
 * {@link SqliteRecordStore.purgeExpired}, which emulates DynamoDB TTL.
 */
import { type Clock, ConditionFailedError, type RecordStore } from '../../core/ports';
import type { ApplicationRecord, RecordStatus } from '../../core/record';
import { RECORD_STATUSES } from '../../core/states';
import type { SqliteDatabase } from './sqlite-database';
import { appendRecordChange, parseStoredRecord } from './sqlite-record-changes';

export interface SqliteRecordStore extends RecordStore {
  /** Deletes records whose `expiresAt` is before `now`, each with a TTL REMOVE change; returns how many. */
  purgeExpired(now: Date): number;
}

interface RecordRow {
  application_id: string;
  version: number;
  expires_at: number;
  body: string;
}

function epochMs(iso: string, field: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new TypeError(`record ${field} is not a date: ${iso}`);
  return ms;
}

/** Refuses records the table could not index: the columns are derived from these fields. */
function columnsOf(record: ApplicationRecord): { statusChangedAt: number; expiresAt: number; body: string } {
  if (typeof record.applicationId !== 'string' || record.applicationId.length === 0) {
    throw new TypeError('record applicationId is required');
  }
  if (!Number.isSafeInteger(record.version) || record.version < 0) throw new TypeError('record version must be an integer');
  if (!(RECORD_STATUSES as readonly string[]).includes(record.status)) throw new TypeError(`unknown status ${record.status}`);
  return {
    statusChangedAt: epochMs(record.statusChangedAt, 'statusChangedAt'),
    expiresAt: epochMs(record.expiresAt, 'expiresAt'),
    body: JSON.stringify(record),
  };
}

export function createSqliteRecordStore(db: SqliteDatabase, options: { clock: Clock }): SqliteRecordStore {
  const { clock } = options;
  const selectRow = db.prepare<[string], RecordRow>(
    'SELECT application_id, version, expires_at, body FROM records WHERE application_id = ?',
  );
  const insertRow = db.prepare<[string, string, number, number, number, string]>(
    `INSERT INTO records (application_id, status, status_changed_at, expires_at, version, body)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const updateRow = db.prepare<[string, number, number, number, string, string, number]>(
    `UPDATE records SET status = ?, status_changed_at = ?, expires_at = ?, version = ?, body = ?
     WHERE application_id = ? AND version = ?`,
  );
  const deleteRow = db.prepare<[string]>('DELETE FROM records WHERE application_id = ?');
  const selectByStatus = db.prepare<[string, number, number, number], { body: string }>(
    `SELECT body FROM records WHERE status = ? AND status_changed_at < ? AND expires_at >= ?
     ORDER BY status_changed_at, application_id LIMIT ?`,
  );
  const selectExpired = db.prepare<[number], RecordRow>(
    'SELECT application_id, version, expires_at, body FROM records WHERE expires_at < ? ORDER BY expires_at',
  );

  /** Removes one expired row as the TTL sweep would, inside the caller's transaction. */
  const removeExpired = (row: RecordRow, at: Date): void => {
    deleteRow.run(row.application_id);
    appendRecordChange(db, {
      eventName: 'REMOVE',
      applicationId: row.application_id,
      oldImage: row.body,
      newImage: null,
      ttlRemoval: true,
      at,
    });
  };

  const create = db.transaction((record: ApplicationRecord, at: Date) => {
    const cols = columnsOf(record);
    const existing = selectRow.get(record.applicationId);
    if (existing) {
      if (existing.expires_at >= at.getTime()) throw new ConditionFailedError(`record ${record.applicationId} already exists`);
      removeExpired(existing, at);
    }
    insertRow.run(record.applicationId, record.status, cols.statusChangedAt, cols.expiresAt, record.version, cols.body);
    appendRecordChange(db, { eventName: 'INSERT', applicationId: record.applicationId, oldImage: null, newImage: cols.body, at });
  });

  const update = db.transaction((next: ApplicationRecord, expectedVersion: number, at: Date) => {
    const cols = columnsOf(next);
    if (next.version !== expectedVersion + 1) {
      throw new ConditionFailedError(`record version must advance from ${expectedVersion} to ${expectedVersion + 1}`);
    }
    const existing = selectRow.get(next.applicationId);
    if (!existing || existing.expires_at < at.getTime()) {
      throw new ConditionFailedError(`record ${next.applicationId} does not exist`);
    }
    if (existing.version !== expectedVersion) {
      throw new ConditionFailedError(`record ${next.applicationId} is at version ${existing.version}, not ${expectedVersion}`);
    }
    const changed = updateRow.run(
      next.status,
      cols.statusChangedAt,
      cols.expiresAt,
      next.version,
      cols.body,
      next.applicationId,
      expectedVersion,
    ).changes;
    if (changed !== 1) throw new ConditionFailedError();
    appendRecordChange(db, {
      eventName: 'MODIFY',
      applicationId: next.applicationId,
      oldImage: existing.body,
      newImage: cols.body,
      at,
    });
  });

  const remove = db.transaction((applicationId: string, at: Date) => {
    const existing = selectRow.get(applicationId);
    if (!existing) return;
    if (existing.expires_at < at.getTime()) {
      removeExpired(existing, at);
      return;
    }
    deleteRow.run(applicationId);
    appendRecordChange(db, { eventName: 'REMOVE', applicationId, oldImage: existing.body, newImage: null, at });
  });

  const purge = db.transaction((at: Date): number => {
    const rows = selectExpired.all(at.getTime());
    for (const row of rows) removeExpired(row, at);
    return rows.length;
  });

  return {
    async create(record) {
      create.immediate(record, clock.now());
    },
    async get(applicationId) {
      const row = selectRow.get(applicationId);
      if (!row || row.expires_at < clock.now().getTime()) return null;
      return parseStoredRecord(row.body);
    },
    async update(next, expectedVersion) {
      update.immediate(next, expectedVersion, clock.now());
    },
    async delete(applicationId) {
      remove.immediate(applicationId, clock.now());
    },
    async listByStatus(status: RecordStatus, before: Date, limit: number) {
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
      return selectByStatus.all(status, before.getTime(), clock.now().getTime(), limit).map((r) => parseStoredRecord(r.body));
    },
    purgeExpired(now) {
      return purge.immediate(now);
    },
  };
}
