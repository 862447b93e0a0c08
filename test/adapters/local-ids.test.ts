import {
  APPLICATION_ID_PATTERN,
  randomIds,
  SECRET_TOKEN_PATTERN,
  UPLOAD_ID_PATTERN,
} from '../../functions/adapters/local/random-ids';
import { createManualClock, systemClock } from '../../functions/adapters/local/system-clock';
import { applicationIdSchema, statusTokenSchema } from '../../functions/core/api';

describe('random ids', () => {
  it('issues application ids, tokens and upload ids in their formats, without repeats', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = randomIds.applicationId();
      expect(id).toMatch(APPLICATION_ID_PATTERN);
      seen.add(id);
    }
    expect(seen.size).toBe(2000);
    expect(applicationIdSchema.safeParse(randomIds.applicationId()).success).toBe(true);
    const token = randomIds.secretToken();
    expect(token).toMatch(SECRET_TOKEN_PATTERN);
    expect(statusTokenSchema.safeParse(token).success).toBe(true);
    expect(randomIds.uploadId()).toMatch(UPLOAD_ID_PATTERN);
  });

  it('uses every symbol of the alphabet (no visible bias)', () => {
    const symbols = new Set<string>();
    for (let i = 0; i < 500; i++) for (const c of randomIds.applicationId().slice(1)) symbols.add(c);
    expect(symbols.size).toBe(32);
  });
});

describe('clocks', () => {
  it('the system clock tells the time; the manual clock moves only when told', () => {
    expect(Math.abs(systemClock.now().getTime() - Date.now())).toBeLessThan(1000);
    const clock = createManualClock(new Date('2025-01-01T00:00:00Z'));
    clock.advance(1500);
    expect(clock.now().toISOString()).toBe('2025-01-01T00:00:01.500Z');
    clock.set(new Date('2026-01-01T00:00:00Z'));
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });
});
