/**
 * The embedded face engine behind the {@link FaceAnalyzer} port: no cloud, every model ships inside an
 * npm package (see docs/face-engine.md).
 *
 * - `analyzePortrait`: @vladmandic/human (BlazeFace → 478-point FaceMesh → iris) gives the faces, the head
 *   pose, the eye and mouth ratios and the landmarks (embedded-face-landmarks.ts).
 * - `compareFaces`: @vladmandic/face-api on the largest face of each image: TinyFaceDetector (then
 *   SSD-MobileNetV1, then Human's detector, each only when the previous one finds nothing) → 68 landmarks
 *   → dlib face chip, rotated upright and framed by the landmarks (embedded-face-chip.ts) → 128-d ResNet-34
 *   descriptor of the chip and of its mirror image, averaged and scaled to unit length. The Euclidean
 *   distance is mapped to a calibrated 0–100 similarity (docs/face-accuracy.md).
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
import { faceChip } from './embedded-face-chip';
import { landmarksFromMesh } from './embedded-face-landmarks';

type FaceApi = typeof FaceApiModule;
type FaceApiTensor3D = ReturnType<FaceApi['tf']['tensor3d']>;
type FaceDetection = FaceApiModule.FaceDetection;
type HumanConstructor = new (config?: Partial<HumanConfig>) => HumanInstance;
type Tfjs = typeof import('@tensorflow/tfjs');
type WasmBackendModule = { setWasmPaths(prefix: string): void };
type Box = DetectedFace['box'];

export const EMBEDDED_FACE_ENGINE = 'embedded:human-3.3.6+face-api-1.7.15';

/**
 * Distance → similarity. The matcher's distance is the Euclidean distance between unit-length face-api
 * descriptors (dlib-aligned chip, averaged with its mirror image). It is mapped to 0–100 by a logistic
 * curve, monotone decreasing in d, calibrated on the LFW subset with `npm run eval:faces`
 * (docs/face-accuracy.md):
 *
 *   similarity(d) = 100 / (1 + exp(k · (d − 0.48))),  k = ln 9 / (0.48 − 0.374) ≈ 20.7
 *
 * Anchors: d 0.374 (false-match rate 0.1 %) → 90 = {@link EMBEDDED_MATCH_THRESHOLD} · d 0.417 (FMR 1 %) → 79
 * · d 0.48 (FMR ≈ 10 %) → 50 · d 0.29 (genuine median) → 98 · d 0.57 (impostor median) → 14.
 */
export const SIMILARITY_THRESHOLD_DISTANCE = 0.374;
export const SIMILARITY_MIDPOINT_DISTANCE = 0.48;
export const SIMILARITY_SLOPE = Math.log(9) / (SIMILARITY_MIDPOINT_DISTANCE - SIMILARITY_THRESHOLD_DISTANCE);

/**
 * The calibrated match threshold on this engine's 0–100 scale: a similarity of at least 90 is a match.
 * It sits at the distance where the embedded matcher's false-match rate was 0.1 % on the LFW subset
 * (FNMR 7 % there, failures to acquire counted as non-matches). LFW is not passport-vs-ID-card data:
 * recalibrate on real pairs (docs/face-accuracy.md).
 */
export const EMBEDDED_MATCH_THRESHOLD = 90;

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
  /** face-api SSD-MobileNetV1 score floor (the fallback when the Tiny detector finds no face, or the only detector). */
  readonly fallbackDetectorMinScore?: number;
  /** `tiny-then-ssd`: Tiny first, SSD when Tiny finds nothing; `ssd`: SSD only. */
  readonly matchDetector?: 'tiny-then-ssd' | 'ssd';
  /** `box`: face-api's axis-aligned landmark box; `chip`: dlib's rotated, fixed-margin face chip (embedded-face-chip.ts). */
  readonly matchAlignment?: 'box' | 'chip';
  /** Average the descriptors of the crop and its mirror image, then scale to unit length. */
  readonly matchMirrorAverage?: boolean;
  /** When neither face-api detector finds a face, take Human's largest face (mesh extents) as the detection. */
  readonly matchHumanFallback?: boolean;
  /** Weight of Human's faceres cosine distance added to face-api's distance; 0 turns fusion off. */
  readonly matchHumanWeight?: number;
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
  matchDetector: 'tiny-then-ssd',
  matchAlignment: 'chip',
  matchMirrorAverage: true,
  matchHumanFallback: true,
  matchHumanWeight: 0,
};

const CHIP_SIZE = 150;

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

let humanDescriptionPromise: Promise<void> | null = null;

/**
 * Loads Human's faceres model (only the fused matcher needs it). Human merges the config given to
 * `load` into its own, so every call passes `face.description.enabled` explicitly.
 */
function humanDescriptionModel(human: HumanInstance): Promise<void> {
  if (!humanDescriptionPromise) {
    humanDescriptionPromise = withFileFetch(() => human.load(asHumanConfig({ face: { description: { enabled: true } } }))).catch(
      (error: unknown) => {
        humanDescriptionPromise = null;
        throw error;
      },
    );
  }
  return humanDescriptionPromise;
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
  const landmarks = landmarksFromMesh(face.mesh, scale);
  return {
    box: meshBox(face, scale),
    confidence: roundTo(face.score, 3),
    pose: headPose(face),
    ...(eyes ? { eyeOpenness: eyes } : {}),
    ...(mouth !== undefined ? { mouthOpenness: mouth } : {}),
    ...(landmarks ? { landmarks } : {}),
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
    const perCall = asHumanConfig({
      face: { detector: { minConfidence: options.minDetectionConfidence }, description: { enabled: false } },
    });
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
// Comparison (face-api, optionally fused with Human's descriptor)
// ---------------------------------------------------------------------------------------------------------

/**
 * What the matcher keeps of one image while comparing: descriptors of its largest face. Internal: never
 * returned by the port, never stored; {@link evaluationTemplate} hands it to the offline evaluation only.
 */
export interface MatchTemplate {
  /** face-api's 128-d descriptor (unit length when {@link EmbeddedFaceAnalyzerOptions.matchMirrorAverage} is on). */
  readonly faceapi: Float32Array;
  /** Human's faceres descriptor, only when {@link EmbeddedFaceAnalyzerOptions.matchHumanWeight} > 0. */
  readonly human: Float32Array | null;
}

function largestDetection(detections: readonly FaceDetection[]): FaceDetection | undefined {
  return [...detections].sort((a, b) => b.box.area - a.box.area)[0];
}

/**
 * Human's largest face as a face-api detection (mesh extents, forehead to chin), for images where
 * face-api's detectors find nothing: Human's BlazeFace misses fewer faces (face-engine.md).
 */
async function humanDetection(engines: Engines, input: FaceApiTensor3D, image: DecodedImage): Promise<FaceDetection | undefined> {
  const { faceapi, human } = engines;
  const result = await human.detect(
    input as unknown as HumanTensor,
    asHumanConfig({ face: { description: { enabled: false } } }),
  );
  if (result.error) throw new Error(`face engine: ${result.error}`);
  const boxes = result.face.map((face) => meshBox(face, 1)).sort((a, b) => b.width * b.height - a.width * a.height);
  const box = boxes[0];
  if (!box || box.width < 8 || box.height < 8) return undefined;
  const x = Math.max(0, box.x);
  const y = Math.max(0, box.y);
  const width = Math.min(image.width, box.x + box.width) - x;
  const height = Math.min(image.height, box.y + box.height) - y;
  const relative = new faceapi.Rect(x / image.width, y / image.height, width / image.width, height / image.height);
  return new faceapi.FaceDetection(0, relative, { width: image.width, height: image.height });
}

/**
 * The fast Tiny detector first; SSD-MobileNetV1 (slower, finds more faces) only when Tiny finds none;
 * then, when enabled, Human's detector.
 */
async function largestFaceDetection(
  engines: Engines,
  input: FaceApiTensor3D,
  image: DecodedImage,
  options: Required<EmbeddedFaceAnalyzerOptions>,
): Promise<FaceDetection | undefined> {
  const { faceapi } = engines;
  if (options.matchDetector === 'tiny-then-ssd') {
    const tiny = new faceapi.TinyFaceDetectorOptions({
      inputSize: options.matchDetectorInputSize,
      scoreThreshold: options.matchDetectorMinScore,
    });
    const found = largestDetection(await faceapi.detectAllFaces(input, tiny));
    if (found) return found;
  }
  const ssd = new faceapi.SsdMobilenetv1Options({ minConfidence: options.fallbackDetectorMinScore });
  const found = largestDetection(await faceapi.detectAllFaces(input, ssd));
  if (found || !options.matchHumanFallback) return found;
  return humanDetection(engines, input, image);
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

/** face-api's bundled tfjs typings omit `reverse`; the kernel is there. */
function mirrored(faceapi: FaceApi, crop: FaceApiTensor3D): FaceApiTensor3D {
  const tf = faceapi.tf as unknown as { reverse(x: FaceApiTensor3D, axis: number): FaceApiTensor3D };
  return tf.reverse(crop, 1);
}

function unitLength(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const value of vector) sum += value * value;
  const norm = Math.sqrt(sum) || 1;
  return vector.map((value) => value / norm);
}

function averaged(a: Float32Array, b: Float32Array): Float32Array {
  return unitLength(a.map((value, i) => value + (b[i] as number)));
}

async function descriptorsOf(faceapi: FaceApi, crops: FaceApiTensor3D[]): Promise<Float32Array[]> {
  const result = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(
    crops.length === 1 ? (crops[0] as FaceApiTensor3D) : crops,
  );
  return Array.isArray(result) ? result : [result];
}

/** face-api descriptor of the largest face, or null. */
async function faceApiDescriptor(
  engines: Engines,
  image: DecodedImage,
  options: Required<EmbeddedFaceAnalyzerOptions>,
): Promise<Float32Array | null> {
  const { faceapi } = engines;
  const input = toTensor(faceapi, image);
  const crops: FaceApiTensor3D[] = [];
  try {
    const detection = await largestFaceDetection(engines, input, image, options);
    if (!detection) return null;
    const landmarks = await landmarksOf(faceapi, input, detection);
    if (!landmarks) return null;
    if (options.matchAlignment === 'chip') {
      const rgb = { pixels: image.pixels, width: image.width, height: image.height };
      const points = landmarks.positions.map((p) => ({ x: p.x, y: p.y }));
      const views = options.matchMirrorAverage ? [false, true] : [false];
      for (const mirror of views) {
        crops.push(faceapi.tf.tensor3d(faceChip(rgb, points, mirror), [CHIP_SIZE, CHIP_SIZE, 3], 'int32'));
      }
    } else {
      const [aligned] = await faceapi.extractFaceTensors(input, [landmarks.align(null, { useDlibAlignment: true })]);
      if (!aligned) return null;
      crops.push(aligned);
      if (options.matchMirrorAverage) crops.push(mirrored(faceapi, aligned));
    }
    const [first, second] = await descriptorsOf(faceapi, crops);
    if (!first) return null;
    return second ? averaged(first, second) : options.matchMirrorAverage ? unitLength(first) : first;
  } finally {
    for (const crop of crops) crop.dispose();
    input.dispose();
  }
}

/** Human's faceres descriptor of its largest face (loads the faceres model on first use). */
async function humanDescriptor(engines: Engines, image: DecodedImage): Promise<Float32Array | null> {
  await humanDescriptionModel(engines.human);
  const input = toTensor(engines.faceapi, image);
  try {
    const result = await engines.human.detect(
      input as unknown as HumanTensor,
      asHumanConfig({ face: { description: { enabled: true } } }),
    );
    if (result.error) throw new Error(`face engine: ${result.error}`);
    const largest = [...result.face].sort((a, b) => (b.box[2] ?? 0) * (b.box[3] ?? 0) - (a.box[2] ?? 0) * (a.box[3] ?? 0))[0];
    return largest?.embedding && largest.embedding.length > 0 ? Float32Array.from(largest.embedding) : null;
  } finally {
    input.dispose();
  }
}

async function matchTemplate(
  engines: Engines,
  image: DecodedImage,
  options: Required<EmbeddedFaceAnalyzerOptions>,
): Promise<MatchTemplate | null> {
  const faceapiDescriptor = await faceApiDescriptor(engines, image, options);
  if (!faceapiDescriptor) return null;
  const human = options.matchHumanWeight > 0 ? await humanDescriptor(engines, image) : null;
  return { faceapi: faceapiDescriptor, human };
}

function euclidean(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += ((a[i] as number) - (b[i] as number)) ** 2;
  return Math.sqrt(sum);
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i += 1) {
    dot += (a[i] as number) * (b[i] as number);
    na += (a[i] as number) ** 2;
    nb += (b[i] as number) ** 2;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/**
 * The matcher's distance between two templates: face-api's Euclidean distance, plus
 * `matchHumanWeight × (1 − cosine)` of Human's descriptors when fusion is on (a missing Human
 * descriptor counts as cosine 0).
 */
export function matchDistance(a: MatchTemplate, b: MatchTemplate, overrides: EmbeddedFaceAnalyzerOptions = {}): number {
  const weight = overrides.matchHumanWeight ?? DEFAULTS.matchHumanWeight;
  const faceapiDistance = euclidean(a.faceapi, b.faceapi);
  if (weight <= 0) return faceapiDistance;
  const humanCosine = a.human && b.human ? cosine(a.human, b.human) : 0;
  return faceapiDistance + weight * (1 - humanCosine);
}

/**
 * FOR THE OFFLINE EVALUATION ONLY (bench/eval-faces.ts): the template of one image's largest face,
 * computed exactly as {@link EmbeddedFaceAnalyzer.compareFaces} computes it, so each image of a test set
 * is embedded once instead of once per pair. Null when no face is found (failure to acquire). The port
 * never returns a template, and nothing stores one.
 */
export async function evaluationTemplate(
  bytes: Uint8Array,
  overrides: EmbeddedFaceAnalyzerOptions = {},
): Promise<MatchTemplate | null> {
  const options: Required<EmbeddedFaceAnalyzerOptions> = { ...DEFAULTS, ...overrides };
  const image = await decodeImage(bytes, options.maxAnalysisSide);
  const loaded = await engines();
  return serialised(() => matchTemplate(loaded, image, options));
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
    const loaded = await ready();
    const [sourceTemplate, targetTemplate] = await serialised(async () => [
      await matchTemplate(loaded, sourceImage, options),
      await matchTemplate(loaded, targetImage, options),
    ]);
    const similarity =
      sourceTemplate && targetTemplate ? similarityFromDistance(matchDistance(sourceTemplate, targetTemplate, options)) : null;
    return {
      sourceFaceFound: sourceTemplate !== null,
      targetFaceFound: targetTemplate !== null,
      similarity,
      matchThreshold: EMBEDDED_MATCH_THRESHOLD,
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
