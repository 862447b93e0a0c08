/**
 * The embedded face engine on generated sample pictures (bin/support/sample-images.ts): no shared
 * data needed. Loads the real models once for the file (a few seconds).
 */
import sharp from 'sharp';
import { SAMPLE_PERSONS, sampleIdCard, samplePassportPhoto, sampleRuleBreakingPhoto } from '../../bin/support/sample-images';
import { measureImageStatistics } from '../../functions/adapters/image/image-statistics';
import {
  createEmbeddedFaceAnalyzer,
  distanceForSimilarity,
  EMBEDDED_MATCH_THRESHOLD,
  type EmbeddedFaceAnalyzer,
  SIMILARITY_MIDPOINT_DISTANCE,
  SIMILARITY_THRESHOLD_DISTANCE,
  similarityFromDistance,
} from '../../functions/adapters/local/embedded-face-analyzer';
import { evaluatePhoto } from '../../functions/core/photo-rules';

const PERSONS = SAMPLE_PERSONS.map((_, index) => index);
const MATCH = EMBEDDED_MATCH_THRESHOLD;

let analyzer: EmbeddedFaceAnalyzer;
let photos: Uint8Array[];
let idCards: Uint8Array[];

async function plainGreyJpeg(width: number, height: number): Promise<Uint8Array> {
  const grey = { r: 128, g: 128, b: 128 };
  return new Uint8Array(
    await sharp({ create: { width, height, channels: 3, background: grey } })
      .jpeg()
      .toBuffer(),
  );
}

async function sideBySide(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  const { width = 0, height = 0 } = await sharp(left).metadata();
  const canvas = sharp({ create: { width: width * 2, height, channels: 3, background: '#ffffff' } });
  const composed = canvas.composite([
    { input: Buffer.from(left), left: 0, top: 0 },
    { input: await sharp(right).resize(width, height).toBuffer(), left: width, top: 0 },
  ]);
  return new Uint8Array(await composed.jpeg().toBuffer());
}

function liveTensorCount(): number {
  const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  return tf.memory().numTensors;
}

beforeAll(async () => {
  analyzer = createEmbeddedFaceAnalyzer();
  [photos, idCards] = await Promise.all([
    Promise.all(PERSONS.map(samplePassportPhoto)),
    Promise.all(PERSONS.map(sampleIdCard)),
    analyzer.warmUp(),
  ]);
});

describe('similarity scale', () => {
  it('maps the calibrated distance (FMR 0.1 % on LFW) to the exported threshold, is monotone, and inverts', () => {
    expect(EMBEDDED_MATCH_THRESHOLD).toBe(90);
    expect(similarityFromDistance(SIMILARITY_THRESHOLD_DISTANCE)).toBeCloseTo(EMBEDDED_MATCH_THRESHOLD, 1);
    expect(similarityFromDistance(SIMILARITY_MIDPOINT_DISTANCE)).toBeCloseTo(50, 1);
    expect(similarityFromDistance(0.29)).toBeGreaterThan(97); // LFW genuine median
    expect(similarityFromDistance(0.57)).toBeLessThan(20); // LFW impostor median
    const distances = [0, 0.2, 0.3, 0.374, 0.42, 0.48, 0.6, 0.9, 1.4, 2];
    const similarities = distances.map(similarityFromDistance);
    expect([...similarities].sort((a, b) => b - a)).toEqual(similarities);
    expect(distanceForSimilarity(EMBEDDED_MATCH_THRESHOLD)).toBeCloseTo(SIMILARITY_THRESHOLD_DISTANCE, 3);
  });
});

describe('analyzePortrait', () => {
  it('finds one near-frontal face with a sane box on a sample passport photo', async () => {
    const analysis = await analyzer.analyzePortrait(photos[0] as Uint8Array);
    expect(analysis.faces).toHaveLength(1);
    const [face] = analysis.faces;
    if (!face) throw new Error('no face');
    expect(face.box.x).toBeGreaterThan(0);
    expect(face.box.y).toBeGreaterThan(0);
    expect(face.box.x + face.box.width).toBeLessThan(analysis.imageWidth);
    expect(face.box.y + face.box.height).toBeLessThan(analysis.imageHeight);
    expect(face.box.height / analysis.imageHeight).toBeGreaterThan(0.35);
    expect(Math.abs(face.pose.yaw)).toBeLessThan(5);
    expect(Math.abs(face.pose.pitch)).toBeLessThan(10);
    expect(Math.abs(face.pose.roll)).toBeLessThan(5);
    expect(face.eyeOpenness?.left).toBeGreaterThan(0.25);
    expect(face.eyeOpenness?.right).toBeGreaterThan(0.25);
    expect(face.mouthOpenness).toBeLessThan(0.2);
  });

  it.each(PERSONS)('places the landmarks of sample photo %i where a face has them', async (person) => {
    const analysis = await analyzer.analyzePortrait(photos[person] as Uint8Array);
    const face = analysis.faces[0];
    const marks = face?.landmarks;
    if (!face || !marks) throw new Error('no landmarks');
    const { leftEye, rightEye, noseTip, mouthCenter, chin, foreheadTop } = marks;
    if (!noseTip || !mouthCenter || !foreheadTop) throw new Error('incomplete landmarks');
    // Subject's terms: the left eye is on the right of the picture.
    expect(leftEye.x).toBeGreaterThan(rightEye.x);
    const eyeY = (leftEye.y + rightEye.y) / 2;
    expect(foreheadTop.y).toBeLessThan(eyeY);
    expect(eyeY).toBeLessThan(noseTip.y);
    expect(noseTip.y).toBeLessThan(mouthCenter.y);
    expect(mouthCenter.y).toBeLessThan(chin.y);
    // Everything inside the face box (a pixel of slack for rounding), the chin at its bottom.
    for (const p of [leftEye, rightEye, noseTip, mouthCenter, chin, foreheadTop]) {
      expect(p.x).toBeGreaterThanOrEqual(face.box.x - 1);
      expect(p.x).toBeLessThanOrEqual(face.box.x + face.box.width + 1);
      expect(p.y).toBeGreaterThanOrEqual(face.box.y - 1);
      expect(p.y).toBeLessThanOrEqual(face.box.y + face.box.height + 1);
    }
    expect(chin.y).toBeGreaterThan(face.box.y + 0.9 * face.box.height);
    expect(foreheadTop.y).toBeLessThan(face.box.y + 1);
    // Inter-eye distance (pupils): about 0.3–0.5 of the forehead-to-chin height, level eyes.
    const interEye = Math.hypot(leftEye.x - rightEye.x, leftEye.y - rightEye.y);
    expect(interEye / face.box.height).toBeGreaterThan(0.25);
    expect(interEye / face.box.height).toBeLessThan(0.55);
    expect(interEye).toBeGreaterThan(90); // ICAO minimum, comfortably met by the 630 x 810 samples
    expect(Math.abs(leftEye.y - rightEye.y)).toBeLessThan(0.1 * interEye);
    // Nose and mouth on the midline between the eyes.
    const midX = (leftEye.x + rightEye.x) / 2;
    expect(Math.abs(noseTip.x - midX)).toBeLessThan(0.25 * interEye);
    expect(Math.abs(mouthCenter.x - midX)).toBeLessThan(0.25 * interEye);
  });

  it('scales the landmarks with the image, like the box', async () => {
    const large = new Uint8Array(
      await sharp(photos[0] as Uint8Array)
        .resize(1260, 1620)
        .jpeg()
        .toBuffer(),
    );
    const [small, big] = await Promise.all([analyzer.analyzePortrait(photos[0] as Uint8Array), analyzer.analyzePortrait(large)]);
    const a = small.faces[0]?.landmarks;
    const b = big.faces[0]?.landmarks;
    if (!a || !b) throw new Error('no landmarks');
    expect(b.chin.y / a.chin.y).toBeGreaterThan(1.9);
    expect(b.chin.y / a.chin.y).toBeLessThan(2.1);
    expect(b.leftEye.x / a.leftEye.x).toBeGreaterThan(1.9);
    expect(b.leftEye.x / a.leftEye.x).toBeLessThan(2.1);
  });

  it('finds two faces on a side-by-side composite, largest first', async () => {
    const composite = await sideBySide(photos[0] as Uint8Array, photos[1] as Uint8Array);
    const analysis = await analyzer.analyzePortrait(composite);
    expect(analysis.faces).toHaveLength(2);
    const [first, second] = analysis.faces;
    expect((first?.box.width ?? 0) * (first?.box.height ?? 0)).toBeGreaterThanOrEqual(
      (second?.box.width ?? 0) * (second?.box.height ?? 0),
    );
  });

  it('reports boxes in the pixels of the uploaded image, also when it is downscaled for detection', async () => {
    const large = new Uint8Array(
      await sharp(photos[0] as Uint8Array)
        .resize(1260, 1620)
        .jpeg()
        .toBuffer(),
    );
    const [small, big] = await Promise.all([analyzer.analyzePortrait(photos[0] as Uint8Array), analyzer.analyzePortrait(large)]);
    expect(big.imageWidth).toBe(1260);
    const ratio = (big.faces[0]?.box.height ?? 0) / (small.faces[0]?.box.height ?? 1);
    expect(ratio).toBeGreaterThan(1.9);
    expect(ratio).toBeLessThan(2.1);
  });

  it('finds no face on a plain grey image', async () => {
    const analysis = await analyzer.analyzePortrait(await plainGreyJpeg(600, 800));
    expect(analysis.faces).toHaveLength(0);
  });
});

describe('compareFaces', () => {
  it.each(PERSONS)('matches person %i with their own ID card (>= threshold)', async (person) => {
    const comparison = await analyzer.compareFaces(photos[person] as Uint8Array, idCards[person] as Uint8Array);
    expect(comparison.sourceFaceFound).toBe(true);
    expect(comparison.targetFaceFound).toBe(true);
    expect(comparison.similarity).toBeGreaterThanOrEqual(MATCH);
  });

  it.each(PERSONS)('does not match person %i with anyone else’s ID card (< threshold)', async (person) => {
    const others = PERSONS.filter((other) => other !== person);
    for (const other of others) {
      const comparison = await analyzer.compareFaces(photos[person] as Uint8Array, idCards[other] as Uint8Array);
      expect(comparison.similarity).toBeLessThan(MATCH);
    }
  });

  it('gives a near-identical crop a similarity of at least 95', async () => {
    const recompressed = new Uint8Array(
      await sharp(photos[1] as Uint8Array)
        .resize(560)
        .jpeg({ quality: 70 })
        .toBuffer(),
    );
    const comparison = await analyzer.compareFaces(photos[1] as Uint8Array, recompressed);
    expect(comparison.similarity).toBeGreaterThanOrEqual(95);
  });

  it('returns null similarity when a face is missing, and no biometric data at all', async () => {
    const grey = await plainGreyJpeg(1000, 630);
    const comparison = await analyzer.compareFaces(photos[0] as Uint8Array, grey);
    expect(comparison).toEqual({
      sourceFaceFound: true,
      targetFaceFound: false,
      similarity: null,
      matchThreshold: EMBEDDED_MATCH_THRESHOLD,
      engine: expect.any(String),
    });
    const reversed = await analyzer.compareFaces(grey, photos[0] as Uint8Array);
    expect(reversed.sourceFaceFound).toBe(false);
    expect(reversed.similarity).toBeNull();
  });
});

describe('sample pictures against the photo rules', () => {
  it.each(PERSONS)('sample passport photo %i passes every rule', async (person) => {
    const photo = photos[person] as Uint8Array;
    const findings = evaluatePhoto(await analyzer.analyzePortrait(photo), await measureImageStatistics(photo));
    expect(findings.filter((finding) => finding.result !== 'pass')).toEqual([]);
  });

  it.each(PERSONS)(
    'the rule-breaking sample of person %i fails HeadPose.Roll only, which the applicant can fix',
    async (person) => {
      const photo = await sampleRuleBreakingPhoto(person);
      const findings = evaluatePhoto(await analyzer.analyzePortrait(photo), await measureImageStatistics(photo));
      const failed = findings.filter((finding) => finding.result !== 'pass');
      expect(failed.map((finding) => finding.check)).toEqual(['HeadPose.Roll']);
      expect(failed.every((finding) => finding.fixable)).toBe(true);
    },
  );

  it('sample pictures have the documented shapes', async () => {
    expect(await sharp(photos[0] as Uint8Array).metadata()).toMatchObject({ format: 'jpeg', width: 630, height: 810 });
    expect(await sharp(idCards[0] as Uint8Array).metadata()).toMatchObject({ format: 'jpeg', width: 1000, height: 630 });
  });
});

describe('resources', () => {
  it('leaks no tensors over repeated calls', async () => {
    const photo = photos[2] as Uint8Array;
    const card = idCards[2] as Uint8Array;
    await analyzer.analyzePortrait(photo);
    await analyzer.compareFaces(photo, card);
    const before = liveTensorCount();
    for (let round = 0; round < 5; round += 1) {
      await analyzer.analyzePortrait(photo);
      await analyzer.compareFaces(photo, card);
    }
    expect(liveTensorCount()).toBe(before);
  });

  it('serves concurrent calls', async () => {
    const results = await Promise.all(PERSONS.map((person) => analyzer.analyzePortrait(photos[person] as Uint8Array)));
    expect(results.map((result) => result.faces.length)).toEqual(PERSONS.map(() => 1));
  });

  it('refuses calls once closed, while other analyzers keep the shared models', async () => {
    const other = createEmbeddedFaceAnalyzer();
    await other.close();
    await expect(other.analyzePortrait(photos[0] as Uint8Array)).rejects.toThrow('closed');
    expect((await analyzer.analyzePortrait(photos[0] as Uint8Array)).faces).toHaveLength(1);
  });
});
