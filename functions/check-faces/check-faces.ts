/**
 * Use case: the face check, once both rebuilt images are in the clean bucket.
 *
 * Primary course: the clean object's key names an application whose record is CHECKING and still
 * expects that upload; the photo rules are measured on the photo, the photo's face is compared
 * with the ID card's portrait, the verdict is decided, and the record moves to VETTED (CLEAR or
 * REVIEW) or RETAKE_REQUESTED. Both slots' events may arrive; the conditional write lets exactly
 * one decide, the other finds the record moved on and does nothing.
 */
import { ADULT_AGE, applicantAge } from '../core/application';
import { evaluateComparison, evaluatePhoto, type PhotoRuleThresholds } from '../core/photo-rules';
import { type Clock, ConditionFailedError, type FaceAnalyzer, type ObjectStore, type RecordStore } from '../core/ports';
import { withStatus } from '../core/record';
import { decideVerdict, type VerdictOutcome } from '../core/verdict';
import { parseCleanKey } from '../shared/object-keys';
import type { ObjectCreated } from '../shared/s3-events';

export interface CheckFacesDeps {
  readonly records: RecordStore;
  readonly clean: ObjectStore;
  readonly faces: FaceAnalyzer;
  readonly clock: Clock;
  readonly thresholds: PhotoRuleThresholds;
}

export type CheckFacesOutcome =
  | { readonly kind: 'decided'; readonly applicationId: string; readonly outcome: VerdictOutcome }
  | {
      readonly kind: 'ignored';
      readonly why: 'not-our-key' | 'no-record' | 'not-checking' | 'stale-upload' | 'decided-elsewhere';
    };

export class CleanImageMissingError extends Error {
  constructor() {
    super('a rebuilt image the record names is not in the clean bucket yet');
    this.name = 'CleanImageMissingError';
  }
}

export async function checkFaces(event: ObjectCreated, deps: CheckFacesDeps): Promise<CheckFacesOutcome> {
  const ref = parseCleanKey(event.key);
  if (!ref) return { kind: 'ignored', why: 'not-our-key' };
  const record = await deps.records.get(ref.applicationId);
  if (!record) return { kind: 'ignored', why: 'no-record' };
  if (record.status !== 'CHECKING') return { kind: 'ignored', why: 'not-checking' };
  if (record.uploads[ref.slot].uploadId !== ref.uploadId) return { kind: 'ignored', why: 'stale-upload' };
  const { photo, idCard } = record.uploads;
  if (!photo.cleanKey || !idCard.cleanKey || !record.application) return { kind: 'ignored', why: 'not-checking' };

  const [photoObj, idObj] = await Promise.all([deps.clean.get(photo.cleanKey), deps.clean.get(idCard.cleanKey)]);
  if (!photoObj || !idObj) throw new CleanImageMissingError();

  const portrait = await deps.faces.analyzePortrait(photoObj.body);
  const comparison = await deps.faces.compareFaces(photoObj.body, idObj.body);
  const findings = [...evaluatePhoto(portrait, photo.stats, deps.thresholds), ...evaluateComparison(comparison, deps.thresholds)];

  const now = deps.clock.now();
  const verdict = decideVerdict({
    findings,
    applicantIsMinor: applicantAge(record.application, now) < ADULT_AGE,
    submittedByAgency: record.application.submitter.kind === 'AGENCY',
    signatureScanSkipped: photo.signatureScan !== 'clean' || idCard.signatureScan !== 'clean',
    decidedAt: now,
  });
  const status = verdict.outcome === 'RETAKE' ? 'RETAKE_REQUESTED' : 'VETTED';
  const next = withStatus(record, status, now, {
    findings,
    verdict,
    ...(status === 'RETAKE_REQUESTED' ? { statusReason: `retake:${verdict.retakeChecks.join(',')}` } : {}),
  });
  try {
    await deps.records.update(next, record.version);
  } catch (err) {
    if (err instanceof ConditionFailedError) return { kind: 'ignored', why: 'decided-elsewhere' };
    throw err;
  }
  return { kind: 'decided', applicationId: record.applicationId, outcome: verdict.outcome };
}
