import {
  applicantVisibleFindings,
  DEFAULT_PHOTO_THRESHOLDS,
  evaluateComparison,
  evaluatePhoto,
  type PhotoRuleThresholds,
} from '../../functions/core/photo-rules';
import type { DetectedFace, FaceComparison, PortraitAnalysis } from '../../functions/core/ports';
import { FACE_MATCH_CHECK, type Finding, ID_CARD_FACE_CHECK } from '../../functions/core/verdict';

const IMAGE_HEIGHT = 800;

function face(overrides: Partial<DetectedFace> = {}): DetectedFace {
  return {
    box: { x: 150, y: 150, width: 300, height: 0.55 * IMAGE_HEIGHT },
    confidence: 0.99,
    pose: { yaw: 0, pitch: 0, roll: 0 },
    eyeOpenness: { left: 0.33, right: 0.35 },
    mouthOpenness: 0.05,
    ...overrides,
  };
}

function analysis(faces: DetectedFace[]): PortraitAnalysis {
  return { imageWidth: 600, imageHeight: IMAGE_HEIGHT, faces, engine: 'test' };
}

function finding(findings: readonly Finding[], check: string): Finding {
  const found = findings.find((f) => f.check === check);
  if (!found) throw new Error(`no ${check} finding in ${JSON.stringify(findings)}`);
  return found;
}

const withBox = (box: Partial<DetectedFace['box']>) => face({ box: { ...face().box, ...box } });

describe('evaluatePhoto', () => {
  it('passes every rule for one good, frontal face', () => {
    const findings = evaluatePhoto(analysis([face()]));
    expect(findings.map((f) => f.check)).toEqual([
      'SingleFacePresent',
      'HeadSize',
      'InterEyeDistance',
      'HeadPose.Yaw',
      'HeadPose.Pitch',
      'HeadPose.Roll',
      'EyesOpen',
      'MouthClosed',
    ]);
    for (const f of findings) expect(f).toMatchObject({ result: 'pass', fixable: true });
    expect(findings.some((f) => f.counterOnly)).toBe(false);
  });

  it.each([
    ['no face', 0],
    ['two faces', 2],
    ['three faces', 3],
  ])('fails SingleFacePresent for %s and measures nothing else', (_name, count) => {
    const findings = evaluatePhoto(analysis(Array.from({ length: count }, () => face())));
    expect(findings).toEqual([{ check: 'SingleFacePresent', value: count, threshold: '1', result: 'fail', fixable: true }]);
  });

  describe('head pose (ICAO |yaw| ≤ 5°, |roll| ≤ 8°; |pitch| ≤ 10° until calibrated, see photo-rules.ts)', () => {
    it.each([
      ['Yaw', 'yaw', 5, 'pass'],
      ['Yaw', 'yaw', -5, 'pass'],
      ['Yaw', 'yaw', 5.01, 'fail'],
      ['Yaw', 'yaw', -5.01, 'fail'],
      ['Yaw', 'yaw', -30, 'fail'],
      ['Pitch', 'pitch', 10, 'pass'],
      ['Pitch', 'pitch', -10, 'pass'],
      ['Pitch', 'pitch', 10.01, 'fail'],
      ['Pitch', 'pitch', -10.01, 'fail'],
      ['Pitch', 'pitch', 14, 'fail'],
      ['Roll', 'roll', 8, 'pass'],
      ['Roll', 'roll', -8, 'pass'],
      ['Roll', 'roll', 8.01, 'fail'],
      ['Roll', 'roll', -8.01, 'fail'],
    ] as const)('HeadPose.%s: %s = %d° → %s', (axis, key, degrees, result) => {
      const pose = { yaw: 0, pitch: 0, roll: 0, [key]: degrees };
      const f = finding(evaluatePhoto(analysis([face({ pose })])), `HeadPose.${axis}`);
      expect(f).toMatchObject({ result, value: degrees, fixable: true });
    });

    it('uses the ICAO yaw and roll limits and the provisional pitch limit by default', () => {
      expect(DEFAULT_PHOTO_THRESHOLDS).toMatchObject({ maxYawDeg: 5, maxPitchDeg: 10, maxRollDeg: 8 });
    });

    it('rounds the measured angle to two decimals and states the limit', () => {
      const f = finding(evaluatePhoto(analysis([face({ pose: { yaw: -2.3456, pitch: 0, roll: 0 } })])), 'HeadPose.Yaw');
      expect(f).toEqual({ check: 'HeadPose.Yaw', value: -2.35, threshold: '<= 5', result: 'pass', fixable: true });
    });

    it('fails only the axis that is out of range', () => {
      const findings = evaluatePhoto(analysis([face({ pose: { yaw: 0, pitch: 0, roll: 12 } })]));
      expect(findings.filter((f) => f.result !== 'pass').map((f) => f.check)).toEqual(['HeadPose.Roll']);
    });
  });

  describe('head size (face box height over image height)', () => {
    const { minFaceHeightShare: min, maxFaceHeightShare: max } = DEFAULT_PHOTO_THRESHOLDS;

    it.each([
      ['at the lower limit', min * IMAGE_HEIGHT, 'pass'],
      ['one pixel under the lower limit', min * IMAGE_HEIGHT - 1, 'fail'],
      ['at the upper limit', max * IMAGE_HEIGHT, 'pass'],
      ['one pixel over the upper limit', max * IMAGE_HEIGHT + 1, 'fail'],
      ['the whole image', IMAGE_HEIGHT, 'fail'],
    ])('%s (%d px) → %s', (_name, height, result) => {
      const f = finding(evaluatePhoto(analysis([withBox({ height })])), 'HeadSize');
      expect(f.result).toBe(result);
      expect(f.threshold).toBe(`${min}–${max}`);
    });

    it('reports the share rounded to two decimals', () => {
      expect(finding(evaluatePhoto(analysis([withBox({ height: 333 })])), 'HeadSize').value).toBe(0.42);
    });
  });

  describe('face size', () => {
    const min = DEFAULT_PHOTO_THRESHOLDS.minFaceWidthPx;

    it.each([
      [min, 'pass'],
      [min - 1, 'fail'],
      [40, 'fail'],
    ])('face box %d px wide → %s', (width, result) => {
      const f = finding(evaluatePhoto(analysis([withBox({ width })])), 'InterEyeDistance');
      expect(f).toMatchObject({ result, value: width, threshold: `>= ${min}`, fixable: true });
    });
  });

  describe('eyes', () => {
    const min = DEFAULT_PHOTO_THRESHOLDS.minEyeOpenness;

    it.each([
      ['both open', { left: 0.35, right: 0.36 }, 'pass', 0.35],
      ['both at the limit', { left: min, right: min }, 'pass', min],
      ['both closed', { left: 0.02, right: 0.03 }, 'fail', 0.02],
      ['left closed', { left: 0.05, right: 0.36 }, 'fail', 0.05],
      ['right just under the limit', { left: 0.36, right: 0.149 }, 'fail', 0.15],
    ])('%s → %s, valued by the less open eye', (_name, eyeOpenness, result, value) => {
      const f = finding(evaluatePhoto(analysis([face({ eyeOpenness })])), 'EyesOpen');
      expect(f).toMatchObject({ result, value, threshold: `>= ${min}`, fixable: true });
    });

    it('is inconclusive, not passed, when eye openness was not measured', () => {
      const { eyeOpenness: _omit, ...withoutEyes } = face();
      const f = finding(evaluatePhoto(analysis([withoutEyes])), 'EyesOpen');
      expect(f).toEqual({ check: 'EyesOpen', value: null, result: 'inconclusive', fixable: true });
    });
  });

  describe('mouth', () => {
    const max = DEFAULT_PHOTO_THRESHOLDS.maxMouthOpenness;

    it.each([
      ['closed', 0, 'pass'],
      ['at the limit', max, 'pass'],
      ['open', max + 0.01, 'fail'],
      ['wide open', 0.6, 'fail'],
    ])('%s → %s', (_name, mouthOpenness, result) => {
      const f = finding(evaluatePhoto(analysis([face({ mouthOpenness })])), 'MouthClosed');
      expect(f).toMatchObject({ result, threshold: `<= ${max}`, fixable: true });
    });

    it('adds no MouthClosed finding when the mouth was not measured', () => {
      const { mouthOpenness: _omit, ...withoutMouth } = face();
      expect(evaluatePhoto(analysis([withoutMouth])).map((f) => f.check)).not.toContain('MouthClosed');
    });
  });

  it('applies thresholds passed by the caller', () => {
    const strict: PhotoRuleThresholds = { ...DEFAULT_PHOTO_THRESHOLDS, maxYawDeg: 1, minFaceWidthPx: 400 };
    const findings = evaluatePhoto(analysis([face({ pose: { yaw: 2, pitch: 0, roll: 0 } })]), strict);
    expect(finding(findings, 'HeadPose.Yaw')).toMatchObject({ result: 'fail', threshold: '<= 1' });
    expect(finding(findings, 'InterEyeDistance')).toMatchObject({ result: 'fail', threshold: '>= 400' });
  });
});

describe('evaluateComparison', () => {
  const min = DEFAULT_PHOTO_THRESHOLDS.minFaceSimilarity;
  const cmp = (overrides: Partial<FaceComparison>): FaceComparison => ({
    sourceFaceFound: true,
    targetFaceFound: true,
    similarity: 97.5,
    engine: 'test',
    ...overrides,
  });

  it('passes both checks above the threshold; the score is counter-only', () => {
    expect(evaluateComparison(cmp({ similarity: 97.46 }))).toEqual([
      { check: ID_CARD_FACE_CHECK, value: true, threshold: 'true', result: 'pass', fixable: false },
      { check: FACE_MATCH_CHECK, value: 97.5, threshold: `>= ${min}`, result: 'pass', fixable: false, counterOnly: true },
    ]);
  });

  it.each([
    [min, 'pass'],
    [min - 0.01, 'fail'],
    [12, 'fail'],
    [0, 'fail'],
    [100, 'pass'],
  ])('similarity %d → %s, never fixable by the applicant', (similarity, result) => {
    const f = finding(evaluateComparison(cmp({ similarity })), FACE_MATCH_CHECK);
    expect(f).toMatchObject({ result, fixable: false, counterOnly: true });
  });

  it('is inconclusive (and still counter-only) when there is no similarity', () => {
    const f = finding(evaluateComparison(cmp({ similarity: null })), FACE_MATCH_CHECK);
    expect(f).toEqual({ check: FACE_MATCH_CHECK, value: null, result: 'inconclusive', fixable: false, counterOnly: true });
  });

  it('reports the ID card face as inconclusive when the target face is missing', () => {
    const findings = evaluateComparison(cmp({ targetFaceFound: false, similarity: null }));
    expect(finding(findings, ID_CARD_FACE_CHECK)).toMatchObject({ value: false, result: 'inconclusive', fixable: false });
    expect(finding(findings, FACE_MATCH_CHECK).result).toBe('inconclusive');
  });
});

describe('applicantVisibleFindings', () => {
  it('drops every counter-only finding and keeps the rest', () => {
    const all = [
      ...evaluatePhoto(analysis([face({ pose: { yaw: 20, pitch: 0, roll: 0 } })])),
      ...evaluateComparison({ sourceFaceFound: true, targetFaceFound: true, similarity: 42, engine: 'test' }),
      { check: 'Custom.Secret', result: 'fail', fixable: false, counterOnly: true } satisfies Finding,
    ];
    const visible = applicantVisibleFindings(all);
    expect(visible.some((f) => f.counterOnly)).toBe(false);
    expect(visible.map((f) => f.check)).not.toContain(FACE_MATCH_CHECK);
    expect(visible).toHaveLength(all.filter((f) => !f.counterOnly).length);
    expect(JSON.stringify(visible)).not.toContain('42');
  });

  it('returns copies, so changing them does not change the stored findings', () => {
    const original: Finding[] = [{ check: 'HeadSize', result: 'pass', fixable: true, value: 0.5 }];
    const visible = applicantVisibleFindings(original);
    expect(visible).toEqual(original);
    expect(visible[0]).not.toBe(original[0]);
  });

  it('returns nothing when every finding is counter-only', () => {
    expect(applicantVisibleFindings([{ check: FACE_MATCH_CHECK, result: 'fail', fixable: false, counterOnly: true }])).toEqual(
      [],
    );
  });
});
