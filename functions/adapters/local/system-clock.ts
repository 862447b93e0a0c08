/** Clocks: the system one, and a manual one for tests and simulations. */
import type { Clock } from '../../core/ports';

export const systemClock: Clock = { now: () => new Date() };

export interface ManualClock extends Clock {
  /** Moves the clock forward by `ms` (may be negative). */
  advance(ms: number): void;
  set(at: Date): void;
}

export function createManualClock(start: Date = new Date('2025-01-01T00:00:00.000Z')): ManualClock {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance(ms) {
      t += ms;
    },
    set(at) {
      t = at.getTime();
    },
  };
}
