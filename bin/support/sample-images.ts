/**
 * Generated sample pictures for the demo and the tests: a passport photo, an ID-card scan and a photo
 * that breaks a rule, for a few persons. They are built with sharp from the group photos that ship
 * inside `@vladmandic/face-api` (demo/sample1..6.jpg), so they work on a fresh machine with no other
 * data. Nothing is cached on disk.
 *
 * The face boxes below were measured once with the embedded face analyzer (mesh extents, pixels of
 * the 1920-px source) and are hard-coded.
 */
import path from 'node:path';
import sharp from 'sharp';

/** A face in one of the demo photos. */
export interface SampleFaceSpec {
  /** demo/sample<N>.jpg */
  readonly source: 1 | 2 | 3 | 4 | 5 | 6;
  /** Face (mesh) box in source pixels: forehead to chin. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** In-plane tilt of the head in the source, degrees (clockwise positive); undone for the passport photo. */
  readonly roll: number;
  /**
   * Horizontal offset of the face's midline from the box centre, as a share of the box width. The
   * frame is warped piecewise so that the midline lands in the middle, which turns a slightly
   * turned head frontal enough for the yaw rule (the demo photos have no frontal portraits).
   */
  readonly midlineShift: number;
  /** Tilt, degrees, of this person's rule-breaking photo: chosen so that only the roll rule fails (a tilt leaks a little into the yaw and pitch estimates). */
  readonly ruleBreakingTilt: number;
}

export const SAMPLE_PERSONS: readonly SampleFaceSpec[] = [
  { source: 3, x: 592, y: 353, width: 207, height: 245, roll: -2.3, midlineShift: -0.25, ruleBreakingTilt: 16 },
  { source: 5, x: 1118, y: 222, width: 179, height: 218, roll: 1.6, midlineShift: -0.2, ruleBreakingTilt: -20 },
  { source: 3, x: 1068, y: 242, width: 226, height: 262, roll: 8.2, midlineShift: -0.25, ruleBreakingTilt: 16 },
  { source: 5, x: 775, y: 127, width: 170, height: 204, roll: 6.9, midlineShift: 0.25, ruleBreakingTilt: -20 },
];

export const PASSPORT_PHOTO_SIZE = { width: 630, height: 810 } as const;
export const ID_CARD_SIZE = { width: 1000, height: 630 } as const;

const WHITE = { r: 250, g: 250, b: 248 };

function demoPhotoPath(source: SampleFaceSpec['source']): string {
  const faceApiRoot = path.resolve(path.dirname(require.resolve('@vladmandic/face-api')), '..');
  return path.join(faceApiRoot, 'demo', `sample${source}.jpg`);
}

function personSpec(personIndex: number): SampleFaceSpec {
  const spec = SAMPLE_PERSONS[personIndex];
  if (!spec) throw new RangeError(`sample person ${personIndex} does not exist (0–${SAMPLE_PERSONS.length - 1})`);
  return spec;
}

/** Where the head sits in a 35:45 frame, as shares of the frame. */
interface HeadFraming {
  /** Face (forehead–chin) height over frame height. */
  readonly faceShare: number;
  /** Face centre's vertical position over frame height. */
  readonly centreY: number;
}

/**
 * Taiwan's rule: head (crown–chin) 70–80 % of the height. The face (forehead–chin) is about 1/1.4 of the
 * head (docs/photo-checks.md), so 0.54 gives a head of about 0.75, crown about 7 % below the top.
 */
const PASSPORT_FRAMING: HeadFraming = { faceShare: 0.54, centreY: 0.56 };

/** PNG without compression: intermediate images stay lossless and cheap to pass between pipelines. */
const LOSSLESS = { compressionLevel: 0 } as const;

/** A square of the demo photo centred on (`centreX`, `centreY`); parts outside the photo are mirrored in. */
async function squareAround(source: SampleFaceSpec['source'], centreX: number, centreY: number, side: number): Promise<Buffer> {
  const photo = sharp(demoPhotoPath(source));
  const { width = 0, height = 0 } = await photo.metadata();
  const left = Math.round(centreX - side / 2);
  const top = Math.round(centreY - side / 2);
  const inside = {
    left: Math.max(0, left),
    top: Math.max(0, top),
    width: Math.min(width, left + side) - Math.max(0, left),
    height: Math.min(height, top + side) - Math.max(0, top),
  };
  const cut = await photo.extract(inside).png(LOSSLESS).toBuffer();
  const margins = {
    left: inside.left - left,
    top: inside.top - top,
    right: side - inside.width - (inside.left - left),
    bottom: side - inside.height - (inside.top - top),
  };
  return sharp(cut)
    .extend({ ...margins, extendWith: 'mirror' })
    .png(LOSSLESS)
    .toBuffer();
}

/**
 * Cuts a square around the face, turns it upright, then crops a frame of the given aspect in which
 * the face takes `framing.faceShare` of the height, with the face's midline centred. Returns a PNG at
 * source resolution.
 */
async function uprightHeadFrame(spec: SampleFaceSpec, aspect: number, framing: HeadFraming, extraRoll = 0): Promise<Buffer> {
  const frameHeight = spec.height / framing.faceShare;
  const frameWidth = frameHeight * aspect;
  const side = Math.ceil(Math.hypot(frameWidth, frameHeight) * 1.05);
  const cut = await squareAround(spec.source, spec.x + spec.width / 2, spec.y + spec.height / 2, side);
  const square = await sharp(cut)
    .rotate(-spec.roll + extraRoll, { background: WHITE })
    .png(LOSSLESS)
    .toBuffer({ resolveWithObject: true });
  const { width: w, height: h } = square.info;
  const frameLeft = Math.round(w / 2 - frameWidth / 2);
  const frameTop = Math.round(h / 2 - framing.centreY * frameHeight);
  const frame = await sharp(square.data)
    .extract({ left: frameLeft, top: frameTop, width: Math.round(frameWidth), height: Math.round(frameHeight) })
    .png(LOSSLESS)
    .toBuffer({ resolveWithObject: true });
  return centreMidline(frame.data, frame.info.width, frame.info.height, spec.midlineShift * spec.width);
}

/** Stretches one side and squeezes the other so that column `width/2 + shift` becomes the centre column. */
async function centreMidline(image: Buffer, width: number, height: number, shift: number): Promise<Buffer> {
  const midline = Math.round(width / 2 + shift);
  if (midline === Math.round(width / 2)) return image;
  const half = Math.round(width / 2);
  const left = await sharp(image)
    .extract({ left: 0, top: 0, width: midline, height })
    .resize(half, height, { fit: 'fill' })
    .png(LOSSLESS)
    .toBuffer();
  const right = await sharp(image)
    .extract({ left: midline, top: 0, width: width - midline, height })
    .resize(width - half, height, { fit: 'fill' })
    .png(LOSSLESS)
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: WHITE } })
    .composite([
      { input: left, left: 0, top: 0 },
      { input: right, left: half, top: 0 },
    ])
    .png()
    .toBuffer();
}

/** An alpha mask: a soft-edged oval around the head and neck, transparent elsewhere. */
function headMaskSvg(width: number, height: number, framing: HeadFraming): Buffer {
  const faceHeight = framing.faceShare * height;
  const cx = width / 2;
  const cy = framing.centreY * height - faceHeight * 0.12;
  const rx = faceHeight * 0.56;
  const ry = faceHeight * 0.78;
  const blur = faceHeight * 0.04;
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
      <defs><filter id="f"><feGaussianBlur stdDeviation="${blur}"/></filter></defs>
      <ellipse cx="${cx}" cy="${cy}" rx="${rx}" ry="${ry}" fill="#fff" filter="url(#f)"/>
      <rect x="${cx - faceHeight * 0.3}" y="${cy}" width="${faceHeight * 0.6}" height="${height}" fill="#fff" filter="url(#f)"/>
    </svg>`,
  );
}

/** The head on a plain light background, at the requested size (PNG). */
async function headOnPlainBackground(
  spec: SampleFaceSpec,
  size: { width: number; height: number },
  framing: HeadFraming,
  extraRoll = 0,
): Promise<Buffer> {
  const frame = await uprightHeadFrame(spec, size.width / size.height, framing, extraRoll);
  const masked = await sharp(frame)
    .resize(size.width, size.height, { fit: 'fill' })
    .ensureAlpha()
    .composite([{ input: headMaskSvg(size.width, size.height, framing), blend: 'dest-in' }])
    .png()
    .toBuffer();
  return sharp(masked).flatten({ background: WHITE }).png().toBuffer();
}

/** A compliant 35:45 passport photo of one person (JPEG). */
export async function samplePassportPhoto(personIndex: number): Promise<Uint8Array> {
  const png = await headOnPlainBackground(personSpec(personIndex), PASSPORT_PHOTO_SIZE, PASSPORT_FRAMING);
  return new Uint8Array(await sharp(png).jpeg({ quality: 90 }).toBuffer());
}

/** A person's passport photo with the head tilted 16–20°: fails `HeadPose.Roll` only, which the applicant can fix (JPEG). */
export async function sampleRuleBreakingPhoto(personIndex = 0): Promise<Uint8Array> {
  const spec = personSpec(personIndex);
  const png = await headOnPlainBackground(spec, PASSPORT_PHOTO_SIZE, PASSPORT_FRAMING, spec.ruleBreakingTilt);
  return new Uint8Array(await sharp(png).jpeg({ quality: 90 }).toBuffer());
}

const ID_PORTRAIT = { left: 48, top: 150, width: 280, height: 360 } as const;
const ID_PORTRAIT_FRAMING: HeadFraming = { faceShare: 0.46, centreY: 0.48 };

function idCardBackgroundSvg(): Buffer {
  const { width, height } = ID_CARD_SIZE;
  const lines = [
    { y: 170, w: 300 },
    { y: 230, w: 420 },
    { y: 290, w: 260 },
    { y: 350, w: 380 },
    { y: 410, w: 200 },
    { y: 470, w: 340 },
  ]
    .map(
      ({ y, w }) =>
        `<rect x="380" y="${y}" width="110" height="16" rx="3" fill="#9aa7b8"/><rect x="510" y="${y}" width="${w}" height="22" rx="3" fill="#3c4a5e"/>`,
    )
    .join('');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
      <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#e8eef5"/><stop offset="1" stop-color="#d5e2ea"/></linearGradient></defs>
      <rect width="${width}" height="${height}" rx="36" fill="url(#g)"/>
      <rect x="0" y="0" width="${width}" height="100" rx="36" fill="#27476e"/>
      <rect x="0" y="60" width="${width}" height="40" fill="#27476e"/>
      <rect x="48" y="32" width="420" height="36" rx="4" fill="#e8eef5"/>
      <circle cx="900" cy="520" r="60" fill="none" stroke="#b7c6d6" stroke-width="8"/>
      ${lines}
      <rect x="48" y="550" width="600" height="26" rx="3" fill="#6b7a8c"/>
    </svg>`,
  );
}

/**
 * An ID-card-like scan (1000×630) with the same person's portrait on the left (JPEG). The portrait is
 * taken from the same source face but framed differently, without the frontal warp, slightly
 * blurred and desaturated, as a printed and scanned portrait would be.
 */
export async function sampleIdCard(personIndex: number): Promise<Uint8Array> {
  const spec = { ...personSpec(personIndex), midlineShift: 0 };
  const portrait = await headOnPlainBackground(spec, ID_PORTRAIT, ID_PORTRAIT_FRAMING);
  const printed = await sharp(portrait).modulate({ saturation: 0.8, brightness: 1.03 }).blur(0.7).png().toBuffer();
  const card = await sharp(idCardBackgroundSvg())
    .composite([{ input: printed, left: ID_PORTRAIT.left, top: ID_PORTRAIT.top }])
    .png()
    .toBuffer();
  return new Uint8Array(await sharp(card).flatten({ background: '#ffffff' }).jpeg({ quality: 80 }).toBuffer());
}
