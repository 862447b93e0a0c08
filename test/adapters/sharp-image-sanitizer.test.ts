/**
 * The sharp ImageSanitizer: unit cases on images generated here, then the whole shared upload
 * corpus (`../shared/corpus/uploads`, see its manifest.csv). The corpus is required: this suite
 * fails loudly when it is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import {
  createSharpImageSanitizer,
  DEFAULT_IMAGE_LIMITS,
  findJpegStructureProblem,
  sniffAllowedFormat,
} from '../../functions/adapters/image/sharp-image-sanitizer';
import type { RebuildResult, SanitizeRejectCode } from '../../functions/core/ports';

const sanitizer = createSharpImageSanitizer();

// ---------------------------------------------------------------------------------------------
// image factories

type Rgb = readonly [number, number, number];

function solid(width: number, height: number, colour: Rgb, channels: 3 | 4 = 3, alpha = 1) {
  const background =
    channels === 4 ? { r: colour[0], g: colour[1], b: colour[2], alpha } : { r: colour[0], g: colour[1], b: colour[2] };
  return sharp({ create: { width, height, channels, background } });
}

function plainJpeg(width = 300, height = 400): Promise<Buffer> {
  return solid(width, height, [120, 140, 160]).jpeg({ quality: 90 }).toBuffer();
}

/** Noise compresses badly: a realistic decode cost, and a truncation that cuts real scan data. */
function noisyJpeg(width: number, height: number, sigma: number): Promise<Buffer> {
  const noise = { type: 'gaussian' as const, mean: 128, sigma };
  return sharp({ create: { width, height, channels: 3, background: '#000000', noise } })
    .jpeg()
    .toBuffer();
}

function plainPng(width = 300, height = 400): Promise<Buffer> {
  return solid(width, height, [120, 140, 160]).png().toBuffer();
}

/** A PNG chunk with a correct CRC. */
function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** Inserts chunks right after IHDR (signature 8 bytes + IHDR chunk 25 bytes). */
function pngInsertAfterIhdr(png: Buffer, chunks: Buffer[]): Buffer {
  const afterIhdr = 8 + 25;
  return Buffer.concat([png.subarray(0, afterIhdr), ...chunks, png.subarray(afterIhdr)]);
}

/** Rewrites IHDR width/height (and its CRC): a header that lies about the pixel count. */
function pngWithClaimedSize(png: Buffer, width: number, height: number): Buffer {
  const patched = Buffer.from(png);
  patched.writeUInt32BE(width, 16);
  patched.writeUInt32BE(height, 20);
  patched.writeUInt32BE(crc32(patched.subarray(12, 29)), 29);
  return patched;
}

function jpegSegment(marker: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header[0] = 0xff;
  header[1] = marker;
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([header, payload]);
}

function jpegInsertAfterSoi(jpeg: Buffer, segment: Buffer): Buffer {
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
}

async function pixelAt(image: Uint8Array, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const offset = (y * info.width + x) * info.channels;
  return [...data.subarray(offset, offset + info.channels)];
}

function expectClose(actual: readonly number[], expected: readonly number[], tolerance: number): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, index) => {
    expect(Math.abs(value - (expected[index] ?? Number.NaN))).toBeLessThanOrEqual(tolerance);
  });
}

function expectRebuilt(result: RebuildResult): asserts result is Extract<RebuildResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected a rebuild, got ${result.code}: ${result.detail}`);
}

/** The promises every rebuilt output keeps, whatever the input was. */
async function expectCleanOutput(output: Uint8Array, width: number, height: number): Promise<void> {
  const meta = await sharp(output).metadata();
  expect(meta).toMatchObject({ format: 'jpeg', width, height, channels: 3, space: 'srgb', depth: 'uchar', isProgressive: false });
  expect(meta.hasAlpha).toBe(false);
  expect(meta.hasProfile).toBe(false);
  expect([meta.exif, meta.icc, meta.xmp, meta.iptc, meta.orientation]).toEqual([
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
  ]);
  expect(findJpegStructureProblem(output)).toBeNull();
  expect([...output.subarray(-2)]).toEqual([0xff, 0xd9]);
}

function contains(haystack: Uint8Array, needle: string | Buffer): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).includes(needle);
}

// ---------------------------------------------------------------------------------------------
// unit cases

describe('inspect: size, type allowlist, header limits', () => {
  it('refuses an empty upload', async () => {
    await expect(sanitizer.inspect(new Uint8Array(0))).resolves.toMatchObject({ ok: false, code: 'empty' });
  });

  it('refuses an upload over maxBytes before looking at it', async () => {
    const big = Buffer.alloc(DEFAULT_IMAGE_LIMITS.maxBytes + 1);
    big.set([0xff, 0xd8, 0xff]);
    await expect(sanitizer.inspect(big)).resolves.toMatchObject({ ok: false, code: 'too-large' });
  });

  it.each([
    ['GIF', () => solid(300, 400, [10, 20, 30]).gif().toBuffer()],
    ['WebP', () => solid(300, 400, [10, 20, 30]).webp().toBuffer()],
    ['TIFF', () => solid(300, 400, [10, 20, 30]).tiff().toBuffer()],
    [
      'SVG with a script',
      async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="400"><script>alert(1)</script></svg>'),
    ],
    ['HTML', async () => Buffer.from('<!DOCTYPE html><script>alert(1)</script>')],
  ])('refuses %s by its magic bytes (type-not-allowed)', async (_name, make) => {
    const bytes = await make();
    await expect(sanitizer.inspect(bytes)).resolves.toMatchObject({ ok: false, code: 'type-not-allowed' });
    await expect(sanitizer.rebuild(bytes)).resolves.toMatchObject({ ok: false, code: 'type-not-allowed' });
  });

  it('sniffs only JPEG and PNG signatures', async () => {
    expect(sniffAllowedFormat(await plainJpeg())).toBe('jpeg');
    expect(sniffAllowedFormat(await plainPng())).toBe('png');
    expect(sniffAllowedFormat(Uint8Array.of(0xff, 0xd8))).toBeNull();
    expect(sniffAllowedFormat(Uint8Array.of(0x89, 0x50, 0x4e, 0x47))).toBeNull();
  });

  it('reports the header format and upright dimensions without decoding', async () => {
    await expect(sanitizer.inspect(await plainPng(300, 400))).resolves.toEqual({
      ok: true,
      format: 'png',
      width: 300,
      height: 400,
    });
  });

  it('reads a Uint8Array view that does not start at the beginning of its buffer', async () => {
    const jpeg = await plainJpeg();
    const backing = new Uint8Array(jpeg.length + 16);
    backing.set(jpeg, 16);
    await expect(sanitizer.inspect(backing.subarray(16))).resolves.toMatchObject({ ok: true, format: 'jpeg' });
  });

  it('refuses a PNG header claiming 60000x60000 quickly, from the header alone', async () => {
    const flood = pngWithClaimedSize(await plainPng(300, 400), 60_000, 60_000);
    const started = performance.now();
    const result = await sanitizer.inspect(flood);
    const elapsedMs = performance.now() - started;
    expect(result).toMatchObject({ ok: false, code: 'pixel-limit' });
    expect(elapsedMs).toBeLessThan(1000);
    await expect(sanitizer.rebuild(flood)).resolves.toMatchObject({ ok: false, code: 'pixel-limit' });
  });

  it.each<[string, number, number, Partial<typeof DEFAULT_IMAGE_LIMITS>, SanitizeRejectCode]>([
    ['under minSide', 48, 300, {}, 'dimensions'],
    ['over maxSide', 600, 800, { maxSide: 700 }, 'dimensions'],
    ['over maxPixels', 600, 800, { maxPixels: 400_000 }, 'pixel-limit'],
    ['wider than maxAspect', 1000, 200, {}, 'aspect'],
  ])('refuses an image %s', async (_name, width, height, limits, code) => {
    const png = await plainPng(width, height);
    await expect(createSharpImageSanitizer(limits).inspect(png)).resolves.toMatchObject({ ok: false, code });
  });

  it('accepts a truncated JPEG header but refuses to rebuild it (undecodable)', async () => {
    const jpeg = await noisyJpeg(600, 800, 40);
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length * 0.5));
    await expect(sanitizer.inspect(truncated)).resolves.toMatchObject({ ok: true });
    await expect(sanitizer.rebuild(truncated)).resolves.toMatchObject({ ok: false, code: 'undecodable' });
  });

  it('refuses bytes that start like a JPEG but are not one (undecodable, never a throw)', async () => {
    const junk = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(200, 0x41)]);
    await expect(sanitizer.inspect(junk)).resolves.toMatchObject({ ok: false, code: 'undecodable' });
    await expect(sanitizer.rebuild(junk)).resolves.toMatchObject({ ok: false, code: 'undecodable' });
  });
});

describe('rebuild: pixels only, upright, 8-bit sRGB, no metadata', () => {
  it('applies EXIF orientation 6: stored 200x100 comes out 100x200, rotated clockwise', async () => {
    // A red block at the stored top-left corner; orientation 6 turns it to the top-right.
    const stored = await solid(200, 100, [255, 255, 255])
      .composite([
        { input: { create: { width: 40, height: 40, channels: 3, background: { r: 255, g: 0, b: 0 } } }, left: 0, top: 0 },
      ])
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(stored).metadata()).orientation).toBe(6);
    await expect(sanitizer.inspect(stored)).resolves.toMatchObject({ ok: true, width: 100, height: 200 });
    const result = await sanitizer.rebuild(stored);
    expectRebuilt(result);
    expect([result.width, result.height]).toEqual([100, 200]);
    await expectCleanOutput(result.output, 100, 200);
    expectClose(await pixelAt(result.output, 90, 10), [255, 0, 0], 40);
    expectClose(await pixelAt(result.output, 10, 10), [255, 255, 255], 40);
  });

  it('flattens RGBA transparency onto white and drops the alpha channel', async () => {
    const png = await solid(300, 400, [0, 0, 0], 4, 0).png().toBuffer();
    const result = await sanitizer.rebuild(png);
    expectRebuilt(result);
    await expectCleanOutput(result.output, 300, 400);
    expectClose(await pixelAt(result.output, 150, 200), [255, 255, 255], 2);
  });

  it.each([
    ['CMYK JPEG', () => solid(300, 400, [200, 100, 50]).toColourspace('cmyk').jpeg().toBuffer(), 'cmyk'],
    ['16-bit PNG', () => solid(300, 400, [200, 100, 50]).toColourspace('rgb16').png().toBuffer(), 'rgb16'],
    ['greyscale JPEG', () => solid(300, 400, [128, 128, 128]).toColourspace('b-w').jpeg().toBuffer(), 'b-w'],
  ])('turns a %s into 8-bit sRGB with 3 channels', async (_name, make, inputSpace) => {
    const input = await make();
    expect((await sharp(input).metadata()).space).toBe(inputSpace);
    const result = await sanitizer.rebuild(input);
    expectRebuilt(result);
    await expectCleanOutput(result.output, 300, 400);
  });

  it('converts Display-P3 pixels to sRGB instead of passing the profile on', async () => {
    const p3 = await solid(300, 400, [200, 100, 50]).jpeg({ quality: 95 }).withIccProfile('p3').toBuffer();
    expect((await sharp(p3).metadata()).hasProfile).toBe(true);
    const result = await sanitizer.rebuild(p3);
    expectRebuilt(result);
    await expectCleanOutput(result.output, 300, 400);
    const asIfUntagged = await pixelAt(await sharp(p3, { ignoreIcc: true }).jpeg().toBuffer(), 150, 200);
    const converted = await pixelAt(result.output, 150, 200);
    const largestDifference = Math.max(...converted.map((value, index) => Math.abs(value - (asIfUntagged[index] ?? 0))));
    expect(largestDifference).toBeGreaterThan(8);
  });

  it('drops EXIF, ICC, XMP and COM segments', async () => {
    const tagged = await solid(300, 400, [90, 90, 90])
      .jpeg()
      .withMetadata({ orientation: 1 })
      .withExif({ IFD0: { Make: 'SONY', Model: 'SECRET-CAM', ImageDescription: '<?php system($_GET[1]); ?>' } })
      .withIccProfile('p3')
      .withXmp(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>',
      )
      .toBuffer();
    const withComment = jpegInsertAfterSoi(tagged, jpegSegment(0xfe, Buffer.from('<script>alert(1)</script>')));
    const meta = await sharp(withComment).metadata();
    expect([Boolean(meta.exif), Boolean(meta.icc), Boolean(meta.xmp)]).toEqual([true, true, true]);
    const result = await sanitizer.rebuild(withComment);
    expectRebuilt(result);
    await expectCleanOutput(result.output, 300, 400);
    for (const marker of ['Exif', 'SONY', 'SECRET-CAM', '<?php', 'ICC_PROFILE', 'http://ns.adobe.com/xap', '<script']) {
      expect(contains(result.output, marker)).toBe(false);
    }
  });

  it('drops bytes appended after the JPEG EOI', async () => {
    const polyglot = Buffer.concat([await plainJpeg(), Buffer.from('PK\x03\x04TRAILING-PAYLOAD<?php echo 1; ?>', 'latin1')]);
    const result = await sanitizer.rebuild(polyglot);
    expectRebuilt(result);
    await expectCleanOutput(result.output, 300, 400);
    expect(contains(result.output, 'TRAILING-PAYLOAD')).toBe(false);
    expect(contains(result.output, Buffer.from([0x50, 0x4b, 0x03, 0x04]))).toBe(false);
  });

  it('drops a PNG tEXt payload', async () => {
    const text = pngChunk('tEXt', Buffer.from('Comment\0<script src="//x.invalid/a.js"></script>', 'latin1'));
    const png = pngInsertAfterIhdr(await plainPng(), [text]);
    expect((await sharp(png).metadata()).comments).toEqual([{ keyword: 'Comment', text: expect.stringContaining('<script') }]);
    const result = await sanitizer.rebuild(png);
    expectRebuilt(result);
    await expectCleanOutput(result.output, 300, 400);
    expect(contains(result.output, 'tEXt')).toBe(false);
    expect(contains(result.output, '<script')).toBe(false);
  });

  it('returns a timeout when the wall-clock budget runs out', async () => {
    const large = await noisyJpeg(3000, 4000, 30);
    await expect(createSharpImageSanitizer({ timeoutMs: 1 }).rebuild(large)).resolves.toMatchObject({
      ok: false,
      code: 'timeout',
    });
  });
});

describe('findJpegStructureProblem: the output verifier', () => {
  it('accepts what rebuild writes and refuses APPn, COM and trailing bytes', async () => {
    const result = await sanitizer.rebuild(await plainJpeg());
    expectRebuilt(result);
    const clean = Buffer.from(result.output);
    expect(findJpegStructureProblem(clean)).toBeNull();
    expect(findJpegStructureProblem(jpegInsertAfterSoi(clean, jpegSegment(0xe1, Buffer.from('Exif\0\0'))))).toMatch(/0xe1/);
    expect(findJpegStructureProblem(jpegInsertAfterSoi(clean, jpegSegment(0xfe, Buffer.from('hi'))))).toMatch(/0xfe/);
    expect(findJpegStructureProblem(Buffer.concat([clean, Buffer.from('tail')]))).toMatch(/after the scan|EOI/);
    expect(findJpegStructureProblem(clean.subarray(0, clean.length - 1))).not.toBeNull();
  });
});

describe('downscale', () => {
  it('fits inside maxSide, never enlarges, writes no metadata', async () => {
    const rebuilt = await sanitizer.rebuild(await plainJpeg(600, 800));
    expectRebuilt(rebuilt);
    const smaller = await sanitizer.downscale(rebuilt.output, 400, 80);
    expect([smaller.width, smaller.height]).toEqual([300, 400]);
    const meta = await sharp(smaller.output).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 300, height: 400, hasProfile: false });
    expect(meta.exif).toBeUndefined();
    const same = await sanitizer.downscale(rebuilt.output, 2000, 80);
    expect([same.width, same.height]).toEqual([600, 800]);
  });

  it('rejects bad arguments and non-JPEG input by throwing', async () => {
    const jpeg = await plainJpeg();
    await expect(sanitizer.downscale(jpeg, 0, 80)).rejects.toThrow(RangeError);
    await expect(sanitizer.downscale(jpeg, 400, 101)).rejects.toThrow(RangeError);
    await expect(sanitizer.downscale(await plainPng(), 400, 80)).rejects.toThrow(/rebuilt JPEG/);
  });
});

// ---------------------------------------------------------------------------------------------
// the shared corpus

const CORPUS_DIR = path.resolve(__dirname, '../../../shared/corpus/uploads');

interface CorpusRow {
  readonly file: string;
  readonly kind: string;
  readonly expected: 'accept' | 'sanitize' | 'reject';
  readonly why: string;
}

/** Splits one CSV line with double-quoted fields ("" inside quotes is a quote). */
function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted && char === '"' && line[i + 1] === '"') {
      current += '"';
      i++;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (char === ',' && !quoted) {
      fields.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  fields.push(current);
  return fields;
}

function readCorpusManifest(): CorpusRow[] {
  const manifest = path.join(CORPUS_DIR, 'manifest.csv');
  if (!existsSync(manifest)) {
    throw new Error(`upload corpus missing: ${manifest} not found (this suite needs ../shared/corpus/uploads)`);
  }
  const [header, ...lines] = readFileSync(manifest, 'utf8').split(/\r?\n/).filter(Boolean);
  if (header !== 'file,kind,expected,why') throw new Error(`unexpected manifest header: ${header}`);
  return lines.map((line) => {
    const [file = '', kind = '', expected = '', why = ''] = parseCsvLine(line);
    if (expected !== 'accept' && expected !== 'sanitize' && expected !== 'reject') {
      throw new Error(`unexpected expected value in manifest: ${expected}`);
    }
    return { file, kind, expected, why };
  });
}

/** Content that must never survive a rebuild, whatever the row. */
const FORBIDDEN_IN_OUTPUT: readonly (string | Buffer)[] = [
  '<?php',
  '<script',
  '<html',
  Buffer.from([0x50, 0x4b, 0x03, 0x04]),
  'shell.php',
  'Exif',
  'ICC_PROFILE',
  'http://ns.adobe.com/xap',
  'acTL',
  'fcTL',
  'tEXt',
  'GPS',
  'SONY',
  'ExampleCam',
  'Model X100',
  'Jane Example',
  'SN-0042',
  'X5O!P%@AP',
];

const corpus = readCorpusManifest();
const byExpectation = (expected: CorpusRow['expected'], except: readonly string[] = []) =>
  corpus.filter((row) => row.expected === expected && !except.includes(row.file)).map((row) => [row.file, row] as const);

function readCorpusFile(file: string): Buffer {
  return readFileSync(path.join(CORPUS_DIR, file));
}

async function expectNothingForbidden(output: Uint8Array): Promise<void> {
  for (const marker of FORBIDDEN_IN_OUTPUT) {
    expect({ marker: String(marker), found: contains(output, marker) }).toEqual({ marker: String(marker), found: false });
  }
}

describe('shared upload corpus', () => {
  it('has every kind of row', () => {
    expect(new Set(corpus.map((row) => row.expected))).toEqual(new Set(['accept', 'sanitize', 'reject']));
  });

  it.each(byExpectation('accept'))('accepts %s and rebuilds it', async (file) => {
    const bytes = readCorpusFile(file);
    const inspected = await sanitizer.inspect(bytes);
    expect(inspected).toMatchObject({ ok: true });
    const result = await sanitizer.rebuild(bytes);
    expectRebuilt(result);
    await expectCleanOutput(result.output, result.width, result.height);
    await expectNothingForbidden(result.output);
  });

  it.each(byExpectation('sanitize'))('refuses %s or rebuilds it without the named content', async (file) => {
    const result = await sanitizer.rebuild(readCorpusFile(file));
    if (!result.ok) return;
    await expectCleanOutput(result.output, result.width, result.height);
    await expectNothingForbidden(result.output);
    if (file === 'exif-orientation-6.jpg') expect([result.width, result.height]).toEqual([600, 800]);
    if (file === 'apng-animated.png') expect((await sharp(result.output).metadata()).pages ?? 1).toBe(1);
  });

  it.each(byExpectation('reject', ['eicar-in-com.jpg']))('refuses %s', async (file) => {
    const bytes = readCorpusFile(file);
    const inspected = await sanitizer.inspect(bytes);
    const rebuilt = await sanitizer.rebuild(bytes);
    expect(rebuilt.ok).toBe(false);
    if (!rebuilt.ok) expect(rebuilt.detail.length).toBeGreaterThan(0);
    if (!inspected.ok && !rebuilt.ok) expect(rebuilt.code).toBe(inspected.code);
  });

  it('eicar-in-com.jpg: refused, or (until the signature scanner lands) rebuilt with no EICAR bytes in the output', async () => {
    const result = await sanitizer.rebuild(readCorpusFile('eicar-in-com.jpg'));
    if (!result.ok) return;
    expect(contains(result.output, 'X5O!P%@AP')).toBe(false);
  });

  it('orientation-6 output matches the stored pixels turned clockwise', async () => {
    const stored = readCorpusFile('exif-orientation-6.jpg');
    const result = await sanitizer.rebuild(stored);
    expectRebuilt(result);
    const turnedByHand = await sharp(stored).rotate(90).raw().toBuffer();
    const rebuiltPixels = await sharp(result.output).raw().toBuffer();
    expect(rebuiltPixels.length).toBe(turnedByHand.length);
    let totalDifference = 0;
    for (let i = 0; i < rebuiltPixels.length; i++) totalDifference += Math.abs((rebuiltPixels[i] ?? 0) - (turnedByHand[i] ?? 0));
    expect(totalDifference / rebuiltPixels.length).toBeLessThan(4);
  });
});

describe('rebuild: image statistics', () => {
  it('measures the photo rules statistics by default, and skips them when asked (ID card scans)', async () => {
    const jpeg = await sharp({ create: { width: 600, height: 800, channels: 3, background: { r: 240, g: 240, b: 240 } } })
      .jpeg()
      .toBuffer();
    const measured = await sanitizer.rebuild(jpeg);
    const skipped = await sanitizer.rebuild(jpeg, { measure: false });
    expect(measured.ok && measured.stats?.backgroundLuma).toBeGreaterThan(200);
    expect(skipped.ok).toBe(true);
    expect(skipped.ok && skipped.stats).toBeUndefined();
  });
});
