/**
 * The S3 adapters (object store, upload grants).
 *
 * - The ObjectStore contract runs on s3rver (real SDK requests over 127.0.0.1) for every case s3rver
 *   can show. s3rver has no versioning (PUT ?versioning → NotImplemented; every version id is "null")
 *   and overwrites an object in place (a reader can see a half-written body), so the two cases that
 *   depend on those run on a versioned in-memory bucket behind aws-sdk-client-mock instead, where the
 *   whole contract runs.
 * - aws-sdk-client-mock also shows the exact request parameters and the error mapping.
 * - s3rver checks neither POST policies nor signatures: the presigned-POST policy is proven by
 *   decoding the signed policy document; s3rver only shows that the form shape uploads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  NoSuchBucket,
  NoSuchKey,
  PutObjectCommand,
  type PutObjectCommandInput,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createS3ObjectStore } from '../../functions/adapters/aws/s3-object-store';
import { createS3UploadGrants } from '../../functions/adapters/aws/s3-upload-grants';
import { InvalidObjectKeyError } from '../../functions/adapters/local/fs-object-store';
import { createManualClock } from '../../functions/adapters/local/system-clock';
import { objectStoreContract } from './contracts/object-store.contract';

const HOUR = 3600 * 1000;
const REGION = 'eu-west-1';
const FAKE_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
// s3rver ships no type declarations.
const S3rver = require('s3rver') as S3rverConstructor;

let s3rver: S3rverInstance;
let s3rverDir: string;
let s3rverEndpoint: string;
let bucketCount = 0;

beforeAll(async () => {
  s3rverDir = mkdtempSync(join(tmpdir(), 's3rver-'));
  s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3rverDir });
  const { port } = await s3rver.run();
  s3rverEndpoint = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await s3rver?.close();
  if (s3rverDir) rmSync(s3rverDir, { recursive: true, force: true });
});

function s3rverClient(): S3Client {
  return new S3Client({
    endpoint: s3rverEndpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // With the default (WHEN_SUPPORTED) s3rver can store aws-chunked framing as the body.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A fresh bucket on s3rver, so contract cases never see each other's objects. */
async function s3rverBucket(): Promise<{ client: S3Client; bucket: string }> {
  const client = s3rverClient();
  const bucket = `contract-${++bucketCount}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return { client, bucket };
}

/** Contract cases s3rver cannot run; each runs in the mocked versioned-bucket contract below. */
const NOT_ON_S3RVER = [
  'gives each put a new version and returns null for a replaced version',
  'never shows a torn object while it is overwritten',
];

/** Registers the contract without the named cases and returns the names it left out. */
function registerWithout(excluded: readonly string[], register: () => void): string[] {
  const realIt = globalThis.it;
  const left: string[] = [];
  const filtered = Object.assign((name: string, ...rest: unknown[]) => {
    if (excluded.includes(name)) {
      left.push(name);
      return;
    }
    return (realIt as (...args: unknown[]) => unknown)(name, ...rest);
  }, realIt);
  globalThis.it = filtered as unknown as jest.It;
  try {
    register();
  } finally {
    globalThis.it = realIt;
  }
  return left;
}

const leftOut = registerWithout(NOT_ON_S3RVER, () =>
  objectStoreContract('s3 on s3rver (no versioning, no atomic overwrite)', async () => {
    const { client, bucket } = await s3rverBucket();
    return {
      store: createS3ObjectStore(client, bucket),
      expiresAt: new Date(Date.now() + 24 * HOUR),
      cleanup: async () => client.destroy(),
    };
  }),
);

it('leaves out of the s3rver run exactly the contract cases that run on the mocked bucket', () => {
  expect(leftOut.sort()).toEqual([...NOT_ON_S3RVER].sort());
});

interface FakeVersion {
  readonly versionId: string;
  readonly deleteMarker: boolean;
  readonly body: Uint8Array;
  readonly contentType?: string;
  readonly metadata?: Record<string, string>;
}

function fakeBody(bytes: Uint8Array, onDestroy: () => void = () => {}): GetObjectCommandOutput['Body'] {
  return {
    transformToByteArray: async () => Uint8Array.from(bytes),
    destroy: onDestroy,
  } as unknown as GetObjectCommandOutput['Body'];
}

const notFound = (name: 'NoSuchKey' | 'NoSuchVersion') =>
  name === 'NoSuchKey'
    ? new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } })
    : new S3ServiceException({
        name,
        $fault: 'client',
        message: 'The specified version does not exist.',
        $metadata: { httpStatusCode: 404 },
      });

/** Yields to the event loop as a network round trip would, so concurrent callers interleave. */
const roundTrip = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A versioned bucket in memory behind aws-sdk-client-mock, with S3's semantics: every put is a new
 * current version, noncurrent versions stay readable by id, a delete adds a delete marker, a GET of a
 * key whose current version is a delete marker is NoSuchKey.
 */
function versionedBucket(bucket = 'versioned-bucket') {
  const client = new S3Client({ region: REGION, credentials: FAKE_CREDENTIALS });
  const mock = mockClient(client);
  const keys = new Map<string, FakeVersion[]>();
  let counter = 0;
  const nextId = () => `v${String(++counter).padStart(6, '0')}.${Math.random().toString(36).slice(2)}`;
  mock.on(PutObjectCommand).callsFake(async (input: PutObjectCommandInput) => {
    await roundTrip();
    if (input.Bucket !== bucket) throw new NoSuchBucket({ message: 'The specified bucket does not exist', $metadata: {} });
    const version: FakeVersion = {
      versionId: nextId(),
      deleteMarker: false,
      body: Uint8Array.from(input.Body as Uint8Array),
      contentType: input.ContentType,
      metadata: input.Metadata,
    };
    keys.set(input.Key ?? '', [...(keys.get(input.Key ?? '') ?? []), version]);
    return { VersionId: version.versionId, ETag: '"etag"' };
  });
  mock.on(GetObjectCommand).callsFake(async (input: { Key: string; VersionId?: string }) => {
    await roundTrip();
    const versions = keys.get(input.Key) ?? [];
    const found = input.VersionId === undefined ? versions.at(-1) : versions.find((v) => v.versionId === input.VersionId);
    if (!found) throw notFound(input.VersionId === undefined ? 'NoSuchKey' : 'NoSuchVersion');
    if (found.deleteMarker) throw notFound('NoSuchKey');
    return {
      Body: fakeBody(found.body),
      VersionId: found.versionId,
      ContentType: found.contentType,
      Metadata: found.metadata,
    };
  });
  mock.on(DeleteObjectCommand).callsFake(async (input: { Key: string }) => {
    await roundTrip();
    const marker: FakeVersion = { versionId: nextId(), deleteMarker: true, body: new Uint8Array(0) };
    keys.set(input.Key, [...(keys.get(input.Key) ?? []), marker]);
    return { DeleteMarker: true, VersionId: marker.versionId };
  });
  return { client, mock, bucket, keys };
}

objectStoreContract('s3 on a mocked versioned bucket', async () => {
  const { client, bucket, mock } = versionedBucket();
  return {
    store: createS3ObjectStore(client, bucket),
    expiresAt: new Date(Date.now() + 24 * HOUR),
    cleanup: async () => {
      mock.restore();
    },
  };
});

describe('s3 object store: requests and error mapping (mocked)', () => {
  const clock = createManualClock(new Date('2025-03-01T00:00:00Z'));
  const expiresAt = new Date('2025-03-02T00:00:00Z');

  function mocked() {
    const client = new S3Client({ region: REGION, credentials: FAKE_CREDENTIALS });
    const mock = mockClient(client);
    const store = createS3ObjectStore(client, 'quarantine-bucket', { clock });
    return { client, mock, store };
  }

  it('puts the body with its content type and deletion date, leaving encryption to the bucket default', async () => {
    const { mock, store } = mocked();
    mock.on(PutObjectCommand).resolves({ VersionId: 'v-1' });
    const body = new Uint8Array([1, 2, 3]);
    expect(await store.put('quarantine/P1/photo/u1', body, { contentType: 'image/jpeg', expiresAt })).toEqual({
      versionId: 'v-1',
    });
    const calls = mock.commandCalls(PutObjectCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      Bucket: 'quarantine-bucket',
      Key: 'quarantine/P1/photo/u1',
      Body: body,
      ContentType: 'image/jpeg',
      Metadata: { 'delete-after': '2025-03-02T00:00:00.000Z' },
    });
  });

  it("returns 'null' as the version id when S3 reports none (unversioned bucket)", async () => {
    const { mock, store } = mocked();
    mock.on(PutObjectCommand).resolves({});
    expect(await store.put('k', new Uint8Array([1]), { contentType: 'image/png', expiresAt })).toEqual({ versionId: 'null' });
  });

  it('refuses a missing content type or deletion date before any request', async () => {
    const { mock, store } = mocked();
    await expect(store.put('k', new Uint8Array([1]), { contentType: '', expiresAt })).rejects.toThrow(/contentType/);
    await expect(store.put('k', new Uint8Array([1]), { contentType: 'image/png', expiresAt: new Date('x') })).rejects.toThrow(
      /expiresAt/,
    );
    expect(mock.calls()).toHaveLength(0);
  });

  it('refuses unsafe keys with the directory store error before any request', async () => {
    const { mock, store } = mocked();
    await expect(store.get('../x')).rejects.toBeInstanceOf(InvalidObjectKeyError);
    await expect(store.delete('.meta/x')).rejects.toBeInstanceOf(InvalidObjectKeyError);
    expect(mock.calls()).toHaveLength(0);
  });

  it('reads the current version in one GetObject and returns it only when it is the version asked for', async () => {
    const { mock, store } = mocked();
    let destroyed = 0;
    mock.on(GetObjectCommand).callsFake(() => ({
      Body: fakeBody(new Uint8Array([9]), () => destroyed++),
      VersionId: 'v-2',
      ContentType: 'image/jpeg',
      Metadata: { 'delete-after': expiresAt.toISOString() },
    }));
    expect(await store.get('k', 'v-2')).toEqual({ body: new Uint8Array([9]), versionId: 'v-2', contentType: 'image/jpeg' });
    expect(await store.get('k', 'v-1')).toBeNull();
    expect(destroyed).toBe(1);
    expect(mock.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'quarantine-bucket', Key: 'k' },
      { Bucket: 'quarantine-bucket', Key: 'k' },
    ]);
  });

  it('treats an object past its delete-after date as absent, as the directory store does', async () => {
    const { mock, store } = mocked();
    mock.on(GetObjectCommand).callsFake(() => ({
      Body: fakeBody(new Uint8Array([1])),
      VersionId: 'v-1',
      ContentType: 'image/png',
      Metadata: { 'delete-after': new Date(clock.now().getTime() - 1).toISOString() },
    }));
    expect(await store.get('k')).toBeNull();
  });

  it('maps NoSuchKey, NoSuchVersion and a bare 404 to null', async () => {
    const { mock, store } = mocked();
    mock
      .on(GetObjectCommand)
      .rejectsOnce(notFound('NoSuchKey'))
      .rejectsOnce(notFound('NoSuchVersion'))
      .rejectsOnce(new S3ServiceException({ name: 'NotFound', $fault: 'client', $metadata: { httpStatusCode: 404 } }));
    expect(await store.get('k')).toBeNull();
    expect(await store.get('k', 'v-1')).toBeNull();
    expect(await store.get('k')).toBeNull();
  });

  it('lets a missing bucket, a denied request and a throttle propagate unchanged', async () => {
    const { mock, store } = mocked();
    const noBucket = new NoSuchBucket({ message: 'The specified bucket does not exist', $metadata: { httpStatusCode: 404 } });
    const denied = new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } });
    const slow = new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 } });
    mock.on(GetObjectCommand).rejectsOnce(noBucket).rejectsOnce(denied);
    mock.on(PutObjectCommand).rejects(slow);
    mock.on(DeleteObjectCommand).rejects(denied);
    await expect(store.get('k')).rejects.toBe(noBucket);
    await expect(store.get('k')).rejects.toBe(denied);
    await expect(store.put('k', new Uint8Array([1]), { contentType: 'image/png', expiresAt })).rejects.toBe(slow);
    await expect(store.delete('k')).rejects.toBe(denied);
  });

  it('deletes with one DeleteObject (a delete marker on the versioned bucket)', async () => {
    const { mock, store } = mocked();
    mock.on(DeleteObjectCommand).resolves({ DeleteMarker: true, VersionId: 'dm-1' });
    await store.delete('quarantine/P1/photo/u1');
    expect(mock.commandCalls(DeleteObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'quarantine-bucket',
      Key: 'quarantine/P1/photo/u1',
    });
  });
});

describe('s3 object store on s3rver (specifics)', () => {
  it("stores the deletion date as x-amz-meta-delete-after and reports version 'null' (s3rver is unversioned)", async () => {
    const { client, bucket } = await s3rverBucket();
    const store = createS3ObjectStore(client, bucket);
    const expiresAt = new Date(Date.now() + HOUR);
    const { versionId } = await store.put('P1/photo/u1', new Uint8Array([1, 2]), { contentType: 'image/png', expiresAt });
    expect(versionId).toBe('null');
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'P1/photo/u1' }));
    expect(head.Metadata).toEqual({ 'delete-after': expiresAt.toISOString() });
    expect(head.ContentType).toBe('image/png');
    client.destroy();
  });

  it('reads an object past its delete-after date as absent', async () => {
    const { client, bucket } = await s3rverBucket();
    const clock = createManualClock(new Date());
    const store = createS3ObjectStore(client, bucket, { clock });
    await store.put('soon', new Uint8Array([1]), { contentType: 'image/png', expiresAt: new Date(clock.now().getTime() + 1000) });
    expect(await store.get('soon')).not.toBeNull();
    clock.advance(2000);
    expect(await store.get('soon')).toBeNull();
    client.destroy();
  });

  it('lets a missing bucket propagate instead of reading as a missing object', async () => {
    const client = s3rverClient();
    const store = createS3ObjectStore(client, 'no-such-bucket');
    await expect(store.get('k')).rejects.toMatchObject({ name: 'NoSuchBucket' });
    client.destroy();
  });
});

describe('s3 upload grants (presigned POST)', () => {
  const request = {
    key: 'quarantine/P0000000000A1/photo/u1',
    contentTypePrefix: 'image/',
    minBytes: 1024,
    maxBytes: 10 * 1024 * 1024,
    expiresInSeconds: 900,
  };

  function decodePolicy(fields: Readonly<Record<string, string>>): { expiration: string; conditions: unknown[] } {
    return JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString('utf8'));
  }

  it('signs a policy with the exact key, bucket, size range and Content-Type prefix, expiring with the grant', async () => {
    const client = new S3Client({ region: REGION, credentials: FAKE_CREDENTIALS });
    const mock = mockClient(client);
    const systemTime = { now: () => new Date() };
    const grant = await createS3UploadGrants(client, 'quarantine-bucket', systemTime).issue(request);
    expect(mock.calls()).toHaveLength(0);
    expect(grant.url).toBe(`https://quarantine-bucket.s3.${REGION}.amazonaws.com/`);
    expect(grant.maxBytes).toBe(request.maxBytes);
    const policy = decodePolicy(grant.fields);
    expect(policy.conditions).toEqual([
      { bucket: 'quarantine-bucket' },
      ['content-length-range', 1024, 10 * 1024 * 1024],
      ['starts-with', '$Content-Type', 'image/'],
      { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256' },
      { 'X-Amz-Credential': expect.stringMatching(new RegExp(`^AKIDEXAMPLE/\\d{8}/${REGION}/s3/aws4_request$`)) },
      { 'X-Amz-Date': expect.stringMatching(/^\d{8}T\d{6}Z$/) },
      { key: request.key },
    ]);
    const expiresIn = Date.parse(policy.expiration) - Date.now();
    expect(expiresIn).toBeGreaterThan(895_000);
    expect(expiresIn).toBeLessThanOrEqual(900_000);
    expect(Math.abs(Date.parse(policy.expiration) - Date.parse(grant.expiresAt))).toBeLessThan(2000);
    mock.restore();
  });

  it('returns only fields the policy pins: nothing the uploader may choose except Content-Type', async () => {
    const client = new S3Client({ region: REGION, credentials: { ...FAKE_CREDENTIALS, sessionToken: 'session-token' } });
    const grant = await createS3UploadGrants(client, 'quarantine-bucket', createManualClock()).issue(request);
    const pinned = new Map<string, unknown>();
    for (const c of decodePolicy(grant.fields).conditions) {
      if (!Array.isArray(c)) for (const [k, v] of Object.entries(c as object)) pinned.set(k, v);
    }
    const signed = Object.entries(grant.fields).filter(([name]) => name !== 'Policy' && name !== 'X-Amz-Signature');
    for (const [name, value] of signed) expect(pinned.get(name)).toBe(value);
    expect(Object.keys(grant.fields).map((k) => k.toLowerCase())).not.toContain('content-type');
    expect(grant.fields['X-Amz-Security-Token']).toBe('session-token');
    expect(grant.fields.key).toBe(request.key);
    expect(grant.fields['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes expiresAt from the injected clock', async () => {
    const client = new S3Client({ region: REGION, credentials: FAKE_CREDENTIALS });
    const clock = createManualClock(new Date('2025-03-01T00:00:00Z'));
    const grant = await createS3UploadGrants(client, 'quarantine-bucket', clock).issue(request);
    expect(grant.expiresAt).toBe('2025-03-01T00:15:00.000Z');
  });

  it('refuses unsafe keys, an empty type prefix, a bad size range and long expiries', async () => {
    const client = new S3Client({ region: REGION, credentials: FAKE_CREDENTIALS });
    const grants = createS3UploadGrants(client, 'quarantine-bucket', createManualClock());
    await expect(grants.issue({ ...request, key: '../x' })).rejects.toBeInstanceOf(InvalidObjectKeyError);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the S3 POST variable, literally
    await expect(grants.issue({ ...request, key: 'uploads/${filename}' })).rejects.toBeInstanceOf(InvalidObjectKeyError);
    await expect(grants.issue({ ...request, contentTypePrefix: '' })).rejects.toThrow(/contentTypePrefix/);
    await expect(grants.issue({ ...request, minBytes: 10, maxBytes: 9 })).rejects.toThrow(/maxBytes/);
    await expect(grants.issue({ ...request, expiresInSeconds: 0 })).rejects.toThrow(/expiresInSeconds/);
    await expect(grants.issue({ ...request, expiresInSeconds: 7200 })).rejects.toThrow(/expiresInSeconds/);
  });

  it('s3rver stores a browser-style POST of the returned url + fields + Content-Type + file (s3rver does not enforce the policy)', async () => {
    const { client, bucket } = await s3rverBucket();
    const grant = await createS3UploadGrants(client, bucket, { now: () => new Date() }).issue(request);
    expect(grant.url).toBe(`${s3rverEndpoint}/${bucket}`);
    const photo = new Uint8Array(2048).map((_, i) => i & 255);
    const form = new FormData();
    for (const [name, value] of Object.entries(grant.fields)) form.append(name, value);
    form.append('Content-Type', 'image/jpeg');
    form.append('file', new Blob([photo], { type: 'image/jpeg' }), 'photo.jpg');
    const response = await fetch(grant.url, { method: 'POST', body: form });
    expect(response.status).toBe(204);
    const stored = await createS3ObjectStore(client, bucket).get(request.key);
    expect(Buffer.from(stored?.body ?? []).equals(Buffer.from(photo))).toBe(true);
    expect(stored?.contentType).toBe('image/jpeg');
    client.destroy();
  });
});
