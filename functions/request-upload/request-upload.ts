/**
 * Use case: a new upload grant for one slot (a retry, a re-upload after RETAKE or REJECTED).
 *
 * The slot gets a new upload id and key; events for the old key are ignored from then on, so a
 * replaced object is never promoted on an older verdict.
 */
import type { UploadGrantBody } from '../core/api';
import { UPLOAD_LIMITS } from '../core/api';
import {
  type Clock,
  ConditionFailedError,
  type IdGenerator,
  type ObjectStore,
  type RecordStore,
  type UploadGrantIssuer,
} from '../core/ports';
import { type UploadSlotName, withSlot } from '../core/record';
import { UPLOAD_OPEN_STATES } from '../core/states';
import { authorizedRecord } from '../get-status/get-status';
import { quarantineKey } from '../shared/object-keys';
import { issueSlotGrant } from './issue-slot-grant';

export interface RequestUploadDeps {
  readonly records: RecordStore;
  readonly grants: UploadGrantIssuer;
  readonly ids: IdGenerator;
  readonly clock: Clock;
  /** The superseded rebuilt image is deleted at once rather than left to the lifecycle rule. */
  readonly cleanObjects: ObjectStore;
}

export type RequestUploadResult =
  | { readonly ok: true; readonly upload: UploadGrantBody }
  | { readonly ok: false; readonly reason: 'not-found' | 'not-accepting-uploads' | 'too-many-uploads' };

export async function requestUpload(
  applicationId: string,
  token: string,
  slot: UploadSlotName,
  deps: RequestUploadDeps,
): Promise<RequestUploadResult> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const record = await authorizedRecord(deps.records, applicationId, token);
    if (!record) return { ok: false, reason: 'not-found' };
    if (!UPLOAD_OPEN_STATES.includes(record.status)) return { ok: false, reason: 'not-accepting-uploads' };
    const current = record.uploads[slot];
    if (current.grantsIssued >= UPLOAD_LIMITS.maxGrantsPerSlot) return { ok: false, reason: 'too-many-uploads' };

    const uploadId = deps.ids.uploadId();
    const key = quarantineKey({ applicationId, slot, uploadId });
    const now = deps.clock.now().toISOString();
    const next = {
      ...record,
      version: record.version + 1,
      updatedAt: now,
      uploads: withSlot(record, slot, {
        uploadId,
        key,
        state: 'AWAITING',
        grantsIssued: current.grantsIssued + 1,
        updatedAt: now,
      }),
    };
    try {
      await deps.records.update(next, record.version);
    } catch (err) {
      if (err instanceof ConditionFailedError) continue;
      throw err;
    }
    if (current.cleanKey) await deps.cleanObjects.delete(current.cleanKey);
    return { ok: true, upload: await issueSlotGrant(deps.grants, key) };
  }
  throw new ConditionFailedError('the application kept changing while a new upload was requested');
}
