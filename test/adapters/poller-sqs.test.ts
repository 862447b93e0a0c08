/**
 * The on-premises poller in SQS mode, end to end on fauxqs: the release queue is FIFO with a redrive
 * policy; messages are signed by the KMS signer (mocked KMS backed by a real P-256 key) and checked by
 * the KMS public-key verifier; records land in a real fs inbox. The use case runs in-process with the
 * adapters; the CLI is spawned once for argument validation.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createKmsPublicKeyVerifier, createKmsSigner } from '../../functions/adapters/aws/kms-signer';
import { createSqsQueue, type SqsQueue } from '../../functions/adapters/aws/sqs-queue';
import type { Signer } from '../../functions/core/ports';
import { RELEASE_SCHEMA_ID, type ReleaseEnvelope, type ReleasePayload } from '../../functions/core/release-message';
import { createFsInbox, type Inbox } from '../../functions/onprem/inbox';
import { receiveReleases } from '../../functions/onprem/receive-releases';
import { validApplication } from '../unit/fixtures';
import { type FakeKms, fakeKms } from './support/fake-kms';
import { type Fauxqs, startFauxqs } from './support/fauxqs';

const SIGNING_KEY_ARN = 'arn:aws:kms:ap-northeast-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const OTHER_KEY_ARN = 'arn:aws:kms:ap-northeast-1:123456789012:key/99999999-8888-7777-6666-555555555555';
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0xff, 0xd9]);

let fauxqs: Fauxqs;
let sqs: SQSClient;
let inboxDir: string;
let inbox: Inbox;
let releaseSigner: Signer;
let otherKeySigner: Signer;
let pollerKms: FakeKms;
let pollerKmsClient: KMSClient;
let serial = 0;
const signingKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
const forgerKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;

beforeAll(async () => {
  fauxqs = await startFauxqs();
  sqs = fauxqs.client();
  inboxDir = mkdtempSync(path.join(tmpdir(), 'poller-sqs-'));
  inbox = createFsInbox(inboxDir);
  // The release function's KMS (in the cloud) and the poller's (on premises): the same key behind both.
  const cloudKms = new KMSClient({ region: 'ap-northeast-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  fakeKms(
    cloudKms,
    new Map([
      [SIGNING_KEY_ARN, signingKey],
      [OTHER_KEY_ARN, forgerKey],
    ]),
  );
  releaseSigner = createKmsSigner(cloudKms, SIGNING_KEY_ARN);
  otherKeySigner = createKmsSigner(cloudKms, OTHER_KEY_ARN);
  pollerKmsClient = new KMSClient({ region: 'ap-northeast-1', credentials: { accessKeyId: 'c', secretAccessKey: 'd' } });
  pollerKms = fakeKms(
    pollerKmsClient,
    new Map([
      [SIGNING_KEY_ARN, signingKey],
      [OTHER_KEY_ARN, forgerKey],
    ]),
  );
});
afterAll(async () => {
  await fauxqs?.stop();
  if (inboxDir) rmSync(inboxDir, { recursive: true, force: true });
});

/** A fresh FIFO release queue with a FIFO dead-letter queue after 3 receives, as in AWS. */
async function releaseQueues(): Promise<{ release: SqsQueue; deadLetter: SqsQueue }> {
  serial += 1;
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: `release-${serial}-dlq.fifo`,
      Attributes: { FifoQueue: 'true', MessageRetentionPeriod: '1209600' },
    }),
  );
  const dlqAttributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }));
  const main = await sqs.send(
    new CreateQueueCommand({
      QueueName: `release-${serial}.fifo`,
      Attributes: {
        FifoQueue: 'true',
        VisibilityTimeout: '60',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqAttributes.Attributes?.QueueArn, maxReceiveCount: 3 }),
      },
    }),
  );
  if (!main.QueueUrl || !dlq.QueueUrl) throw new Error('queues not created');
  return { release: createSqsQueue(sqs, main.QueueUrl), deadLetter: createSqsQueue(sqs, dlq.QueueUrl) };
}

function payload(applicationId: string, releaseId: string): ReleasePayload {
  const image = {
    contentType: 'image/jpeg' as const,
    data: JPEG.toString('base64'),
    sha256: 'a'.repeat(64),
    width: 413,
    height: 531,
  };
  return {
    schema: RELEASE_SCHEMA_ID,
    releaseId,
    applicationId,
    releasedAt: '2026-05-16T10:00:00.000Z',
    retainUntil: '2026-06-15T10:00:00.000Z',
    application: validApplication(),
    verdict: { outcome: 'CLEAR', reasons: [], decidedAt: '2026-05-16T09:59:00.000Z' },
    findings: [{ check: 'HeadPose.Yaw', result: 'pass', value: 1.2, threshold: '<= 5', fixable: true }],
    fee: 1300,
    images: { photo: image, idCard: image },
    scan: { photo: 'clean', idCard: 'clean' },
  } as ReleasePayload;
}

async function envelope(p: ReleasePayload, signer: Signer): Promise<string> {
  const bytes = Buffer.from(JSON.stringify(p), 'utf8');
  const signature = Buffer.from(await signer.sign(bytes)).toString('base64');
  const env: ReleaseEnvelope = { payload: bytes.toString('utf8'), signature, keyId: signer.keyId, algorithm: 'ECDSA_SHA_256' };
  return JSON.stringify(env);
}

async function depth(queue: SqsQueue): Promise<{ visible: number; inFlight: number }> {
  const { Attributes: a } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queue.url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return { visible: Number(a?.ApproximateNumberOfMessages), inFlight: Number(a?.ApproximateNumberOfMessagesNotVisible) };
}

const verifier = () => createKmsPublicKeyVerifier(pollerKmsClient, [SIGNING_KEY_ARN]);

it('files a valid release and deletes it; a retried send of the same release id is dropped by the FIFO queue', async () => {
  const { release } = await releaseQueues();
  const p = payload('P0123456789AB', 'P0123456789AB.4');
  const body = await envelope(p, releaseSigner);
  const sent = await release.send(body, { deduplicationId: p.releaseId });

  const summary = await receiveReleases({ queue: release, verifier: verifier(), inbox }, 1);

  expect(summary).toEqual({ received: 1, filed: 1, duplicates: 0, refused: 0, refusals: [] });
  const filed = await inbox.get('P0123456789AB');
  expect(filed?.releaseId).toBe('P0123456789AB.4');
  expect(filed?.record.verdict.outcome).toBe('CLEAR');
  expect(await depth(release)).toEqual({ visible: 0, inFlight: 0 });

  const retried = await release.send(body, { deduplicationId: p.releaseId });
  expect(retried.messageId).toBe(sent.messageId);
  expect((await receiveReleases({ queue: release, verifier: verifier(), inbox }, 0)).received).toBe(0);
});

it('refuses a forged message: not filed, visible again at once, dead-lettered after the maximum receives', async () => {
  const { release, deadLetter } = await releaseQueues();
  const p = payload('P0123456789CD', 'P0123456789CD.4');
  const bytes = Buffer.from(JSON.stringify(p), 'utf8');
  // Claims the trusted key, signed with another one.
  const forged = JSON.stringify({
    payload: bytes.toString('utf8'),
    signature: sign('sha256', bytes, { key: forgerKey, dsaEncoding: 'der' }).toString('base64'),
    keyId: SIGNING_KEY_ARN,
    algorithm: 'ECDSA_SHA_256',
  });
  const { messageId } = await release.send(forged);
  const deps = { queue: release, verifier: verifier(), inbox };

  const first = await receiveReleases(deps, 1);
  expect(first).toMatchObject({ received: 1, filed: 0, refused: 1, refusals: [{ messageId, reason: 'signature-invalid' }] });
  expect(await inbox.get('P0123456789CD')).toBeNull();
  expect(await depth(release)).toEqual({ visible: 1, inFlight: 0 });

  expect((await receiveReleases(deps, 1)).refused).toBe(1);
  expect((await receiveReleases(deps, 1)).refused).toBe(1);
  // The fourth receive moves it to the dead-letter queue: nothing is lost.
  expect((await receiveReleases(deps, 0)).received).toBe(0);
  const [dead] = await deadLetter.receive({ maxMessages: 1, waitSeconds: 0 });
  expect(dead?.messageId).toBe(messageId);
  expect(await inbox.get('P0123456789CD')).toBeNull();
});

it('refuses a release validly signed by a key it was not told to trust, without asking KMS about that key', async () => {
  const { release } = await releaseQueues();
  const p = payload('P0123456789EF', 'P0123456789EF.4');
  await release.send(await envelope(p, otherKeySigner));
  const summary = await receiveReleases({ queue: release, verifier: verifier(), inbox }, 1);
  expect(summary).toMatchObject({ received: 1, filed: 0, refused: 1, refusals: [{ reason: 'signature-invalid' }] });
  expect(await inbox.get('P0123456789EF')).toBeNull();
  const asked = pollerKms.mock.commandCalls(GetPublicKeyCommand).map((c) => c.args[0].input.KeyId);
  expect(asked).not.toContain(OTHER_KEY_ARN);
});

describe('the CLI in SQS mode', () => {
  const root = path.resolve(__dirname, '../..');
  const tsx = path.join(root, 'node_modules/.bin/tsx');
  const run = promisify(execFile);

  it('exits 2 with a clear message when --key-id is missing', async () => {
    const failure = await run(
      tsx,
      ['bin/poll-release.ts', '--queue-url', `${fauxqs.endpoint}/000000000000/release.fifo`, '--region', fauxqs.region],
      { cwd: root },
    ).then(
      () => null,
      (err: { code?: number; stderr?: string }) => err,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toMatch(/--key-id is required with --queue-url/);
    expect(failure?.stderr).toMatch(/usage:/);
  });
});
