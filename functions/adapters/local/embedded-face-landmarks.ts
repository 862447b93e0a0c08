/**
 * {@link FaceLandmarks} from Human's FaceMesh (MediaPipe numbering: 468 mesh points, plus 10 iris
 * points when the iris model runs). MediaPipe names the points in the subject's terms, as the port
 * does: the subject's right eye (points 33/133, iris 468–472) is on the left of the picture.
 */
import type { FaceLandmarks, Point } from '../../core/ports';

/** A mesh point: x, y in pixels of the analysed image (z ignored). */
export type MeshPoint = readonly (number | undefined)[];

export const MESH_POINTS = {
  rightEyeCorners: [33, 133],
  leftEyeCorners: [263, 362],
  irisCentres: [468, 473],
  noseTip: 1,
  upperInnerLip: 13,
  lowerInnerLip: 14,
  chin: 152,
} as const;

const MESH_SIZE = 468;
const MESH_WITH_IRIS_SIZE = 478;

function at(mesh: readonly MeshPoint[], index: number, scale: number): Point | undefined {
  const p = mesh[index];
  const x = p?.[0];
  const y = p?.[1];
  if (x === undefined || y === undefined || !Number.isFinite(x) || !Number.isFinite(y)) return undefined;
  return { x: Math.round(x * scale * 10) / 10, y: Math.round(y * scale * 10) / 10 };
}

function midpoint(mesh: readonly MeshPoint[], i: number, j: number, scale: number): Point | undefined {
  const a = at(mesh, i, 1);
  const b = at(mesh, j, 1);
  if (!a || !b) return undefined;
  return { x: Math.round(((a.x + b.x) / 2) * scale * 10) / 10, y: Math.round(((a.y + b.y) / 2) * scale * 10) / 10 };
}

/**
 * Eye centres are the iris centres when the mesh carries them (478 points), else the midpoint of the
 * eye corners. The chin is mesh point 152 (the lowest point of the jaw contour); `foreheadTop` is the
 * highest mesh point (the mesh stops at the upper forehead: it is not the crown). `scale` converts the
 * mesh's pixels to pixels of the uploaded image.
 */
export function landmarksFromMesh(mesh: readonly MeshPoint[], scale = 1): FaceLandmarks | undefined {
  if (mesh.length < MESH_SIZE) return undefined;
  const m = MESH_POINTS;
  const withIris = mesh.length >= MESH_WITH_IRIS_SIZE;
  let rightEye = midpoint(mesh, ...m.rightEyeCorners, scale);
  let leftEye = midpoint(mesh, ...m.leftEyeCorners, scale);
  const irisA = withIris ? at(mesh, m.irisCentres[0], scale) : undefined;
  const irisB = withIris ? at(mesh, m.irisCentres[1], scale) : undefined;
  if (rightEye && leftEye && irisA && irisB) {
    const gap = (p: Point, q: Point) => Math.hypot(p.x - q.x, p.y - q.y);
    const aIsRight = gap(irisA, rightEye) + gap(irisB, leftEye) <= gap(irisA, leftEye) + gap(irisB, rightEye);
    [rightEye, leftEye] = aIsRight ? [irisA, irisB] : [irisB, irisA];
  }
  const chin = at(mesh, m.chin, scale);
  if (!rightEye || !leftEye || !chin) return undefined;
  const noseTip = at(mesh, m.noseTip, scale);
  const mouthCenter = midpoint(mesh, m.upperInnerLip, m.lowerInnerLip, scale);
  let top = 0;
  for (let i = 1; i < MESH_SIZE; i += 1) {
    if ((mesh[i]?.[1] ?? Number.POSITIVE_INFINITY) < (mesh[top]?.[1] ?? Number.POSITIVE_INFINITY)) top = i;
  }
  const foreheadTop = at(mesh, top, scale);
  return {
    leftEye,
    rightEye,
    ...(noseTip ? { noseTip } : {}),
    ...(mouthCenter ? { mouthCenter } : {}),
    chin,
    ...(foreheadTop ? { foreheadTop } : {}),
  };
}
