/**
 * Every malformed request to the intake API or the upload endpoint gets a 4xx with a clear error
 * (field-level for validation), never a 5xx; every error body matches the OpenAPI document.
 */
import { adultApplicant } from '../../bin/support/sample-applicants';
import { ROUTES } from '../../functions/core/api';
import { createOpenApiChecker } from './support/openapi-check';
import { startTestRuntime, type TestRuntime } from './support/test-runtime';

let t: TestRuntime;
let openapi: ReturnType<typeof createOpenApiChecker>;
let app: {
  applicationId: string;
  statusToken: string;
  uploads: { photo: { url: string; fields: Record<string, string>; expiresAt: string; maxBytes: number } };
};

beforeAll(async () => {
  t = await startTestRuntime();
  openapi = createOpenApiChecker(await (await fetch(`${t.runtime.url}/openapi.json`)).json());
  const created = await t.client.createApplication(adultApplicant(42));
  if (!created.ok) throw new Error('setup failed');
  app = created.body;
});

afterAll(async () => {
  await t?.close();
});

const raw = (path: string, init: RequestInit) => fetch(`${t.runtime.url}${path}`, init);
const validApp = () => adultApplicant(43);

describe('POST /api/applications', () => {
  const cases: [string, () => RequestInit, number, string][] = [
    [
      'a body that is not JSON',
      () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"applicationType":' }),
      400,
      'malformed-json',
    ],
    [
      'a body sent as text/plain',
      () => ({ method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(validApp()) }),
      415,
      'unsupported-media-type',
    ],
    ['a JSON array', () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' }), 400, 'validation'],
    ['JSON null', () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: 'null' }), 400, 'validation'],
    [
      'an empty object',
      () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
      400,
      'validation',
    ],
    [
      'a 100 KB body',
      () => ({
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ x: 'a'.repeat(100_000) }),
      }),
      413,
      'too-large',
    ],
    ['no body', () => ({ method: 'POST', headers: { 'content-type': 'application/json' } }), 400, 'malformed-json'],
  ];
  it.each(cases)('%s is refused', async (_name, init, status, error) => {
    const res = await raw(ROUTES.createApplication.path, init());
    const body = await res.json();
    expect(res.status).toBe(status);
    expect(body.error).toBe(error);
    expect(openapi.errors(ROUTES.createApplication.path, 'POST', status, body)).toEqual([]);
  });

  it('names each invalid field with its error code', async () => {
    const bad = validApp();
    const body = {
      ...bad,
      applicant: { ...bad.applicant, nationalId: 'A123456788', email: 'not-an-email', dateOfBirth: '2031-02-30' },
    };
    const res = await raw(ROUTES.createApplication.path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = await res.json();
    expect(res.status).toBe(400);
    const byPath = Object.fromEntries(json.issues.map((i: { path: string; code: string }) => [i.path, i.code]));
    expect(byPath).toMatchObject({
      'applicant.nationalId': 'national_id_check_digit',
      'applicant.email': 'invalid_format',
      'applicant.dateOfBirth': 'date_format',
    });
  });

  it('answers 405 to other methods', async () => {
    expect((await raw(ROUTES.createApplication.path, { method: 'GET' })).status).toBe(405);
  });
});

describe('GET /api/applications/{applicationId}', () => {
  it.each([
    ['a malformed number', '/api/applications/12345', { authorization: 'Bearer x' }, 400],
    ['no token', () => `/api/applications/${app.applicationId}`, {}, 401],
    ['a token of the wrong shape', () => `/api/applications/${app.applicationId}`, { authorization: 'Bearer short' }, 401],
    ['a wrong token', () => `/api/applications/${app.applicationId}`, { authorization: `Bearer ${'A'.repeat(43)}` }, 404],
    ['an unknown number', '/api/applications/P000000000000', { authorization: `Bearer ${'A'.repeat(43)}` }, 404],
  ] as const)('%s is refused', async (_name, pathOrFn, headers, status) => {
    const p = typeof pathOrFn === 'function' ? pathOrFn() : pathOrFn;
    const res = await raw(p, { headers });
    const body = await res.json();
    expect(res.status).toBe(status);
    expect(openapi.errors(ROUTES.getStatus.path, 'GET', status, body)).toEqual([]);
  });

  it('does not tell a wrong token from an unknown number', async () => {
    const wrongToken = await raw(`/api/applications/${app.applicationId}`, {
      headers: { authorization: `Bearer ${'B'.repeat(43)}` },
    });
    const unknown = await raw('/api/applications/P111111111111', { headers: { authorization: `Bearer ${app.statusToken}` } });
    expect(await wrongToken.json()).toEqual(await unknown.json());
  });
});

describe('POST /api/applications/{applicationId}/uploads', () => {
  const post = (body: string, token = app.statusToken) =>
    raw(`/api/applications/${app.applicationId}/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });
  it.each([
    ['an unknown slot', '{"slot":"passport"}', 400],
    ['no slot', '{}', 400],
    ['malformed JSON', '{', 400],
  ])('%s is refused', async (_name, body, status) => {
    const res = await post(body);
    const json = await res.json();
    expect(res.status).toBe(status);
    expect(openapi.errors(ROUTES.requestUpload.path, 'POST', status, json)).toEqual([]);
  });
});

describe('POST /uploads (the presigned-POST stand-in)', () => {
  const form = (fields: Record<string, string>, file: Uint8Array | null) => {
    const f = new FormData();
    for (const [k, v] of Object.entries(fields)) f.append(k, v);
    if (file) f.append('file', new Blob([new Uint8Array(file)]), 'x.jpg');
    return f;
  };
  const upload = (fields: Record<string, string>, file: Uint8Array | null) =>
    raw('/uploads', { method: 'POST', body: form(fields, file) });
  const bytes = (n: number) => new Uint8Array(n).fill(0xff);

  it('accepts the grant as issued', async () => {
    expect((await upload({ ...app.uploads.photo.fields, 'Content-Type': 'image/jpeg' }, bytes(4096))).status).toBe(204);
  });
  it.each([
    [
      'a different key',
      () => ({ ...app.uploads.photo.fields, key: 'uploads/../../etc/passwd', 'Content-Type': 'image/jpeg' }),
      bytes(4096),
      403,
      'AccessDenied',
    ],
    [
      'a tampered signature',
      () => ({ ...app.uploads.photo.fields, 'X-Amz-Signature': '0'.repeat(64), 'Content-Type': 'image/jpeg' }),
      bytes(4096),
      403,
      'SignatureDoesNotMatch',
    ],
    ['no Content-Type', () => ({ ...app.uploads.photo.fields }), bytes(4096), 403, 'AccessDenied'],
    [
      'a Content-Type outside image/',
      () => ({ ...app.uploads.photo.fields, 'Content-Type': 'text/html' }),
      bytes(4096),
      403,
      'AccessDenied',
    ],
    [
      'a field the policy does not name',
      () => ({ ...app.uploads.photo.fields, 'Content-Type': 'image/jpeg', acl: 'public-read' }),
      bytes(4096),
      403,
      'AccessDenied',
    ],
    [
      'a file under the minimum size',
      () => ({ ...app.uploads.photo.fields, 'Content-Type': 'image/jpeg' }),
      bytes(10),
      400,
      'EntityTooSmall',
    ],
    [
      'a file over the maximum size',
      () => ({ ...app.uploads.photo.fields, 'Content-Type': 'image/jpeg' }),
      bytes(10 * 1024 * 1024 + 1),
      400,
      'EntityTooLarge',
    ],
    ['no file', () => ({ ...app.uploads.photo.fields, 'Content-Type': 'image/jpeg' }), null, 400, 'InvalidArgument'],
    [
      'no policy',
      () => ({ key: app.uploads.photo.fields.key as string, 'Content-Type': 'image/jpeg' }),
      bytes(4096),
      400,
      'InvalidPolicyDocument',
    ],
  ])('refuses %s', async (_name, fields, file, status, code) => {
    const res = await upload(fields(), file);
    expect(res.status).toBe(status);
    expect(await res.text()).toContain(`<Code>${code}</Code>`);
  });
  it('refuses a body cut off inside the file part, and keeps serving', async () => {
    const boundary = 'xxBOUNDARYxx';
    const fields = { ...app.uploads.photo.fields, 'Content-Type': 'image/jpeg' };
    const head = Object.entries(fields)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('');
    const body = `${head}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.jpg"\r\nContent-Type: image/jpeg\r\n\r\n${'A'.repeat(5000)}`;
    const res = await raw('/uploads', {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    });
    expect(res.status).toBe(400);
    expect((await raw('/healthz', {})).status).toBe(200);
  });

  it('answers 400, not 500, to malformed percent-encoding in the path', async () => {
    const res = await raw('/api/applications/%E0%A4%A', { headers: { authorization: `Bearer ${app.statusToken}` } });
    expect(res.status).toBe(400);
  });

  it('refuses a body that is not multipart', async () => {
    const res = await raw('/uploads', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(400);
  });
});

describe('the OpenAPI document', () => {
  it('describes exactly the API routes the runtime serves', async () => {
    const doc = await (await raw('/openapi.json', {})).json();
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(documented.sort()).toEqual(
      Object.values(ROUTES)
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    );
  });
});
