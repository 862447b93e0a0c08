import { createHash } from 'node:crypto';
import { RELEASE_SCHEMA_ID, releaseEnvelopeSchema, releasePayloadSchema } from '../../functions/core/release-message';
import { validApplication } from './fixtures';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0xff, 0xd9]);

const image = () => ({
  contentType: 'image/jpeg',
  data: JPEG.toString('base64'),
  sha256: createHash('sha256').update(JPEG).digest('hex'),
  width: 413,
  height: 531,
});

function payload(): Record<string, unknown> & { images: { photo: Record<string, unknown>; idCard: Record<string, unknown> } } {
  return {
    schema: RELEASE_SCHEMA_ID,
    releaseId: 'R0123456789AB',
    applicationId: 'P0123456789AB',
    releasedAt: '2026-05-16T10:00:00.000Z',
    retainUntil: '2026-06-15T10:00:00.000Z',
    application: validApplication(),
    verdict: { outcome: 'REVIEW', reasons: ['MINOR_APPLICANT'], decidedAt: '2026-05-16T09:59:00.000Z' },
    findings: [
      { check: 'HeadPose.Yaw', result: 'pass', value: 1.2, threshold: '<= 5', fixable: true },
      { check: 'FaceMatch.IdCardPortrait', result: 'pass', value: 97.5, threshold: '>= 90', fixable: false, counterOnly: true },
      { check: 'EyesOpen', result: 'inconclusive', value: null, fixable: true },
    ],
    fee: 1300,
    images: { photo: image(), idCard: image() },
    scan: { photo: 'clean', idCard: 'not-run' },
  };
}

describe('releasePayloadSchema', () => {
  it('accepts a well-formed payload', () => {
    expect(releasePayloadSchema.safeParse(payload()).success).toBe(true);
  });

  it('accepts a CLEAR verdict with no reasons', () => {
    const p = payload();
    p.verdict = { outcome: 'CLEAR', reasons: [], decidedAt: '2026-05-16T09:59:00.000Z' };
    expect(releasePayloadSchema.safeParse(p).success).toBe(true);
  });

  it.each<[string, (p: ReturnType<typeof payload>) => void]>([
    ['image data that is not base64', (p) => Object.assign(p.images.photo, { data: 'not base64!' })],
    ['image data with too much padding', (p) => Object.assign(p.images.photo, { data: 'AAAA===' })],
    ['empty image data', (p) => Object.assign(p.images.photo, { data: '' })],
    ['a sha256 in capitals', (p) => Object.assign(p.images.photo, { sha256: 'A'.repeat(64) })],
    ['a sha256 too short', (p) => Object.assign(p.images.photo, { sha256: 'a'.repeat(63) })],
    ['a sha256 that is not hex', (p) => Object.assign(p.images.photo, { sha256: 'g'.repeat(64) })],
    ['a PNG image', (p) => Object.assign(p.images.photo, { contentType: 'image/png' })],
    ['an image without width', (p) => Object.assign(p.images.photo, { width: 0 })],
    [
      'a RETAKE verdict',
      (p) => Object.assign(p, { verdict: { outcome: 'RETAKE', reasons: [], decidedAt: '2026-05-16T09:59:00.000Z' } }),
    ],
    ['no images', (p) => Object.assign(p, { images: undefined })],
    ['no ID card image', (p) => Object.assign(p, { images: { photo: image() } })],
    ['no photo', (p) => Object.assign(p, { images: { idCard: image() } })],
    ['another schema id', (p) => Object.assign(p, { schema: 'passport-prereview/release@2' })],
    ['a short release id', (p) => Object.assign(p, { releaseId: 'R1' })],
    ['a date that is not ISO', (p) => Object.assign(p, { releasedAt: '16/05/2026' })],
    ['a fee of zero', (p) => Object.assign(p, { fee: 0 })],
    ['an unknown scan result', (p) => Object.assign(p, { scan: { photo: 'infected', idCard: 'clean' } })],
    ['an invalid application', (p) => Object.assign(p, { application: { ...validApplication(), applicationType: 'X' } })],
    ['a finding with an unknown result', (p) => Object.assign(p, { findings: [{ check: 'x', result: 'maybe', fixable: true }] })],
  ])('rejects %s', (_name, change) => {
    const p = payload();
    change(p);
    expect(releasePayloadSchema.safeParse(p).success).toBe(false);
  });
});

describe('releaseEnvelopeSchema', () => {
  const envelope = (overrides: Record<string, unknown> = {}) => ({
    payload: JSON.stringify(payload()),
    signature: Buffer.from('signature bytes').toString('base64'),
    keyId: 'local:0123456789abcdef',
    algorithm: 'ECDSA_SHA_256',
    ...overrides,
  });

  it('accepts an ECDSA_SHA_256 envelope', () => {
    expect(releaseEnvelopeSchema.safeParse(envelope()).success).toBe(true);
  });

  it.each([
    ['another algorithm', { algorithm: 'RSASSA_PSS_SHA_256' }],
    ['the algorithm in lowercase', { algorithm: 'ecdsa_sha_256' }],
    ['no algorithm', { algorithm: undefined }],
    ['a signature that is not base64', { signature: 'not-base64!' }],
    ['an empty key id', { keyId: '' }],
    ['an empty payload', { payload: '' }],
  ])('rejects %s', (_name, overrides) => {
    expect(releaseEnvelopeSchema.safeParse(envelope(overrides)).success).toBe(false);
  });
});
