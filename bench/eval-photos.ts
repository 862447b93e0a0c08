/**
 * `npm run -s eval:photos -- --data <folder> [--limit N] [--json] [--out DIR]`
 *
 * How well each photo check catches its defect, and how often it rejects a good photo. The set
 * (`<folder>/manifest.csv`, `file,identity`, e.g. ../shared/data/faces: LFW news photos, 250×250) is
 * not made of passport photos, so each image first becomes a passport-like BASE:
 *
 *   the embedded engine finds the face → crown and chin from the landmarks (the rules' own
 *   `headGeometry`) → a 35:45 crop with the head at 75 % of the height, crown 10 % below the top,
 *   eye midpoint centred → upscaled to 413×531 → everything outside a feathered head-and-shoulders
 *   mask replaced by a plain white background.
 *
 * From each base, one labelled DEFECT variant per check where sharp can make one (table DEFECTS).
 * Every image (base or variant) goes the way an upload goes: JPEG → the scanner's rebuild (sharp
 * sanitizer, which measures the statistics) → the embedded engine's analyzePortrait → evaluatePhoto.
 *
 * Reported per check:
 *   falseRejectRate  share of bases on which the check fails (a base is assumed compliant; see the
 *                    docs for where LFW bases genuinely are not: pose, expression);
 *   detectionRate    share of the variants whose check fails, among bases on which the check passed;
 *   retakeRate       share of those variants the photo outcome sends to a retake for any reason;
 *   n                bases (false rejects) / eligible variants (detection).
 *
 * Options:
 *   --limit N   use the first N images (one per identity first, then the second image of each…); default 50
 *   --json      the last stdout line is one JSON object {"checks":{…}}; progress goes to stderr
 *   --out DIR   also write every base and variant as JPEG (to look at them)
 *
 * Fails loudly when the data folder or its manifest is missing.
 */
import '../bin/support/quiet-env';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp, { type Sharp } from 'sharp';
import { createSharpImageSanitizer } from '../functions/adapters/image/sharp-image-sanitizer';
import { createEmbeddedFaceAnalyzer } from '../functions/adapters/local/embedded-face-analyzer';
import {
  DEFAULT_PHOTO_THRESHOLDS,
  evaluatePhoto,
  headGeometry,
  PHOTO_CHECKS,
  type PhotoCheckName,
  photoOutcome,
} from '../functions/core/photo-rules';
import type { ImageStatistics, PortraitAnalysis } from '../functions/core/ports';
import type { Finding } from '../functions/core/verdict';

const BASE_WIDTH = 413;
const BASE_HEIGHT = 531;
/** Head (crown–chin) share and crown margin of a base: the middle of Taiwan's 71–80 %. */
const BASE_HEAD_SHARE = 0.75;
const BASE_TOP_MARGIN = 0.1;
const WHITE = { r: 255, g: 255, b: 255 };

type Rgb = { r: number; g: number; b: number };

interface Base {
  readonly name: string;
  /** Head-and-shoulders with alpha (the mask), 413×531 RGBA PNG. */
  readonly foreground: Buffer;
  /** The base itself: foreground on white, PNG. */
  readonly image: Buffer;
}

interface Defect {
  /** The check that must catch it; a `#suffix` names a second defect of the same check. */
  readonly key: string;
  readonly check: PhotoCheckName;
  readonly description: string;
  make(base: Base, other: Base | undefined): Promise<Buffer | null>;
}

function fail(message: string): never {
  process.stderr.write(`eval:photos: ${message}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Building a base

function headMaskSvg(): Buffer {
  const headPx = BASE_HEAD_SHARE * BASE_HEIGHT;
  const crown = BASE_TOP_MARGIN * BASE_HEIGHT;
  const chin = crown + headPx;
  const cx = BASE_WIDTH / 2;
  const cy = crown + headPx / 2;
  const rx = 0.36 * headPx;
  const ry = 0.56 * headPx;
  const shoulderTop = chin - 0.12 * headPx;
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${BASE_WIDTH}" height="${BASE_HEIGHT}">` +
      '<rect width="100%" height="100%" fill="black"/>' +
      `<ellipse cx="${cx}" cy="${cy}" rx="${rx}" ry="${ry}" fill="white"/>` +
      `<rect x="${0.16 * BASE_WIDTH}" y="${shoulderTop}" width="${0.68 * BASE_WIDTH}" height="${BASE_HEIGHT - shoulderTop}" fill="white"/>` +
      '</svg>',
  );
}

let maskCache: Buffer | null = null;

async function headMask(): Promise<Buffer> {
  maskCache ??= await sharp(headMaskSvg()).greyscale().blur(5).extractChannel(0).raw().toBuffer();
  return maskCache;
}

async function buildBase(name: string, bytes: Buffer, analysis: PortraitAnalysis): Promise<Base | null> {
  const face = analysis.faces[0];
  if (!face) return null;
  const geometry = headGeometry(face);
  if (geometry?.method !== 'landmarks') return null;
  const headPx = geometry.headHeightPx;
  const frameHeight = headPx / BASE_HEAD_SHARE;
  const frameWidth = (frameHeight * BASE_WIDTH) / BASE_HEIGHT;
  const top = geometry.crownY - BASE_TOP_MARGIN * frameHeight;
  const left = geometry.centreX - frameWidth / 2;
  const pad = Math.ceil(Math.max(frameHeight, frameWidth));
  const padded = await sharp(bytes)
    .extend({ top: pad, bottom: pad, left: pad, right: pad, background: WHITE })
    .png({ compressionLevel: 0 })
    .toBuffer();
  const rgb = await sharp(padded)
    .extract({
      left: Math.round(left + pad),
      top: Math.round(top + pad),
      width: Math.round(frameWidth),
      height: Math.round(frameHeight),
    })
    .resize(BASE_WIDTH, BASE_HEIGHT, { fit: 'fill', kernel: 'lanczos3' })
    .removeAlpha()
    .raw()
    .toBuffer();
  const mask = await headMask();
  const foreground = await sharp(rgb, { raw: { width: BASE_WIDTH, height: BASE_HEIGHT, channels: 3 } })
    .joinChannel(mask, { raw: { width: BASE_WIDTH, height: BASE_HEIGHT, channels: 1 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  const image = await onBackground(foreground, await flat(WHITE));
  return { name, foreground, image };
}

/** A flat background, PNG. */
function flat(colour: Rgb): Promise<Buffer> {
  return sharp({ create: { width: BASE_WIDTH, height: BASE_HEIGHT, channels: 3, background: colour } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}

async function onBackground(foreground: Buffer, background: Buffer): Promise<Buffer> {
  return sharp(background)
    .composite([{ input: foreground }])
    .removeAlpha()
    .png({ compressionLevel: 0 })
    .toBuffer();
}

/** A textured light wall: coarse grey noise (3×3-pixel grain) around luma 205, then softened. */
async function texturedBackground(): Promise<Buffer> {
  const noise = { type: 'gaussian' as const, mean: 205, sigma: 45 };
  const w = Math.ceil(BASE_WIDTH / 3);
  const h = Math.ceil(BASE_HEIGHT / 3);
  const grain = await sharp({ create: { width: w, height: h, channels: 3, background: '#000000', noise } })
    .extractChannel(0)
    .png({ compressionLevel: 0 })
    .toBuffer();
  return sharp(grain)
    .resize(w * 3, h * 3, { kernel: 'nearest' })
    .extract({ left: 0, top: 0, width: BASE_WIDTH, height: BASE_HEIGHT })
    .blur(1)
    .toColourspace('srgb')
    .png({ compressionLevel: 0 })
    .toBuffer();
}

const png = (s: Sharp) => s.png({ compressionLevel: 0 }).toBuffer();

/** Moves the picture by (dx, dy) pixels inside the same frame, filling with white. */
async function shifted(image: Buffer, dx: number, dy: number): Promise<Buffer> {
  const extended = await png(
    sharp(image).extend({
      top: Math.max(0, dy),
      bottom: Math.max(0, -dy),
      left: Math.max(0, dx),
      right: Math.max(0, -dx),
      background: WHITE,
    }),
  );
  return png(sharp(extended).extract({ left: Math.max(0, -dx), top: Math.max(0, -dy), width: BASE_WIDTH, height: BASE_HEIGHT }));
}

// ---------------------------------------------------------------------------------------------
// The defects: one per check where sharp can make one

const DEFECTS: readonly Defect[] = [
  {
    key: 'SingleFacePresent',
    check: 'SingleFacePresent',
    description: 'two bases side by side (826×531)',
    make: async (base, other) =>
      other
        ? png(
            sharp({ create: { width: 2 * BASE_WIDTH, height: BASE_HEIGHT, channels: 3, background: WHITE } }).composite([
              { input: base.image, left: 0, top: 0 },
              { input: other.image, left: BASE_WIDTH, top: 0 },
            ]),
          )
        : null,
  },
  {
    key: 'ImageResolution',
    check: 'ImageResolution',
    description: 'base downscaled to 50 % (207×266)',
    make: (base) => png(sharp(base.image).resize(Math.round(BASE_WIDTH / 2), Math.round(BASE_HEIGHT / 2))),
  },
  {
    key: 'AspectRatio',
    check: 'AspectRatio',
    description: 'white bands left and right to a square (531×531)',
    make: (base) => {
      const side = (BASE_HEIGHT - BASE_WIDTH) / 2;
      return png(sharp(base.image).extend({ left: Math.floor(side), right: Math.ceil(side), background: WHITE }));
    },
  },
  {
    key: 'HeadSize#small',
    check: 'HeadSize',
    description: 'zoomed out: base scaled to 60 % on white (head ≈ 45 %)',
    make: async (base) => {
      const w = Math.round(BASE_WIDTH * 0.6);
      const h = Math.round(BASE_HEIGHT * 0.6);
      const small = await png(sharp(base.image).resize(w, h));
      return png(
        sharp(small).extend({
          left: Math.floor((BASE_WIDTH - w) / 2),
          right: Math.ceil((BASE_WIDTH - w) / 2),
          top: Math.floor((BASE_HEIGHT - h) / 2),
          bottom: Math.ceil((BASE_HEIGHT - h) / 2),
          background: WHITE,
        }),
      );
    },
  },
  {
    key: 'HeadSize#large',
    check: 'HeadSize',
    description: 'cropped in: the middle 1/1.3 of the base, scaled back up (head ≈ 98 %)',
    make: async (base) => {
      const w = Math.round(BASE_WIDTH / 1.3);
      const h = Math.round(BASE_HEIGHT / 1.3);
      return png(
        sharp(base.image)
          .extract({ left: Math.round((BASE_WIDTH - w) / 2), top: Math.round((BASE_HEIGHT - h) / 2), width: w, height: h })
          .resize(BASE_WIDTH, BASE_HEIGHT),
      );
    },
  },
  {
    key: 'MarginAboveOfTheFaceImage',
    check: 'MarginAboveOfTheFaceImage',
    description: 'picture moved up by 15 % of the height (crown cut off)',
    make: (base) => shifted(base.image, 0, -Math.round(0.15 * BASE_HEIGHT)),
  },
  {
    key: 'HeadPositionHorizontal',
    check: 'HeadPositionHorizontal',
    description: 'picture moved right by 12 % of the width',
    make: (base) => shifted(base.image, Math.round(0.12 * BASE_WIDTH), 0),
  },
  {
    key: 'InterEyeDistance',
    check: 'InterEyeDistance',
    description: 'base downscaled to 50 % (eyes ≈ 55 px apart)',
    make: (base) => png(sharp(base.image).resize(Math.round(BASE_WIDTH / 2), Math.round(BASE_HEIGHT / 2))),
  },
  {
    key: 'HeadPose.Roll',
    check: 'HeadPose.Roll',
    description: 'rotated 15° on white, same frame',
    make: async (base) => {
      const rotated = await png(sharp(base.image).rotate(15, { background: WHITE }));
      const meta = await sharp(rotated).metadata();
      return png(
        sharp(rotated).extract({
          left: Math.round((meta.width - BASE_WIDTH) / 2),
          top: Math.round((meta.height - BASE_HEIGHT) / 2),
          width: BASE_WIDTH,
          height: BASE_HEIGHT,
        }),
      );
    },
  },
  {
    key: 'Sharpness',
    check: 'Sharpness',
    description: 'Gaussian blur σ 3 px',
    make: (base) => png(sharp(base.image).blur(3)),
  },
  {
    key: 'UnderExposurePrevention',
    check: 'UnderExposurePrevention',
    description: 'darkened: pixel values × 0.35',
    make: (base) => png(sharp(base.image).linear(0.35, 0)),
  },
  {
    key: 'OverExposurePrevention',
    check: 'OverExposurePrevention',
    description: 'overexposed: pixel values × 1.8 + 40 (skin blown out)',
    make: (base) => png(sharp(base.image).linear(1.8, 40)),
  },
  {
    key: 'BackgroundUniformity',
    check: 'BackgroundUniformity',
    description: 'textured light background (grey grain, luma ≈ 205)',
    make: async (base) => onBackground(base.foreground, await texturedBackground()),
  },
  {
    key: 'BackgroundLuminance',
    check: 'BackgroundLuminance',
    description: 'mid-grey background (128)',
    make: async (base) => onBackground(base.foreground, await flat({ r: 128, g: 128, b: 128 })),
  },
  {
    key: 'BackgroundColour',
    check: 'BackgroundColour',
    description: 'light blue background (170, 205, 245)',
    make: async (base) => onBackground(base.foreground, await flat({ r: 170, g: 205, b: 245 })),
  },
  {
    key: 'NaturalColour',
    check: 'NaturalColour',
    description: 'greyscale',
    make: (base) => png(sharp(base.image).greyscale().toColourspace('srgb')),
  },
];

// ---------------------------------------------------------------------------------------------
// Running an image the way an upload runs

interface Checked {
  readonly findings: Finding[];
  readonly analysis: PortraitAnalysis;
  readonly stats: ImageStatistics | undefined;
}

const sanitizer = createSharpImageSanitizer();
const analyzer = createEmbeddedFaceAnalyzer();

async function check(image: Buffer, out: string | null, name: string): Promise<Checked> {
  const jpeg = await sharp(image).jpeg({ quality: 92 }).toBuffer();
  if (out) writeFileSync(path.join(out, `${name}.jpg`), jpeg);
  const rebuilt = await sanitizer.rebuild(jpeg);
  if (!rebuilt.ok) throw new Error(`${name}: the scanner refused a generated image (${rebuilt.code}: ${rebuilt.detail})`);
  const analysis = await analyzer.analyzePortrait(rebuilt.output);
  return { findings: evaluatePhoto(analysis, rebuilt.stats), analysis, stats: rebuilt.stats };
}

const resultOf = (findings: readonly Finding[], name: string) => findings.find((f) => f.check === name)?.result;
const numericValue = (findings: readonly Finding[], name: string) => {
  const v = findings.find((f) => f.check === name)?.value;
  return typeof v === 'number' ? v : undefined;
};

// ---------------------------------------------------------------------------------------------
// Tallies

interface CheckTally {
  bases: number;
  baseFails: number;
  baseInconclusive: number;
  baseValues: number[];
}

interface DefectTally {
  eligible: number;
  detected: number;
  retake: number;
  variantValues: number[];
}

function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[i] ?? null;
}

const pct = (num: number, den: number) => (den > 0 ? Math.round((num / den) * 1000) / 1000 : null);

function readManifest(folder: string): string[] {
  const manifest = path.join(folder, 'manifest.csv');
  if (!existsSync(folder)) fail(`data folder ${folder} is missing (expected ../shared/data/faces next to the repo)`);
  if (!existsSync(manifest)) fail(`${manifest} is missing`);
  const rows = readFileSync(manifest, 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(',')[0] ?? '')
    .filter((file) => file.length > 0);
  if (rows.length === 0) fail(`${manifest} lists no images`);
  // One image per identity first (…_0001 of everyone, then …_0002), so a small --limit spans many people.
  const rank = (file: string) => Number(/_(\d+)\.\w+$/.exec(file)?.[1] ?? 0);
  return rows
    .map((file, index) => ({ file, index }))
    .sort((a, b) => rank(a.file) - rank(b.file) || a.index - b.index)
    .map((r) => r.file);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      limit: { type: 'string', default: '50' },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  });
  if (!values.data) fail('usage: npm run -s eval:photos -- --data <folder> [--limit N] [--json] [--out DIR]');
  const folder = path.resolve(values.data);
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) fail(`--limit must be a positive integer, got ${values.limit}`);
  const out = values.out ? path.resolve(values.out) : null;
  if (out) mkdirSync(out, { recursive: true });
  const files = readManifest(folder).slice(0, limit);
  const log = (line: string) => (values.json ? process.stderr : process.stdout).write(`${line}\n`);

  const checks = new Map<string, CheckTally>(
    PHOTO_CHECKS.map((c) => [c, { bases: 0, baseFails: 0, baseInconclusive: 0, baseValues: [] }]),
  );
  const defects = new Map<string, DefectTally>(
    DEFECTS.map((d) => [d.key, { eligible: 0, detected: 0, retake: 0, variantValues: [] }]),
  );
  const boxRatios: number[] = [];
  const eyeRatios: number[] = [];
  let noFace = 0;
  let basesBuilt = 0;
  let baseRetakes = 0;
  let previous: Base | undefined;
  const started = Date.now();

  for (const [index, file] of files.entries()) {
    const name = path.basename(file).replace(/\.\w+$/, '');
    const bytes = readFileSync(path.join(folder, file));
    const original = await analyzer.analyzePortrait(bytes);
    const base = await buildBase(name, bytes, original);
    if (!base) {
      noFace += 1;
      continue;
    }
    const baseChecked = await check(base.image, out, `${name}-base`);
    basesBuilt += 1;
    if (photoOutcome(baseChecked.findings) === 'RETAKE') baseRetakes += 1;
    const face = baseChecked.analysis.faces[0];
    if (face && baseChecked.analysis.faces.length === 1) {
      const g = headGeometry(face);
      if (g?.method === 'landmarks' && face.box.height > 0) {
        boxRatios.push(g.headHeightPx / face.box.height);
        eyeRatios.push(g.interEyePx / face.box.width);
      }
    }
    for (const checkName of PHOTO_CHECKS) {
      const tally = checks.get(checkName);
      if (!tally) continue;
      tally.bases += 1;
      const r = resultOf(baseChecked.findings, checkName);
      if (r === 'fail') tally.baseFails += 1;
      if (r === 'inconclusive' || r === undefined) tally.baseInconclusive += 1;
      const v = numericValue(baseChecked.findings, checkName);
      if (v !== undefined) tally.baseValues.push(v);
    }
    for (const defect of DEFECTS) {
      if (resultOf(baseChecked.findings, defect.check) !== 'pass') continue;
      const variant = await defect.make(base, previous);
      if (!variant) continue;
      const checked = await check(variant, out, `${name}-${defect.key.replace(/[^A-Za-z0-9]+/g, '_')}`);
      const tally = defects.get(defect.key);
      if (!tally) continue;
      tally.eligible += 1;
      if (resultOf(checked.findings, defect.check) === 'fail') tally.detected += 1;
      if (photoOutcome(checked.findings) === 'RETAKE') tally.retake += 1;
      const v = numericValue(checked.findings, defect.check);
      if (v !== undefined) tally.variantValues.push(v);
    }
    previous = base;
    process.stderr.write(
      `\r${index + 1}/${files.length} images, ${basesBuilt} bases, ${Math.round((Date.now() - started) / 1000)} s`,
    );
  }
  process.stderr.write('\n');
  await analyzer.close();

  log(`eval:photos on ${files.length} images of ${folder}: ${basesBuilt} bases, ${noFace} without a usable face (skipped)`);
  log(`bases sent to a retake by any check: ${baseRetakes}/${basesBuilt}`);
  log(
    `crown estimate: (chin − crown) / face box height, median ${quantile(boxRatios, 0.5)?.toFixed(3)}; inter-eye / box width, median ${quantile(eyeRatios, 0.5)?.toFixed(3)}`,
  );
  log('');
  log(
    'check                        defect                                               detect   n    FRR    n   base p5/p50/p95          variant p50',
  );
  const summary: Record<
    string,
    {
      defect: string | null;
      detectionRate: number | null;
      falseRejectRate: number | null;
      n: number;
      nDefect: number;
      retakeRate: number | null;
      inconclusiveRate: number | null;
    }
  > = {};
  const rows: { key: string; check: PhotoCheckName; defect: Defect | undefined }[] = [];
  for (const c of PHOTO_CHECKS) {
    const ds = DEFECTS.filter((d) => d.check === c);
    if (ds.length === 0) rows.push({ key: c, check: c, defect: undefined });
    for (const d of ds) rows.push({ key: d.key, check: c, defect: d });
  }
  for (const row of rows) {
    const base = checks.get(row.check);
    const def = row.defect ? defects.get(row.defect.key) : undefined;
    const frr = base ? pct(base.baseFails, base.bases) : null;
    const det = def ? pct(def.detected, def.eligible) : null;
    summary[row.key] = {
      defect: row.defect?.description ?? null,
      detectionRate: det,
      falseRejectRate: frr,
      n: base?.bases ?? 0,
      nDefect: def?.eligible ?? 0,
      retakeRate: def ? pct(def.retake, def.eligible) : null,
      inconclusiveRate: base ? pct(base.baseInconclusive, base.bases) : null,
    };
    const q = (values: number[] | undefined, p: number) => {
      const v = values ? quantile(values, p) : null;
      return v === null ? '-' : String(Math.round(v * 1000) / 1000);
    };
    log(
      [
        row.key.padEnd(28),
        (row.defect?.description ?? '(no variant)').slice(0, 52).padEnd(52),
        (det === null ? '-' : det.toFixed(3)).padStart(6),
        String(def?.eligible ?? '-').padStart(4),
        (frr === null ? '-' : frr.toFixed(3)).padStart(6),
        String(base?.bases ?? 0).padStart(4),
        `  ${q(base?.baseValues, 0.05)}/${q(base?.baseValues, 0.5)}/${q(base?.baseValues, 0.95)}`.padEnd(26),
        `${q(def?.variantValues, 0.05)}/${q(def?.variantValues, 0.5)}/${q(def?.variantValues, 0.95)}`,
      ].join(' '),
    );
  }
  log(`thresholds: ${JSON.stringify(DEFAULT_PHOTO_THRESHOLDS)}`);
  if (values.json) process.stdout.write(`${JSON.stringify({ images: files.length, bases: basesBuilt, checks: summary })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`eval:photos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(2);
});
