/**
 * A queue with SQS semantics on the shared SQLite file: at-least-once delivery, visibility
 * timeout, receive count, a new receipt handle per receive, redrive to a dead-letter queue after
 * `maxReceiveCount` receives, delay, retention, long polling and a five-minute deduplication
 * window for messages sent with a deduplication id.
 *
 * Long polls wake at once for sends from this process (an in-process notifier per database) and
 * poll the table every `pollIntervalMs` for sends from other processes sharing the file.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Clock, Queue, ReceivedMessage } from '../../core/ports';
import type { SqliteDatabase } from './sqlite-database';

export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
export const DEFAULT_RETENTION_SECONDS = 4 * 24 * 3600;
export const DEDUPLICATION_WINDOW_SECONDS = 5 * 60;
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 12 * 3600;
export const MAX_WAIT_SECONDS = 20;
export const MAX_DELAY_SECONDS = 15 * 60;

export interface SqliteQueueOptions {
  readonly name: string;
  /** Default visibility timeout of a received message (0–43200 s). */
  readonly visibilityTimeoutSeconds: number;
  /** Receives after which a message moves to `deadLetterQueue` instead (both or neither). */
  readonly maxReceiveCount?: number;
  readonly deadLetterQueue?: string;
  readonly maxMessageBytes?: number;
  /** Messages older than this are dropped (SQS: 60 s – 14 days). */
  readonly retentionSeconds?: number;
  readonly clock?: Clock;
  /** How often a long poll looks at the table for messages from other processes. */
  readonly pollIntervalMs?: number;
}

export interface SqliteQueue extends Queue {
  /** Ends pending long polls of this queue object (they resolve with what they have, usually []). */
  close(): void;
}

/** Thrown for a stale or unknown receipt handle (SQS `ReceiptHandleIsInvalid`). */
export class ReceiptHandleInvalidError extends Error {
  constructor(queue: string) {
    super(`receipt handle is not valid for queue ${queue}: the message was deleted or received again since`);
    this.name = 'ReceiptHandleInvalidError';
  }
}

/** Thrown when changing the visibility of a message that is not in flight (SQS `MessageNotInflight`). */
export class MessageNotInflightError extends Error {
  constructor(queue: string) {
    super(`message is not in flight on queue ${queue}: its visibility timeout has already expired`);
    this.name = 'MessageNotInflightError';
  }
}

/** Thrown when a message body exceeds the queue's size limit. */
export class MessageTooLargeError extends Error {
  constructor(
    readonly sizeBytes: number,
    readonly maxBytes: number,
    queue: string,
  ) {
    super(`message of ${sizeBytes} bytes exceeds the ${maxBytes}-byte limit of queue ${queue}`);
    this.name = 'MessageTooLargeError';
  }
}

const notifiers = new WeakMap<SqliteDatabase, EventEmitter>();

function notifierOf(db: SqliteDatabase): EventEmitter {
  let emitter = notifiers.get(db);
  if (!emitter) {
    emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    notifiers.set(db, emitter);
  }
  return emitter;
}

function assertInteger(value: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

interface MessageRow {
  seq: number;
  message_id: string;
  body: string;
  sent_at: number;
  receive_count: number;
}

interface QueueConfigRow {
  retention_s: number;
}

export function createSqliteQueue(db: SqliteDatabase, options: SqliteQueueOptions): SqliteQueue {
  const name = options.name;
  if (!QUEUE_NAME.test(name)) throw new RangeError(`invalid queue name ${JSON.stringify(name)}`);
  assertInteger(options.visibilityTimeoutSeconds, 0, MAX_VISIBILITY_TIMEOUT_SECONDS, 'visibilityTimeoutSeconds');
  const retentionSeconds = options.retentionSeconds ?? DEFAULT_RETENTION_SECONDS;
  assertInteger(retentionSeconds, 1, 14 * 24 * 3600, 'retentionSeconds');
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  assertInteger(maxMessageBytes, 1, DEFAULT_MAX_MESSAGE_BYTES, 'maxMessageBytes');
  const { maxReceiveCount, deadLetterQueue } = options;
  if ((maxReceiveCount === undefined) !== (deadLetterQueue === undefined)) {
    throw new RangeError('maxReceiveCount and deadLetterQueue go together');
  }
  if (maxReceiveCount !== undefined) assertInteger(maxReceiveCount, 1, 1000, 'maxReceiveCount');
  if (deadLetterQueue !== undefined && (!QUEUE_NAME.test(deadLetterQueue) || deadLetterQueue === name)) {
    throw new RangeError(`invalid dead-letter queue ${JSON.stringify(deadLetterQueue)}`);
  }
  const pollIntervalMs = options.pollIntervalMs ?? 150;
  const now = () => (options.clock ?? systemNow).now().getTime();
  const notifier = notifierOf(db);
  const closer = new EventEmitter();
  closer.setMaxListeners(0);
  let closed = false;

  db.prepare(
    `INSERT INTO queues (name, visibility_timeout_s, retention_s, max_receive_count, dead_letter_queue, max_message_bytes)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET visibility_timeout_s = excluded.visibility_timeout_s, retention_s = excluded.retention_s,
       max_receive_count = excluded.max_receive_count, dead_letter_queue = excluded.dead_letter_queue,
       max_message_bytes = excluded.max_message_bytes`,
  ).run(
    name,
    options.visibilityTimeoutSeconds,
    retentionSeconds,
    maxReceiveCount ?? null,
    deadLetterQueue ?? null,
    maxMessageBytes,
  );

  const insertMessage = db.prepare<[string, string, string, number, number, number]>(
    `INSERT INTO queue_messages (queue, message_id, body, sent_at, visible_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const selectDedup = db.prepare<[string, string, number], { message_id: string }>(
    'SELECT message_id FROM queue_dedup WHERE queue = ? AND deduplication_id = ? AND expires_at > ?',
  );
  const upsertDedup = db.prepare<[string, string, string, number]>(
    `INSERT INTO queue_dedup (queue, deduplication_id, message_id, expires_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (queue, deduplication_id) DO UPDATE SET message_id = excluded.message_id, expires_at = excluded.expires_at`,
  );
  const deleteOldDedup = db.prepare<[string, number]>('DELETE FROM queue_dedup WHERE queue = ? AND expires_at <= ?');
  const deleteExpired = db.prepare<[string, number]>('DELETE FROM queue_messages WHERE queue = ? AND expires_at <= ?');
  const selectVisible = db.prepare<[string, number, number, number], MessageRow>(
    `SELECT seq, message_id, body, sent_at, receive_count FROM queue_messages
     WHERE queue = ? AND visible_at <= ? AND seq > ? ORDER BY seq LIMIT ?`,
  );
  const markReceived = db.prepare<[number, string, number]>(
    'UPDATE queue_messages SET visible_at = ?, receive_count = receive_count + 1, receipt_handle = ? WHERE seq = ?',
  );
  const selectRetention = db.prepare<[string], QueueConfigRow>('SELECT retention_s FROM queues WHERE name = ?');
  const moveToDeadLetter = db.prepare<[string, number, number, string, number, string]>(
    `UPDATE queue_messages SET queue = ?, visible_at = ?, expires_at = ?, receive_count = 0, receipt_handle = NULL,
       dead_lettered_from = ? WHERE seq = ? AND queue = ?`,
  );
  const deleteByHandle = db.prepare<[string, string]>('DELETE FROM queue_messages WHERE queue = ? AND receipt_handle = ?');
  const selectByHandle = db.prepare<[string, string], { seq: number; visible_at: number }>(
    'SELECT seq, visible_at FROM queue_messages WHERE queue = ? AND receipt_handle = ?',
  );
  const setVisibleAt = db.prepare<[number, number]>('UPDATE queue_messages SET visible_at = ? WHERE seq = ?');

  const sendTx = db.transaction(
    (
      body: string,
      at: number,
      delaySeconds: number,
      deduplicationId: string | undefined,
    ): { messageId: string; fresh: boolean } => {
      if (deduplicationId !== undefined) {
        deleteOldDedup.run(name, at);
        const seen = selectDedup.get(name, deduplicationId, at);
        if (seen) return { messageId: seen.message_id, fresh: false };
      }
      const messageId = randomUUID();
      insertMessage.run(name, messageId, body, at, at + delaySeconds * 1000, at + retentionSeconds * 1000);
      if (deduplicationId !== undefined) {
        upsertDedup.run(name, deduplicationId, messageId, at + DEDUPLICATION_WINDOW_SECONDS * 1000);
      }
      return { messageId, fresh: true };
    },
  );

  const receiveTx = db.transaction(
    (maxMessages: number, visibilityMs: number, at: number): { messages: ReceivedMessage[]; deadLettered: number } => {
      deleteExpired.run(name, at);
      const messages: ReceivedMessage[] = [];
      let deadLettered = 0;
      // A cursor, so a message received with a zero visibility timeout is not returned twice.
      let afterSeq = 0;
      while (messages.length < maxMessages) {
        const rows = selectVisible.all(name, at, afterSeq, maxMessages - messages.length);
        if (rows.length === 0) break;
        for (const row of rows) {
          afterSeq = row.seq;
          if (maxReceiveCount !== undefined && deadLetterQueue !== undefined && row.receive_count >= maxReceiveCount) {
            // SQS redrive: the receive that would exceed maxReceiveCount moves the message instead.
            const dlqRetention = selectRetention.get(deadLetterQueue)?.retention_s ?? 14 * 24 * 3600;
            moveToDeadLetter.run(deadLetterQueue, at, row.sent_at + dlqRetention * 1000, name, row.seq, name);
            deadLettered++;
            continue;
          }
          const receiptHandle = randomBytes(24).toString('base64url');
          markReceived.run(at + visibilityMs, receiptHandle, row.seq);
          messages.push({
            messageId: row.message_id,
            receiptHandle,
            body: row.body,
            receiveCount: row.receive_count + 1,
            sentAt: new Date(row.sent_at),
          });
        }
      }
      return { messages, deadLettered };
    },
  );

  const anyVisible = db.prepare<[string, number], { one: number }>(
    'SELECT 1 AS one FROM queue_messages WHERE queue = ? AND visible_at <= ? LIMIT 1',
  );

  const receiveNow = (maxMessages: number, visibilityMs: number): ReceivedMessage[] => {
    const at = now();
    // A cheap read first, so idle long polls do not take the write lock on every tick.
    if (!anyVisible.get(name, at)) return [];
    const { messages, deadLettered } = receiveTx.immediate(maxMessages, visibilityMs, at);
    if (deadLettered > 0 && deadLetterQueue !== undefined) notifier.emit(deadLetterQueue);
    return messages;
  };

  /** Resolves on a send to this queue in this process, on close, or after `ms`. */
  const waitForSignal = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        notifier.off(name, done);
        closer.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      notifier.on(name, done);
      closer.on('close', done);
    });

  return {
    name,
    async send(body, sendOptions = {}) {
      if (typeof body !== 'string' || body.length === 0) throw new RangeError(`message body for queue ${name} must not be empty`);
      const size = Buffer.byteLength(body, 'utf8');
      if (size > maxMessageBytes) throw new MessageTooLargeError(size, maxMessageBytes, name);
      const delaySeconds = sendOptions.delaySeconds ?? 0;
      assertInteger(delaySeconds, 0, MAX_DELAY_SECONDS, 'delaySeconds');
      const dedup = sendOptions.deduplicationId;
      if (dedup !== undefined && (dedup.length === 0 || dedup.length > 128)) {
        throw new RangeError('deduplicationId must be 1-128 characters');
      }
      const result = sendTx.immediate(body, now(), delaySeconds, dedup);
      if (result.fresh) notifier.emit(name);
      return { messageId: result.messageId };
    },
    async receive(receiveOptions) {
      assertInteger(receiveOptions.maxMessages, 1, 10, 'maxMessages');
      assertInteger(receiveOptions.waitSeconds, 0, MAX_WAIT_SECONDS, 'waitSeconds');
      const visibility = receiveOptions.visibilityTimeoutSeconds ?? options.visibilityTimeoutSeconds;
      assertInteger(visibility, 0, MAX_VISIBILITY_TIMEOUT_SECONDS, 'visibilityTimeoutSeconds');
      const deadline = performance.now() + receiveOptions.waitSeconds * 1000;
      for (;;) {
        const messages = receiveNow(receiveOptions.maxMessages, visibility * 1000);
        const left = deadline - performance.now();
        if (messages.length > 0 || left <= 0 || closed) return messages;
        await waitForSignal(Math.min(pollIntervalMs, left));
      }
    },
    async delete(receiptHandle) {
      if (deleteByHandle.run(name, receiptHandle).changes !== 1) throw new ReceiptHandleInvalidError(name);
    },
    async changeVisibility(receiptHandle, timeoutSeconds) {
      assertInteger(timeoutSeconds, 0, MAX_VISIBILITY_TIMEOUT_SECONDS, 'timeoutSeconds');
      const at = now();
      const row = selectByHandle.get(name, receiptHandle);
      if (!row) throw new ReceiptHandleInvalidError(name);
      if (row.visible_at <= at) throw new MessageNotInflightError(name);
      setVisibleAt.run(at + timeoutSeconds * 1000, row.seq);
      if (timeoutSeconds === 0) notifier.emit(name);
    },
    close() {
      closed = true;
      closer.emit('close');
    },
  };
}

const systemNow: Clock = { now: () => new Date() };

export interface QueueDepth {
  /** Messages a receive would return now. */
  readonly visible: number;
  /** Received and not yet deleted, within their visibility timeout. */
  readonly inFlight: number;
  /** Sent with a delay that has not passed yet. */
  readonly delayed: number;
}

/** Approximate depth of queue `name` (SQS `ApproximateNumberOfMessages*`), for monitoring. */
export function approximateDepth(db: SqliteDatabase, name: string, at: Date = new Date()): QueueDepth {
  const t = at.getTime();
  const row = db
    .prepare<
      [number, number, number, string, number],
      { visible: number | null; inFlight: number | null; delayed: number | null }
    >(
      `SELECT
         sum(visible_at <= ?) AS visible,
         sum(visible_at > ? AND receive_count > 0) AS inFlight,
         sum(visible_at > ? AND receive_count = 0) AS delayed
       FROM queue_messages WHERE queue = ? AND expires_at > ?`,
    )
    .get(t, t, t, name, t);
  return { visible: row?.visible ?? 0, inFlight: row?.inFlight ?? 0, delayed: row?.delayed ?? 0 };
}

/** Drops messages past their queue's retention in every queue; returns how many. */
export function purgeExpiredMessages(db: SqliteDatabase, at: Date = new Date()): number {
  const t = at.getTime();
  const removed = db.prepare<[number]>('DELETE FROM queue_messages WHERE expires_at <= ?').run(t).changes;
  db.prepare<[number]>('DELETE FROM queue_dedup WHERE expires_at <= ?').run(t);
  return removed;
}
