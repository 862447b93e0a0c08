/**
 * Image statistics for the photo rules, on crafted images made with sharp: each statistic moves the
 * way the rules expect (white plain vs noisy background, colour vs greyscale, sharp vs blurred, dark vs
 * normal vs blown out), and lands on the right side of the default threshold.
 */
import sharp from 'sharp';
import { IMAGE_STATISTICS_WORKING_HEIGHT, measureImageStatistics } from '../../functions/adapters/image/image-statistics';
import { createSharpImageSanitizer } from '../../functions/adapters/image/sharp-image-sanitizer';
import { DEFAULT_PHOTO_THRESHOLDS as T } from '../../functions/core/photo-rules';

const W = 413;
const H = 531;

type Rgb = { r: number; g: number; b: number };

/** A portrait-like test card: a background, a skin-tone oval "face" with dark features in the middle. */
async function portrait(options: { background?: Buffer | Rgb; face?: Rgb } = {}): Promise<Buffer> {
  const face = options.face ?? { r: 214, g: 170, b: 140 };
  const svg = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">` +
      `<ellipse cx="${W / 2}" cy="${H * 0.5}" rx="${W * 0.3}" ry="${H * 0.36}" fill="rgb(${face.r},${face.g},${face.b})"/>` +
      // Eyes, brows, nose and mouth: sharp edges in the centre region.
      `<rect x="${W * 0.33}" y="${H * 0.4}" width="${W * 0.1}" height="${H * 0.03}" fill="#3a2a20"/>` +
      `<rect x="${W * 0.57}" y="${H * 0.4}" width="${W * 0.1}" height="${H * 0.03}" fill="#3a2a20"/>` +
      `<rect x="${W * 0.32}" y="${H * 0.35}" width="${W * 0.12}" height="${H * 0.012}" fill="#2a1a10"/>` +
      `<rect x="${W * 0.56}" y="${H * 0.35}" width="${W * 0.12}" height="${H * 0.012}" fill="#2a1a10"/>` +
      `<rect x="${W * 0.48}" y="${H * 0.45}" width="${W * 0.04}" height="${H * 0.1}" fill="#a07050"/>` +
      `<rect x="${W * 0.4}" y="${H * 0.6}" width="${W * 0.2}" height="${H * 0.02}" fill="#8a3030"/>` +
      `<text x="${W * 0.36}" y="${H * 0.52}" font-size="14" fill="#604030">texture texture</text>` +
      '</svg>',
  );
  const bg = options.background ?? { r: 250, g: 250, b: 250 };
  const base = Buffer.isBuffer(bg) ? sharp(bg) : sharp({ create: { width: W, height: H, channels: 3, background: bg } });
  return base
    .composite([{ input: svg }])
    .removeAlpha()
    .jpeg({ quality: 92 })
    .toBuffer();
}

function noise(sigma: number, mean = 200): Promise<Buffer> {
  return sharp({ create: { width: W, height: H, channels: 3, background: '#000000', noise: { type: 'gaussian', mean, sigma } } })
    .png()
    .toBuffer();
}

describe('measureImageStatistics', () => {
  it('reports the original size and measures a good photo on the passing side of every threshold', async () => {
    const s = await measureImageStatistics(await portrait());
    expect(s).toMatchObject({ width: W, height: H });
    expect(s.sharpness).toBeGreaterThanOrEqual(T.minSharpness);
    expect(s.centreLuma).toBeGreaterThanOrEqual(T.minFaceRegionLuma);
    expect(s.centreBrightClipped).toBeLessThanOrEqual(T.maxFaceRegionBrightClipped);
    expect(s.backgroundStdDev).toBeLessThanOrEqual(T.maxBackgroundStdDev);
    expect(s.backgroundLuma).toBeGreaterThanOrEqual(T.minBackgroundLuma);
    expect(s.backgroundChroma).toBeLessThanOrEqual(T.maxBackgroundChroma);
    expect(s.colourfulness).toBeGreaterThanOrEqual(T.minColourfulness);
  });

  it('tells a plain white background from a noisy one', async () => {
    const plain = await measureImageStatistics(await portrait());
    const noisy = await measureImageStatistics(await portrait({ background: await noise(60) }));
    expect(plain.backgroundStdDev).toBeLessThan(2);
    expect(noisy.backgroundStdDev).toBeGreaterThan(T.maxBackgroundStdDev);
    expect(plain.backgroundLuma).toBeGreaterThan(245);
  });

  it('tells a white background from a grey and from a coloured one', async () => {
    const grey = await measureImageStatistics(await portrait({ background: { r: 128, g: 128, b: 128 } }));
    const blue = await measureImageStatistics(await portrait({ background: { r: 170, g: 205, b: 245 } }));
    expect(grey.backgroundLuma).toBeLessThan(T.minBackgroundLuma);
    expect(grey.backgroundChroma).toBeLessThan(T.maxBackgroundChroma);
    expect(blue.backgroundLuma).toBeGreaterThanOrEqual(T.minBackgroundLuma);
    expect(blue.backgroundChroma).toBeGreaterThan(T.maxBackgroundChroma);
  });

  it('tells colour from greyscale (a 1-channel JPEG too)', async () => {
    const colour = await measureImageStatistics(await portrait());
    const greyRgb = await measureImageStatistics(
      await sharp(await portrait())
        .greyscale()
        .toColourspace('srgb')
        .jpeg()
        .toBuffer(),
    );
    const greyOneChannel = await measureImageStatistics(
      await sharp(await portrait())
        .greyscale()
        .jpeg()
        .toBuffer(),
    );
    expect(colour.colourfulness).toBeGreaterThan(T.minColourfulness);
    expect(greyRgb.colourfulness).toBeLessThan(1);
    expect(greyOneChannel.colourfulness).toBeLessThan(1);
  });

  it('tells sharp from blurred (σ 3 far lower, σ 8 under the threshold), whatever the resolution', async () => {
    const photo = await portrait();
    const sharpStats = await measureImageStatistics(photo);
    const blurred = await measureImageStatistics(await sharp(photo).blur(3).jpeg().toBuffer());
    const veryBlurred = await measureImageStatistics(await sharp(photo).blur(8).jpeg().toBuffer());
    const big = await measureImageStatistics(
      await sharp(photo)
        .resize(W * 4, H * 4, { kernel: 'lanczos3' })
        .jpeg()
        .toBuffer(),
    );
    expect(veryBlurred.sharpness).toBeLessThan(T.minSharpness);
    expect(sharpStats.sharpness).toBeGreaterThan(blurred.sharpness * 3);
    // Measured at a fixed working height: a 4× larger copy of the same picture measures about the same.
    expect(big.width).toBe(W * 4);
    expect(big.sharpness).toBeGreaterThan(sharpStats.sharpness * 0.5);
    expect(big.sharpness).toBeLessThan(sharpStats.sharpness * 2);
    expect(IMAGE_STATISTICS_WORKING_HEIGHT).toBe(256);
  });

  it('orders dark < normal < blown out, with the clipped shares on the right side', async () => {
    const photo = await portrait();
    const dark = await measureImageStatistics(await sharp(photo).linear(0.3, 0).jpeg().toBuffer());
    const normal = await measureImageStatistics(photo);
    const blown = await measureImageStatistics(await sharp(photo).linear(1.8, 40).jpeg().toBuffer());
    expect(dark.centreLuma).toBeLessThan(normal.centreLuma);
    expect(normal.centreLuma).toBeLessThan(blown.centreLuma);
    expect(dark.centreLuma).toBeLessThan(T.minFaceRegionLuma);
    expect(blown.centreBrightClipped).toBeGreaterThan(T.maxFaceRegionBrightClipped);
    expect(dark.meanLuma).toBeLessThan(normal.meanLuma);
    const black = await measureImageStatistics(await sharp(photo).linear(0.02, 0).jpeg().toBuffer());
    expect(black.darkClipped).toBeGreaterThan(0.9);
    expect(normal.darkClipped).toBeLessThan(0.05);
  });

  it('throws on bytes that do not decode', async () => {
    await expect(measureImageStatistics(new Uint8Array([1, 2, 3]))).rejects.toThrow();
  });
});

describe('the sanitizer returns the statistics of its rebuilt output', () => {
  it('adds stats to an ok rebuild, equal to measuring the output', async () => {
    const sanitizer = createSharpImageSanitizer();
    const result = await sanitizer.rebuild(await portrait());
    if (!result.ok) throw new Error(result.detail);
    expect(result.stats).toEqual(await measureImageStatistics(result.output));
  });
});
