/**
 * Face chips for the embedded matcher: pure geometry on decoded RGB pixels, no tfjs.
 *
 * The descriptor network of @vladmandic/face-api is a port of dlib's ResNet-34 face recogniser, which
 * was trained on dlib "face chips": 150 × 150 crops made by a similarity transform (rotation, scale,
 * shift) that puts 51 of the 68 iBUG landmarks (points 17–67: brows, nose, eyes, mouth) as close as
 * possible to dlib's mean face shape, with 25 % padding (`get_face_chip_details(shape, 150, 0.25)`).
 * face-api itself crops an axis-aligned box instead, so a tilted head reaches the network tilted.
 * {@link faceChip} rebuilds dlib's chip: the head is rotated upright by the landmark fit and framed
 * with a fixed margin.
 */

/** An RGB image, 3 bytes per pixel, row-major. */
export interface RgbImage {
  readonly pixels: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export interface XY {
  readonly x: number;
  readonly y: number;
}

/** dlib's mean face shape for iBUG points 17–67, in the unit square (dlib/image_transforms/interpolation.h). */
const MEAN_FACE_X = [
  0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124, 0.904991, 0.98004, 0.490127, 0.490127,
  0.490127, 0.490127, 0.36688, 0.426036, 0.490127, 0.554217, 0.613373, 0.121737, 0.187122, 0.265825, 0.334606, 0.260918, 0.182743,
  0.645647, 0.714428, 0.793132, 0.858516, 0.79751, 0.719335, 0.254149, 0.340985, 0.428858, 0.490127, 0.551395, 0.639268, 0.726104,
  0.642159, 0.556721, 0.490127, 0.423532, 0.338094, 0.290379, 0.428096, 0.490127, 0.552157, 0.689874, 0.553364, 0.490127, 0.42689,
];
const MEAN_FACE_Y = [
  0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891, 0.0187482, 0.038915, 0.106454, 0.203352, 0.307009,
  0.409805, 0.515625, 0.587326, 0.609345, 0.628106, 0.609345, 0.587326, 0.216423, 0.178758, 0.179852, 0.231733, 0.245099,
  0.244077, 0.231733, 0.179852, 0.178758, 0.216423, 0.244077, 0.245099, 0.780233, 0.745405, 0.727388, 0.742578, 0.727388,
  0.745405, 0.780233, 0.864805, 0.902192, 0.909281, 0.902192, 0.864805, 0.784792, 0.778746, 0.785343, 0.778746, 0.784792,
  0.824182, 0.831803, 0.824182,
];
const FIRST_SHAPE_POINT = 17;

/** `p = [a −b; b a]·q + t`: maps chip coordinates q to image coordinates p. */
export interface Similarity {
  readonly a: number;
  readonly b: number;
  readonly tx: number;
  readonly ty: number;
}

/** Least-squares similarity transform taking each `from[i]` onto `to[i]`. */
export function fitSimilarity(from: readonly XY[], to: readonly XY[]): Similarity {
  const n = Math.min(from.length, to.length);
  if (n < 2) throw new Error('fitSimilarity needs at least two point pairs');
  let fx = 0;
  let fy = 0;
  let tx = 0;
  let ty = 0;
  for (let i = 0; i < n; i += 1) {
    fx += (from[i] as XY).x;
    fy += (from[i] as XY).y;
    tx += (to[i] as XY).x;
    ty += (to[i] as XY).y;
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  let dot = 0;
  let cross = 0;
  let norm = 0;
  for (let i = 0; i < n; i += 1) {
    const qx = (from[i] as XY).x - fx;
    const qy = (from[i] as XY).y - fy;
    const px = (to[i] as XY).x - tx;
    const py = (to[i] as XY).y - ty;
    dot += qx * px + qy * py;
    cross += qx * py - qy * px;
    norm += qx * qx + qy * qy;
  }
  const a = dot / norm;
  const b = cross / norm;
  return { a, b, tx: tx - (a * fx - b * fy), ty: ty - (b * fx + a * fy) };
}

/** dlib's chip frame: where the 51 reference points sit in a `size`-pixel chip with `padding`. */
function referenceShape(size: number, padding: number): XY[] {
  return MEAN_FACE_X.map((x, i) => ({
    x: ((padding + x) / (2 * padding + 1)) * size,
    y: ((padding + (MEAN_FACE_Y[i] as number)) / (2 * padding + 1)) * size,
  }));
}

/** The chip → image transform for 68 iBUG landmarks (pixels of `image`). */
export function chipTransform(landmarks68: readonly XY[], size: number, padding: number): Similarity {
  if (landmarks68.length !== 68) throw new Error(`expected 68 landmarks, got ${landmarks68.length}`);
  return fitSimilarity(referenceShape(size, padding), landmarks68.slice(FIRST_SHAPE_POINT));
}

function sample(image: RgbImage, x: number, y: number, out: Float64Array): void {
  const { pixels, width, height } = image;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const dx = x - x0;
  const dy = y - y0;
  out[0] = 0;
  out[1] = 0;
  out[2] = 0;
  for (let j = 0; j <= 1; j += 1) {
    const yy = y0 + j;
    if (yy < 0 || yy >= height) continue;
    const wy = j === 0 ? 1 - dy : dy;
    for (let i = 0; i <= 1; i += 1) {
      const xx = x0 + i;
      if (xx < 0 || xx >= width) continue;
      const w = wy * (i === 0 ? 1 - dx : dx);
      if (w === 0) continue;
      const at = (yy * width + xx) * 3;
      out[0] += w * (pixels[at] as number);
      out[1] += w * (pixels[at + 1] as number);
      out[2] += w * (pixels[at + 2] as number);
    }
  }
}

/**
 * Renders the `size` × `size` chip (RGB bytes) for the transform. When the chip is smaller than the
 * face in the image, each chip pixel averages a grid of bilinear samples (area filter, up to 4 × 4),
 * so downscaling a large portrait does not alias. Outside the image is black, as in dlib.
 */
export function renderChip(image: RgbImage, transform: Similarity, size: number, mirror = false): Uint8Array {
  const { a, b, tx, ty } = transform;
  const scale = Math.hypot(a, b);
  const grid = Math.min(4, Math.max(1, Math.ceil(scale)));
  const out = new Uint8Array(size * size * 3);
  const rgb = new Float64Array(3);
  const inv = 1 / (grid * grid);
  for (let v = 0; v < size; v += 1) {
    for (let u = 0; u < size; u += 1) {
      let r = 0;
      let g = 0;
      let bl = 0;
      for (let sj = 0; sj < grid; sj += 1) {
        const qy = v - 0.5 + (sj + 0.5) / grid;
        for (let si = 0; si < grid; si += 1) {
          const qx = u - 0.5 + (si + 0.5) / grid;
          sample(image, a * qx - b * qy + tx, b * qx + a * qy + ty, rgb);
          r += rgb[0] as number;
          g += rgb[1] as number;
          bl += rgb[2] as number;
        }
      }
      const at = (v * size + (mirror ? size - 1 - u : u)) * 3;
      out[at] = Math.round(r * inv);
      out[at + 1] = Math.round(g * inv);
      out[at + 2] = Math.round(bl * inv);
    }
  }
  return out;
}

/** dlib's 150-pixel, 25 %-padded chip of the face with these 68 landmarks (optionally mirrored). */
export function faceChip(image: RgbImage, landmarks68: readonly XY[], mirror = false, size = 150, padding = 0.25): Uint8Array {
  return renderChip(image, chipTransform(landmarks68, size, padding), size, mirror);
}
