/**
 * Use case: create an application.
 *
 * Primary course: validate the form with the shared schema (as of today in Taipei), allocate a
 * non-enumerable application number and a secret status token, stage the record in
 * AWAITING_UPLOADS with its deletion date, and return an upload grant per slot.
 */
import type { z } from 'zod';
import type { CreateApplicationResponse } from '../core/api';
import { ADULT_AGE, applicantAge, applicationSchema, passportFee } from '../core/application';
import { addSeconds } from '../core/dates';
import type { Clock, IdGenerator, RecordStore, UploadGrantIssuer } from '../core/ports';
import { type ApplicationRecord, UPLOAD_SLOTS, type UploadSlot, type UploadSlotName } from '../core/record';
import type { RetentionPolicy } from '../core/retention';
import { issueSlotGrant } from '../request-upload/issue-slot-grant';
import { quarantineKey } from '../shared/object-keys';
import { hashToken } from '../shared/tokens';

export interface CreateApplicationDeps {
  readonly records: RecordStore;
  readonly grants: UploadGrantIssuer;
  readonly ids: IdGenerator;
  readonly clock: Clock;
  readonly retention: RetentionPolicy;
}

export type CreateApplicationResult =
  | { readonly ok: true; readonly response: CreateApplicationResponse }
  | { readonly ok: false; readonly issues: z.core.$ZodIssue[] };

export async function createApplication(input: unknown, deps: CreateApplicationDeps): Promise<CreateApplicationResult> {
  const now = deps.clock.now();
  const parsed = applicationSchema(now).safeParse(input);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues };
  const application = parsed.data;

  const applicationId = deps.ids.applicationId();
  const statusToken = deps.ids.secretToken();
  const expiresAt = addSeconds(now, deps.retention.recordTtlSeconds).toISOString();
  const iso = now.toISOString();

  const slots = {} as Record<UploadSlotName, UploadSlot>;
  for (const slot of UPLOAD_SLOTS) {
    const uploadId = deps.ids.uploadId();
    slots[slot] = {
      uploadId,
      key: quarantineKey({ applicationId, slot, uploadId }),
      state: 'AWAITING',
      grantsIssued: 1,
      updatedAt: iso,
    };
  }

  const record: ApplicationRecord = {
    applicationId,
    tokenHash: hashToken(statusToken),
    version: 1,
    status: 'AWAITING_UPLOADS',
    createdAt: iso,
    updatedAt: iso,
    statusChangedAt: iso,
    expiresAt,
    application,
    summary: {
      applicationType: application.applicationType,
      fee: passportFee(application, now),
      minor: applicantAge(application, now) < ADULT_AGE,
      submittedByAgency: application.submitter.kind === 'AGENCY',
    },
    uploads: slots,
    findings: [],
    verdict: null,
  };
  await deps.records.create(record);

  const [photo, idCard] = await Promise.all([
    issueSlotGrant(deps.grants, slots.photo.key),
    issueSlotGrant(deps.grants, slots.idCard.key),
  ]);
  return { ok: true, response: { applicationId, statusToken, uploads: { photo, idCard }, expiresAt } };
}
