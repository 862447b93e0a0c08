/**
 * Use case (shadow engine mode): compare GuardDuty Malware Protection's verdict on one uploaded
 * object with the decision ClamAV made for the same upload. Observes only: the record is never
 * changed.
 *
 * - The key names an application, a slot and an upload id; the record's slot must still hold that
 *   upload id (otherwise the result is stale: ignored).
 * - GuardDuty UNSUPPORTED / ACCESS_DENIED / FAILED: a GuardDuty failure, counted; nothing to compare.
 * - The slot still AWAITING or SCANNING: ClamAV has not decided yet → {@link ScanNotDecidedError}
 *   (the message comes back after the visibility timeout; a record that never decides ends in the
 *   shadow dead-letter queue, which is alarmed).
 * - ClamAV's side is `clean` (slot CLEAN, signature scan ran) or `signature-hit` (slot REJECTED
 *   with that reason). Any other rejection (header checks, undecodable, scanner error) happened
 *   before or beside the signature layer: not comparable.
 * - Disagreement: ClamAV clean vs GuardDuty THREATS_FOUND, or ClamAV signature-hit vs GuardDuty
 *   NO_THREATS_FOUND. Everything else comparable is an agreement.
 *
 * ClamAV's signature name is not kept on the record (only in the scanner's incident log, keyed by
 * application id and slot), so a disagreement names GuardDuty's threat and ClamAV's reject code.
 */
import type { RecordStore } from '../core/ports';
import { parseQuarantineKey, type UploadRef } from '../shared/object-keys';
import type { GuardDutyScanResultStatus, ScannedObject } from '../shared/scan-events';

export interface CompareScanEnginesDeps {
  readonly records: RecordStore;
}

export type ClamavSide = 'clean' | 'signature-hit';

export type ComparisonOutcome =
  | {
      readonly kind: 'agreement' | 'disagreement';
      readonly ref: UploadRef;
      readonly clamav: ClamavSide;
      readonly guardDuty: 'NO_THREATS_FOUND' | 'THREATS_FOUND';
      /** GuardDuty's threat names (THREATS_FOUND). */
      readonly threats: readonly string[];
    }
  | { readonly kind: 'guardduty-failure'; readonly ref: UploadRef; readonly guardDuty: GuardDutyScanResultStatus }
  | {
      readonly kind: 'ignored';
      readonly why: 'not-our-key' | 'no-record' | 'stale-upload' | 'not-comparable';
      /** The slot's reject code when `not-comparable`. */
      readonly detail?: string;
    };

export class ScanNotDecidedError extends Error {
  constructor() {
    super('ClamAV has not decided on this upload yet; the message will be retried');
    this.name = 'ScanNotDecidedError';
  }
}

export async function compareScanEngines(result: ScannedObject, deps: CompareScanEnginesDeps): Promise<ComparisonOutcome> {
  const ref = parseQuarantineKey(result.key);
  if (!ref) return { kind: 'ignored', why: 'not-our-key' };
  const { status, threats } = result.precomputedScan;
  if (status !== 'NO_THREATS_FOUND' && status !== 'THREATS_FOUND') {
    return { kind: 'guardduty-failure', ref, guardDuty: status };
  }

  const record = await deps.records.get(ref.applicationId);
  if (!record) return { kind: 'ignored', why: 'no-record' };
  const slot = record.uploads[ref.slot];
  if (slot.uploadId !== ref.uploadId) return { kind: 'ignored', why: 'stale-upload' };
  if (slot.state === 'AWAITING' || slot.state === 'SCANNING') throw new ScanNotDecidedError();

  let clamav: ClamavSide;
  if (slot.state === 'CLEAN') {
    if (slot.signatureScan !== 'clean') return { kind: 'ignored', why: 'not-comparable', detail: 'signature-scan-not-run' };
    clamav = 'clean';
  } else if (slot.reason === 'signature-hit') {
    clamav = 'signature-hit';
  } else {
    return { kind: 'ignored', why: 'not-comparable', detail: slot.reason ?? 'rejected' };
  }

  const agree = (clamav === 'clean') === (status === 'NO_THREATS_FOUND');
  return { kind: agree ? 'agreement' : 'disagreement', ref, clamav, guardDuty: status, threats };
}
