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
