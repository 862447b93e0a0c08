/**
 * Use case: expire applications whose uploads did not complete in time (DESIGN.md §3 EXPIRED).
 * The record keeps no personal data once expired; its objects are deleted.
 */
import { addSeconds } from '../core/dates';
import { type Clock, ConditionFailedError, type ObjectStore, type RecordStore } from '../core/ports';
import { withStatus } from '../core/record';
import type { RetentionPolicy } from '../core/retention';
import type { RecordStatus } from '../core/states';

export interface ExpireApplicationsDeps {
  readonly records: RecordStore;
  readonly quarantine: ObjectStore;
  readonly clean: ObjectStore;
  readonly clock: Clock;
  readonly retention: RetentionPolicy;
}

const WAITING: readonly RecordStatus[] = ['AWAITING_UPLOADS', 'SCANNING', 'RETAKE_REQUESTED', 'REJECTED'];

export async function expireApplications(deps: ExpireApplicationsDeps, limit = 100): Promise<number> {
  const now = deps.clock.now();
  const before = addSeconds(now, -deps.retention.uploadWindowSeconds);
  let expired = 0;
  for (const status of WAITING) {
    for (const record of await deps.records.listByStatus(status, before, limit)) {
      try {
        await deps.records.update(
          withStatus(record, 'EXPIRED', now, { application: null, statusReason: 'uploads-not-completed' }),
          record.version,
        );
      } catch (err) {
        if (err instanceof ConditionFailedError) continue;
        throw err;
      }
      expired += 1;
      await Promise.all(
        Object.values(record.uploads).flatMap((s) => [
          deps.quarantine.delete(s.key),
          s.cleanKey ? deps.clean.delete(s.cleanKey) : undefined,
        ]),
      );
    }
  }
  return expired;
}

/** States a record passes through on its own; one that stays in them this long is stuck. */
const MOVING: readonly RecordStatus[] = ['SCANNING', 'CHECKING', 'VETTED'];
export const STUCK_AFTER_SECONDS = 15 * 60;

/**
 * How many records sit in a state the pipeline should have moved them out of (an upload never
 * scanned, a check never finished, a release never sent): the expiry job publishes it as a
 * metric with an alarm, so nothing waits silently.
 */
export async function countStuckApplications(
  deps: Pick<ExpireApplicationsDeps, 'records' | 'clock'>,
  limit = 100,
): Promise<Record<string, number>> {
  const before = addSeconds(deps.clock.now(), -STUCK_AFTER_SECONDS);
  const counts: Record<string, number> = {};
  for (const status of MOVING) counts[status] = (await deps.records.listByStatus(status, before, limit)).length;
  return counts;
}
