/**
 * Use case: scan one uploaded object named by an S3 ObjectCreated event.
 *
 * Primary course: the key names an application, a slot and the upload id the server issued; the
 * record still expects exactly that upload; the object is vetted (see `vet-upload.ts`); the
 * decision is written to the record (conditional); the rebuilt image goes to the clean bucket;
 * the original is deleted from quarantine. Events for unknown, stale or already-decided uploads
 * change nothing (S3 and SQS deliver at least once).
 *
 * The record is written before the clean object, so the face stage (triggered by the clean
 * object) always finds the decision; if the process dies in between, the retried event finds the
 * slot CLEAN, the original still in quarantine, and finishes the job.
 */
import { createHash } from 'node:crypto';
import { type Clock, ConditionFailedError, type ObjectStore, type RecordStore } from '../core/ports';
import { type ApplicationRecord, type UploadSlot, withSlot, withStatus } from '../core/record';
import { cleanKey, parseQuarantineKey, type UploadRef } from '../shared/object-keys';
import type { ObjectCreated } from '../shared/s3-events';
import { type VetOutcome, type VetUploadDeps, vetUpload } from './vet-upload';

export interface ScanUploadDeps extends VetUploadDeps {
  readonly records: RecordStore;
  readonly quarantine: ObjectStore;
  readonly clean: ObjectStore;
  readonly clock: Clock;
  /** Called on a signature hit: the incident keeps the hash, size and signature name, never the bytes. */
  readonly onIncident?: (incident: {
    applicationId: string;
    slot: string;
    sha256: string;
    size: number;
    signature: string;
  }) => void;
}

export type ScanUploadOutcome =
  | { readonly kind: 'accepted' | 'rejected'; readonly ref: UploadRef; readonly code?: string }
  | {
      readonly kind: 'ignored';
      readonly why: 'not-our-key' | 'no-record' | 'stale-upload' | 'already-decided' | 'not-accepting' | 'superseded';
    };

/** States after which nothing of an upload may be written again (the clean image was deleted on purpose). */
const FINAL: ReadonlySet<ApplicationRecord['status']> = new Set(['RELEASED', 'EXPIRED']);

/** States in which an arriving upload is scanned. */
const SCANNABLE: ReadonlySet<ApplicationRecord['status']> = new Set([
  'AWAITING_UPLOADS',
  'SCANNING',
  'RETAKE_REQUESTED',
  'REJECTED',
]);

export async function scanUpload(event: ObjectCreated, deps: ScanUploadDeps): Promise<ScanUploadOutcome> {
  const ref = parseQuarantineKey(event.key);
  if (!ref) return { kind: 'ignored', why: 'not-our-key' };

  const record = await deps.records.get(ref.applicationId);
  if (!record) {
    await deps.quarantine.delete(event.key);
    return { kind: 'ignored', why: 'no-record' };
  }
  const slot = record.uploads[ref.slot];
  if (slot.uploadId !== ref.uploadId) {
    await deps.quarantine.delete(event.key);
    return { kind: 'ignored', why: 'stale-upload' };
  }
  if (slot.state === 'REJECTED') {
    await deps.quarantine.delete(event.key);
    return { kind: 'ignored', why: 'already-decided' };
  }

  if (slot.state === 'CLEAN') return finishDecided(event, record, ref, deps);
  const object = await deps.quarantine.get(event.key, event.versionId);
  if (!object) {
    // The same grant was used twice: a newer version replaced this one, and its own event
    // follows. This event's version is never promoted.
    if (event.versionId && (await deps.quarantine.get(event.key))) return { kind: 'ignored', why: 'superseded' };
    // Not visible yet, or deleted by a concurrent duplicate: retry (then the dead-letter queue).
    throw new Error('quarantined object not found');
  }

  if (!SCANNABLE.has(record.status)) {
    await deps.quarantine.delete(event.key);
    return { kind: 'ignored', why: 'not-accepting' };
  }
  await markScanning(record, ref, deps);

  const outcome = await vetUpload(object.body, { ...deps, measureStatistics: ref.slot === 'photo' });
  if (outcome.outcome === 'rejected' && outcome.signature && deps.onIncident) {
    deps.onIncident({
      applicationId: ref.applicationId,
      sha256: createHash('sha256').update(object.body).digest('hex'),
      size: object.body.length,
      signature: outcome.signature,
      slot: ref.slot,
    });
  }
  const decided = await recordDecision(ref, outcome, object.versionId, deps);
  if (decided && outcome.outcome === 'accepted') {
    const fresh = await deps.records.get(ref.applicationId);
    const expiresAt = new Date(fresh?.expiresAt ?? record.expiresAt);
    await deps.clean.put(cleanKey(ref), outcome.output, { contentType: 'image/jpeg', expiresAt });
  }
  await deps.quarantine.delete(event.key);
  return outcome.outcome === 'accepted' ? { kind: 'accepted', ref } : { kind: 'rejected', ref, code: outcome.code };
}

/**
 * An event for an upload whose decision is already on the record: a duplicate, a retry after a
 * crash between the decision and the rebuilt image, or the same grant used twice.
 * - a different version of the original than the one decided on is never promoted: deleted;
 * - the rebuilt image is written if it is missing (the retried crash case), whatever the record's
 *   status, unless the record is released or expired (its images were deleted on purpose);
 * - otherwise only the leftover original is deleted.
 */
async function finishDecided(
  event: ObjectCreated,
  record: ApplicationRecord,
  ref: UploadRef,
  deps: ScanUploadDeps,
): Promise<ScanUploadOutcome> {
  const slot = record.uploads[ref.slot];
  const object = FINAL.has(record.status) ? null : await deps.quarantine.get(event.key, event.versionId);
  if (!object) {
    if (FINAL.has(record.status)) await deps.quarantine.delete(event.key);
    return { kind: 'ignored', why: 'already-decided' };
  }
  if (slot.sourceVersionId !== undefined && object.versionId !== slot.sourceVersionId) {
    await deps.quarantine.delete(event.key);
    return { kind: 'ignored', why: 'superseded' };
  }
  if (slot.cleanKey && (await deps.clean.get(slot.cleanKey))) {
    await deps.quarantine.delete(event.key);
    return { kind: 'ignored', why: 'already-decided' };
  }
  const outcome = await vetUpload(object.body, { ...deps, measureStatistics: ref.slot === 'photo' });
  if (outcome.outcome === 'accepted') {
    await deps.clean.put(cleanKey(ref), outcome.output, { contentType: 'image/jpeg', expiresAt: new Date(record.expiresAt) });
  }
  await deps.quarantine.delete(event.key);
  return outcome.outcome === 'accepted' ? { kind: 'accepted', ref } : { kind: 'rejected', ref, code: outcome.code };
}

async function markScanning(record: ApplicationRecord, ref: UploadRef, deps: ScanUploadDeps): Promise<void> {
  const now = deps.clock.now();
  const slot = record.uploads[ref.slot];
  if (slot.state === 'SCANNING' && record.status === 'SCANNING') return;
  const next = withStatus(record, 'SCANNING', now, {
    uploads: withSlot(record, ref.slot, { ...slot, state: 'SCANNING', updatedAt: now.toISOString() }),
  });
  try {
    await deps.records.update(next, record.version);
  } catch (err) {
    if (!(err instanceof ConditionFailedError)) throw err;
    // Another event moved the record on; the decision below re-reads it.
  }
}

/**
 * Writes the scan decision for the slot, retrying on concurrent changes (the other slot's scan).
 * Returns false when the record no longer expects this upload.
 */
async function recordDecision(
  ref: UploadRef,
  outcome: VetOutcome,
  sourceVersionId: string,
  deps: ScanUploadDeps,
): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const record = await deps.records.get(ref.applicationId);
    if (!record) return false;
    const slot = record.uploads[ref.slot];
    if (slot.uploadId !== ref.uploadId || slot.state === 'CLEAN' || slot.state === 'REJECTED') return slot.state === 'CLEAN';
    if (!SCANNABLE.has(record.status)) return false;
    const next = decide(record, ref, { ...slot, sourceVersionId }, outcome, deps.clock.now());
    try {
      await deps.records.update(next, record.version);
      return true;
    } catch (err) {
      if (!(err instanceof ConditionFailedError)) throw err;
    }
  }
  throw new ConditionFailedError('the record kept changing while the scan decision was written');
}

function decide(record: ApplicationRecord, ref: UploadRef, slot: UploadSlot, outcome: VetOutcome, now: Date): ApplicationRecord {
  const at = now.toISOString();
  if (outcome.outcome === 'rejected') {
    const rejected: UploadSlot = { ...slot, state: 'REJECTED', reason: outcome.code, updatedAt: at };
    return withStatus(record, 'REJECTED', now, {
      statusReason: `${ref.slot}:${outcome.code}`,
      uploads: withSlot(record, ref.slot, rejected),
    });
  }
  const accepted: UploadSlot = {
    ...slot,
    state: 'CLEAN',
    cleanKey: cleanKey(ref),
    width: outcome.width,
    height: outcome.height,
    signatureScan: outcome.signatureScan,
    // The photo rules read the photo's statistics in the face stage; a new upload replaces the old ones.
    stats: outcome.stats,
    updatedAt: at,
  };
  const uploads = withSlot(record, ref.slot, accepted);
  const allClean = Object.values(uploads).every((s) => s.state === 'CLEAN');
  const otherRejected = Object.values(uploads).some((s) => s.state === 'REJECTED');
  const status = allClean ? 'CHECKING' : otherRejected ? 'REJECTED' : 'SCANNING';
  return withStatus(record, status, now, { uploads, ...(status === 'REJECTED' ? {} : { statusReason: undefined }) });
}
