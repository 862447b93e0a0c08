/**
 * Content disarm and reconstruction (CDR) for uploaded photos and ID scans, with sharp/libvips.
 *
 * Layers, each failing closed:
 * 1. size cap and non-empty;
 * 2. own magic-byte allowlist (JPEG `FF D8 FF`, PNG 8-byte signature); the client's file name and
 *    Content-Type are never consulted;
 * 3. header-only `metadata()` under a pixel limit: format must equal the magic, pixel count,
 *    side lengths and aspect ratio within limits (pixel floods and bombs stop here, no decode);
 * 4. full decode under the same limits, EXIF orientation applied, alpha flattened onto white,
 *    converted to 8-bit sRGB and re-encoded as a fresh baseline JPEG with no metadata;
 * 5. verification of the output (format, dimensions, channels, no metadata, only the JPEG
 *    segments a plain baseline encoder writes, nothing after EOI), under a wall-clock deadline;
 * 6. the photo rules' image statistics of the output (`stats`, see image-statistics.ts).
 *
 * `inspect` and `rebuild` never throw for bad input: they return `{ ok: false, code, detail }`.
 */
import sharp, { type Metadata, type SharpOptions } from 'sharp';
import type {
  ImageSanitizer,
  ImageStatistics,
  InspectResult,
  RebuildResult,
  SanitizeReject,
  SanitizeRejectCode,
} from '../../core/ports';
import { measureImageStatistics } from './image-statistics';

/** libvips' operation cache only helps repeated identical work; uploads are never identical. */
sharp.cache(false);

export interface ImageLimits {
  /** Largest upload accepted, in bytes. */
  readonly maxBytes: number;
  /** Largest width × height accepted; enforced by sharp from the header, before any decode. */
  readonly maxPixels: number;
  /** Longest side accepted, in pixels. */
  readonly maxSide: number;
  /** Shortest side accepted, in pixels: smaller images are degenerate (icons, tracking pixels). */
  readonly minSide: number;
  /** Largest long-side / short-side ratio accepted. */
  readonly maxAspect: number;
  /** Wall-clock budget for one rebuild or downscale, in milliseconds. */
  readonly timeoutMs: number;
}

/**
 * - 10 MiB: a 12 Mpx phone JPEG is 3–6 MB; also the ClamAV `StreamMaxLength`.
 * - 40 Mpx: above every phone camera in use; a 40 Mpx RGB decode is about 120 MB. sharp's own
 *   default (268 Mpx) lets a 31 KB 16000×16000 PNG bomb cost 8.6 s and 1.5 GB.
 * - 12000 px longest side: 12000×3000 is the widest image the aspect limit and pixel limit allow.
 * - 64 px shortest side: no usable portrait or ID scan is smaller (the photo rules need 90 px
 *   between the eyes and judge real resolution with a retake message); below it the image is an
 *   icon or tracking pixel, and rejecting it here keeps degenerate 1×N inputs away from the rules.
 * - aspect 4: a portrait is 35×45, an ID card 85.6×54 (1.59); 4 leaves room for scans with margins.
 * - 10 s: a legitimate 12 Mpx rebuild takes 0.2–0.5 s on two cores.
 */
export const DEFAULT_IMAGE_LIMITS: ImageLimits = Object.freeze({
  maxBytes: 10 * 1024 * 1024,
  maxPixels: 40_000_000,
  maxSide: 12_000,
  minSide: 64,
  maxAspect: 4,
  timeoutMs: 10_000,
});

/** JPEG quality of the rebuilt image: visually lossless for a portrait, 4:4:4 keeps skin-tone chroma. */
const REBUILD_QUALITY = 90;
const MAX_DETAIL_LENGTH = 160;
const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

export type AllowedFormat = 'jpeg' | 'png';
type InspectOk = Extract<InspectResult, { ok: true }>;

class DeadlineExceeded extends Error {
  constructor(ms: number) {
    super(`no result within ${ms} ms`);
    this.name = 'DeadlineExceeded';
  }
}

export function createSharpImageSanitizer(limits: Partial<ImageLimits> = {}): ImageSanitizer {
  const effective: ImageLimits = { ...DEFAULT_IMAGE_LIMITS, ...limits };
  return {
    inspect: (bytes) => inspectImage(asBuffer(bytes), effective),
    rebuild: (bytes, options) => rebuildWithinDeadline(asBuffer(bytes), effective, options?.measure ?? true),
    downscale: (bytes, maxSide, quality) => downscaleWithinDeadline(asBuffer(bytes), maxSide, quality, effective),
  };
}

// ---------------------------------------------------------------------------------------------
// inspect: size, magic bytes, header

async function inspectImage(buf: Buffer, limits: ImageLimits): Promise<InspectResult> {
  if (buf.length === 0) return reject('empty', 'zero bytes');
  if (buf.length > limits.maxBytes) return reject('too-large', `${buf.length} bytes > ${limits.maxBytes}`);
  const magic = sniffAllowedFormat(buf);
  if (magic === null) return reject('type-not-allowed', 'magic bytes are neither JPEG nor PNG');
  let header: Metadata;
  try {
    header = await sharp(buf, decoderOptions(limits)).metadata();
  } catch (error) {
    return rejectFromSharpError(error);
  }
  if (header.format !== magic) return reject('type-mismatch', `magic says ${magic}, decoder says ${String(header.format)}`);
  return checkHeaderDimensions(magic, header, limits);
}

/** Own allowlist by magic bytes; nothing the client says about the file is consulted. */
export function sniffAllowedFormat(bytes: Uint8Array): AllowedFormat | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((value, index) => bytes[index] === value)) return 'png';
  return null;
}

/** The same strict decoder options for the header read, the full decode and the downscale. */
function decoderOptions(limits: ImageLimits): SharpOptions {
  return { limitInputPixels: limits.maxPixels, failOn: 'warning', sequentialRead: true, pages: 1, animated: false };
}

/**
 * Checks the header's dimensions. Width and height are returned upright (EXIF orientation
 * applied), i.e. the dimensions {@link ImageSanitizer.rebuild} will produce.
 */
function checkHeaderDimensions(format: AllowedFormat, header: Metadata, limits: ImageLimits): InspectResult {
  const width = header.autoOrient?.width ?? header.width;
  const height = header.autoOrient?.height ?? header.height;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    return reject('undecodable', 'header has no usable dimensions');
  }
  if (width * height > limits.maxPixels) return reject('pixel-limit', `${width}x${height} > ${limits.maxPixels} px`);
  const longSide = Math.max(width, height);
  const shortSide = Math.min(width, height);
  if (longSide > limits.maxSide) return reject('dimensions', `${width}x${height}: side > ${limits.maxSide} px`);
  if (shortSide < limits.minSide) return reject('dimensions', `${width}x${height}: side < ${limits.minSide} px`);
  if (longSide / shortSide > limits.maxAspect) return reject('aspect', `${width}x${height}: aspect > ${limits.maxAspect}`);
  return { ok: true, format, width, height };
}

// ---------------------------------------------------------------------------------------------
// rebuild: full decode, re-encode, verify

async function rebuildWithinDeadline(buf: Buffer, limits: ImageLimits, measure: boolean): Promise<RebuildResult> {
  try {
    return await withDeadline(rebuildImage(buf, limits, measure), limits.timeoutMs);
  } catch (error) {
    if (error instanceof DeadlineExceeded) return reject('timeout', error.message);
    return rejectFromSharpError(error);
  }
}

async function rebuildImage(buf: Buffer, limits: ImageLimits, measure: boolean): Promise<RebuildResult> {
  const inspected = await inspectImage(buf, limits);
  if (!inspected.ok) return inspected;
  let output: Buffer;
  try {
    output = await reencodeAsPlainJpeg(buf, limits);
  } catch (error) {
    return rejectFromSharpError(error);
  }
  const problem = await findOutputProblem(output, inspected);
  if (problem !== null) return reject('undecodable', `output verification failed: ${problem}`);
  const stats = measure ? await measureOrOmit(output) : undefined;
  return {
    ok: true,
    output,
    width: inspected.width,
    height: inspected.height,
    contentType: 'image/jpeg',
    ...(stats ? { stats } : {}),
  };
}

/**
 * Statistics of the rebuilt pixels for the photo rules (a fixed-size decode of the output, a few ms).
 * A failed measurement never rejects an upload: the stats are omitted and the rules say inconclusive.
 */
async function measureOrOmit(output: Buffer): Promise<ImageStatistics | undefined> {
  try {
    return await measureImageStatistics(output);
  } catch {
    return undefined;
  }
}

/** Decodes every pixel and writes a new image from them: nothing of the original file but pixels survives. */
function reencodeAsPlainJpeg(buf: Buffer, limits: ImageLimits): Promise<Buffer> {
  return sharp(buf, decoderOptions(limits))
    .timeout({ seconds: sharpTimeoutSeconds(limits.timeoutMs) })
    .rotate()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .jpeg({ quality: REBUILD_QUALITY, chromaSubsampling: '4:4:4', progressive: false, mozjpeg: false })
    .toBuffer();
}

/** Returns why the rebuilt output is not what the rebuild promises, or null when it is. */
async function findOutputProblem(output: Buffer, expected: InspectOk): Promise<string | null> {
  const structural = findJpegStructureProblem(output);
  if (structural !== null) return structural;
  let meta: Metadata;
  try {
    meta = await sharp(output).metadata();
  } catch {
    return 'output header unreadable';
  }
  if (meta.format !== 'jpeg') return `format ${String(meta.format)}`;
  if (meta.width !== expected.width || meta.height !== expected.height) {
    return `dimensions ${meta.width}x${meta.height}, expected ${expected.width}x${expected.height}`;
  }
  if (meta.channels !== 3 || meta.space !== 'srgb' || meta.depth !== 'uchar' || meta.hasAlpha) {
    return `pixels ${meta.space}/${meta.depth}/${meta.channels} channels`;
  }
  if (meta.isProgressive) return 'progressive';
  if (meta.exif || meta.icc || meta.xmp || meta.iptc || meta.hasProfile || meta.orientation !== undefined) {
    return 'metadata present';
  }
  return null;
}

/** Marker segments a plain baseline encoder writes before the scan. APP0 is allowed as bare JFIF only. */
const ALLOWED_HEADER_MARKERS = new Set([0xc0, 0xc4, 0xdb, 0xdd, 0xe0]);
const JFIF_APP0_LENGTH = 16;

/**
 * Walks the JPEG byte structure: SOI, then only quantisation/Huffman/restart/baseline-frame
 * segments (and a bare JFIF APP0), one scan, EOI as the very last two bytes. Anything else —
 * APPn, COM, a second scan, bytes after EOI — is a problem.
 */
export function findJpegStructureProblem(jpeg: Uint8Array): string | null {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return 'no SOI';
  let offset = 2;
  for (;;) {
    if (offset + 4 > jpeg.length || jpeg[offset] !== 0xff) return `no marker at ${offset}`;
    const marker = jpeg[offset + 1] ?? 0;
    const length = ((jpeg[offset + 2] ?? 0) << 8) | (jpeg[offset + 3] ?? 0);
    if (marker === 0xda) return findScanProblem(jpeg, offset + 2 + length);
    if (!ALLOWED_HEADER_MARKERS.has(marker)) return `segment 0x${marker.toString(16)} not allowed`;
    if (marker === 0xe0 && !isBareJfif(jpeg, offset, length)) return 'APP0 is not bare JFIF';
    offset += 2 + length;
  }
}

function isBareJfif(jpeg: Uint8Array, offset: number, length: number): boolean {
  const id = String.fromCharCode(...jpeg.subarray(offset + 4, offset + 9));
  return length === JFIF_APP0_LENGTH && id === 'JFIF\0';
}

/** Entropy-coded data may hold only stuffed bytes (FF 00) and restart markers until the final EOI. */
function findScanProblem(jpeg: Uint8Array, start: number): string | null {
  const lastIndex = jpeg.length - 2;
  for (let i = start; i < lastIndex; i++) {
    if (jpeg[i] !== 0xff) continue;
    const next = jpeg[i + 1] ?? 0;
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) {
      i++;
      continue;
    }
    return `marker 0x${next.toString(16)} inside or after the scan at ${i}`;
  }
  if (jpeg[lastIndex] !== 0xff || jpeg[lastIndex + 1] !== 0xd9) return 'does not end with EOI';
  return null;
}

// ---------------------------------------------------------------------------------------------
// downscale: for images this sanitizer already rebuilt

async function downscaleWithinDeadline(
  buf: Buffer,
  maxSide: number,
  quality: number,
  limits: ImageLimits,
): Promise<{ output: Uint8Array; width: number; height: number }> {
  assertDownscaleArguments(maxSide, quality);
  if (sniffAllowedFormat(buf) !== 'jpeg') throw new Error('downscale expects a rebuilt JPEG');
  const { data, info } = await withDeadline(
    sharp(buf, decoderOptions(limits))
      .timeout({ seconds: sharpTimeoutSeconds(limits.timeoutMs) })
      .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .jpeg({ quality, progressive: false, mozjpeg: false })
      .toBuffer({ resolveWithObject: true }),
    limits.timeoutMs,
  );
  return { output: data, width: info.width, height: info.height };
}

function assertDownscaleArguments(maxSide: number, quality: number): void {
  if (!Number.isInteger(maxSide) || maxSide < 1) throw new RangeError(`maxSide must be a positive integer, got ${maxSide}`);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new RangeError(`quality must be an integer 1-100, got ${quality}`);
  }
}

// ---------------------------------------------------------------------------------------------
// helpers

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function reject(code: SanitizeRejectCode, detail: string): SanitizeReject {
  return { ok: false, code, detail: detail.slice(0, MAX_DETAIL_LENGTH) };
}

/** sharp's messages are technical (decoder and limit names); they never echo image content. */
function rejectFromSharpError(error: unknown): SanitizeReject {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  if (/pixel limit/i.test(message)) return reject('pixel-limit', message);
  if (/^timeout/i.test(message)) return reject('timeout', message);
  return reject('undecodable', message || 'decoder error');
}

/** libvips' own timeout stops the work inside the decoder; the wall-clock deadline is the backstop. */
function sharpTimeoutSeconds(timeoutMs: number): number {
  return Math.max(1, Math.ceil(timeoutMs / 1000));
}

/** Resolves with `work`, or rejects with {@link DeadlineExceeded} after `ms`; a late failure of `work` is swallowed. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, rejectDeadline) => {
    timer = setTimeout(() => rejectDeadline(new DeadlineExceeded(ms)), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
