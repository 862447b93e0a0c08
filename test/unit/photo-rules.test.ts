import {
  applicantVisibleFindings,
  DEFAULT_PHOTO_THRESHOLDS,
  evaluateComparison,
  evaluatePhoto,
  headGeometry,
  PHOTO_CHECKS,
  type PhotoRuleThresholds,
  photoOutcome,
} from '../../functions/core/photo-rules';
import type { DetectedFace, FaceComparison, FaceLandmarks, ImageStatistics, PortraitAnalysis } from '../../functions/core/ports';
import { FACE_MATCH_CHECK, type Finding, ID_CARD_FACE_CHECK } from '../../functions/core/verdict';

const T = DEFAULT_PHOTO_THRESHOLDS;
const IMAGE_WIDTH = 630;
const IMAGE_HEIGHT = 810;

/**
 * A compliant face in a 630×810 photo: eyes at y 390, chin at y 690 → eye-to-chin 300 px, crown
 * estimated at 390 − 1.05 × 300 = 75 → head 615 px = 0.76 of the height, crown 9 % below the top;
 * eye midpoint at x 315 (centred), 120 px between the eyes.
 */
const LANDMARKS: FaceLandmarks = {
  rightEye: { x: 255, y: 390 },
  leftEye: { x: 375, y: 390 },
  noseTip: { x: 315, y: 480 },
  mouthCenter: { x: 315, y: 590 },
  chin: { x: 315, y: 690 },
  foreheadTop: { x: 315, y: 180 },
};

function face(overrides: Partial<DetectedFace> = {}): DetectedFace {
  return {
    box: { x: 165, y: 180, width: 300, height: 510 },
    confidence: 0.99,
    pose: { yaw: 0, pitch: 0, roll: 0 },
    eyeOpenness: { left: 0.33, right: 0.35 },
    mouthOpenness: 0.05,
    landmarks: LANDMARKS,
    ...overrides,
  };
}

/** Moves every landmark by (dx, dy). */
function movedLandmarks(dx: number, dy: number): FaceLandmarks {
  const move = (p: { x: number; y: number }) => ({ x: p.x + dx, y: p.y + dy });
  return {
    rightEye: move(LANDMARKS.rightEye),
    leftEye: move(LANDMARKS.leftEye),
    chin: move(LANDMARKS.chin),
  };
}

/** Landmarks with the eyes `eyeToChin` px above the chin (same chin, same centre line). */
function headOfSize(eyeToChin: number, eyeDistance = 120): FaceLandmarks {
  const chinY = LANDMARKS.chin.y;
  return {
    rightEye: { x: 315 - eyeDistance / 2, y: chinY - eyeToChin },
    leftEye: { x: 315 + eyeDistance / 2, y: chinY - eyeToChin },
    chin: LANDMARKS.chin,
  };
}

function analysis(
  faces: DetectedFace[],
  size: { width: number; height: number } = { width: IMAGE_WIDTH, height: IMAGE_HEIGHT },
): PortraitAnalysis {
  return { imageWidth: size.width, imageHeight: size.height, faces, engine: 'test' };
}

/** Statistics of a well-lit colour photo on a plain white background. */
const STATS: ImageStatistics = {
  width: IMAGE_WIDTH,
  height: IMAGE_HEIGHT,
  meanLuma: 190,
  darkClipped: 0.01,
  brightClipped: 0.4,
  centreLuma: 150,
  centreDarkClipped: 0,
  centreBrightClipped: 0.01,
  sharpness: 60,
  colourfulness: 18,
  backgroundLuma: 240,
  backgroundStdDev: 2,
  backgroundChroma: 2,
};

const stats = (overrides: Partial<ImageStatistics>): ImageStatistics => ({ ...STATS, ...overrides });

function finding(findings: readonly Finding[], check: string): Finding {
  const found = findings.find((f) => f.check === check);
  if (!found) throw new Error(`no ${check} finding in ${JSON.stringify(findings)}`);
  return found;
}

const check = (f: Partial<DetectedFace>, name: string, s: ImageStatistics | undefined = STATS) =>
  finding(evaluatePhoto(analysis([face(f)]), s), name);

describe('evaluatePhoto', () => {
  it('passes every check, in the documented order, for one good, frontal face on a good photo', () => {
    const findings = evaluatePhoto(analysis([face()]), STATS);
    expect(findings.map((f) => f.check)).toEqual([...PHOTO_CHECKS]);
    for (const f of findings) expect(f).toMatchObject({ result: 'pass', fixable: true });
    expect(findings.some((f) => f.counterOnly)).toBe(false);
    expect(photoOutcome(findings)).toBe('PASS');
  });

  it.each([
    ['no face', 0],
    ['two faces', 2],
    ['three faces', 3],
  ])('fails SingleFacePresent for %s and measures nothing else', (_name, count) => {
    const findings = evaluatePhoto(analysis(Array.from({ length: count }, () => face())), STATS);
    expect(findings).toEqual([{ check: 'SingleFacePresent', value: count, threshold: '1', result: 'fail', fixable: true }]);
    expect(photoOutcome(findings)).toBe('RETAKE');
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
      expect(check({ pose }, `HeadPose.${axis}`)).toMatchObject({ result, value: degrees, fixable: true });
    });

    it('uses the ICAO yaw and roll limits and the provisional pitch limit by default', () => {
      expect(DEFAULT_PHOTO_THRESHOLDS).toMatchObject({ maxYawDeg: 5, maxPitchDeg: 10, maxRollDeg: 8 });
    });

    it('rounds the measured angle to two decimals and states the limit', () => {
      expect(check({ pose: { yaw: -2.3456, pitch: 0, roll: 0 } }, 'HeadPose.Yaw')).toEqual({
        check: 'HeadPose.Yaw',
        value: -2.35,
        threshold: '<= 5',
        result: 'pass',
        fixable: true,
      });
    });

    it('fails only the axis that is out of range', () => {
      const findings = evaluatePhoto(analysis([face({ pose: { yaw: 0, pitch: 0, roll: 12 } })]), STATS);
      expect(findings.filter((f) => f.result !== 'pass').map((f) => f.check)).toEqual(['HeadPose.Roll']);
    });

    it('is inconclusive when the engine gave no angle', () => {
      expect(check({ pose: { yaw: Number.NaN, pitch: 0, roll: 0 } }, 'HeadPose.Yaw').result).toBe('inconclusive');
    });
  });

  describe('head size: estimated crown to chin over the image height (Taiwan 0.71–0.80, widened)', () => {
    const { minHeadHeightShare: min, maxHeadHeightShare: max, crownAboveEyesRatio: k } = T;
    /** Eye-to-chin distance that gives a head share of `share`. */
    const eyeToChinFor = (share: number) => (share * IMAGE_HEIGHT) / (1 + k);

    it('estimates the crown from the eye line and the chin', () => {
      const g = headGeometry(face());
      expect(g).toMatchObject({ method: 'landmarks', chinY: 690, centreX: 315, interEyePx: 120 });
      expect(g?.crownY).toBeCloseTo(390 - k * 300, 6);
    });

    it.each([
      ['a compliant head (0.76)', 0.76, 'pass'],
      ['just inside the lower limit', min + 0.002, 'pass'],
      ['under the lower limit', min - 0.01, 'fail'],
      ['just inside the upper limit', max - 0.002, 'pass'],
      ['over the upper limit', max + 0.01, 'fail'],
      ['a far too small head (0.45)', 0.45, 'fail'],
    ])('%s → %s', (_name, share, result) => {
      const f = check({ landmarks: headOfSize(eyeToChinFor(share)) }, 'HeadSize');
      expect(f.result).toBe(result);
      expect(f.value).toBeCloseTo(share, 2);
      expect(f.threshold).toBe(`${min}–${max}`);
    });

    it('keeps the size and the centre line of a head tilted about the face centre', () => {
      // The compliant face rotated 20° about (315, 540): eyes move right, the chin moves left.
      const a = (20 * Math.PI) / 180;
      const turn = (p: { x: number; y: number }) => ({
        x: 315 + (p.x - 315) * Math.cos(a) - (p.y - 540) * Math.sin(a),
        y: 540 + (p.x - 315) * Math.sin(a) + (p.y - 540) * Math.cos(a),
      });
      const tilted: FaceLandmarks = {
        rightEye: turn(LANDMARKS.rightEye),
        leftEye: turn(LANDMARKS.leftEye),
        chin: turn(LANDMARKS.chin),
      };
      const findings = evaluatePhoto(analysis([face({ landmarks: tilted, pose: { yaw: 0, pitch: 0, roll: 20 } })]), STATS);
      expect(finding(findings, 'HeadSize').value).toBeCloseTo(
        finding(evaluatePhoto(analysis([face()]), STATS), 'HeadSize').value as number,
        2,
      );
      expect(findings.filter((f) => f.result !== 'pass').map((f) => f.check)).toEqual(['HeadPose.Roll']);
    });

    it('falls back to the face box (forehead to chin) when there are no landmarks', () => {
      const { landmarks: _omit, ...noLandmarks } = face();
      const g = headGeometry(noLandmarks);
      expect(g).toMatchObject({ method: 'box', chinY: 690, centreX: 315 });
      expect(g?.crownY).toBeCloseTo(690 - 510 * T.headFromFaceBoxRatio, 6);
      expect(finding(evaluatePhoto(analysis([noLandmarks]), STATS), 'HeadSize').value).toBeCloseTo(
        (510 * T.headFromFaceBoxRatio) / IMAGE_HEIGHT,
        2,
      );
    });

    it('is inconclusive when the landmarks are degenerate (chin above the eyes)', () => {
      const broken: FaceLandmarks = { ...LANDMARKS, chin: { x: 315, y: 300 } };
      const findings = evaluatePhoto(analysis([face({ landmarks: broken })]), STATS);
      for (const name of ['HeadSize', 'MarginAboveOfTheFaceImage', 'HeadPositionHorizontal', 'InterEyeDistance']) {
        expect(finding(findings, name)).toMatchObject({ result: 'inconclusive', value: null, fixable: true });
      }
    });
  });

  describe('margin above the head (crown inside the frame)', () => {
    it.each([
      ['crown 9 % below the top', 0, 'pass'],
      ['crown just inside', -70, 'pass'],
      ['crown cut off', -120, 'fail'],
    ])('%s → %s', (_name, dy, result) => {
      expect(check({ landmarks: movedLandmarks(0, dy) }, 'MarginAboveOfTheFaceImage').result).toBe(result);
    });
  });

  describe('head centred (eye midpoint vs image centre, share of the width)', () => {
    const limit = T.maxHorizontalOffsetShare;
    it.each([
      ['centred', 0, 'pass'],
      ['just inside the limit to the right', (limit - 0.002) * IMAGE_WIDTH, 'pass'],
      ['past the limit to the right', (limit + 0.01) * IMAGE_WIDTH, 'fail'],
      ['past the limit to the left', -(limit + 0.01) * IMAGE_WIDTH, 'fail'],
    ])('%s (%d px) → %s', (_name, dx, result) => {
      const f = check({ landmarks: movedLandmarks(dx, 0) }, 'HeadPositionHorizontal');
      expect(f.result).toBe(result);
      expect(f.threshold).toBe(`<= ${limit}`);
    });

    it('reports the signed offset (negative: left of centre)', () => {
      expect(check({ landmarks: movedLandmarks(-63, 0) }, 'HeadPositionHorizontal').value).toBe(-0.1);
    });
  });

  describe('inter-eye distance (ISO 19794-5: at least 90 px)', () => {
    it.each([
      [120, 'pass'],
      [90, 'pass'],
      [89, 'fail'],
      [40, 'fail'],
    ])('%d px → %s', (distance, result) => {
      const f = check({ landmarks: headOfSize(300, distance) }, 'InterEyeDistance');
      expect(f).toMatchObject({ result, value: distance, threshold: '>= 90', fixable: true });
    });
  });

  describe('image resolution and aspect ratio (Taiwan 35×45 mm at 300 dpi = 413×531)', () => {
    it.each([
      [413, 531, 'pass'],
      [412, 531, 'fail'],
      [413, 530, 'fail'],
      [3000, 4000, 'pass'],
    ])('%d×%d → %s', (width, height, result) => {
      const f = finding(evaluatePhoto(analysis([face()], { width, height }), STATS), 'ImageResolution');
      expect(f).toMatchObject({ result, value: `${width}x${height}`, threshold: '>= 413x531' });
    });

    it.each([
      ['35:45', 350, 450, 'pass'],
      ['a phone’s 3:4', 600, 800, 'pass'],
      ['square', 600, 600, 'fail'],
      ['landscape 4:3', 800, 600, 'fail'],
      ['9:16', 450, 800, 'fail'],
    ])('%s → %s', (_name, width, height, result) => {
      expect(finding(evaluatePhoto(analysis([face()], { width, height }), STATS), 'AspectRatio').result).toBe(result);
    });
  });

  describe('eyes', () => {
    const min = T.minEyeOpenness;

    it.each([
      ['both open', { left: 0.35, right: 0.36 }, 'pass', 0.35],
      ['both at the limit', { left: min, right: min }, 'pass', min],
      ['both closed', { left: 0.02, right: 0.03 }, 'fail', 0.02],
      ['left closed', { left: 0.05, right: 0.36 }, 'fail', 0.05],
      ['right just under the limit', { left: 0.36, right: 0.149 }, 'fail', 0.15],
    ])('%s → %s, valued by the less open eye', (_name, eyeOpenness, result, value) => {
      expect(check({ eyeOpenness }, 'EyesOpen')).toMatchObject({ result, value, threshold: `>= ${min}`, fixable: true });
    });

    it('is inconclusive, not passed, when eye openness was not measured', () => {
      const { eyeOpenness: _omit, ...withoutEyes } = face();
      const f = finding(evaluatePhoto(analysis([withoutEyes]), STATS), 'EyesOpen');
      expect(f).toEqual({ check: 'EyesOpen', value: null, result: 'inconclusive', fixable: true });
    });
  });

  describe('mouth', () => {
    const max = T.maxMouthOpenness;

    it.each([
      ['closed', 0, 'pass'],
      ['at the limit', max, 'pass'],
      ['open', max + 0.01, 'fail'],
      ['wide open', 0.6, 'fail'],
    ])('%s → %s', (_name, mouthOpenness, result) => {
      expect(check({ mouthOpenness }, 'MouthClosed')).toMatchObject({ result, threshold: `<= ${max}`, fixable: true });
    });

    it('is inconclusive, not passed, when the mouth was not measured', () => {
      const { mouthOpenness: _omit, ...withoutMouth } = face();
      const f = finding(evaluatePhoto(analysis([withoutMouth]), STATS), 'MouthClosed');
      expect(f).toEqual({ check: 'MouthClosed', value: null, result: 'inconclusive', fixable: true });
    });
  });

  describe('image statistics', () => {
    it.each([
      ['Sharpness', { sharpness: T.minSharpness }, 'pass'],
      ['Sharpness', { sharpness: T.minSharpness - 0.5 }, 'fail'],
      ['UnderExposurePrevention', { centreLuma: T.minFaceRegionLuma }, 'pass'],
      ['UnderExposurePrevention', { centreLuma: 40 }, 'fail'],
      ['OverExposurePrevention', { centreBrightClipped: T.maxFaceRegionBrightClipped }, 'pass'],
      ['OverExposurePrevention', { centreBrightClipped: 0.6 }, 'fail'],
      ['BackgroundUniformity', { backgroundStdDev: T.maxBackgroundStdDev }, 'pass'],
      ['BackgroundUniformity', { backgroundStdDev: 30 }, 'fail'],
      ['BackgroundLuminance', { backgroundLuma: T.minBackgroundLuma }, 'pass'],
      ['BackgroundLuminance', { backgroundLuma: 128 }, 'fail'],
      ['BackgroundColour', { backgroundChroma: T.maxBackgroundChroma }, 'pass'],
      ['BackgroundColour', { backgroundChroma: 75 }, 'fail'],
      ['NaturalColour', { colourfulness: T.minColourfulness }, 'pass'],
      ['NaturalColour', { colourfulness: 0 }, 'fail'],
    ] as const)('%s with %j → %s', (name, overrides, result) => {
      const findings = evaluatePhoto(analysis([face()]), stats(overrides));
      expect(finding(findings, name)).toMatchObject({ result, fixable: true });
      expect(findings.filter((f) => f.result !== 'pass').map((f) => f.check)).toEqual(result === 'pass' ? [] : [name]);
    });

    it('marks every statistics check inconclusive (never passed) when the photo was not measured', () => {
      const findings = evaluatePhoto(analysis([face()]));
      const notPassed = findings.filter((f) => f.result !== 'pass');
      expect(notPassed.map((f) => f.check)).toEqual([
        'Sharpness',
        'UnderExposurePrevention',
        'OverExposurePrevention',
        'BackgroundUniformity',
        'BackgroundLuminance',
        'BackgroundColour',
        'NaturalColour',
      ]);
      for (const f of notPassed) expect(f).toMatchObject({ result: 'inconclusive', value: null, fixable: true });
      expect(photoOutcome(findings)).toBe('INCONCLUSIVE');
    });

    it('marks a single missing statistic inconclusive', () => {
      expect(finding(evaluatePhoto(analysis([face()]), stats({ sharpness: Number.NaN })), 'Sharpness').result).toBe(
        'inconclusive',
      );
    });
  });

  it('applies thresholds passed by the caller', () => {
    const strict: PhotoRuleThresholds = { ...T, maxYawDeg: 1, minInterEyePx: 400, minSharpness: 100 };
    const findings = evaluatePhoto(analysis([face({ pose: { yaw: 2, pitch: 0, roll: 0 } })]), STATS, strict);
    expect(finding(findings, 'HeadPose.Yaw')).toMatchObject({ result: 'fail', threshold: '<= 1' });
    expect(finding(findings, 'InterEyeDistance')).toMatchObject({ result: 'fail', threshold: '>= 400' });
    expect(finding(findings, 'Sharpness')).toMatchObject({ result: 'fail', threshold: '>= 100' });
  });
});

describe('photoOutcome', () => {
  it('is RETAKE on a fixable failure even when other checks are inconclusive', () => {
    const findings = evaluatePhoto(analysis([face({ pose: { yaw: 20, pitch: 0, roll: 0 } })]));
    expect(photoOutcome(findings)).toBe('RETAKE');
  });
});

describe('evaluateComparison', () => {
  /** The engine's own calibrated threshold travels with its comparison. */
  const min = 90;
  const cmp = (overrides: Partial<FaceComparison>): FaceComparison => ({
    sourceFaceFound: true,
    targetFaceFound: true,
    similarity: 97.5,
    matchThreshold: min,
    engine: 'test',
    ...overrides,
  });

  it("uses each engine's own threshold, unless the configuration overrides it", () => {
    expect(finding(evaluateComparison(cmp({ similarity: 95, matchThreshold: 99 })), FACE_MATCH_CHECK)).toMatchObject({
      result: 'fail',
      threshold: '>= 99',
    });
    expect(finding(evaluateComparison(cmp({ similarity: 95, matchThreshold: 90 })), FACE_MATCH_CHECK)).toMatchObject({
      result: 'pass',
      threshold: '>= 90',
    });
    expect(
      finding(evaluateComparison(cmp({ similarity: 95, matchThreshold: 90 }), { ...T, minFaceSimilarity: 96 }), FACE_MATCH_CHECK),
    ).toMatchObject({ result: 'fail', threshold: '>= 96' });
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
      ...evaluatePhoto(analysis([face({ pose: { yaw: 20, pitch: 0, roll: 0 } })]), STATS),
      ...evaluateComparison({ sourceFaceFound: true, targetFaceFound: true, similarity: 42, matchThreshold: 90, engine: 'test' }),
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
