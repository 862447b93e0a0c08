/**
 * The Rekognition face analyzer on recorded-shape responses (test/adapters/fixtures/rekognition,
 * shaped like the DetectFaces / CompareFaces API responses) through aws-sdk-client-mock, and the
 * findings `evaluatePhoto` / `evaluateComparison` make of its output.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  AccessDeniedException,
  CompareFacesCommand,
  type CompareFacesCommandOutput,
  DetectFacesCommand,
  type DetectFacesCommandOutput,
  InvalidParameterException,
  RekognitionClient,
} from '@aws-sdk/client-rekognition';
import { mockClient } from 'aws-sdk-client-mock';
import sharp from 'sharp';
import {
  createRekognitionFaceAnalyzer,
  jpegDimensions,
  landmarksFromRekognition,
  REKOGNITION_FACE_ENGINE,
} from '../../functions/adapters/aws/rekognition-face-analyzer';
import { evaluateComparison, evaluatePhoto } from '../../functions/core/photo-rules';
import { FACE_MATCH_CHECK, type Finding, ID_CARD_FACE_CHECK } from '../../functions/core/verdict';

/** The checks Rekognition's DetectFaces answers; the rest need the scanner's image statistics. */
const FACE_CHECKS = [
  'SingleFacePresent',
  'HeadSize',
  'InterEyeDistance',
  'HeadPose.Yaw',
  'HeadPose.Pitch',
  'HeadPose.Roll',
  'EyesOpen',
  'MouthClosed',
];

type DetectFacesResponse = Omit<DetectFacesCommandOutput, '$metadata'>;
type CompareFacesResponse = Omit<CompareFacesCommandOutput, '$metadata'>;

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'rekognition', `${name}.json`), 'utf8')) as T;
}

const results = (findings: readonly Finding[]) => Object.fromEntries(findings.map((f) => [f.check, f.result]));

const client = new RekognitionClient({ region: 'ap-northeast-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const rekognition = mockClient(client);
const analyzer = createRekognitionFaceAnalyzer(client);

const WIDTH = 600;
const HEIGHT = 772;
let photo: Buffer;
let idCard: Buffer;

beforeAll(async () => {
  photo = await sharp({ create: { width: WIDTH, height: HEIGHT, channels: 3, background: '#f4f4f4' } })
    .jpeg()
    .toBuffer();
  idCard = await sharp({ create: { width: 856, height: 540, channels: 3, background: '#d9e4f0' } })
    .jpeg()
    .toBuffer();
});
beforeEach(() => rekognition.reset());

describe('jpegDimensions', () => {
  it('reads baseline and progressive frames, after metadata segments', async () => {
    const base = sharp({ create: { width: 413, height: 531, channels: 3, background: '#fff' } });
    expect(jpegDimensions(await base.clone().jpeg().toBuffer())).toEqual({ width: 413, height: 531 });
    expect(jpegDimensions(await base.clone().jpeg({ progressive: true }).toBuffer())).toEqual({ width: 413, height: 531 });
    const withMetadata = await base
      .clone()
      .withMetadata({ exif: { IFD0: { Copyright: 'test' } } })
      .jpeg()
      .toBuffer();
    expect(withMetadata.includes(Buffer.from('Exif'))).toBe(true);
    expect(jpegDimensions(withMetadata)).toEqual({ width: 413, height: 531 });
  });

  it('skips tables and fill bytes before the frame header', () => {
    const hex = [
      'ffd8', // SOI
      'ffdb 0004 0001', // DQT (shortened)
      'ffc4 0003 00', // DHT: C4 is not a frame header
      'ff ffc0 0011 08 0bb8 0fa0 03', // a fill byte, then SOF0: 8-bit, 3000 high, 4000 wide, 3 components
    ];
    const bytes = Buffer.from(hex.join('').replaceAll(' ', ''), 'hex');
    expect(jpegDimensions(bytes)).toEqual({ width: 4000, height: 3000 });
  });

  it('returns null for other formats, a missing frame header and cut-off headers', async () => {
    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    expect(jpegDimensions(png)).toBeNull();
    expect(jpegDimensions(new Uint8Array())).toBeNull();
    expect(jpegDimensions(Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x02]))).toBeNull(); // SOS before any frame
    expect(jpegDimensions(Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x0b]))).toBeNull();
    expect(jpegDimensions(Buffer.from([0xff, 0xd8, 0x00, 0x00]))).toBeNull();
    expect(jpegDimensions(Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x00, 0x00, 0x00]))).toBeNull();
    expect(jpegDimensions(photo.subarray(0, 40))).toBeNull();
  });
});

describe('analyzePortrait (DetectFaces)', () => {
  it('asks for the default attributes plus eyes and mouth only, with the image bytes', async () => {
    rekognition.on(DetectFacesCommand).resolves(fixture<DetectFacesResponse>('detect-faces-compliant'));
    await analyzer.analyzePortrait(photo);
    const input = rekognition.commandCalls(DetectFacesCommand)[0]?.args[0].input;
    expect(input?.Attributes).toEqual(['DEFAULT', 'EYES_OPEN', 'MOUTH_OPEN']);
    expect(Buffer.from(input?.Image?.Bytes ?? new Uint8Array())).toEqual(photo);
    expect(input?.Image?.S3Object).toBeUndefined();
  });

  it('maps a compliant portrait to pixels, degrees and the interim ratios; every rule passes', async () => {
    rekognition.on(DetectFacesCommand).resolves(fixture<DetectFacesResponse>('detect-faces-compliant'));
    const analysis = await analyzer.analyzePortrait(photo);
    expect(analysis).toEqual({
      imageWidth: WIDTH,
      imageHeight: HEIGHT,
      engine: REKOGNITION_FACE_ENGINE,
      faces: [
        {
          box: { x: Math.round(0.2371 * WIDTH), y: Math.round(0.1706 * HEIGHT), width: 313, height: 427 },
          confidence: 1,
          pose: { yaw: -2.3, pitch: 3.1, roll: 1.2 },
          eyeOpenness: { left: 0.35, right: 0.35 },
          mouthOpenness: 0.05,
          // Rekognition's eyeLeft (x 0.4039, the picture's left) is the subject's right eye.
          landmarks: {
            leftEye: { x: 355, y: 294 },
            rightEye: { x: 242.3, y: 294 },
            noseTip: { x: 298.7, y: 370.9 },
            mouthCenter: { x: 298.7, y: 447.7 },
            chin: { x: 298.7, y: 554.5 },
          },
        },
      ],
    });
    // The face checks: the image statistics come from the scanner, not from Rekognition.
    const findings = evaluatePhoto(analysis).filter((f) => FACE_CHECKS.includes(f.check));
    expect(findings.every((f) => f.result === 'pass')).toBe(true);
    expect(results(findings)).toEqual({
      SingleFacePresent: 'pass',
      HeadSize: 'pass',
      InterEyeDistance: 'pass',
      'HeadPose.Yaw': 'pass',
      'HeadPose.Pitch': 'pass',
      'HeadPose.Roll': 'pass',
      EyesOpen: 'pass',
      MouthClosed: 'pass',
    });
  });

  it("maps landmarks to pixels in the subject's terms; without both eyes and the chin there are none", () => {
    const landmarks = landmarksFromRekognition(
      [
        { Type: 'eyeLeft', X: 0.4, Y: 0.3 },
        { Type: 'eyeRight', X: 0.6, Y: 0.32 },
        { Type: 'nose', X: 0.5, Y: 0.45 },
        { Type: 'mouthLeft', X: 0.42, Y: 0.55 },
        { Type: 'mouthRight', X: 0.58, Y: 0.57 },
        { Type: 'chinBottom', X: 0.51, Y: 0.7 },
        { Type: 'upperJawlineLeft', X: 0.3, Y: 0.35 },
      ],
      1000,
      500,
    );
    expect(landmarks).toEqual({
      rightEye: { x: 400, y: 150 },
      leftEye: { x: 600, y: 160 },
      noseTip: { x: 500, y: 225 },
      mouthCenter: { x: 500, y: 280 },
      chin: { x: 510, y: 350 },
    });
    expect(landmarksFromRekognition([{ Type: 'eyeLeft', X: 0.4, Y: 0.3 }], 1000, 500)).toBeUndefined();
    expect(landmarksFromRekognition(undefined, 1000, 500)).toBeUndefined();
  });

  it('closed eyes and an open mouth fail as Rekognition says', async () => {
    rekognition.on(DetectFacesCommand).resolves(fixture<DetectFacesResponse>('detect-faces-eyes-closed-mouth-open'));
    const findings = evaluatePhoto(await analyzer.analyzePortrait(photo));
    expect(results(findings)).toMatchObject({ EyesOpen: 'fail', MouthClosed: 'fail', 'HeadPose.Yaw': 'pass' });
  });

  it('answers below 80 % confidence are left out: eyes and mouth inconclusive', async () => {
    rekognition.on(DetectFacesCommand).resolves(fixture<DetectFacesResponse>('detect-faces-uncertain'));
    const analysis = await analyzer.analyzePortrait(photo);
    expect(analysis.faces[0]).not.toHaveProperty('eyeOpenness');
    expect(analysis.faces[0]).not.toHaveProperty('mouthOpenness');
    const findings = evaluatePhoto(analysis);
    expect(results(findings)).toMatchObject({ EyesOpen: 'inconclusive', MouthClosed: 'inconclusive' });
  });

  it('a turned and tilted head fails yaw and roll', async () => {
    rekognition.on(DetectFacesCommand).resolves(fixture<DetectFacesResponse>('detect-faces-turned'));
    const findings = evaluatePhoto(await analyzer.analyzePortrait(photo));
    expect(results(findings)).toMatchObject({ 'HeadPose.Yaw': 'fail', 'HeadPose.Roll': 'fail', 'HeadPose.Pitch': 'pass' });
    expect(findings.find((f) => f.check === 'HeadPose.Yaw')?.value).toBe(14.3);
  });

  it('largest face first; a second sizeable face counts, a tiny background face does not', async () => {
    rekognition.on(DetectFacesCommand).resolves(fixture<DetectFacesResponse>('detect-faces-two-faces'));
    const analysis = await analyzer.analyzePortrait(photo);
    expect(analysis.faces.map((f) => f.box.height)).toEqual([410, 170]);
    expect(results(evaluatePhoto(analysis))).toEqual({ SingleFacePresent: 'fail' });
  });

  it('no face: SingleFacePresent fails', async () => {
    rekognition.on(DetectFacesCommand).resolves(fixture<DetectFacesResponse>('detect-faces-none'));
    const analysis = await analyzer.analyzePortrait(photo);
    expect(analysis.faces).toEqual([]);
    expect(results(evaluatePhoto(analysis))).toEqual({ SingleFacePresent: 'fail' });
  });

  it('refuses bytes that are not a JPEG before calling Rekognition; AWS errors propagate', async () => {
    await expect(analyzer.analyzePortrait(Buffer.from('not an image'))).rejects.toThrow(/not a JPEG/);
    expect(rekognition.calls()).toHaveLength(0);
    const denied = new AccessDeniedException({ message: 'denied', $metadata: {} });
    rekognition.on(DetectFacesCommand).rejects(denied);
    await expect(analyzer.analyzePortrait(photo)).rejects.toBe(denied);
  });
});

describe('compareFaces (CompareFaces)', () => {
  it('sends the photo as source and the ID card as target, threshold 0, no quality filter', async () => {
    rekognition.on(CompareFacesCommand).resolves(fixture<CompareFacesResponse>('compare-faces-match'));
    await analyzer.compareFaces(photo, idCard);
    const input = rekognition.commandCalls(CompareFacesCommand)[0]?.args[0].input;
    expect(Buffer.from(input?.SourceImage?.Bytes ?? new Uint8Array())).toEqual(photo);
    expect(Buffer.from(input?.TargetImage?.Bytes ?? new Uint8Array())).toEqual(idCard);
    expect(input).toMatchObject({ SimilarityThreshold: 0, QualityFilter: 'NONE' });
  });

  it('a match passes', async () => {
    rekognition.on(CompareFacesCommand).resolves(fixture<CompareFacesResponse>('compare-faces-match'));
    const cmp = await analyzer.compareFaces(photo, idCard);
    expect(cmp).toEqual({
      sourceFaceFound: true,
      targetFaceFound: true,
      similarity: 99.42,
      matchThreshold: 99,
      engine: REKOGNITION_FACE_ENGINE,
    });
    expect(results(evaluateComparison(cmp))).toEqual({ [ID_CARD_FACE_CHECK]: 'pass', [FACE_MATCH_CHECK]: 'pass' });
  });

  it('takes the best of several target faces (an ID card with a ghost portrait)', async () => {
    rekognition.on(CompareFacesCommand).resolves(fixture<CompareFacesResponse>('compare-faces-ghost-image'));
    expect((await analyzer.compareFaces(photo, idCard)).similarity).toBe(97.14);
  });

  it('a different person fails; only unmatched faces is similarity 0 and fails', async () => {
    rekognition.on(CompareFacesCommand).resolves(fixture<CompareFacesResponse>('compare-faces-different-person'));
    const other = await analyzer.compareFaces(photo, idCard);
    expect(other.similarity).toBe(2.82);
    expect(results(evaluateComparison(other))).toEqual({ [ID_CARD_FACE_CHECK]: 'pass', [FACE_MATCH_CHECK]: 'fail' });
    rekognition.on(CompareFacesCommand).resolves(fixture<CompareFacesResponse>('compare-faces-unmatched'));
    const unmatched = await analyzer.compareFaces(photo, idCard);
    expect(unmatched).toMatchObject({ sourceFaceFound: true, targetFaceFound: true, similarity: 0 });
    expect(results(evaluateComparison(unmatched))).toEqual({ [ID_CARD_FACE_CHECK]: 'pass', [FACE_MATCH_CHECK]: 'fail' });
  });

  const noFace = () => new InvalidParameterException({ message: 'Request has invalid parameters', $metadata: {} });

  it('no face on the ID card: InvalidParameterException, then DetectFaces says which image → inconclusive', async () => {
    rekognition.on(CompareFacesCommand).rejects(noFace());
    rekognition
      .on(DetectFacesCommand)
      .callsFake((input: DetectFacesCommand['input']) =>
        Buffer.from(input.Image?.Bytes ?? new Uint8Array()).equals(photo)
          ? fixture<DetectFacesResponse>('detect-faces-compliant')
          : fixture<DetectFacesResponse>('detect-faces-none'),
      );
    const cmp = await analyzer.compareFaces(photo, idCard);
    expect(cmp).toEqual({
      sourceFaceFound: true,
      targetFaceFound: false,
      similarity: null,
      matchThreshold: 99,
      engine: REKOGNITION_FACE_ENGINE,
    });
    expect(rekognition.commandCalls(DetectFacesCommand).map((c) => c.args[0].input.Attributes)).toEqual([
      ['DEFAULT'],
      ['DEFAULT'],
    ]);
    expect(results(evaluateComparison(cmp))).toEqual({
      [ID_CARD_FACE_CHECK]: 'inconclusive',
      [FACE_MATCH_CHECK]: 'inconclusive',
    });
  });

  it('no face in the photo: sourceFaceFound false, similarity null', async () => {
    rekognition.on(CompareFacesCommand).rejects(noFace());
    rekognition
      .on(DetectFacesCommand)
      .callsFake((input: DetectFacesCommand['input']) =>
        Buffer.from(input.Image?.Bytes ?? new Uint8Array()).equals(photo)
          ? fixture<DetectFacesResponse>('detect-faces-none')
          : fixture<DetectFacesResponse>('detect-faces-compliant'),
      );
    expect(await analyzer.compareFaces(photo, idCard)).toMatchObject({
      sourceFaceFound: false,
      targetFaceFound: true,
      similarity: null,
    });
  });

  it('an InvalidParameterException with faces in both images, and any other error, propagate', async () => {
    const invalid = noFace();
    rekognition.on(CompareFacesCommand).rejects(invalid);
    rekognition.on(DetectFacesCommand).resolves(fixture<DetectFacesResponse>('detect-faces-compliant'));
    await expect(analyzer.compareFaces(photo, idCard)).rejects.toBe(invalid);
    const denied = new AccessDeniedException({ message: 'denied', $metadata: {} });
    rekognition.on(CompareFacesCommand).rejects(denied);
    await expect(analyzer.compareFaces(photo, idCard)).rejects.toBe(denied);
  });

  it('stores nothing: only DetectFaces and CompareFaces are ever called', async () => {
    rekognition.on(CompareFacesCommand).rejects(noFace());
    rekognition.on(DetectFacesCommand).resolves(fixture<DetectFacesResponse>('detect-faces-none'));
    await analyzer.compareFaces(photo, idCard);
    await analyzer.analyzePortrait(photo);
    const names = new Set(rekognition.calls().map((c) => (c.args[0] as object).constructor.name));
    expect([...names].sort()).toEqual(['CompareFacesCommand', 'DetectFacesCommand']);
  });
});
