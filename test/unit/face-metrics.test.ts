/** The evaluation maths of bench/eval-faces.ts on synthetic score lists with known answers. */
import { atFmr, countAtMost, equalErrorRate, verificationMetrics, wilsonInterval } from '../../bench/face-metrics';

const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe('face metrics', () => {
  it('counts values at or below a threshold in a sorted list', () => {
    expect(countAtMost([1, 2, 2, 3], 2)).toBe(3);
    expect(countAtMost([1, 2, 2, 3], 0)).toBe(0);
    expect(countAtMost([1, 2, 2, 3], 9)).toBe(4);
  });

  it('perfectly separated scores: EER 0 and FNMR 0 at any FMR', () => {
    const genuine = range(100, (i) => 10 + i);
    const impostor = range(1000, (i) => i / 1000);
    const m = verificationMetrics(genuine, impostor);
    expect(m.eer).toBe(0);
    expect(m.atFmr1e2.fnmr).toBe(0);
    expect(m.atFmr1e3.fnmr).toBe(0);
    expect(m.atFmr1e3.fmr).toBeLessThanOrEqual(1e-3);
  });

  it('FNMR at FMR: the threshold lets through at most ⌊x·N⌋ impostors', () => {
    // 1000 impostors scored 0..999; genuine 0..99 step 10 plus high ones.
    const impostor = range(1000, (i) => i);
    const genuine = [995, 998.5, 999.5, 1500, 2000, 3000, 4000, 5000, 6000, 7000];
    const at1e2 = atFmr(genuine, impostor, 1e-2); // 10 impostors allowed: accept > 989
    expect(at1e2.threshold).toBe(989);
    expect(at1e2.fmr).toBeCloseTo(0.01, 10);
    expect(at1e2.fnmr).toBe(0);
    const at1e3 = atFmr(genuine, impostor, 1e-3); // 1 impostor allowed: accept > 998
    expect(at1e3.threshold).toBe(998);
    expect(at1e3.fmr).toBeCloseTo(0.001, 10);
    expect(at1e3.fnmr).toBeCloseTo(0.1, 10); // 995 is rejected
  });

  it('ties at the threshold are rejected, so the FMR never exceeds the target', () => {
    const impostor = [...range(990, () => 0), ...range(10, () => 5)];
    const genuine = [5, 5, 6, 7];
    const point = atFmr(genuine, impostor, 5e-3); // 5 allowed, but 10 tie at 5: reject all of them
    expect(point.threshold).toBe(5);
    expect(point.fmr).toBe(0);
    expect(point.fnmr).toBe(0.5);
  });

  it('EER of two overlapping uniform lists with a known crossing', () => {
    // impostors 0..99, genuine 90..189: at t = 94.5 about 5 % each way.
    const impostor = range(100, (i) => i);
    const genuine = range(100, (i) => 90 + i);
    const { eer, threshold } = equalErrorRate(genuine, impostor);
    expect(eer).toBeCloseTo(0.05, 10);
    expect(threshold).toBeGreaterThanOrEqual(94);
    expect(threshold).toBeLessThanOrEqual(95);
  });

  it('failures to acquire (-Infinity) count as non-matches for genuine pairs and never as false matches', () => {
    const impostor = [...range(999, (i) => i / 1000), Number.NEGATIVE_INFINITY];
    const genuine = [...range(9, () => 5), Number.NEGATIVE_INFINITY];
    const m = verificationMetrics(genuine, impostor);
    expect(m.atFmr1e3.fnmr).toBeCloseTo(0.1, 10);
    expect(m.atFmr1e2.fnmr).toBeCloseTo(0.1, 10);
    expect(m.eer).toBeGreaterThan(0);
    expect(m.eer).toBeLessThanOrEqual(0.1);
  });

  it('Wilson interval brackets the proportion', () => {
    const { low, high } = wilsonInterval(30, 600);
    expect(low).toBeLessThan(0.05);
    expect(high).toBeGreaterThan(0.05);
    expect(low).toBeCloseTo(0.0353, 3);
    expect(high).toBeCloseTo(0.0706, 3);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });
});
