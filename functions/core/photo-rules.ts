/**
 * Passport-photo rules measured on the rebuilt photo, and the face comparison with the ID card's
 * portrait, turned into findings. Every check is a small pure function of the face engine's
 * `PortraitAnalysis` and the scanner's `ImageStatistics`; every threshold lives in
 * {@link DEFAULT_PHOTO_THRESHOLDS} with its source. Check names follow OFIQ (the ISO/IEC 29794-5
 * reference implementation) where it has a measure for the rule; docs/photo-checks.md lists them all.
 *
 * A check whose measurement is missing is `inconclusive`, never a silent pass (the verdict then asks
 * the clerk to look). When the photo does not show exactly one face, only `SingleFacePresent` is
 * reported: nothing else about "the face" can be measured, and the applicant must retake anyway.
 */
import type { DetectedFace, FaceComparison, ImageStatistics, Point, PortraitAnalysis } from './ports';
import { FACE_MATCH_CHECK, type Finding, ID_CARD_FACE_CHECK } from './verdict';

/** Every photo check, in the order the findings list them. */
export const PHOTO_CHECKS = [
  'SingleFacePresent',
  'ImageResolution',
  'AspectRatio',
  'HeadSize',
  'MarginAboveOfTheFaceImage',
  'HeadPositionHorizontal',
  'InterEyeDistance',
  'HeadPose.Yaw',
  'HeadPose.Pitch',
  'HeadPose.Roll',
  'EyesOpen',
  'MouthClosed',
  'Sharpness',
  'UnderExposurePrevention',
  'OverExposurePrevention',
  'BackgroundUniformity',
  'BackgroundLuminance',
  'BackgroundColour',
  'NaturalColour',
] as const;

export type PhotoCheckName = (typeof PHOTO_CHECKS)[number];

export interface PhotoRuleThresholds {
  // Face geometry ------------------------------------------------------------------------------
  /** |yaw| and |pitch| at most, degrees. */
  readonly maxYawDeg: number;
  readonly maxPitchDeg: number;
  /** |roll| at most, degrees. */
  readonly maxRollDeg: number;
  /** Distance between the eye centres, pixels of the photo, at least. */
  readonly minInterEyePx: number;
  /** Head height (crown to chin) over image height: lower and upper limits. */
  readonly minHeadHeightShare: number;
  readonly maxHeadHeightShare: number;
  /** Crown estimate: crown-to-eye-line distance over eye-line-to-chin distance (landmarks). */
  readonly crownAboveEyesRatio: number;
  /** Crown estimate without landmarks: crown-to-chin over the face box height (box = forehead to chin). */
  readonly headFromFaceBoxRatio: number;
  /** Inter-eye estimate without landmarks: eye distance over the face box width. */
  readonly interEyeFromFaceBoxRatio: number;
  /** Estimated crown to the top edge, over image height, at least (negative: the head is cut off). */
  readonly minMarginAboveShare: number;
  /** |face centre line − image centre| over image width, at most. */
  readonly maxHorizontalOffsetShare: number;
  /** Eye-aspect ratio of the less open eye, at least. */
  readonly minEyeOpenness: number;
  /** Inner-lip gap over mouth width, at most. */
  readonly maxMouthOpenness: number;
  // The image ------------------------------------------------------------------------------------
  /** Width and height of the photo, pixels, at least. */
  readonly minImageWidthPx: number;
  readonly minImageHeightPx: number;
  /** Width / height of the photo, and the accepted relative deviation from it. */
  readonly aspectRatio: number;
  readonly aspectTolerance: number;
  /** `ImageStatistics.sharpness` (Laplacian variance in the face region at the working size), at least. */
  readonly minSharpness: number;
  /** `centreLuma` at least (under-exposure), `centreBrightClipped` at most (over-exposure). */
  readonly minFaceRegionLuma: number;
  readonly maxFaceRegionBrightClipped: number;
  /** Background strips: luma standard deviation at most, mean luma at least, mean chroma at most. */
  readonly maxBackgroundStdDev: number;
  readonly minBackgroundLuma: number;
  readonly maxBackgroundChroma: number;
  /** `colourfulness` (mean chroma) at least: a colour photo, not greyscale. */
  readonly minColourfulness: number;
  // The comparison ----------------------------------------------------------------------------
  /**
   * Overrides the engine's own match threshold (`FaceComparison.matchThreshold`, on that engine's
   * 0–100 scale). Leave unset to use the engine's calibrated threshold.
   */
  readonly minFaceSimilarity?: number;
}

/**
 * The one place every threshold lives, with the source of each number. "eval:photos" means
 * calibrated on `npm run -s eval:photos` (LFW-based passport-like photos and their defect variants;
 * the table and the command are in docs/photo-checks.md).
 */
export const DEFAULT_PHOTO_THRESHOLDS: PhotoRuleThresholds = {
  // ICAO / ISO 19794-5 as implementers quote it (DESIGN.md §6): ±5° yaw.
  maxYawDeg: 5,
  // ICAO says ±5°, but the embedded model reads pitch with a bias (median +3.9°, p5 −7.4°, p95
  // +12.5° on 100 LFW faces): 5° would send about 44 % of ordinary photos to a retake. 10° until
  // calibrated on real passport photos (previous decision, kept).
  maxPitchDeg: 10,
  // ICAO ±8° (DESIGN.md §6).
  maxRollDeg: 8,
  // ISO 19794-5 frontal image: ≥ 90 px between the eye centres (DESIGN.md §6). A 413×531 photo with a
  // compliant head has about 110 px.
  minInterEyePx: 90,
  // Taiwan: head 3.2–3.6 cm of 4.5 cm = 0.711–0.800 (DESIGN.md §6), widened by 0.05 on each side for
  // the error of the crown estimate (the crown is not a landmark; see crownAboveEyesRatio).
  minHeadHeightShare: 0.66,
  maxHeadHeightShare: 0.85,
  // Anthropometry: the eyes sit about halfway between crown and chin (vertex–pupil ≈ 11.8 cm,
  // pupil–menton ≈ 11.2 cm for adults), so crown = eye line − 1.05 × (chin − eye line).
  crownAboveEyesRatio: 1.05,
  // Without landmarks: the embedded engine's box is the mesh extent (upper forehead to chin);
  // crown-to-chin ≈ 1.4 × that (eval:photos: median ratio of the landmark estimate to the box, 1.405).
  headFromFaceBoxRatio: 1.4,
  // Without landmarks: eye centres ≈ 0.44 of the mesh box width apart (eval:photos median 0.437).
  interEyeFromFaceBoxRatio: 0.44,
  // Head not cut off at the top: the estimated crown inside the frame (OFIQ MarginAbove; eval:photos).
  minMarginAboveShare: 0,
  // Head centred: the face's centre line (halfway between eye midpoint and chin) within 8 % of the
  // width from the image's centre. ICAO guidance is ±5 %; +3 % for landmark noise and slightly turned
  // heads (the generated sample passport photos measure up to ±0.06; eval:photos bases ±0.01, a 12 %
  // shift is caught).
  maxHorizontalOffsetShare: 0.08,
  // face-engine.md: open eyes ≈ 0.35–0.39; 0.15 is well below a squint.
  minEyeOpenness: 0.15,
  // face-engine.md: a smile with teeth ≈ 0.25.
  maxMouthOpenness: 0.2,
  // Taiwan 35×45 mm at 300 dpi = 413×531 px (the print the office needs).
  minImageWidthPx: 413,
  minImageHeightPx: 531,
  // Taiwan 35:45; ±5 % accepts a phone's 3:4 (0.75), refuses square, landscape and 9:16.
  aspectRatio: 35 / 45,
  aspectTolerance: 0.05,
  // eval:photos: Laplacian variance of the face region at 256 px height. LFW-based bases p5 ≈ 25,
  // the same blurred with σ 3 px (at 531 px) median ≈ 16; the sample passport photos measure 58–123.
  minSharpness: 20,
  // eval:photos: face-region mean luma, bases p5 ≈ 99, darkened × 0.35 ≈ 49 (face-engine.md: 134
  // normal, 51 darkened). 70 leaves room for dark skin in good light.
  minFaceRegionLuma: 70,
  // eval:photos: share of blown pixels (luma ≥ 245) in the face region, bases ≈ 0, overexposed ≈ 0.68.
  maxFaceRegionBrightClipped: 0.15,
  // eval:photos: a plain background after JPEG has a luma sd of 0–2; a textured wall ≈ 29. 12 leaves
  // room for the light fall-off of a real wall (not in the eval: see docs/photo-checks.md).
  maxBackgroundStdDev: 12,
  // DESIGN.md "white background": light grey passes, mid grey (128) fails (eval:photos). Phone photos
  // of a white wall are often 180–230, so not higher.
  minBackgroundLuma: 170,
  // DESIGN.md "white background": near-neutral strips (white ≈ 0–3, light blue (170,205,245) = 75;
  // eval:photos). 20 tolerates a warm or cool white balance.
  maxBackgroundChroma: 20,
  // DESIGN.md "colour": a greyscale JPEG measures < 1, LFW-based bases p5 ≈ 16 (eval:photos).
  minColourfulness: 4,
  // The face-match threshold is each engine's own (FaceComparison.matchThreshold); no override.
};

// ---------------------------------------------------------------------------------------------
// Small helpers

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

function inconclusive(check: PhotoCheckName, threshold?: string): Finding {
  return { check, value: null, ...(threshold ? { threshold } : {}), result: 'inconclusive', fixable: true };
}

function atMost(check: PhotoCheckName, value: number, limit: number, digits = 2): Finding {
  return {
    check,
    value: round(value, digits),
    threshold: `<= ${limit}`,
    result: value <= limit ? 'pass' : 'fail',
    fixable: true,
  };
}

function atLeast(check: PhotoCheckName, value: number, limit: number, digits = 2): Finding {
  return {
    check,
    value: round(value, digits),
    threshold: `>= ${limit}`,
    result: value >= limit ? 'pass' : 'fail',
    fixable: true,
  };
}

function absAtMost(check: PhotoCheckName, value: number, limit: number): Finding {
  return { ...atMost(check, Math.abs(value), limit), value: round(value) };
}

function between(check: PhotoCheckName, value: number, min: number, max: number): Finding {
  const result = value >= min && value <= max ? 'pass' : 'fail';
  return { check, value: round(value), threshold: `${min}–${max}`, result, fixable: true };
}

const finite = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);

// ---------------------------------------------------------------------------------------------
// Head geometry

/** Where the head is, in pixels of the photo, and how it was estimated. */
export interface HeadGeometry {
  /** Estimated crown (y): where the top of the head is, for the margin above it. */
  readonly crownY: number;
  readonly chinY: number;
  /** Crown-to-chin length along the face (the head's size, whatever its tilt). */
  readonly headHeightPx: number;
  /** Horizontal centre of the face (halfway between the eye midpoint and the chin, or the box centre). */
  readonly centreX: number;
  readonly interEyePx: number;
  readonly method: 'landmarks' | 'box';
}

const midpoint = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });

/**
 * Crown, head height, centre line and inter-eye distance of a face. With landmarks: from the eye line
 * and the chin ({@link PhotoRuleThresholds.crownAboveEyesRatio}); without: from the box, read as
 * forehead-to-chin ({@link PhotoRuleThresholds.headFromFaceBoxRatio}). Null when the geometry is
 * degenerate (chin not below the eyes, empty box).
 */
export function headGeometry(face: DetectedFace, t: PhotoRuleThresholds = DEFAULT_PHOTO_THRESHOLDS): HeadGeometry | null {
  const lm = face.landmarks;
  if (lm) {
    const eyes = midpoint(lm.leftEye, lm.rightEye);
    // Eye line to chin along the face (not just vertically), so a tilted head keeps its size.
    const eyeToChin = Math.hypot(lm.chin.x - eyes.x, lm.chin.y - eyes.y);
    const interEyePx = Math.hypot(lm.leftEye.x - lm.rightEye.x, lm.leftEye.y - lm.rightEye.y);
    if (!(lm.chin.y > eyes.y) || !finite(eyeToChin) || !finite(interEyePx) || !finite(eyes.x)) return null;
    const k = t.crownAboveEyesRatio;
    return {
      // The crown lies on the face's axis (chin → eyes), k eye-to-chin lengths beyond the eye line.
      crownY: eyes.y - (lm.chin.y - eyes.y) * k,
      chinY: lm.chin.y,
      headHeightPx: eyeToChin * (1 + k),
      // The face's centre line: halfway between the eye midpoint and the chin (a tilt about the face
      // centre moves the eyes and the chin in opposite directions).
      centreX: (eyes.x + lm.chin.x) / 2,
      interEyePx,
      method: 'landmarks',
    };
  }
  const { x, y, width, height } = face.box;
  if (!(height > 0) || !(width > 0)) return null;
  const chinY = y + height;
  return {
    crownY: chinY - height * t.headFromFaceBoxRatio,
    chinY,
    headHeightPx: height * t.headFromFaceBoxRatio,
    centreX: x + width / 2,
    interEyePx: width * t.interEyeFromFaceBoxRatio,
    method: 'box',
  };
}

// ---------------------------------------------------------------------------------------------
// The checks on the face

function faceChecks(analysis: PortraitAnalysis, face: DetectedFace, t: PhotoRuleThresholds): Finding[] {
  const geometry = headGeometry(face, t);
  const { imageWidth: w, imageHeight: h } = analysis;
  const findings: Finding[] = [];
  if (geometry && h > 0 && w > 0) {
    findings.push(
      between('HeadSize', geometry.headHeightPx / h, t.minHeadHeightShare, t.maxHeadHeightShare),
      atLeast('MarginAboveOfTheFaceImage', geometry.crownY / h, t.minMarginAboveShare),
      absAtMost('HeadPositionHorizontal', geometry.centreX / w - 0.5, t.maxHorizontalOffsetShare),
      atLeast('InterEyeDistance', geometry.interEyePx, t.minInterEyePx, 0),
    );
  } else {
    findings.push(
      inconclusive('HeadSize', `${t.minHeadHeightShare}–${t.maxHeadHeightShare}`),
      inconclusive('MarginAboveOfTheFaceImage', `>= ${t.minMarginAboveShare}`),
      inconclusive('HeadPositionHorizontal', `<= ${t.maxHorizontalOffsetShare}`),
      inconclusive('InterEyeDistance', `>= ${t.minInterEyePx}`),
    );
  }
  findings.push(
    poseCheck('HeadPose.Yaw', face.pose.yaw, t.maxYawDeg),
    poseCheck('HeadPose.Pitch', face.pose.pitch, t.maxPitchDeg),
    poseCheck('HeadPose.Roll', face.pose.roll, t.maxRollDeg),
  );
  const eyes = face.eyeOpenness;
  const leastOpen = eyes ? Math.min(eyes.left, eyes.right) : undefined;
  findings.push(
    finite(leastOpen) ? atLeast('EyesOpen', leastOpen, t.minEyeOpenness) : inconclusive('EyesOpen'),
    finite(face.mouthOpenness) ? atMost('MouthClosed', face.mouthOpenness, t.maxMouthOpenness) : inconclusive('MouthClosed'),
  );
  return findings;
}

function poseCheck(check: PhotoCheckName, degrees: number, limit: number): Finding {
  return finite(degrees) ? absAtMost(check, degrees, limit) : inconclusive(check, `<= ${limit}`);
}

// ---------------------------------------------------------------------------------------------
// The checks on the image

function imageChecks(analysis: PortraitAnalysis, t: PhotoRuleThresholds): Finding[] {
  const { imageWidth: w, imageHeight: h } = analysis;
  const minAspect = round(t.aspectRatio * (1 - t.aspectTolerance), 3);
  const maxAspect = round(t.aspectRatio * (1 + t.aspectTolerance), 3);
  return [
    {
      check: 'ImageResolution',
      value: `${w}x${h}`,
      threshold: `>= ${t.minImageWidthPx}x${t.minImageHeightPx}`,
      result: w >= t.minImageWidthPx && h >= t.minImageHeightPx ? 'pass' : 'fail',
      fixable: true,
    },
    h > 0 ? { ...between('AspectRatio', w / h, minAspect, maxAspect), value: round(w / h, 3) } : inconclusive('AspectRatio'),
  ];
}

function statisticsChecks(stats: ImageStatistics | undefined, t: PhotoRuleThresholds): Finding[] {
  if (!stats) {
    return [
      inconclusive('Sharpness', `>= ${t.minSharpness}`),
      inconclusive('UnderExposurePrevention', `>= ${t.minFaceRegionLuma}`),
      inconclusive('OverExposurePrevention', `<= ${t.maxFaceRegionBrightClipped}`),
      inconclusive('BackgroundUniformity', `<= ${t.maxBackgroundStdDev}`),
      inconclusive('BackgroundLuminance', `>= ${t.minBackgroundLuma}`),
      inconclusive('BackgroundColour', `<= ${t.maxBackgroundChroma}`),
      inconclusive('NaturalColour', `>= ${t.minColourfulness}`),
    ];
  }
  const measured = (check: PhotoCheckName, value: number, make: (v: number) => Finding, threshold: string) =>
    finite(value) ? make(value) : inconclusive(check, threshold);
  return [
    measured('Sharpness', stats.sharpness, (v) => atLeast('Sharpness', v, t.minSharpness, 1), `>= ${t.minSharpness}`),
    measured(
      'UnderExposurePrevention',
      stats.centreLuma,
      (v) => atLeast('UnderExposurePrevention', v, t.minFaceRegionLuma, 1),
      `>= ${t.minFaceRegionLuma}`,
    ),
    measured(
      'OverExposurePrevention',
      stats.centreBrightClipped,
      (v) => atMost('OverExposurePrevention', v, t.maxFaceRegionBrightClipped, 3),
      `<= ${t.maxFaceRegionBrightClipped}`,
    ),
    measured(
      'BackgroundUniformity',
      stats.backgroundStdDev,
      (v) => atMost('BackgroundUniformity', v, t.maxBackgroundStdDev, 1),
      `<= ${t.maxBackgroundStdDev}`,
    ),
    measured(
      'BackgroundLuminance',
      stats.backgroundLuma,
      (v) => atLeast('BackgroundLuminance', v, t.minBackgroundLuma, 1),
      `>= ${t.minBackgroundLuma}`,
    ),
    measured(
      'BackgroundColour',
      stats.backgroundChroma,
      (v) => atMost('BackgroundColour', v, t.maxBackgroundChroma, 1),
      `<= ${t.maxBackgroundChroma}`,
    ),
    measured(
      'NaturalColour',
      stats.colourfulness,
      (v) => atLeast('NaturalColour', v, t.minColourfulness, 1),
      `>= ${t.minColourfulness}`,
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Findings on the photo alone: the face engine's analysis and the scanner's statistics of the same
 * rebuilt photo. `stats` undefined (not measured) makes the statistics checks inconclusive.
 */
export function evaluatePhoto(
  analysis: PortraitAnalysis,
  stats?: ImageStatistics,
  t: PhotoRuleThresholds = DEFAULT_PHOTO_THRESHOLDS,
): Finding[] {
  const count = analysis.faces.length;
  const single: Finding = {
    check: 'SingleFacePresent',
    value: count,
    threshold: '1',
    result: count === 1 ? 'pass' : 'fail',
    fixable: true,
  };
  const face = analysis.faces[0];
  if (!face || count !== 1) return [single];
  const byCheck = new Map<string, Finding>();
  for (const f of [single, ...imageChecks(analysis, t), ...faceChecks(analysis, face, t), ...statisticsChecks(stats, t)]) {
    byCheck.set(f.check, f);
  }
  return PHOTO_CHECKS.flatMap((name) => {
    const f = byCheck.get(name);
    return f ? [f] : [];
  });
}

/**
 * The photo's own outcome, for tools (`check-photo`, `eval:photos`): `RETAKE` when a fixable check
 * fails (as the verdict policy decides), else `INCONCLUSIVE` when a check could not be measured,
 * else `PASS`. The application's verdict is {@link decideVerdict}'s, which also weighs the comparison.
 */
export function photoOutcome(findings: readonly Finding[]): 'PASS' | 'RETAKE' | 'INCONCLUSIVE' {
  if (findings.some((f) => f.result === 'fail' && f.fixable)) return 'RETAKE';
  if (findings.some((f) => f.result !== 'pass')) return 'INCONCLUSIVE';
  return 'PASS';
}

/** Findings of the comparison with the ID card's portrait (counter-only: never shown to the applicant). */
export function evaluateComparison(cmp: FaceComparison, t: PhotoRuleThresholds = DEFAULT_PHOTO_THRESHOLDS): Finding[] {
  const findings: Finding[] = [
    {
      check: ID_CARD_FACE_CHECK,
      value: cmp.targetFaceFound,
      threshold: 'true',
      result: cmp.targetFaceFound ? 'pass' : 'inconclusive',
      fixable: false,
    },
  ];
  if (cmp.similarity === null) {
    findings.push({ check: FACE_MATCH_CHECK, value: null, result: 'inconclusive', fixable: false, counterOnly: true });
  } else {
    const threshold = t.minFaceSimilarity ?? cmp.matchThreshold;
    findings.push({
      check: FACE_MATCH_CHECK,
      value: round(cmp.similarity, 1),
      threshold: `>= ${threshold}`,
      result: cmp.similarity >= threshold ? 'pass' : 'fail',
      fixable: false,
      counterOnly: true,
    });
  }
  return findings;
}

/** What the applicant may see of the findings: never a face score. */
export function applicantVisibleFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => !f.counterOnly).map((f) => ({ ...f }));
}
