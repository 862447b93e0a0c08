/**
 * Use case: release a vetted record over the one-way bridge.
 *
 * Primary course: the record is VETTED; the rebuilt images are downscaled to fit the message
 * budget; the payload is signed and sent to the release queue with a deduplication id derived
 * from the record version (a retry sends the same release id, and the poller treats a second
 * copy as a no-op); then the record moves to RELEASED, drops its personal data (only the summary
 * the status page needs stays, until its deletion date) and the images are deleted.
 */
import { createHash } from 'node:crypto';
import type { ApplicationInput } from '../core/application';
import { addSeconds } from '../core/dates';
import type { Clock, ImageSanitizer, ObjectStore, Queue, RecordStore, Signer } from '../core/ports';
import { ConditionFailedError } from '../core/ports';
import { type ApplicationRecord, withStatus } from '../core/record';
import {
  RELEASE_MESSAGE_BUDGET_BYTES,
  RELEASE_SCHEMA_ID,
  type ReleaseEnvelope,
  type ReleasePayload,
  releasePayloadSchema,
} from '../core/release-message';
import type { RetentionPolicy } from '../core/retention';
import type { Verdict } from '../core/verdict';

export interface ReleaseRecordDeps {
  readonly records: RecordStore;
  readonly clean: ObjectStore;
  readonly sanitizer: ImageSanitizer;
  readonly signer: Signer;
  readonly releaseQueue: Queue;
  readonly clock: Clock;
  readonly retention: RetentionPolicy;
}

export type ReleaseOutcome =
  | { readonly kind: 'released'; readonly releaseId: string; readonly messageBytes: number }
  | { readonly kind: 'ignored'; readonly why: 'no-record' | 'not-vetted' }
  /** The message was sent, but the record left VETTED meanwhile (e.g. a rescan found an infected image). */
  | { readonly kind: 'sent-but-superseded'; readonly releaseId: string; readonly status: string };

/** Image sizes tried in turn until the message fits its budget. */
const IMAGE_STEPS = [
  { maxSide: 900, quality: 85 },
  { maxSide: 700, quality: 80 },
  { maxSide: 500, quality: 75 },
] as const;

export class ReleaseTooLargeError extends Error {
  constructor(bytes: number) {
    super(`release message of ${bytes} bytes does not fit the budget`);
    this.name = 'ReleaseTooLargeError';
  }
}

export async function releaseRecord(applicationId: string, deps: ReleaseRecordDeps): Promise<ReleaseOutcome> {
  const record = await deps.records.get(applicationId);
  if (!record) return { kind: 'ignored', why: 'no-record' };
  if (record.status !== 'VETTED' || !record.application || !record.verdict) return { kind: 'ignored', why: 'not-vetted' };

  const now = deps.clock.now();
  const releaseId = `${record.applicationId}.${record.version}`;
  const envelope = await buildEnvelope(
    { ...record, application: record.application, verdict: record.verdict },
    releaseId,
    now,
    deps,
  );
  const body = JSON.stringify(envelope);
  await deps.releaseQueue.send(body, { deduplicationId: releaseId });

  const released = withStatus(record, 'RELEASED', now, {
    application: null,
    releasedAt: now.toISOString(),
    releaseId,
    expiresAt: addSeconds(now, deps.retention.releasedSummarySeconds).toISOString(),
  });
  try {
    await deps.records.update(released, record.version);
  } catch (err) {
    if (!(err instanceof ConditionFailedError)) throw err;
    const now = await deps.records.get(record.applicationId);
    // A duplicate event released it concurrently: it sent the same release id, which the poller ignores.
    if (now?.status !== 'RELEASED' || now.releaseId !== releaseId) {
      // The record moved while the message was being built (a rescan rejected it): the message
      // has left. Keep the images for the investigation and report it loudly.
      return { kind: 'sent-but-superseded', releaseId, status: now?.status ?? 'DELETED' };
    }
  }
  await Promise.all(Object.values(record.uploads).map((s) => (s.cleanKey ? deps.clean.delete(s.cleanKey) : undefined)));
  return { kind: 'released', releaseId, messageBytes: Buffer.byteLength(body) };
}

type VettedRecord = ApplicationRecord & { readonly application: ApplicationInput; readonly verdict: Verdict };

async function buildEnvelope(
  record: VettedRecord,
  releaseId: string,
  now: Date,
  deps: ReleaseRecordDeps,
): Promise<ReleaseEnvelope> {
  const { photo, idCard } = record.uploads;
  if (!photo.cleanKey || !idCard.cleanKey) throw new Error('vetted record without rebuilt images');
  const [photoObj, idObj] = await Promise.all([deps.clean.get(photo.cleanKey), deps.clean.get(idCard.cleanKey)]);
  if (!photoObj || !idObj) throw new Error('rebuilt image missing from the clean bucket');

  for (const step of IMAGE_STEPS) {
    const [p, i] = await Promise.all([
      deps.sanitizer.downscale(photoObj.body, step.maxSide, step.quality),
      deps.sanitizer.downscale(idObj.body, step.maxSide, step.quality),
    ]);
    const payload: ReleasePayload = releasePayloadSchema.parse({
      schema: RELEASE_SCHEMA_ID,
      releaseId,
      applicationId: record.applicationId,
      releasedAt: now.toISOString(),
      retainUntil: addSeconds(now, deps.retention.onPremRetainSeconds).toISOString(),
      application: record.application,
      verdict: { outcome: record.verdict.outcome, reasons: record.verdict.reasons, decidedAt: record.verdict.decidedAt },
      findings: record.findings,
      fee: record.summary.fee,
      images: { photo: imagePart(p), idCard: imagePart(i) },
      scan: { photo: photo.signatureScan ?? 'not-run', idCard: idCard.signatureScan ?? 'not-run' },
    });
    const bytes = Buffer.from(JSON.stringify(payload), 'utf8');
    if (bytes.length > RELEASE_MESSAGE_BUDGET_BYTES) continue;
    const signature = await deps.signer.sign(bytes);
    return {
      payload: bytes.toString('utf8'),
      signature: Buffer.from(signature).toString('base64'),
      keyId: deps.signer.keyId,
      algorithm: deps.signer.algorithm,
    };
  }
  throw new ReleaseTooLargeError(RELEASE_MESSAGE_BUDGET_BYTES);
}

function imagePart(img: { output: Uint8Array; width: number; height: number }) {
  return {
    contentType: 'image/jpeg' as const,
    data: Buffer.from(img.output).toString('base64'),
    sha256: createHash('sha256').update(img.output).digest('hex'),
    width: img.width,
    height: img.height,
  };
}
