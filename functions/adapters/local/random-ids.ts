/**
 * Random identifiers from the operating system's CSPRNG. Application numbers are not enumerable
 * (60 random bits); the status token is 256 bits.
 */
import { randomBytes } from 'node:crypto';
import type { IdGenerator } from '../../core/ports';

/** Crockford base32: no I, L, O, U. 32 symbols, so `byte & 31` is unbiased. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const APPLICATION_ID_PATTERN = /^P[0-9A-HJKMNP-TV-Z]{12}$/;
export const SECRET_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export const UPLOAD_ID_PATTERN = /^u[0-9a-hjkmnp-tv-z]{16}$/;

export function randomCrockford(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += CROCKFORD[byte & 31];
  return out;
}

export const randomIds: IdGenerator = {
  applicationId: () => `P${randomCrockford(12)}`,
  secretToken: () => randomBytes(32).toString('base64url'),
  uploadId: () => `u${randomCrockford(16).toLowerCase()}`,
};

export function createRandomIds(): IdGenerator {
  return randomIds;
}
