/**
 * Verification metrics on score lists (pure; used by bench/eval-faces.ts, tested in
 * test/unit/face-metrics.test.ts).
 *
 * Scores are "higher = more alike". A pair is ACCEPTED (declared a match) when its score is strictly
 * above the threshold. A pair that could not be scored (failure to acquire) carries `-Infinity`, so
 * it is never accepted: a non-match for a genuine pair, a correct rejection for an impostor pair.
 *
 * - FMR(t)  = share of impostor scores > t (false matches).
 * - FNMR(t) = share of genuine scores ≤ t (false non-matches).
 * - FNMR at FMR x: the lowest threshold whose FMR ≤ x, i.e. t = the (⌊x·N⌋+1)-th highest impostor score,
 *   so that at most ⌊x·N⌋ impostor pairs are accepted. Ties at t are rejected with it.
 * - EER: over the thresholds t ∈ {every score}, the point where |FMR − FNMR| is smallest; the EER is
 *   (FMR + FNMR) / 2 there.
 */

export interface OperatingPoint {
  /** Accept when the score is strictly above this. */
  readonly threshold: number;
  readonly fmr: number;
  readonly fnmr: number;
}

export interface VerificationMetrics {
  readonly genuine: number;
  readonly impostor: number;
  readonly eer: number;
  readonly eerThreshold: number;
  readonly atFmr1e2: OperatingPoint;
  readonly atFmr1e3: OperatingPoint;
}

const ascending = (a: number, b: number) => a - b;

/** Number of values in the ascending `sorted` that are ≤ t (binary search). */
export function countAtMost(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function rates(genuineAsc: readonly number[], impostorAsc: readonly number[], t: number): OperatingPoint {
  return {
    threshold: t,
    fmr: (impostorAsc.length - countAtMost(impostorAsc, t)) / impostorAsc.length,
    fnmr: countAtMost(genuineAsc, t) / genuineAsc.length,
  };
}

/** The operating point with the lowest threshold whose FMR is at most `targetFmr`. */
export function atFmr(genuine: readonly number[], impostor: readonly number[], targetFmr: number): OperatingPoint {
  if (genuine.length === 0 || impostor.length === 0) throw new Error('need genuine and impostor scores');
  const genuineAsc = [...genuine].sort(ascending);
  const impostorDesc = [...impostor].sort((a, b) => b - a);
  const allowed = Math.floor(targetFmr * impostorDesc.length + 1e-9);
  // Accepting only scores > impostorDesc[allowed] lets through at most `allowed` impostors.
  const t = allowed < impostorDesc.length ? (impostorDesc[allowed] as number) : Number.NEGATIVE_INFINITY;
  return rates(genuineAsc, [...impostorDesc].reverse(), t);
}

/** Equal error rate: (FMR + FNMR) / 2 at the score threshold where they are closest. */
export function equalErrorRate(genuine: readonly number[], impostor: readonly number[]): { eer: number; threshold: number } {
  if (genuine.length === 0 || impostor.length === 0) throw new Error('need genuine and impostor scores');
  const genuineAsc = [...genuine].sort(ascending);
  const impostorAsc = [...impostor].sort(ascending);
  const candidates = [...new Set([...genuineAsc, ...impostorAsc])].sort(ascending);
  let best = { gap: Number.POSITIVE_INFINITY, eer: 1, threshold: Number.NEGATIVE_INFINITY };
  for (const t of candidates) {
    const { fmr, fnmr } = rates(genuineAsc, impostorAsc, t);
    const gap = Math.abs(fmr - fnmr);
    if (gap < best.gap) best = { gap, eer: (fmr + fnmr) / 2, threshold: t };
  }
  // Below every score: everything accepted (FMR 1, FNMR 0) — only wins for degenerate inputs.
  return { eer: best.eer, threshold: best.threshold };
}

export function verificationMetrics(genuine: readonly number[], impostor: readonly number[]): VerificationMetrics {
  const { eer, threshold } = equalErrorRate(genuine, impostor);
  return {
    genuine: genuine.length,
    impostor: impostor.length,
    eer,
    eerThreshold: threshold,
    atFmr1e2: atFmr(genuine, impostor, 1e-2),
    atFmr1e3: atFmr(genuine, impostor, 1e-3),
  };
}

/** Wilson 95 % score interval for a proportion k / n. */
export function wilsonInterval(k: number, n: number, z = 1.96): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const p = k / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
