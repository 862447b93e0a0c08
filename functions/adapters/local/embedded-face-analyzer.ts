/**
 * The embedded face engine behind the {@link FaceAnalyzer} port: no cloud, every model ships inside an
 * npm package (see docs/face-engine.md).
 *
 * - `analyzePortrait`: @vladmandic/human (BlazeFace → 478-point FaceMesh → iris) gives the faces, the head
 *   pose and the eye and mouth ratios.
 * - `compareFaces`: @vladmandic/face-api (TinyFaceDetector, or SSD-MobileNetV1 when Tiny finds nothing →
 *   68 landmarks → 128-d ResNet-34 descriptor) on the largest face of each image; the Euclidean distance is
 *   mapped to a 0–100 similarity.
 *
 * Both libraries share one tfjs engine on the WASM backend. Models load once per process, lazily, behind a
 * single promise. Engine work is serialised (the WASM backend runs one thread anyway). Every tensor is
 * disposed; descriptors never leave this module and are never stored.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as FaceApiModule from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import type { FaceResult, Config as HumanConfig, Human as HumanInstance, Tensor as HumanTensor, Point } from '@vladmandic/human';
import sharp from 'sharp';
import type { DetectedFace, FaceAnalyzer, FaceComparison, HeadPose, PortraitAnalysis } from '../../core/ports';

type FaceApi = typeof FaceApiModule;
type FaceApiTensor3D = ReturnType<FaceApi['tf']['tensor3d']>;
type FaceDetection = FaceApiModule.FaceDetection;
type HumanConstructor = new (config?: Partial<HumanConfig>) => HumanInstance;
type Tfjs = typeof import('@tensorflow/tfjs');
type WasmBackendModule = { setWasmPaths(prefix: string): void };
type Box = DetectedFace['box'];

export const EMBEDDED_FACE_ENGINE = 'embedded:human-3.3.6+face-api-1.7.15';

/**
 * Distance → similarity: a logistic curve, monotone decreasing in d, anchored so that
 * d = 0.54 (≈ 0.1 % false-match rate on the LFW subset, face-engine.md) gives 90 and d = 0.70 gives 50.
 *
 *   similarity(d) = 100 / (1 + exp(k · (d − 0.70))),  k = ln 9 / 0.16 ≈ 13.73
 *
 * Anchors: d 0.20 → 99.9 · d 0.44 (LFW genuine mean) → 97.3 · d 0.54 → 90 · d 0.612 (≈ 1 % FMR) → 77
 * · d 0.83 (LFW impostor mean) → 14.
 */
export const SIMILARITY_MIDPOINT_DISTANCE = 0.7;
export const SIMILARITY_SLOPE = Math.log(9) / 0.16;

export function similarityFromDistance(distance: number): number {
  const similarity = 100 / (1 + Math.exp(SIMILARITY_SLOPE * (distance - SIMILARITY_MIDPOINT_DISTANCE)));
  return Math.round(similarity * 100) / 100;
}

/** The inverse of {@link similarityFromDistance}, for documentation and threshold calibration. */
export function distanceForSimilarity(similarity: number): number {
  return SIMILARITY_MIDPOINT_DISTANCE + Math.log(100 / similarity - 1) / SIMILARITY_SLOPE;
}

export interface EmbeddedFaceAnalyzerOptions {
  /** Longest side, in pixels, an image is downscaled to before detection. Boxes are reported in original pixels. */
  readonly maxAnalysisSide?: number;
  /** A face is reported only when its height is at least this share of the largest face's height. */
  readonly minFaceShareOfLargest?: number;
  /** Faces smaller than this (pixels of the original image, mesh height) are ignored. */
  readonly minFaceHeightPx?: number;
  /** Human's BlazeFace confidence floor. */
  readonly minDetectionConfidence?: number;
  /** face-api TinyFaceDetector input size (multiple of 32) and score floor, for the comparison. */
  readonly matchDetectorInputSize?: number;
  readonly matchDetectorMinScore?: number;
  /** face-api SSD-MobileNetV1 score floor, used only when the Tiny detector finds no face. */
  readonly fallbackDetectorMinScore?: number;
}

export interface EmbeddedFaceAnalyzer extends FaceAnalyzer {
  /** Loads the models now instead of on the first call (optional; calls load them lazily). */
  warmUp(): Promise<void>;
  /**
   * Waits for this analyzer's work in flight, then refuses further calls. The models stay loaded: they
   * are shared by every analyzer in the process, and Human cannot reload models it has disposed.
   */
  close(): Promise<void>;
}

const DEFAULTS: Required<EmbeddedFaceAnalyzerOptions> = {
  maxAnalysisSide: 800,
  minFaceShareOfLargest: 0.3,
  minFaceHeightPx: 40,
  minDetectionConfidence: 0.3,
  matchDetectorInputSize: 416,
  matchDetectorMinScore: 0.3,
  fallbackDetectorMinScore: 0.2,
};

interface Engines {
  readonly human: HumanInstance;
  readonly faceapi: FaceApi;
}

interface DecodedImage {
  readonly pixels: Buffer;
  /** Size of the decoded (downscaled) pixels. */
  readonly width: number;
  readonly height: number;
  /** Size of the image as uploaded (after EXIF rotation). */
  readonly originalWidth: number;
  readonly originalHeight: number;
}

// ---------------------------------------------------------------------------------------------------------
// Loading: one engine per process, shared by every analyzer instance.
// ---------------------------------------------------------------------------------------------------------

let enginesPromise: Promise<Engines> | null = null;

/** The installed package's root folder (some packages do not export `./package.json`). */
function packageDir(name: string): string {
  let dir = path.dirname(require.resolve(name));
  while (path.basename(dir) !== name.split('/').pop() && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

function loadFaceApiModule(): FaceApi {
  return require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
}

/** Human's exports map has no `./` subpaths, so its WASM build is required by file path. */
function loadHumanConstructor(): HumanConstructor {
  const humanDist = path.join(packageDir('@vladmandic/human'), 'dist', 'human.node-wasm.js');
  return (require(humanDist) as { Human: HumanConstructor }).Human;
}

function wasmDir(): string {
  return `${path.join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist')}${path.sep}`;
}

/** Node's fetch rejects `file://`; Human loads its models through fetch. Serve `file:` URLs from disk. */
async function withFileFetch<T>(run: () => Promise<T>): Promise<T> {
  const original = globalThis.fetch;
  const fileAware: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith('file:')) return new Response(await readFile(fileURLToPath(url)));
    return original(input, init);
  };
  globalThis.fetch = fileAware;
  try {
    return await run();
  } finally {
    if (globalThis.fetch === fileAware) globalThis.fetch = original;
  }
}

function humanConfig(): Partial<HumanConfig> {
  const modelDir = path.join(packageDir('@vladmandic/human'), 'models');
  const config = {
    backend: 'wasm',
    wasmPath: wasmDir(),
    modelBasePath: `${pathToFileURL(modelDir).href}/`,
    debug: false,
    async: false,
    warmup: 'none',
    cacheSensitivity: 0,
    cacheModels: false,
    filter: { enabled: false },
    gesture: { enabled: true },
    face: {
      enabled: true,
      detector: { rotation: true, maxDetected: 10, return: false },
      mesh: { enabled: true },
      iris: { enabled: true },
      attention: { enabled: false },
      description: { enabled: false },
      emotion: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    segmentation: { enabled: false },
  };
  return asHumanConfig(config);
}

/** Human types its config as a shallow `Partial` of a deep object; nested settings here are partial on purpose. */
function asHumanConfig(config: object): Partial<HumanConfig> {
  return config as Partial<HumanConfig>;
}

async function loadFaceApiModels(faceapi: FaceApi): Promise<void> {
  const modelDir = path.join(packageDir('@vladmandic/face-api'), 'model');
  await faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir);
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
}

async function loadEngines(): Promise<Engines> {
  const faceapi = loadFaceApiModule();
  const wasm = require('@tensorflow/tfjs-backend-wasm') as WasmBackendModule;
  wasm.setWasmPaths(wasmDir());
  const tf = require('@tensorflow/tfjs') as Tfjs;
  await tf.setBackend('wasm');
  await tf.ready();
  const Human = loadHumanConstructor();
  const human = new Human(humanConfig());
  await withFileFetch(() => human.load());
  await loadFaceApiModels(faceapi);
  return { human, faceapi };
}

function engines(): Promise<Engines> {
  if (!enginesPromise) {
    enginesPromise = loadEngines().catch((error: unknown) => {
      enginesPromise = null;
      throw error;
    });
  }
  return enginesPromise;
}

/** Engine calls run one at a time: Human keeps per-call state, and the WASM backend is single-threaded. */
let engineQueue: Promise<unknown> = Promise.resolve();

function serialised<T>(work: () => Promise<T>): Promise<T> {
  const result = engineQueue.then(work, work);
  engineQueue = result.catch(() => undefined);
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------------------

async function decodeImage(bytes: Uint8Array, maxSide: number): Promise<DecodedImage> {
  const oriented = sharp(bytes).rotate();
  const { width: originalWidth, height: originalHeight } = (await oriented.metadata()).autoOrient;
  const resized =
    Math.max(originalWidth, originalHeight) > maxSide
      ? oriented.resize({ width: maxSide, height: maxSide, fit: 'inside' })
      : oriented;
  const { data, info } = await resized.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { pixels: data, width: info.width, height: info.height, originalWidth, originalHeight };
}

function toTensor(faceapi: FaceApi, image: DecodedImage): FaceApiTensor3D {
  return faceapi.tf.tensor3d(image.pixels, [image.height, image.width, 3], 'int32');
}

// ---------------------------------------------------------------------------------------------------------
// Portrait measurements (Human)
// ---------------------------------------------------------------------------------------------------------

const RADIANS_TO_DEGREES = 180 / Math.PI;

/** FaceMesh indices (MediaPipe numbering). "Left" and "right" are the subject's own. */
const MESH = {
  rightEye: { upper: 159, lower: 145, outer: 33, inner: 133 },
  leftEye: { upper: 386, lower: 374, outer: 263, inner: 362 },
  mouth: { upperInner: 13, lowerInner: 14, leftCorner: 308, rightCorner: 78 },
} as const;

function distance(a: Point | undefined, b: Point | undefined): number {
  if (!a || !b) return Number.NaN;
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

function ratio(mesh: readonly Point[], top: number, bottom: number, from: number, to: number): number {
  const width = distance(mesh[from], mesh[to]);
  return width > 0 ? distance(mesh[top], mesh[bottom]) / width : Number.NaN;
}

function roundTo(value: number, digits: number): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

function eyeOpenness(mesh: readonly Point[]): DetectedFace['eyeOpenness'] {
  const { leftEye: l, rightEye: r } = MESH;
  const left = ratio(mesh, l.upper, l.lower, l.outer, l.inner);
  const right = ratio(mesh, r.upper, r.lower, r.outer, r.inner);
  return Number.isFinite(left) && Number.isFinite(right) ? { left: roundTo(left, 3), right: roundTo(right, 3) } : undefined;
}

function mouthOpenness(mesh: readonly Point[]): number | undefined {
  const m = MESH.mouth;
  const value = ratio(mesh, m.upperInner, m.lowerInner, m.leftCorner, m.rightCorner);
  return Number.isFinite(value) ? roundTo(value, 3) : undefined;
}

function headPose(face: FaceResult): HeadPose {
  const angle = face.rotation?.angle ?? { yaw: 0, pitch: 0, roll: 0 };
  return {
    yaw: roundTo(angle.yaw * RADIANS_TO_DEGREES, 1),
    pitch: roundTo(angle.pitch * RADIANS_TO_DEGREES, 1),
    roll: roundTo(angle.roll * RADIANS_TO_DEGREES, 1),
  };
}

/** Human's own box is deliberately enlarged; the mesh extents (forehead to chin) are the face. */
function meshBox(face: FaceResult, scale: number): Box {
  if (face.mesh.length === 0) {
    const [x, y, width, height] = face.box.map((value) => Math.round(value * scale));
    return { x: x ?? 0, y: y ?? 0, width: width ?? 0, height: height ?? 0 };
  }
  const xs = face.mesh.map((p) => p[0]);
  const ys = face.mesh.map((p) => p[1]);
  const minX = Math.min(...xs);
  const minY = Math.min(...ys);
  return {
    x: Math.round(minX * scale),
    y: Math.round(minY * scale),
    width: Math.round((Math.max(...xs) - minX) * scale),
    height: Math.round((Math.max(...ys) - minY) * scale),
  };
}

function toDetectedFace(face: FaceResult, scale: number): DetectedFace {
  const eyes = face.mesh.length > 0 ? eyeOpenness(face.mesh) : undefined;
  const mouth = face.mesh.length > 0 ? mouthOpenness(face.mesh) : undefined;
  return {
    box: meshBox(face, scale),
    confidence: roundTo(face.score, 3),
    pose: headPose(face),
    ...(eyes ? { eyeOpenness: eyes } : {}),
    ...(mouth !== undefined ? { mouthOpenness: mouth } : {}),
  };
}

function facesThatMatter(faces: DetectedFace[], options: Required<EmbeddedFaceAnalyzerOptions>): DetectedFace[] {
  const bySize = [...faces].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  const largest = bySize[0];
  if (!largest) return [];
  const floor = Math.max(options.minFaceHeightPx, largest.box.height * options.minFaceShareOfLargest);
  return bySize.filter((face) => face.box.height >= floor);
}

async function detectPortraitFaces(
  { human, faceapi }: Engines,
  image: DecodedImage,
  options: Required<EmbeddedFaceAnalyzerOptions>,
): Promise<DetectedFace[]> {
  const input = toTensor(faceapi, image);
  try {
    const perCall = asHumanConfig({ face: { detector: { minConfidence: options.minDetectionConfidence } } });
    const result = await human.detect(input as unknown as HumanTensor, perCall);
    if (result.error) throw new Error(`face engine: ${result.error}`);
    const scale = image.originalWidth / image.width;
    return facesThatMatter(
      result.face.map((face) => toDetectedFace(face, scale)),
      options,
    );
  } finally {
    input.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Comparison (face-api)
// ---------------------------------------------------------------------------------------------------------

function largestDetection(detections: readonly FaceDetection[]): FaceDetection | undefined {
  return [...detections].sort((a, b) => b.box.area - a.box.area)[0];
}

/** The fast Tiny detector first; SSD-MobileNetV1 (slower, finds more faces) only when Tiny finds none. */
async function largestFaceDetection(
  faceapi: FaceApi,
  input: FaceApiTensor3D,
  options: Required<EmbeddedFaceAnalyzerOptions>,
): Promise<FaceDetection | undefined> {
  const tiny = new faceapi.TinyFaceDetectorOptions({
    inputSize: options.matchDetectorInputSize,
    scoreThreshold: options.matchDetectorMinScore,
  });
  const found = largestDetection(await faceapi.detectAllFaces(input, tiny));
  if (found) return found;
  const ssd = new faceapi.SsdMobilenetv1Options({ minConfidence: options.fallbackDetectorMinScore });
  return largestDetection(await faceapi.detectAllFaces(input, ssd));
}

async function landmarksOf(faceapi: FaceApi, input: FaceApiTensor3D, detection: FaceDetection) {
  const [crop] = await faceapi.extractFaceTensors(input, [detection]);
  if (!crop) return undefined;
  try {
    const landmarks = await faceapi.nets.faceLandmark68Net.detectLandmarks(crop);
    if (Array.isArray(landmarks)) return undefined;
    return faceapi.extendWithFaceLandmarks(faceapi.extendWithFaceDetection({}, detection), landmarks).landmarks;
  } finally {
    crop.dispose();
  }
}

/** The 128-d descriptor of the largest face, or null. Stays inside this module. */
async function largestFaceDescriptor(
  faceapi: FaceApi,
  image: DecodedImage,
  options: Required<EmbeddedFaceAnalyzerOptions>,
): Promise<Float32Array | null> {
  const input = toTensor(faceapi, image);
  try {
    const detection = await largestFaceDetection(faceapi, input, options);
    if (!detection) return null;
    const landmarks = await landmarksOf(faceapi, input, detection);
    if (!landmarks) return null;
    const [aligned] = await faceapi.extractFaceTensors(input, [landmarks.align(null, { useDlibAlignment: true })]);
    if (!aligned) return null;
    try {
      const descriptor = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(aligned);
      return Array.isArray(descriptor) ? (descriptor[0] ?? null) : descriptor;
    } finally {
      aligned.dispose();
    }
  } finally {
    input.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------
// The adapter
// ---------------------------------------------------------------------------------------------------------

export function createEmbeddedFaceAnalyzer(overrides: EmbeddedFaceAnalyzerOptions = {}): EmbeddedFaceAnalyzer {
  const options: Required<EmbeddedFaceAnalyzerOptions> = { ...DEFAULTS, ...overrides };
  let closed = false;
  const ready = () => (closed ? Promise.reject(new Error('the face analyzer is closed')) : engines());

  async function analyzePortrait(bytes: Uint8Array): Promise<PortraitAnalysis> {
    const image = await decodeImage(bytes, options.maxAnalysisSide);
    const loaded = await ready();
    const faces = await serialised(() => detectPortraitFaces(loaded, image, options));
    return { imageWidth: image.originalWidth, imageHeight: image.originalHeight, faces, engine: EMBEDDED_FACE_ENGINE };
  }

  async function compareFaces(source: Uint8Array, target: Uint8Array): Promise<FaceComparison> {
    const [sourceImage, targetImage] = await Promise.all([
      decodeImage(source, options.maxAnalysisSide),
      decodeImage(target, options.maxAnalysisSide),
    ]);
    const { faceapi } = await ready();
    const [sourceDescriptor, targetDescriptor] = await serialised(async () => [
      await largestFaceDescriptor(faceapi, sourceImage, options),
      await largestFaceDescriptor(faceapi, targetImage, options),
    ]);
    const similarity =
      sourceDescriptor && targetDescriptor
        ? similarityFromDistance(faceapi.euclideanDistance(sourceDescriptor, targetDescriptor))
        : null;
    return {
      sourceFaceFound: sourceDescriptor !== null,
      targetFaceFound: targetDescriptor !== null,
      similarity,
      engine: EMBEDDED_FACE_ENGINE,
    };
  }

  return {
    analyzePortrait,
    compareFaces,
    warmUp: async () => {
      await ready();
    },
    close: async () => {
      closed = true;
      await serialised(async () => undefined);
    },
  };
}
