/**
 * Use case: the applicant's view of an application, for the holder of its status token.
 *
 * An unknown number and a wrong token get the same answer, so numbers cannot be probed.
 * The face-comparison score and other counter-only findings are never included.
 */
import type { StatusResponse } from '../core/api';
import { applicantVisibleFindings } from '../core/photo-rules';
import type { RecordStore } from '../core/ports';
import type { ApplicationRecord } from '../core/record';
import { tokenMatches } from '../shared/tokens';

export interface GetStatusDeps {
  readonly records: RecordStore;
}

export type GetStatusResult =
  | { readonly ok: true; readonly response: StatusResponse }
  | { readonly ok: false; readonly reason: 'not-found' };

/** Loads the record when the token matches its stored hash; null otherwise (same answer for both). */
export async function authorizedRecord(
  records: RecordStore,
  applicationId: string,
  token: string,
): Promise<ApplicationRecord | null> {
  const record = await records.get(applicationId);
  if (!record || !tokenMatches(token, record.tokenHash)) return null;
  return record;
}

export async function getStatus(applicationId: string, token: string, deps: GetStatusDeps): Promise<GetStatusResult> {
  const record = await authorizedRecord(deps.records, applicationId, token);
  if (!record) return { ok: false, reason: 'not-found' };
  return { ok: true, response: toStatusResponse(record) };
}

/**
 * Reject codes an applicant may see. A signature hit or a scanner failure is told only as
 * "not accepted": the applicant uploads another file, and learns nothing about our signatures.
 */
const UNDISCLOSED_REASONS = new Set(['signature-hit', 'scanner-error']);
export const applicantReason = (code: string) => (UNDISCLOSED_REASONS.has(code) ? 'not-accepted' : code);

export function toStatusResponse(record: ApplicationRecord): StatusResponse {
  const slot = (s: ApplicationRecord['uploads']['photo']) => ({
    state: s.state,
    ...(s.reason ? { reason: applicantReason(s.reason) } : {}),
  });
  const v = record.verdict;
  return {
    applicationId: record.applicationId,
    status: record.status,
    ...(record.statusReason ? { statusReason: record.statusReason.replace(/[a-z-]+$/, applicantReason) } : {}),
    uploads: { photo: slot(record.uploads.photo), idCard: slot(record.uploads.idCard) },
    findings: applicantVisibleFindings(record.findings).map(({ check, result, value, threshold }) => ({
      check,
      result,
      ...(value !== undefined ? { value } : {}),
      ...(threshold !== undefined ? { threshold } : {}),
    })),
    verdict: v
      ? { outcome: v.outcome, retakeChecks: [...v.retakeChecks], bringDocumentsToCounter: v.outcome === 'REVIEW' }
      : null,
    fee: record.summary.fee,
    deleteAfter: record.expiresAt,
    updatedAt: record.updatedAt,
  };
}
