/**
 * The {@link FaceAnalyzer} port on Amazon Rekognition (image bytes in the request; nothing is stored:
 * no IndexFaces, no collections, no S3 references).
 *
 * analyzePortrait — `DetectFaces` with the attributes `DEFAULT` (bounding box, confidence, landmarks,
 * pose, quality), `EYES_OPEN` and `MOUTH_OPEN`: no age, gender or emotion estimates are requested.
 * - Boxes: Rekognition gives ratios of the image size; the size comes from the JPEG header
 *   ({@link jpegDimensions}, no decoder: this runs in a zip Lambda). The images reaching this adapter
 *   are the scanner's rebuilt JPEGs, which carry no EXIF orientation, so the ratios refer to the
 *   stored pixel grid.
 * - Faces: largest first, and only those at least 30 % of the largest face's height and 40 px tall,
 *   as the embedded analyzer filters them.
 * - Pose: Rekognition's Yaw/Pitch/Roll are degrees already. Confidence 0–100 becomes 0–1.
 * - Landmarks ({@link landmarksFromRekognition}): ratios × image size, in pixels. Rekognition names the
 *   eyes by image side (`eyeLeft` is on the left of the picture, i.e. the subject's RIGHT eye); the
 *   port uses the subject's terms, so `eyeLeft` → `rightEye` and `eyeRight` → `leftEye`. The mouth
 *   centre is the midpoint of `mouthLeft` and `mouthRight`; the chin is `chinBottom`. Rekognition
 *   has no forehead point, so `foreheadTop` is left out.
 * - Eyes and mouth (INTERIM mapping): the port carries ratios (eye aspect, lip gap over mouth width)
 *   that `evaluatePhoto` compares with `minEyeOpenness` 0.15 and `maxMouthOpenness` 0.2, while
 *   Rekognition gives booleans with a confidence. They are mapped to representative ratios on the
 *   right side of those thresholds, so the findings agree with Rekognition's boolean: eyes open
 *   → 0.35, closed → 0.05 (both eyes the same); mouth open → 0.3, closed → 0.05. Below
 *   {@link MIN_ATTRIBUTE_CONFIDENCE} % confidence the field is left out: `EyesOpen` is then
 *   inconclusive, and no `MouthClosed` finding is made. The numbers are not measurements; a later
 *   change gives the port engine-neutral probabilities.
 *
 * compareFaces — `CompareFaces` (source = the photo, target = the ID card, `SimilarityThreshold: 0`
 * so every target face comes back with its similarity, `QualityFilter: NONE`). The similarity is the
 * best `FaceMatches[].Similarity` (Rekognition's 0–100 scale), 0 when the target's faces are all
 * unmatched. Rekognition answers "no face in the source or target image" with a bare
 * `InvalidParameterException` ("Request has invalid parameters") that does not say which image; the
 * adapter then asks `DetectFaces` (default attributes) about both images, as AWS suggests, and reports
 * which one has no face with a null similarity. When both images do have faces the original error is
 * rethrown. Every other error propagates.
 */

import type { Landmark } from '@aws-sdk/client-rekognition';
import {
  CompareFacesCommand,
  DetectFacesCommand,
  type FaceDetail,
  InvalidParameterException,
  type RekognitionClient,
} from '@aws-sdk/client-rekognition';
import type { DetectedFace, FaceAnalyzer, FaceComparison, FaceLandmarks, Point, PortraitAnalysis } from '../../core/ports';

export const REKOGNITION_FACE_ENGINE = 'rekognition';

/** Below this confidence (percent) an eyes-open or mouth-open answer is not used. */
export const MIN_ATTRIBUTE_CONFIDENCE = 80;

/** Interim ratios standing in for Rekognition's booleans (see the module comment). */
export const INTERIM_OPENNESS = {
  eyesOpen: 0.35,
  eyesClosed: 0.05,
  mouthOpen: 0.3,
  mouthClosed: 0.05,
} as const;

/** Faces smaller than this share of the largest face's height, or than this many pixels, are ignored. */
export const MIN_FACE_SHARE_OF_LARGEST = 0.3;
export const MIN_FACE_HEIGHT_PX = 40;

/**
 * Width and height from a JPEG's start-of-frame (SOF0–SOF15, except DHT C4, JPG C8 and DAC CC)
 * segment. Reads only the marker segments before the first frame header. Returns null for bytes
 * that are not a JPEG or whose headers are cut short.
 */
export function jpegDimensions(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let i = 2;
  while (i < bytes.length) {
    if (bytes[i] !== 0xff) return null;
    while (bytes[i] === 0xff) i++; // fill bytes
    const marker = bytes[i];
    i++;
    if (marker === undefined) return null;
    // Markers without a length: TEM, RST0–7, SOI. EOI or SOS before a frame header: give up.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue;
    if (marker === 0xd9 || marker === 0xda) return null;
    const hi = bytes[i];
    const lo = bytes[i + 1];
    if (hi === undefined || lo === undefined) return null;
    const length = (hi << 8) | lo;
    if (length < 2) return null;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      // length(2) precision(1) height(2) width(2)
      const h1 = bytes[i + 3];
      const h0 = bytes[i + 4];
      const w1 = bytes[i + 5];
      const w0 = bytes[i + 6];
      if (length < 8 || h1 === undefined || h0 === undefined || w1 === undefined || w0 === undefined) return null;
      const height = (h1 << 8) | h0;
      const width = (w1 << 8) | w0;
      return width > 0 && height > 0 ? { width, height } : null;
    }
    i += length;
  }
  return null;
}

function round(value: number, digits: number): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

function confident(attribute: { Value?: boolean; Confidence?: number } | undefined): boolean | undefined {
  if (attribute?.Value === undefined || attribute.Confidence === undefined) return undefined;
  return attribute.Confidence >= MIN_ATTRIBUTE_CONFIDENCE ? attribute.Value : undefined;
}

/**
 * Rekognition's landmarks in the port's terms (pixels; the subject's left and right). Undefined when
 * either eye or the chin is missing.
 */
export function landmarksFromRekognition(
  landmarks: readonly Landmark[] | undefined,
  width: number,
  height: number,
): FaceLandmarks | undefined {
  const byType = new Map<string, Point>();
  for (const landmark of landmarks ?? []) {
    if (landmark.Type === undefined || landmark.X === undefined || landmark.Y === undefined) continue;
    byType.set(landmark.Type, { x: round(landmark.X * width, 1), y: round(landmark.Y * height, 1) });
  }
  const rightEye = byType.get('eyeLeft'); // on the image's left: the subject's right eye
  const leftEye = byType.get('eyeRight');
  const chin = byType.get('chinBottom');
  if (!rightEye || !leftEye || !chin) return undefined;
  const noseTip = byType.get('nose');
  const mouthLeft = byType.get('mouthLeft');
  const mouthRight = byType.get('mouthRight');
  const mouthCenter =
    mouthLeft && mouthRight
      ? { x: round((mouthLeft.x + mouthRight.x) / 2, 1), y: round((mouthLeft.y + mouthRight.y) / 2, 1) }
      : undefined;
  return { leftEye, rightEye, ...(noseTip ? { noseTip } : {}), ...(mouthCenter ? { mouthCenter } : {}), chin };
}

/** One Rekognition `FaceDetail` in the port's terms, on an image of `width` × `height` pixels. */
export function toDetectedFace(detail: FaceDetail, width: number, height: number): DetectedFace {
  const box = detail.BoundingBox ?? {};
  const eyesOpen = confident(detail.EyesOpen);
  const mouthOpen = confident(detail.MouthOpen);
  const eye = eyesOpen === undefined ? undefined : eyesOpen ? INTERIM_OPENNESS.eyesOpen : INTERIM_OPENNESS.eyesClosed;
  const landmarks = landmarksFromRekognition(detail.Landmarks, width, height);
  return {
    box: {
      x: Math.round((box.Left ?? 0) * width),
      y: Math.round((box.Top ?? 0) * height),
      width: Math.round((box.Width ?? 0) * width),
      height: Math.round((box.Height ?? 0) * height),
    },
    confidence: round((detail.Confidence ?? 0) / 100, 3),
    pose: {
      yaw: round(detail.Pose?.Yaw ?? 0, 1),
      pitch: round(detail.Pose?.Pitch ?? 0, 1),
      roll: round(detail.Pose?.Roll ?? 0, 1),
    },
    ...(eye !== undefined ? { eyeOpenness: { left: eye, right: eye } } : {}),
    ...(mouthOpen !== undefined ? { mouthOpenness: mouthOpen ? INTERIM_OPENNESS.mouthOpen : INTERIM_OPENNESS.mouthClosed } : {}),
    ...(landmarks ? { landmarks } : {}),
  };
}

function facesThatMatter(faces: DetectedFace[]): DetectedFace[] {
  const bySize = [...faces].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  const largest = bySize[0];
  if (!largest) return [];
  const floor = Math.max(MIN_FACE_HEIGHT_PX, largest.box.height * MIN_FACE_SHARE_OF_LARGEST);
  return bySize.filter((face) => face.box.height >= floor);
}

function isInvalidParameter(error: unknown): boolean {
  return error instanceof InvalidParameterException || (error as { name?: unknown } | null)?.name === 'InvalidParameterException';
}

/** AWS's advice for CompareFaces where accuracy matters (Rekognition developer guide). */
export const REKOGNITION_DEFAULT_MATCH_THRESHOLD = 99;

export function createRekognitionFaceAnalyzer(
  client: RekognitionClient,
  options: { readonly matchThreshold?: number } = {},
): FaceAnalyzer {
  const matchThreshold = options.matchThreshold ?? REKOGNITION_DEFAULT_MATCH_THRESHOLD;
  async function faceCount(image: Uint8Array): Promise<number> {
    const result = await client.send(new DetectFacesCommand({ Image: { Bytes: image }, Attributes: ['DEFAULT'] }));
    return result.FaceDetails?.length ?? 0;
  }

  return {
    async analyzePortrait(image): Promise<PortraitAnalysis> {
      const size = jpegDimensions(image);
      if (!size) throw new Error('the portrait is not a JPEG with a readable frame header');
      const result = await client.send(
        new DetectFacesCommand({ Image: { Bytes: image }, Attributes: ['DEFAULT', 'EYES_OPEN', 'MOUTH_OPEN'] }),
      );
      const faces = (result.FaceDetails ?? []).map((detail) => toDetectedFace(detail, size.width, size.height));
      return { imageWidth: size.width, imageHeight: size.height, faces: facesThatMatter(faces), engine: REKOGNITION_FACE_ENGINE };
    },

    async compareFaces(source, target): Promise<FaceComparison> {
      try {
        const result = await client.send(
          new CompareFacesCommand({
            SourceImage: { Bytes: source },
            TargetImage: { Bytes: target },
            SimilarityThreshold: 0,
            QualityFilter: 'NONE',
          }),
        );
        const similarities = (result.FaceMatches ?? []).map((m) => m.Similarity).filter((s): s is number => s !== undefined);
        const unmatched = result.UnmatchedFaces?.length ?? 0;
        const targetFaceFound = similarities.length > 0 || unmatched > 0;
        return {
          sourceFaceFound: true,
          targetFaceFound,
          similarity: similarities.length > 0 ? round(Math.max(...similarities), 2) : targetFaceFound ? 0 : null,
          matchThreshold,
          engine: REKOGNITION_FACE_ENGINE,
        };
      } catch (error) {
        if (!isInvalidParameter(error)) throw error;
        const [sourceFaces, targetFaces] = await Promise.all([faceCount(source), faceCount(target)]);
        if (sourceFaces > 0 && targetFaces > 0) throw error;
        return {
          sourceFaceFound: sourceFaces > 0,
          targetFaceFound: targetFaces > 0,
          similarity: null,
          matchThreshold,
          engine: REKOGNITION_FACE_ENGINE,
        };
      }
    },
  };
}
