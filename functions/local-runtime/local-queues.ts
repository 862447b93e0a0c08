/** The embedded runtime's queues and their redrive settings, shared with the stand-alone poller. */
import type { SqliteDatabase } from '../adapters/local/sqlite-database';
import { createSqliteQueue, type SqliteQueue } from '../adapters/local/sqlite-queue';
import type { Clock } from '../core/ports';

export type QueueName = 'scan' | 'scan-dlq' | 'face' | 'face-dlq' | 'release' | 'release-dlq' | 'release-stream-failures';

export interface LocalQueueSettings {
  /** Seconds a failed message stays invisible before it is retried. */
  readonly retryAfterSeconds: number;
  /** Receives before a message goes to its dead-letter queue. */
  readonly maxReceiveCount: number;
}

export const DEFAULT_QUEUE_SETTINGS: LocalQueueSettings = { retryAfterSeconds: 30, maxReceiveCount: 3 };

export function openLocalQueues(
  db: SqliteDatabase,
  clock: Clock,
  settings: LocalQueueSettings = DEFAULT_QUEUE_SETTINGS,
): Record<QueueName, SqliteQueue> {
  const q = (name: QueueName, visibilityTimeoutSeconds: number, dlq?: QueueName) =>
    createSqliteQueue(db, {
      name,
      visibilityTimeoutSeconds,
      clock,
      ...(dlq ? { deadLetterQueue: dlq, maxReceiveCount: settings.maxReceiveCount } : {}),
    });
  return {
    'scan-dlq': q('scan-dlq', 30),
    'face-dlq': q('face-dlq', 30),
    'release-dlq': q('release-dlq', 30),
    'release-stream-failures': q('release-stream-failures', 30),
    scan: q('scan', settings.retryAfterSeconds, 'scan-dlq'),
    face: q('face', Math.max(settings.retryAfterSeconds, 60), 'face-dlq'),
    release: q('release', settings.retryAfterSeconds, 'release-dlq'),
  };
}
