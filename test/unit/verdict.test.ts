import {
  type CheckResult,
  decideVerdict,
  FACE_MATCH_CHECK,
  type Finding,
  ID_CARD_FACE_CHECK,
  type ReviewReason,
  type VerdictContext,
  type VerdictOutcome,
} from '../../functions/core/verdict';

const DECIDED_AT = new Date('2026-05-16T10:00:00.000Z');

const photo = (check: string, result: CheckResult): Finding => ({ check, result, fixable: true });
const counter = (check: string, result: CheckResult): Finding => ({ check, result, fixable: false, counterOnly: true });
const idCard = (result: CheckResult): Finding => ({ check: ID_CARD_FACE_CHECK, result, fixable: false });

/** Every check passing, as the face function would produce for a good pair of images. */
const ALL_PASS: readonly Finding[] = [
  photo('SingleFacePresent', 'pass'),
  photo('HeadSize', 'pass'),
  photo('HeadPose.Yaw', 'pass'),
  photo('EyesOpen', 'pass'),
  idCard('pass'),
  counter(FACE_MATCH_CHECK, 'pass'),
];

/** ALL_PASS with the named checks replaced. */
const replacing = (...replacements: Finding[]): Finding[] =>
  ALL_PASS.map((f) => replacements.find((r) => r.check === f.check) ?? f).concat(
    replacements.filter((r) => !ALL_PASS.some((f) => f.check === r.check)),
  );

function decide(ctx: Partial<VerdictContext> = {}) {
  return decideVerdict({
    findings: ALL_PASS,
    applicantIsMinor: false,
    submittedByAgency: false,
    signatureScanSkipped: false,
    decidedAt: DECIDED_AT,
    ...ctx,
  });
}

describe('decideVerdict', () => {
  it.each<[string, Partial<VerdictContext>, VerdictOutcome, ReviewReason[], string[]]>([
    ['all checks pass for an adult applying themselves', {}, 'CLEAR', [], []],
    ['no findings at all', { findings: [] }, 'CLEAR', [], []],
    ['a fixable photo rule fails', { findings: replacing(photo('HeadPose.Yaw', 'fail')) }, 'RETAKE', [], ['HeadPose.Yaw']],
    [
      'two fixable photo rules fail',
      { findings: replacing(photo('HeadSize', 'fail'), photo('EyesOpen', 'fail')) },
      'RETAKE',
      [],
      ['HeadSize', 'EyesOpen'],
    ],
    [
      'the face comparison fails',
      { findings: replacing(counter(FACE_MATCH_CHECK, 'fail')) },
      'REVIEW',
      ['FACE_SIMILARITY_BELOW_THRESHOLD'],
      [],
    ],
    [
      'the ID card face is inconclusive',
      { findings: replacing(idCard('inconclusive')) },
      'REVIEW',
      ['FACE_NOT_FOUND_ON_ID_CARD'],
      [],
    ],
    ['the ID card face check fails', { findings: replacing(idCard('fail')) }, 'REVIEW', ['FACE_NOT_FOUND_ON_ID_CARD'], []],
    [
      'the face comparison is inconclusive',
      { findings: replacing(counter(FACE_MATCH_CHECK, 'inconclusive')) },
      'REVIEW',
      ['CHECK_INCONCLUSIVE'],
      [],
    ],
    [
      'a photo check is inconclusive',
      { findings: replacing(photo('EyesOpen', 'inconclusive')) },
      'REVIEW',
      ['CHECK_INCONCLUSIVE'],
      [],
    ],
    [
      'a check the applicant cannot fix fails',
      { findings: replacing({ check: 'Background.Uniformity', result: 'fail', fixable: false }) },
      'REVIEW',
      ['CHECK_INCONCLUSIVE'],
      [],
    ],
    ['the applicant is a minor', { applicantIsMinor: true }, 'REVIEW', ['MINOR_APPLICANT'], []],
    ['a travel agency submitted', { submittedByAgency: true }, 'REVIEW', ['AGENCY_SUBMISSION'], []],
    ['the signature scan did not run', { signatureScanSkipped: true }, 'REVIEW', ['SIGNATURE_SCAN_NOT_RUN'], []],
    [
      'several review reasons apply at once',
      {
        findings: replacing(counter(FACE_MATCH_CHECK, 'fail'), photo('EyesOpen', 'inconclusive')),
        applicantIsMinor: true,
        submittedByAgency: true,
        signatureScanSkipped: true,
      },
      'REVIEW',
      ['FACE_SIMILARITY_BELOW_THRESHOLD', 'CHECK_INCONCLUSIVE', 'MINOR_APPLICANT', 'AGENCY_SUBMISSION', 'SIGNATURE_SCAN_NOT_RUN'],
      [],
    ],
    [
      'a fixable failure and every review reason (RETAKE wins)',
      {
        findings: replacing(photo('MouthClosed', 'fail'), counter(FACE_MATCH_CHECK, 'fail'), idCard('inconclusive')),
        applicantIsMinor: true,
        submittedByAgency: true,
        signatureScanSkipped: true,
      },
      'RETAKE',
      [],
      ['MouthClosed'],
    ],
  ])('when %s', (_name, ctx, outcome, reasons, retakeChecks) => {
    const verdict = decide(ctx);
    // The order of reasons follows the findings; only the set matters to the counter.
    expect({ ...verdict, reasons: [...verdict.reasons].sort() }).toEqual({
      outcome,
      reasons: [...reasons].sort(),
      retakeChecks,
      decidedAt: DECIDED_AT.toISOString(),
    });
  });

  it('does not list a review reason twice when several findings call for it', () => {
    const verdict = decide({
      findings: replacing(
        photo('EyesOpen', 'inconclusive'),
        photo('MouthClosed', 'inconclusive'),
        counter(FACE_MATCH_CHECK, 'inconclusive'),
      ),
    });
    expect(verdict.reasons).toEqual(['CHECK_INCONCLUSIVE']);
  });

  it('never asks for a retake because of the face score alone', () => {
    const verdict = decide({
      findings: replacing({ check: FACE_MATCH_CHECK, result: 'fail', fixable: false, counterOnly: true }),
    });
    expect(verdict.outcome).toBe('REVIEW');
    expect(verdict.retakeChecks).toEqual([]);
  });
});
