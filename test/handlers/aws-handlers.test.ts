/**
 * Each function's real Lambda entry point (`handler`, wired with the AWS adapters from its
 * environment) on its sample event from `events/`, with the AWS clients mocked
 * (aws-sdk-client-mock): the shapes AWS sends are the shapes the functions handle, and each
 * function makes the calls it should. The scanner starts a real clamd with the project's signatures.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CompareFacesCommand, DetectFacesCommand } from '@aws-sdk/client-rekognition';
import { DeleteObjectCommand, GetObjectCommand, type GetObjectCommandOutput, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, Context, DynamoDBStreamEvent, ScheduledEvent, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { sampleIdCard, samplePassportPhoto } from '../../bin/support/sample-images';
import { dynamoDocumentClient } from '../../functions/adapters/aws/dynamodb-client';
import { kmsClient } from '../../functions/adapters/aws/kms-client';
import { rekognitionClient } from '../../functions/adapters/aws/rekognition-client';
import { s3Client } from '../../functions/adapters/aws/s3-client';
import { sqsClient } from '../../functions/adapters/aws/sqs-client';
import { measureImageStatistics } from '../../functions/adapters/image/image-statistics';
import { createPublicKeyVerifier } from '../../functions/adapters/local/local-signer';
import type { ApplicationRecord } from '../../functions/core/record';
import { releaseEnvelopeSchema, releasePayloadSchema } from '../../functions/core/release-message';
import { localLambdaContext } from '../../functions/shared/lambda-context';
import { cleanKey, quarantineKey } from '../../functions/shared/object-keys';
import { hashToken } from '../../functions/shared/tokens';
import { sampleRecord } from '../adapters/contracts/record-store.contract';
import { fakeKms } from '../adapters/support/fake-kms';

const EVENTS = path.resolve(__dirname, '../../events');
const FIXTURES = path.resolve(__dirname, '../adapters/fixtures/rekognition');
const APP = 'P0A1B2C3D4E5F';
const TOKEN = 'x'.repeat(43);
const SIGNING_KEY = 'arn:aws:kms:ap-northeast-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const QUEUE_URL = 'https://sqs.ap-northeast-1.amazonaws.com/123456789012/intake-release.fifo';

const load = async <T>(name: string): Promise<T> => JSON.parse(await readFile(path.join(EVENTS, name), 'utf8')) as T;
const fixture = async (name: string) => JSON.parse(await readFile(path.join(FIXTURES, name), 'utf8'));
const ctx = (): Context => localLambdaContext('aws-handler-test');

const ddb = mockClient(dynamoDocumentClient());
const s3 = mockClient(s3Client());
const sqs = mockClient(sqsClient());
const rekognition = mockClient(rekognitionClient());
const signingKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const kms = fakeKms(kmsClient(), new Map([[SIGNING_KEY, signingKey.privateKey]]));

/** A little table: what Get returns is what Put stored. */
const table = new Map<string, Record<string, unknown>>();
/** A little bucket: key → bytes (current version "v1"). */
const objects = new Map<string, Uint8Array>();

function body(bytes: Uint8Array): GetObjectCommandOutput['Body'] {
  return { transformToByteArray: async () => bytes, destroy: () => undefined } as unknown as GetObjectCommandOutput['Body'];
}

function putRecord(record: ApplicationRecord) {
  table.set(record.applicationId, { ...record, expiresAtEpoch: Math.ceil(Date.parse(record.expiresAt) / 1000) });
}

function storedRecord(): ApplicationRecord {
  return table.get(APP) as unknown as ApplicationRecord;
}

let photo: Uint8Array;
let idCard: Uint8Array;

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_REGION: 'ap-northeast-1',
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE00',
    AWS_SECRET_ACCESS_KEY: 'example-secret-key-for-presigning-only',
    TABLE_NAME: 'staging',
    QUARANTINE_BUCKET: 'passport-quarantine-example',
    CLEAN_BUCKET: 'passport-clean-example',
    RELEASE_QUEUE_URL: QUEUE_URL,
    SIGNING_KEY_ID: SIGNING_KEY,
    FACE_SIMILARITY_THRESHOLD: '99',
    CLAMAV_DATABASE_DIR: path.resolve(__dirname, '../../clamav/signatures'),
    SCAN_ENGINE: 'clamav',
  });
  [photo, idCard] = await Promise.all([samplePassportPhoto(0), sampleIdCard(0)]);
});

afterAll(async () => {
  const { closeScanner } = await import('../../functions/scan-upload/handler');
  await closeScanner();
});

beforeEach(() => {
  for (const m of [ddb, s3, sqs, rekognition]) m.reset();
  table.clear();
  objects.clear();
  ddb.on(GetCommand).callsFake((input) => ({ Item: table.get(input.Key.applicationId) }));
  ddb.on(PutCommand).callsFake((input) => {
    table.set(input.Item.applicationId, input.Item);
    return {};
  });
  ddb.on(DeleteCommand).resolves({});
  ddb.on(QueryCommand).resolves({ Items: [] });
  s3.on(GetObjectCommand).callsFake((input) => {
    const bytes = objects.get(input.Key);
    if (!bytes)
      throw Object.assign(new Error('The specified key does not exist.'), {
        name: 'NoSuchKey',
        $metadata: { httpStatusCode: 404 },
      });
    return { Body: body(bytes), VersionId: 'v1', ContentType: 'image/jpeg' };
  });
  s3.on(PutObjectCommand).callsFake((input) => {
    objects.set(input.Key, input.Body as Uint8Array);
    return { VersionId: 'v2' };
  });
  s3.on(DeleteObjectCommand).callsFake((input) => {
    objects.delete(input.Key);
    return {};
  });
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
});

describe('API functions', () => {
  it('create-application stores the record conditionally and returns presigned POST grants', async () => {
    const { handler } = await import('../../functions/create-application/handler');
    const res = await handler(await load<APIGatewayProxyEventV2>('create-application.json'), ctx());
    expect(res.statusCode).toBe(201);
    const put = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.TableName).toBe('staging');
    expect(put?.ConditionExpression).toContain('attribute_not_exists(applicationId)');
    const created = JSON.parse(res.body as string);
    expect(created.uploads.photo.url).toContain('passport-quarantine-example');
    expect(created.uploads.photo.fields.key).toMatch(/^uploads\/P[0-9A-Z]{12}\/photo\/u/);
  });

  it('get-status answers the holder of the token', async () => {
    putRecord({ ...sampleRecord(APP, new Date()), tokenHash: hashToken(TOKEN) });
    const { handler } = await import('../../functions/get-status/handler');
    const event = await load<APIGatewayProxyEventV2>('get-status.json');
    const res = await handler(event, ctx());
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body as string)).toMatchObject({ applicationId: APP, status: 'AWAITING_UPLOADS' });
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({ ConsistentRead: true });
  });

  it('request-upload issues a new grant and moves the slot to a new key', async () => {
    const before = { ...sampleRecord(APP, new Date()), tokenHash: hashToken(TOKEN) };
    putRecord(before);
    const { handler } = await import('../../functions/request-upload/handler');
    const res = await handler(await load<APIGatewayProxyEventV2>('request-upload.json'), ctx());
    expect(res.statusCode).toBe(201);
    expect(storedRecord().version).toBe(2);
    expect(storedRecord().uploads.photo.uploadId).not.toBe(before.uploads.photo.uploadId);
  });
});

describe('pipeline functions', () => {
  it('scan-upload vets the quarantined object with clamd, writes the rebuilt image and deletes the original', async () => {
    const base = sampleRecord(APP, new Date());
    const ref = { applicationId: APP, slot: 'photo' as const, uploadId: 'u0123456789abcdef' };
    putRecord({
      ...base,
      uploads: { ...base.uploads, photo: { ...base.uploads.photo, uploadId: ref.uploadId, key: quarantineKey(ref) } },
    });
    objects.set(quarantineKey(ref), photo);
    const event = await load<SQSEvent>('scan-upload.json');
    // The object's current version is the one the event names.
    s3.on(GetObjectCommand).callsFake((input) => ({
      Body: body(objects.get(input.Key) as Uint8Array),
      VersionId: '3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY',
    }));

    const { handler } = await import('../../functions/scan-upload/handler');
    expect(await handler(event, ctx())).toEqual({ batchItemFailures: [] });
    expect(storedRecord().uploads.photo).toMatchObject({ state: 'CLEAN', signatureScan: 'clean' });
    expect(objects.has(cleanKey(ref))).toBe(true);
    expect(objects.has(quarantineKey(ref))).toBe(false);
  }, 60_000);

  it('scan-upload in guardduty mode acts on the GuardDuty result sample: GuardDuty on the original, clamd on the output', async () => {
    const base = sampleRecord(APP, new Date());
    const ref = { applicationId: APP, slot: 'photo' as const, uploadId: 'u0123456789abcdef' };
    putRecord({
      ...base,
      uploads: { ...base.uploads, photo: { ...base.uploads.photo, uploadId: ref.uploadId, key: quarantineKey(ref) } },
    });
    objects.set(quarantineKey(ref), photo);
    s3.on(GetObjectCommand).callsFake((input) => ({
      Body: body(objects.get(input.Key) as Uint8Array),
      VersionId: '3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY',
    }));
    const event = await load<SQSEvent>('guardduty-scan-result.json');
    const { createScanLambdaHandler } = await import('../../functions/scan-upload/handler');
    const previous = process.env.SCAN_ENGINE;
    process.env.SCAN_ENGINE = 'guardduty';
    try {
      const handler = createScanLambdaHandler();
      expect(await handler(event, ctx())).toEqual({ batchItemFailures: [] });
      // The S3 notification of the same object is not acted on in this mode.
      expect(await handler(await load<SQSEvent>('scan-upload.json'), ctx())).toEqual({ batchItemFailures: [] });
    } finally {
      process.env.SCAN_ENGINE = previous;
    }
    // The object store checks that the current version is the one GuardDuty scanned (the sample's).
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toMatchObject({ Key: quarantineKey(ref) });
    expect(storedRecord().uploads.photo).toMatchObject({ state: 'CLEAN', signatureScan: 'clean' });
    expect(objects.has(cleanKey(ref))).toBe(true);
    expect(objects.has(quarantineKey(ref))).toBe(false);
  }, 60_000);

  it('compare-scan-engines reads the record for the GuardDuty result sample and changes nothing', async () => {
    const base = sampleRecord(APP, new Date());
    const ref = { applicationId: APP, slot: 'photo' as const, uploadId: 'u0123456789abcdef' };
    putRecord({
      ...base,
      uploads: {
        ...base.uploads,
        photo: { ...base.uploads.photo, uploadId: ref.uploadId, key: quarantineKey(ref), state: 'CLEAN', signatureScan: 'clean' },
      },
    });
    const { handler } = await import('../../functions/compare-scan-engines/handler');
    expect(await handler(await load<SQSEvent>('guardduty-scan-result.json'), ctx())).toEqual({ batchItemFailures: [] });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('check-faces asks Rekognition and records a CLEAR verdict', async () => {
    const base = sampleRecord(APP, new Date());
    const photoRef = { applicationId: APP, slot: 'photo' as const, uploadId: 'u0000000000000001' };
    const idRef = { applicationId: APP, slot: 'idCard' as const, uploadId: 'u0123456789abcdeg' };
    const clean = (r: typeof photoRef | typeof idRef) => ({
      uploadId: r.uploadId,
      key: quarantineKey(r),
      state: 'CLEAN' as const,
      cleanKey: cleanKey(r),
      signatureScan: 'clean' as const,
      grantsIssued: 1,
      updatedAt: base.updatedAt,
    });
    const stats = await measureImageStatistics(photo);
    putRecord({ ...base, status: 'CHECKING', uploads: { photo: { ...clean(photoRef), stats }, idCard: clean(idRef) } });
    objects.set(cleanKey(photoRef), photo);
    objects.set(cleanKey(idRef), idCard);
    rekognition.on(DetectFacesCommand).resolves(await fixture('detect-faces-compliant.json'));
    rekognition.on(CompareFacesCommand).resolves(await fixture('compare-faces-match.json'));

    const { handler } = await import('../../functions/check-faces/handler');
    expect(await handler(await load<SQSEvent>('check-faces.json'), ctx())).toEqual({ batchItemFailures: [] });
    expect(storedRecord()).toMatchObject({ status: 'VETTED', verdict: { outcome: 'CLEAR' } });
    expect(rekognition.commandCalls(CompareFacesCommand)).toHaveLength(1);
  });

  it('release-record signs with KMS, sends to the FIFO release queue, then drops the personal data', async () => {
    const base = sampleRecord(APP, new Date());
    const ref = (slot: 'photo' | 'idCard', uploadId: string) => ({ applicationId: APP, slot, uploadId });
    const clean = (r: ReturnType<typeof ref>) => ({
      uploadId: r.uploadId,
      key: quarantineKey(r),
      state: 'CLEAN' as const,
      cleanKey: cleanKey(r),
      signatureScan: 'clean' as const,
      grantsIssued: 1,
      updatedAt: base.updatedAt,
    });
    const photoRef = ref('photo', 'u0000000000000001');
    const idRef = ref('idCard', 'u0000000000000002');
    putRecord({
      ...base,
      status: 'VETTED',
      version: 6,
      uploads: { photo: clean(photoRef), idCard: clean(idRef) },
      verdict: { outcome: 'CLEAR', reasons: [], retakeChecks: [], decidedAt: base.updatedAt },
      findings: [{ check: 'SingleFacePresent', result: 'pass', value: 1, threshold: '1', fixable: true }],
    });
    objects.set(cleanKey(photoRef), photo);
    objects.set(cleanKey(idRef), idCard);

    const { handler } = await import('../../functions/release-record/handler');
    expect(await handler(await load<DynamoDBStreamEvent>('release-record.json'), ctx())).toEqual({ batchItemFailures: [] });

    const sent = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent).toMatchObject({ QueueUrl: QUEUE_URL, MessageDeduplicationId: `${APP}.6` });
    const envelope = releaseEnvelopeSchema.parse(JSON.parse(sent?.MessageBody as string));
    expect(envelope.keyId).toBe(SIGNING_KEY);
    const verifier = createPublicKeyVerifier(new Map([[SIGNING_KEY, signingKey.publicKey]]));
    expect(await verifier.verify(SIGNING_KEY, Buffer.from(envelope.payload), Buffer.from(envelope.signature, 'base64'))).toBe(
      true,
    );
    expect(releasePayloadSchema.parse(JSON.parse(envelope.payload)).applicationId).toBe(APP);
    expect(kms.signedDigests).toHaveLength(1);
    expect(storedRecord()).toMatchObject({ status: 'RELEASED', application: null });
    expect(objects.size).toBe(0);
  });

  it('expire-applications runs on its schedule and reports nothing stuck', async () => {
    const event: ScheduledEvent = {
      version: '0',
      id: 'e-1',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: new Date().toISOString(),
      region: 'ap-northeast-1',
      resources: [],
      detail: {},
    };
    const { handler } = await import('../../functions/expire-applications/handler');
    expect(await handler(event, ctx())).toEqual({ expired: 0, stuck: { SCANNING: 0, CHECKING: 0, VETTED: 0 } });
    expect(ddb.commandCalls(QueryCommand).every((c) => c.args[0].input.IndexName === 'byStatus')).toBe(true);
  });
});
