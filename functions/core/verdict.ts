/**
 * Findings and the pre-review verdict carried to the counter.
 *
 * - `RETAKE`: a photo rule the applicant can fix failed; they are told which and how.
 * - `REVIEW`: the clerk must look closely (face similarity under threshold, a check inconclusive,
 *   a minor, an agency submission). The applicant is never told a face score.
 * - `CLEAR`: fast lane. The legal decision stays with the clerk in every case.
 */

export type CheckResult = 'pass' | 'fail' | 'inconclusive';

export interface Finding {
  /** Check name, in OFIQ vocabulary where one exists (e.g. `SingleFacePresent`, `HeadPose.Yaw`). */
  readonly check: string;
  readonly result: CheckResult;
  /** The measured value, when there is one. */
  readonly value?: number | string | boolean | null;
  /** The threshold the value was compared with, as text (e.g. `<= 5`, `1`). */
  readonly threshold?: string;
  /** True when the applicant can fix a failure by taking or choosing another photo. */
  readonly fixable: boolean;
  /** True when the finding must not be shown to the applicant (face similarity). */
  readonly counterOnly?: boolean;
}

export type VerdictOutcome = 'CLEAR' | 'REVIEW' | 'RETAKE';

export type ReviewReason =
  | 'FACE_SIMILARITY_BELOW_THRESHOLD'
  | 'FACE_NOT_FOUND_ON_ID_CARD'
  | 'CHECK_INCONCLUSIVE'
  | 'MINOR_APPLICANT'
  | 'AGENCY_SUBMISSION'
  | 'SIGNATURE_SCAN_NOT_RUN';

export interface Verdict {
  readonly outcome: VerdictOutcome;
  readonly reasons: readonly ReviewReason[];
  /** Checks that failed and the applicant can fix (only for RETAKE). */
  readonly retakeChecks: readonly string[];
  readonly decidedAt: string;
}

export interface VerdictContext {
  readonly findings: readonly Finding[];
  readonly applicantIsMinor: boolean;
  readonly submittedByAgency: boolean;
  /** True when an upload passed without a signature scan (local runs without clamd). */
  readonly signatureScanSkipped: boolean;
  readonly decidedAt: Date;
}

export const FACE_MATCH_CHECK = 'FaceMatch.IdCardPortrait';
export const ID_CARD_FACE_CHECK = 'IdCard.FacePresent';

/** The decision policy. No application is ever refused on a face score alone: the clerk decides. */
export function decideVerdict(ctx: VerdictContext): Verdict {
  const decidedAt = ctx.decidedAt.toISOString();
  const retakeChecks = ctx.findings.filter((f) => f.result === 'fail' && f.fixable).map((f) => f.check);
  if (retakeChecks.length > 0) return { outcome: 'RETAKE', reasons: [], retakeChecks, decidedAt };

  const reasons = new Set<ReviewReason>();
  for (const f of ctx.findings) {
    if (f.check === FACE_MATCH_CHECK && f.result === 'fail') reasons.add('FACE_SIMILARITY_BELOW_THRESHOLD');
    else if (f.check === ID_CARD_FACE_CHECK && f.result !== 'pass') reasons.add('FACE_NOT_FOUND_ON_ID_CARD');
    else if (f.result === 'inconclusive' || (f.result === 'fail' && !f.fixable)) reasons.add('CHECK_INCONCLUSIVE');
  }
  if (ctx.applicantIsMinor) reasons.add('MINOR_APPLICANT');
  if (ctx.submittedByAgency) reasons.add('AGENCY_SUBMISSION');
  if (ctx.signatureScanSkipped) reasons.add('SIGNATURE_SCAN_NOT_RUN');
  const list = [...reasons];
  return { outcome: list.length > 0 ? 'REVIEW' : 'CLEAR', reasons: list, retakeChecks: [], decidedAt };
}
