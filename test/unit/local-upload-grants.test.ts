import { createHmac } from 'node:crypto';
import { checkPostPolicy, createLocalUploadGrants } from '../../functions/adapters/local/local-upload-grants';
import type { Clock, UploadGrant } from '../../functions/core/ports';

const SECRET = Buffer.from('0123456789abcdef0123456789abcdef');
const BUCKET = 'quarantine';
const KEY = 'uploads/P0123456789AB/photo/uAbCdEfGh12345678';
const ISSUED_AT = new Date('2026-05-16T10:00:00.000Z');
const TTL_SECONDS = 300;

class FakeClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

async function grant(options: { secret?: Buffer; bucket?: string; key?: string } = {}): Promise<UploadGrant> {
  const issuer = createLocalUploadGrants({
    url: 'http://127.0.0.1:3000/uploads',
    bucket: options.bucket ?? BUCKET,
    secret: options.secret ?? SECRET,
    clock: new FakeClock(ISSUED_AT),
  });
  return issuer.issue({
    key: options.key ?? KEY,
    contentTypePrefix: 'image/',
    minBytes: 1,
    maxBytes: 10_000_000,
    expiresInSeconds: TTL_SECONDS,
  });
}

/** The form fields a browser would post: the grant's fields plus a Content-Type, with changes. */
function form(g: UploadGrant, changes: Record<string, string | undefined> = {}): Map<string, string> {
  const fields = new Map<string, string>(Object.entries({ ...g.fields, 'Content-Type': 'image/jpeg' }));
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) fields.delete(name);
    else fields.set(name, value);
  }
  return fields;
}

const sign = (policy: string, secret: Buffer = SECRET) => createHmac('sha256', secret).update(policy).digest('hex');
const check = (fields: Map<string, string>, now: Date = ISSUED_AT, bucket = BUCKET) =>
  checkPostPolicy(fields, SECRET, bucket, now);
const decodePolicy = (g: UploadGrant) =>
  JSON.parse(Buffer.from(g.fields.Policy ?? '', 'base64').toString('utf8')) as Record<string, unknown>;
const encodePolicy = (p: unknown) => Buffer.from(JSON.stringify(p)).toString('base64');

describe('local upload grants', () => {
  it('issues the key, a base64 policy and a hex HMAC signature, expiring after the TTL', async () => {
    const g = await grant();
    expect(g.url).toBe('http://127.0.0.1:3000/uploads');
    expect(Object.keys(g.fields).sort()).toEqual(['Policy', 'X-Amz-Signature', 'key']);
    expect(g.fields.key).toBe(KEY);
    expect(g.fields['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);
    expect(g.expiresAt).toBe('2026-05-16T10:05:00.000Z');
    expect(g.maxBytes).toBe(10_000_000);
    expect(decodePolicy(g)).toEqual({
      expiration: '2026-05-16T10:05:00.000Z',
      conditions: [
        { bucket: BUCKET },
        { key: KEY },
        ['content-length-range', 1, 10_000_000],
        ['starts-with', '$Content-Type', 'image/'],
      ],
    });
  });

  it('accepts the grant’s own fields with Content-Type image/jpeg and returns the size range', async () => {
    expect(check(form(await grant()))).toEqual({ ok: true, key: KEY, minBytes: 1, maxBytes: 10_000_000 });
  });

  it.each(['image/png', 'image/'])('accepts the Content-Type %s (prefix image/)', async (contentType) => {
    expect(check(form(await grant(), { 'Content-Type': contentType })).ok).toBe(true);
  });

  it('accepts field names in any case, as S3 does', async () => {
    const g = await grant();
    const fields = new Map([
      ['KEY', KEY],
      ['policy', g.fields.Policy ?? ''],
      ['x-amz-signature', g.fields['X-Amz-Signature'] ?? ''],
      ['content-type', 'image/jpeg'],
    ]);
    expect(check(fields).ok).toBe(true);
  });

  it('accepts the file field without a policy condition', async () => {
    expect(check(form(await grant(), { file: 'photo.jpg' })).ok).toBe(true);
  });

  it('accepts the upload until just before the expiry, using the clock', async () => {
    const clock = new FakeClock(ISSUED_AT);
    const g = await grant();
    clock.advance(TTL_SECONDS * 1000 - 1);
    expect(check(form(g), clock.now()).ok).toBe(true);
  });

  it.each<[string, (g: UploadGrant) => Map<string, string>, number, string]>([
    [
      'a tampered Policy (another key, old signature)',
      (g) => {
        const p = decodePolicy(g);
        const tampered = encodePolicy({
          ...p,
          conditions: [{ bucket: BUCKET }, { key: 'uploads/x' }, ...(p.conditions as unknown[]).slice(2)],
        });
        return form(g, { Policy: tampered, key: 'uploads/x' });
      },
      403,
      'SignatureDoesNotMatch',
    ],
    [
      'a Policy with one character changed',
      (g) => form(g, { Policy: `${(g.fields.Policy ?? '').slice(0, -4)}AAAA` }),
      403,
      'SignatureDoesNotMatch',
    ],
    [
      'a tampered signature',
      (g) => {
        const sig = g.fields['X-Amz-Signature'] ?? '';
        return form(g, { 'X-Amz-Signature': `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}` });
      },
      403,
      'SignatureDoesNotMatch',
    ],
    [
      'a signature made with another secret',
      (g) => form(g, { 'X-Amz-Signature': sign(g.fields.Policy ?? '', Buffer.from('other')) }),
      403,
      'SignatureDoesNotMatch',
    ],
    ['a non-hex signature', (g) => form(g, { 'X-Amz-Signature': 'z'.repeat(64) }), 403, 'SignatureDoesNotMatch'],
    [
      'an uppercase-hex signature',
      (g) => form(g, { 'X-Amz-Signature': (g.fields['X-Amz-Signature'] ?? '').toUpperCase() }),
      403,
      'SignatureDoesNotMatch',
    ],
    [
      'a truncated signature',
      (g) => form(g, { 'X-Amz-Signature': (g.fields['X-Amz-Signature'] ?? '').slice(0, 32) }),
      403,
      'SignatureDoesNotMatch',
    ],
    ['a missing signature', (g) => form(g, { 'X-Amz-Signature': undefined }), 400, 'InvalidPolicyDocument'],
    ['a missing Policy', (g) => form(g, { Policy: undefined }), 400, 'InvalidPolicyDocument'],
    ['a different key', (g) => form(g, { key: 'uploads/P0123456789AB/idCard/uAbCdEfGh12345678' }), 403, 'AccessDenied'],
    ['a missing key', (g) => form(g, { key: undefined }), 403, 'AccessDenied'],
    ['Content-Type text/html', (g) => form(g, { 'Content-Type': 'text/html' }), 403, 'AccessDenied'],
    [
      'Content-Type with image/ not at the start',
      (g) => form(g, { 'Content-Type': 'text/html; image/jpeg' }),
      403,
      'AccessDenied',
    ],
    ['Content-Type in capitals', (g) => form(g, { 'Content-Type': 'IMAGE/JPEG' }), 403, 'AccessDenied'],
    ['a missing Content-Type', (g) => form(g, { 'Content-Type': undefined }), 403, 'AccessDenied'],
    ['an extra field not in the policy', (g) => form(g, { 'x-amz-meta-name': 'evil.jpg' }), 403, 'AccessDenied'],
    [
      'an extra success_action_redirect field',
      (g) => form(g, { success_action_redirect: 'https://evil.example' }),
      403,
      'AccessDenied',
    ],
  ])('refuses %s', async (_name, build, status, code) => {
    expect(check(build(await grant()))).toMatchObject({ ok: false, status, code });
  });

  it.each([
    ['at the expiry instant', TTL_SECONDS * 1000],
    ['after the expiry', TTL_SECONDS * 1000 + 60_000],
  ])('refuses an expired grant %s', async (_name, elapsedMs) => {
    const clock = new FakeClock(ISSUED_AT);
    const g = await grant();
    clock.advance(elapsedMs);
    expect(check(form(g), clock.now())).toMatchObject({ ok: false, status: 403, code: 'AccessDenied' });
  });

  it('refuses a grant issued for another bucket', async () => {
    expect(check(form(await grant({ bucket: 'clean' })))).toMatchObject({ ok: false, status: 403, code: 'AccessDenied' });
  });

  it('refuses a valid grant checked against another bucket', async () => {
    expect(check(form(await grant()), ISSUED_AT, 'clean')).toMatchObject({ ok: false, status: 403, code: 'AccessDenied' });
  });

  it('refuses a correctly signed but malformed policy document', async () => {
    const g = await grant();
    const policy = encodePolicy({ expiration: 'tomorrow', conditions: [] });
    expect(check(form(g, { Policy: policy, 'X-Amz-Signature': sign(policy) }))).toMatchObject({
      ok: false,
      status: 400,
      code: 'InvalidPolicyDocument',
    });
  });

  it('refuses a signed policy that is not base64 JSON', async () => {
    const policy = '!!!not base64!!!';
    expect(check(form(await grant(), { Policy: policy, 'X-Amz-Signature': sign(policy) }))).toMatchObject({
      ok: false,
      status: 400,
    });
  });
});
