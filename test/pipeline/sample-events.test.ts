/**
 * Every sample event in `events/` is accepted by its real handler (wired with the embedded
 * adapters and an empty staging table): the shapes the handlers parse are the shapes AWS sends.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { APIGatewayProxyEventV2, DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import { createSharpImageSanitizer } from '../../functions/adapters/image/sharp-image-sanitizer';
import { createFsObjectStore } from '../../functions/adapters/local/fs-object-store';
import { createLocalSigner, loadOrCreateLocalSigningKey } from '../../functions/adapters/local/local-signer';
import { createLocalUploadGrants } from '../../functions/adapters/local/local-upload-grants';
import { createNoSignatureScanner } from '../../functions/adapters/local/no-signature-scanner';
import { createRandomIds } from '../../functions/adapters/local/random-ids';
import { closeDatabase, openDatabase, type SqliteDatabase } from '../../functions/adapters/local/sqlite-database';
import { createSqliteQueue } from '../../functions/adapters/local/sqlite-queue';
import { createSqliteRecordStore } from '../../functions/adapters/local/sqlite-record-store';
import { systemClock } from '../../functions/adapters/local/system-clock';
import { makeCheckFacesHandler } from '../../functions/check-faces/handler';
import { makeCompareScanEnginesHandler } from '../../functions/compare-scan-engines/handler';
import { DEFAULT_PHOTO_THRESHOLDS } from '../../functions/core/photo-rules';
import type { FaceAnalyzer } from '../../functions/core/ports';
import { DEFAULT_RETENTION } from '../../functions/core/retention';
import { makeCreateApplicationHandler } from '../../functions/create-application/handler';
import { makeGetStatusHandler } from '../../functions/get-status/handler';
import { makeReleaseRecordHandler } from '../../functions/release-record/handler';
import { makeRequestUploadHandler } from '../../functions/request-upload/handler';
import { makeScanUploadHandler } from '../../functions/scan-upload/handler';
import { localLambdaContext } from '../../functions/shared/lambda-context';
import { parseCleanKey, parseQuarantineKey } from '../../functions/shared/object-keys';
import { parseS3Notification } from '../../functions/shared/s3-events';
import { parseScanQueueMessage } from '../../functions/shared/scan-events';

const EVENTS = path.resolve(__dirname, '../../events');
const load = async <T>(name: string): Promise<T> => JSON.parse(await readFile(path.join(EVENTS, name), 'utf8')) as T;

/** The face stage must not be reached with an empty table; this analyzer fails the test if it is. */
const unreachableFaces: FaceAnalyzer = {
  analyzePortrait: () => Promise.reject(new Error('the face analyzer should not run for this event')),
  compareFaces: () => Promise.reject(new Error('the face analyzer should not run for this event')),
};

let dir: string;
let db: SqliteDatabase;
let deps: ReturnType<typeof wire> extends Promise<infer D> ? D : never;

async function wire() {
  const clock = systemClock;
  const records = createSqliteRecordStore(db, { clock });
  const quarantine = createFsObjectStore(dir, 'quarantine', clock);
  const clean = createFsObjectStore(dir, 'clean', clock);
  const grants = createLocalUploadGrants({
    url: 'http://127.0.0.1/uploads',
    bucket: 'quarantine',
    secret: Buffer.alloc(32, 1),
    clock,
  });
  const signer = createLocalSigner(await loadOrCreateLocalSigningKey(path.join(dir, 'keys')));
  const releaseQueue = createSqliteQueue(db, { name: 'release', visibilityTimeoutSeconds: 30 });
  return { clock, records, quarantine, clean, grants, signer, releaseQueue, ids: createRandomIds() };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sample-events-'));
  db = openDatabase(':memory:');
  deps = await wire();
});

afterAll(async () => {
  deps.releaseQueue.close();
  closeDatabase(db);
  await rm(dir, { recursive: true, force: true });
});

const ctx = () => localLambdaContext('sample-event');

describe('API samples', () => {
  it('create-application.json creates an application', async () => {
    const handler = makeCreateApplicationHandler({ ...deps, retention: DEFAULT_RETENTION });
    const res = await handler(await load<APIGatewayProxyEventV2>('create-application.json'), ctx());
    expect(res.statusCode).toBe(201);
  });
  it('get-status.json is a well-formed lookup (unknown number → 404)', async () => {
    const res = await makeGetStatusHandler(deps)(await load<APIGatewayProxyEventV2>('get-status.json'), ctx());
    expect(res.statusCode).toBe(404);
  });
  it('request-upload.json is a well-formed request (unknown number → 404)', async () => {
    const res = await makeRequestUploadHandler({ ...deps, cleanObjects: deps.clean })(
      await load<APIGatewayProxyEventV2>('request-upload.json'),
      ctx(),
    );
    expect(res.statusCode).toBe(404);
  });
});

describe('queue and stream samples', () => {
  it('scan-upload.json names a quarantine key and is processed without a batch failure', async () => {
    const event = await load<SQSEvent>('scan-upload.json');
    const [created] = parseS3Notification(event.Records[0]?.body as string);
    expect(parseQuarantineKey(created?.key as string)).not.toBeNull();
    const handler = makeScanUploadHandler({
      ...deps,
      sanitizer: createSharpImageSanitizer(),
      scanner: createNoSignatureScanner('test'),
    });
    expect(await handler(event, ctx())).toEqual({ batchItemFailures: [] });
  });
  it('guardduty-scan-result.json names a quarantine key and is processed by the scan (guardduty mode) and compare functions', async () => {
    const event = await load<SQSEvent>('guardduty-scan-result.json');
    const message = parseScanQueueMessage(event.Records[0]?.body as string);
    expect(message.kind).toBe('guardduty');
    expect(parseQuarantineKey(message.objects[0]?.key as string)).not.toBeNull();
    const scan = makeScanUploadHandler(
      { ...deps, sanitizer: createSharpImageSanitizer(), scanner: createNoSignatureScanner('test') },
      { engine: 'guardduty' },
    );
    expect(await scan(event, ctx())).toEqual({ batchItemFailures: [] });
    expect(await makeCompareScanEnginesHandler(deps)(event, ctx())).toEqual({ batchItemFailures: [] });
  });
  it('check-faces.json names a clean key and is processed without a batch failure', async () => {
    const event = await load<SQSEvent>('check-faces.json');
    const [created] = parseS3Notification(event.Records[0]?.body as string);
    expect(parseCleanKey(created?.key as string)).not.toBeNull();
    const handler = makeCheckFacesHandler({ ...deps, faces: unreachableFaces, thresholds: DEFAULT_PHOTO_THRESHOLDS });
    expect(await handler(event, ctx())).toEqual({ batchItemFailures: [] });
  });
  it('release-record.json is processed without a batch failure', async () => {
    const handler = makeReleaseRecordHandler({ ...deps, sanitizer: createSharpImageSanitizer(), retention: DEFAULT_RETENTION });
    expect(await handler(await load<DynamoDBStreamEvent>('release-record.json'), ctx())).toEqual({ batchItemFailures: [] });
  });
  it('a malformed SQS body is reported as a batch item failure, not swallowed', async () => {
    const event = await load<SQSEvent>('scan-upload.json');
    const bad: SQSEvent = {
      Records: [
        { ...(event.Records[0] as SQSEvent['Records'][number]), body: '{"Records":[{"eventName":"ObjectRemoved:Delete"}]}' },
      ],
    };
    const handler = makeScanUploadHandler({
      ...deps,
      sanitizer: createSharpImageSanitizer(),
      scanner: createNoSignatureScanner('test'),
    });
    const res = await handler(bad, ctx());
    expect(res?.batchItemFailures).toEqual([{ itemIdentifier: bad.Records[0]?.messageId }]);
  });
});
