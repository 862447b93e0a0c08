/**
 * Image statistics for the photo rules (see {@link ImageStatistics}), measured with sharp on a rebuilt
 * JPEG: one decode at a fixed working height (JPEG shrink-on-load keeps a 12 Mpx photo cheap), then a
 * single pass over the pixels in plain JS.
 *
 * Regions, as shares of the frame (a compliant 35:45 photo has the head 70–80 % of the height,
 * centred, crown about 10 % below the top):
 * - centre x 30–70 %, y 30–70 %: inside the face (exposure) — eyes, nose, mouth;
 * - sharpness: the same centre region (the background is flat and says nothing about focus);
 * - background strips x 0–12 % and 88–100 %, y 0–30 %: beside and above the head, away from hair
 *   and shoulders.
 */
import sharp from 'sharp';
import type { ImageStatistics } from '../../core/ports';

/**
 * Height, in pixels, every statistic but the size is measured at: a 35×45 mm photo at about 145 dpi.
 * Chosen for sharpness (docs/photo-checks.md): at 512 px the Laplacian of a sharp photo and of the same
 * photo blurred differ too little over the JPEG noise floor; at 256 px they separate clearly, and a
 * 12 Mpx upload costs the same as a 413×531 one (JPEG shrink-on-load).
 */
export const IMAGE_STATISTICS_WORKING_HEIGHT = 256;

/** Luma at or below / at or above which a pixel counts as clipped. */
const DARK_CLIP = 10;
const BRIGHT_CLIP = 245;

export const STATISTICS_REGIONS = {
  centre: { x0: 0.3, x1: 0.7, y0: 0.3, y1: 0.7 },
  backgroundLeft: { x0: 0, x1: 0.12, y0: 0, y1: 0.3 },
  backgroundRight: { x0: 0.88, x1: 1, y0: 0, y1: 0.3 },
} as const;

interface Region {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

/** Pixel bounds [x0, x1) × [y0, y1) of a region in a width × height image (at least one pixel). */
function bounds(region: Region, width: number, height: number) {
  const x0 = Math.min(width - 1, Math.floor(region.x0 * width));
  const y0 = Math.min(height - 1, Math.floor(region.y0 * height));
  return {
    x0,
    y0,
    x1: Math.max(x0 + 1, Math.ceil(region.x1 * width)),
    y1: Math.max(y0 + 1, Math.ceil(region.y1 * height)),
  };
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Luma and chroma planes of 8-bit RGB pixels. */
export function lumaAndChroma(rgb: Uint8Array, pixels: number): { luma: Float32Array; chroma: Uint8Array } {
  const luma = new Float32Array(pixels);
  const chroma = new Uint8Array(pixels);
  for (let i = 0, p = 0; p < pixels; p += 1, i += 3) {
    const r = rgb[i] ?? 0;
    const g = rgb[i + 1] ?? 0;
    const b = rgb[i + 2] ?? 0;
    luma[p] = 0.299 * r + 0.587 * g + 0.114 * b;
    chroma[p] = Math.max(r, g, b) - Math.min(r, g, b);
  }
  return { luma, chroma };
}

interface RegionSums {
  count: number;
  luma: number;
  lumaSquared: number;
  chroma: number;
  dark: number;
  bright: number;
}

function emptySums(): RegionSums {
  return { count: 0, luma: 0, lumaSquared: 0, chroma: 0, dark: 0, bright: 0 };
}

function accumulate(sums: RegionSums, luma: Float32Array, chroma: Uint8Array, width: number, region: ReturnType<typeof bounds>) {
  for (let y = region.y0; y < region.y1; y += 1) {
    for (let x = region.x0; x < region.x1; x += 1) {
      const p = y * width + x;
      const l = luma[p] ?? 0;
      sums.count += 1;
      sums.luma += l;
      sums.lumaSquared += l * l;
      sums.chroma += chroma[p] ?? 0;
      if (l <= DARK_CLIP) sums.dark += 1;
      if (l >= BRIGHT_CLIP) sums.bright += 1;
    }
  }
}

/** Variance of the 4-neighbour Laplacian of `luma` over the region's inner pixels. */
export function laplacianVariance(luma: Float32Array, width: number, height: number, region: Region): number {
  const b = bounds(region, width, height);
  const x0 = Math.max(1, b.x0);
  const y0 = Math.max(1, b.y0);
  const x1 = Math.min(width - 1, b.x1);
  const y1 = Math.min(height - 1, b.y1);
  let n = 0;
  let sum = 0;
  let sumSquared = 0;
  for (let y = y0; y < y1; y += 1) {
    for (let x = x0; x < x1; x += 1) {
      const p = y * width + x;
      const value =
        4 * (luma[p] ?? 0) - (luma[p - 1] ?? 0) - (luma[p + 1] ?? 0) - (luma[p - width] ?? 0) - (luma[p + width] ?? 0);
      n += 1;
      sum += value;
      sumSquared += value * value;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return Math.max(0, sumSquared / n - mean * mean);
}

/** Every statistic of {@link ImageStatistics} from 8-bit RGB pixels at the working size. */
export function statisticsFromPixels(
  rgb: Uint8Array,
  width: number,
  height: number,
  original: { width: number; height: number },
): ImageStatistics {
  const pixels = width * height;
  const { luma, chroma } = lumaAndChroma(rgb, pixels);
  const whole = emptySums();
  accumulate(whole, luma, chroma, width, { x0: 0, y0: 0, x1: width, y1: height });
  const centre = emptySums();
  accumulate(centre, luma, chroma, width, bounds(STATISTICS_REGIONS.centre, width, height));
  const background = emptySums();
  accumulate(background, luma, chroma, width, bounds(STATISTICS_REGIONS.backgroundLeft, width, height));
  accumulate(background, luma, chroma, width, bounds(STATISTICS_REGIONS.backgroundRight, width, height));
  const backgroundMean = background.luma / background.count;
  const backgroundVariance = Math.max(0, background.lumaSquared / background.count - backgroundMean ** 2);
  return {
    width: original.width,
    height: original.height,
    meanLuma: round(whole.luma / whole.count, 1),
    darkClipped: round(whole.dark / whole.count, 4),
    brightClipped: round(whole.bright / whole.count, 4),
    centreLuma: round(centre.luma / centre.count, 1),
    centreDarkClipped: round(centre.dark / centre.count, 4),
    centreBrightClipped: round(centre.bright / centre.count, 4),
    sharpness: round(laplacianVariance(luma, width, height, STATISTICS_REGIONS.centre), 1),
    colourfulness: round(whole.chroma / whole.count, 2),
    backgroundLuma: round(backgroundMean, 1),
    backgroundStdDev: round(Math.sqrt(backgroundVariance), 2),
    backgroundChroma: round(background.chroma / background.count, 2),
  };
}

/**
 * Measures a rebuilt image (upright 8-bit sRGB JPEG; any format sharp decodes works). Throws when the
 * bytes do not decode: the caller decides what a failed measurement means.
 */
export async function measureImageStatistics(image: Uint8Array): Promise<ImageStatistics> {
  const input = Buffer.isBuffer(image) ? image : Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  const meta = await sharp(input).metadata();
  const original = { width: meta.autoOrient?.width ?? meta.width, height: meta.autoOrient?.height ?? meta.height };
  const { data, info } = await sharp(input)
    .rotate()
    .resize({ height: IMAGE_STATISTICS_WORKING_HEIGHT })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
  return statisticsFromPixels(data, info.width, info.height, original);
}
