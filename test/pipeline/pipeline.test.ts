/**
 * The whole flow through the embedded runtime's HTTP API, with the real scan stage and the real
 * embedded face model: submit, upload, scan, check, release, poll; duplicates change nothing;
 * poison messages end in a dead-letter queue.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { adultApplicant, minorApplicant } from '../../bin/support/sample-applicants';
import { sampleIdCard, samplePassportPhoto, sampleRuleBreakingPhoto } from '../../bin/support/sample-images';
import type { StatusResponse } from '../../functions/core/api';
import { ROUTES } from '../../functions/core/api';
import { s3NotificationBody } from '../../functions/shared/s3-events';
import { sharedPath } from '../shared-data';
import { createOpenApiChecker } from './support/openapi-check';
import { eventually, isSettled, startTestRuntime, type TestRuntime } from './support/test-runtime';

let t: TestRuntime;
let openapi: ReturnType<typeof createOpenApiChecker>;
let images: { photo: Uint8Array[]; idCard: Uint8Array[]; badPhoto: Uint8Array };

beforeAll(async () => {
  t = await startTestRuntime();
  openapi = createOpenApiChecker(await (await fetch(`${t.runtime.url}/openapi.json`)).json());
  images = {
    photo: await Promise.all([0, 1].map(samplePassportPhoto)),
    idCard: await Promise.all([0, 1].map(sampleIdCard)),
    badPhoto: await sampleRuleBreakingPhoto(0),
  };
}, 120_000);

afterAll(async () => {
  await t?.close();
});

function conforms(route: keyof typeof ROUTES, reply: { status: number; body: unknown }) {
  const { path: p, method } = ROUTES[route];
  expect(openapi.errors(p, method, reply.status, reply.body)).toEqual([]);
}

async function submit(application = adultApplicant(Math.floor(Math.random() * 1e6))) {
  const reply = await t.client.createApplication(application);
  conforms('createApplication', reply);
  if (!reply.ok) throw new Error(`create failed: ${JSON.stringify(reply.body)}`);
  return reply.body;
}

async function settle(id: string, token: string): Promise<StatusResponse> {
  return t.client.waitFor(id, token, isSettled, 60_000);
}

describe('a compliant applicant', () => {
  it('is scanned, checked, released, and filed in the on-premises inbox', async () => {
    const app = await submit();
    expect((await t.client.upload(app.uploads.photo, images.photo[0] as Uint8Array, 'image/jpeg')).status).toBe(204);
    expect((await t.client.upload(app.uploads.idCard, images.idCard[0] as Uint8Array, 'image/jpeg')).status).toBe(204);

    const status = await settle(app.applicationId, app.statusToken);
    expect(status.status).toBe('RELEASED');
    conforms('getStatus', { status: 200, body: status });
    // The applicant never sees a face score.
    expect(status.findings.map((f) => f.check)).not.toContain('FaceMatch.IdCardPortrait');

    const entry = await eventually('the inbox entry', () => t.runtime.inbox.get(app.applicationId).then((e) => e ?? undefined));
    expect(entry.record.application.applicant.chineseName).toBe('王小明');
    const match = entry.record.findings.find((f) => f.check === 'FaceMatch.IdCardPortrait');
    expect(match?.result).toBe('pass');
    expect(entry.record.verdict).toMatchObject({ outcome: 'CLEAR', reasons: [] });
    expect(entry.record.scan).toEqual({ photo: 'clean', idCard: 'clean' });
    expect(await t.runtime.inbox.image(app.applicationId, 'photo')).not.toBeNull();

    // Released: the staging record keeps no personal data, and the rebuilt images are gone.
    const record = await t.runtime.records.get(app.applicationId);
    expect(record?.application).toBeNull();
    expect(record?.status).toBe('RELEASED');
    expect(await t.runtime.buckets.clean.get(record?.uploads.photo.cleanKey as string)).toBeNull();
    expect(await t.runtime.buckets.quarantine.get(record?.uploads.photo.key as string)).toBeNull();
  });

  it('stores the upload under the server-generated key whatever file name the client sends', async () => {
    const app = await submit();
    const reply = await t.client.upload(
      app.uploads.photo,
      images.photo[0] as Uint8Array,
      'image/jpeg',
      '../../../etc/cron.d/passport.jpg',
    );
    expect(reply.status).toBe(204);
    await eventually('the photo to be scanned', async () => {
      const s = await t.client.status(app.applicationId, app.statusToken);
      return s.ok && s.body.uploads.photo.state === 'CLEAN' ? true : undefined;
    });
    const all = await readdir(t.runtime.dataDir, { recursive: true });
    expect(all.some((f) => f.includes('cron.d') || f.includes('passport.jpg'))).toBe(false);
  });
});

describe('pre-review outcomes', () => {
  it('an ID card showing another person is released for REVIEW, with the reason only the counter sees', async () => {
    const app = await submit();
    await t.client.upload(app.uploads.photo, images.photo[0] as Uint8Array, 'image/jpeg');
    await t.client.upload(app.uploads.idCard, images.idCard[1] as Uint8Array, 'image/jpeg');
    const status = await settle(app.applicationId, app.statusToken);
    expect(status.status).toBe('RELEASED');
    const entry = await eventually('the inbox entry', () => t.runtime.inbox.get(app.applicationId).then((e) => e ?? undefined));
    expect(entry.record.verdict.outcome).toBe('REVIEW');
    expect(entry.record.verdict.reasons).toContain('FACE_SIMILARITY_BELOW_THRESHOLD');
  });

  it('a minor with a legal representative is released for REVIEW', async () => {
    const app = await submit(minorApplicant(7));
    await t.client.upload(app.uploads.photo, images.photo[1] as Uint8Array, 'image/jpeg');
    await t.client.upload(app.uploads.idCard, images.idCard[1] as Uint8Array, 'image/jpeg');
    await settle(app.applicationId, app.statusToken);
    const entry = await eventually('the inbox entry', () => t.runtime.inbox.get(app.applicationId).then((e) => e ?? undefined));
    expect(entry.record.verdict.reasons).toContain('MINOR_APPLICANT');
    expect(entry.record.fee).toBe(900);
  });

  it('a photo that breaks a rule asks for a retake; a good re-upload is then released as CLEAR', async () => {
    const app = await submit();
    await t.client.upload(app.uploads.photo, images.badPhoto, 'image/jpeg');
    await t.client.upload(app.uploads.idCard, images.idCard[0] as Uint8Array, 'image/jpeg');
    const retake = await settle(app.applicationId, app.statusToken);
    expect(retake.status).toBe('RETAKE_REQUESTED');
    expect(retake.verdict?.outcome).toBe('RETAKE');
    expect(retake.verdict?.retakeChecks.length).toBeGreaterThan(0);
    expect(retake.findings.some((f) => f.result === 'fail')).toBe(true);

    const grant = await t.client.requestUpload(app.applicationId, app.statusToken, 'photo');
    conforms('requestUpload', grant);
    if (!grant.ok) throw new Error('no new grant');
    expect((await t.client.upload(grant.body.upload, images.photo[0] as Uint8Array, 'image/jpeg')).status).toBe(204);
    const after = await t.client.waitFor(app.applicationId, app.statusToken, (s) => s.status === 'RELEASED', 60_000);
    expect(after.status).toBe('RELEASED');
    const entry = await eventually('the inbox entry', () => t.runtime.inbox.get(app.applicationId).then((e) => e ?? undefined));
    expect(entry.record.verdict.outcome).toBe('CLEAR');
  });

  it('an image carrying the EICAR test string is rejected by the signature scan, and the applicant is not told why', async () => {
    const app = await submit();
    const infected = await readFile(sharedPath('corpus', 'uploads', 'eicar-in-com.jpg'));
    expect((await t.client.upload(app.uploads.photo, infected, 'image/jpeg')).status).toBe(204);
    const rejected = await t.client.waitFor(app.applicationId, app.statusToken, (s) => s.status === 'REJECTED', 30_000);
    expect(rejected.uploads.photo).toEqual({ state: 'REJECTED', reason: 'not-accepted' });
    expect(JSON.stringify(rejected)).not.toMatch(/EICAR|signature/i);
    const record = await t.runtime.records.get(app.applicationId);
    expect(record?.uploads.photo.reason).toBe('signature-hit');
    // The infected bytes are not kept anywhere: quarantine is emptied, nothing reached the clean bucket.
    expect(await t.runtime.buckets.quarantine.get(record?.uploads.photo.key as string)).toBeNull();
  });

  it('an upload that is not an image is rejected; the applicant may upload another file', async () => {
    const app = await submit();
    const html = await readFile(sharedPath('corpus', 'uploads', 'html-renamed.jpg'));
    const padded = Buffer.concat([html, Buffer.alloc(2048, 0x20)]);
    expect((await t.client.upload(app.uploads.photo, padded, 'image/jpeg')).status).toBe(204);
    const rejected = await t.client.waitFor(app.applicationId, app.statusToken, (s) => s.status === 'REJECTED', 30_000);
    expect(rejected.uploads.photo).toEqual({ state: 'REJECTED', reason: 'type-not-allowed' });

    const grant = await t.client.requestUpload(app.applicationId, app.statusToken, 'photo');
    expect(grant.status).toBe(201);
  });
});

describe('biometric data', () => {
  /** The longest run of numbers anywhere in a JSON value (a face descriptor is 128+ numbers). */
  function longestNumberArray(value: unknown): number {
    if (Array.isArray(value)) {
      const own = value.every((v) => typeof v === 'number') ? value.length : 0;
      return Math.max(own, ...value.map(longestNumberArray));
    }
    if (value && typeof value === 'object') return Math.max(0, ...Object.values(value).map(longestNumberArray));
    return 0;
  }

  it('no face embedding or template is written to the table, the change log, the queues or the inbox', async () => {
    const app = await submit();
    await t.client.upload(app.uploads.photo, images.photo[1] as Uint8Array, 'image/jpeg');
    await t.client.upload(app.uploads.idCard, images.idCard[1] as Uint8Array, 'image/jpeg');
    await settle(app.applicationId, app.statusToken);
    await eventually('the inbox entry', () => t.runtime.inbox.get(app.applicationId).then((e) => e ?? undefined));

    const rows = [
      ...t.runtime.db.prepare('SELECT body AS json FROM records').all(),
      ...t.runtime.db.prepare('SELECT new_image AS json FROM record_changes WHERE new_image IS NOT NULL').all(),
      ...t.runtime.db.prepare('SELECT body AS json FROM queue_messages').all(),
    ] as { json: string }[];
    expect(rows.length).toBeGreaterThan(0);
    for (const { json } of rows) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(json);
      } catch {
        continue; // a poison-message test body
      }
      expect(longestNumberArray(parsed)).toBeLessThan(16);
    }
    const recordFile = await readFile(path.join(t.runtime.dataDir, 'onprem-inbox', app.applicationId, 'record.json'), 'utf8');
    expect(longestNumberArray(JSON.parse(recordFile))).toBeLessThan(16);
  });
});

describe('at-least-once delivery', () => {
  it('a duplicate scan, face or release event changes nothing', async () => {
    const app = await submit();
    await t.client.upload(app.uploads.photo, images.photo[0] as Uint8Array, 'image/jpeg');
    await t.client.upload(app.uploads.idCard, images.idCard[0] as Uint8Array, 'image/jpeg');
    await settle(app.applicationId, app.statusToken);
    const entry = await eventually('the inbox entry', () => t.runtime.inbox.get(app.applicationId).then((e) => e ?? undefined));
    const before = await t.runtime.records.get(app.applicationId);
    if (!before) throw new Error('record missing');
    const duplicatesBefore = t.runtime.poller.duplicates;

    const at = new Date();
    const photo = before.uploads.photo;
    await t.runtime.queues.scan.send(
      s3NotificationBody({ bucket: 'quarantine', key: photo.key, size: 1, versionId: 'v', eTag: 'e' }, at),
    );
    await t.runtime.queues.face.send(
      s3NotificationBody({ bucket: 'clean', key: photo.cleanKey as string, size: 1, versionId: 'v', eTag: 'e' }, at),
    );
    // A second copy of the release message on the queue (as SQS may deliver).
    const envelope = await readFile(path.join(t.runtime.dataDir, 'onprem-inbox', app.applicationId, 'envelope.json'), 'utf8');
    await t.runtime.queues.release.send(envelope);

    await eventually('the duplicate release to be seen', () =>
      t.runtime.poller.duplicates > duplicatesBefore ? true : undefined,
    );
    await eventually('the queues to drain', () => {
      const d = t.runtime.depths();
      return d.scan?.visible === 0 && d.scan.inFlight === 0 && d.face?.visible === 0 && d.face.inFlight === 0 ? true : undefined;
    });
    const after = await t.runtime.records.get(app.applicationId);
    expect(after?.version).toBe(before.version);
    expect(after?.status).toBe('RELEASED');
    expect((await t.runtime.inbox.get(app.applicationId))?.releaseId).toBe(entry.releaseId);
    expect(t.runtime.depths()['scan-dlq']?.visible).toBe(0);
  });

  it('a poison message on the scan queue ends in its dead-letter queue', async () => {
    await t.runtime.queues.scan.send('this is not an S3 event');
    await eventually(
      'the poison message in the DLQ',
      () => (t.runtime.depths()['scan-dlq']?.visible === 1 ? true : undefined),
      30_000,
    );
  });

  it('a release message with a forged signature is refused by the poller and ends in the dead-letter queue', async () => {
    const refusedBefore = t.runtime.poller.refused;
    const forged = JSON.stringify({
      payload: '{"schema":"passport-prereview/release@1"}',
      signature: Buffer.from('forged').toString('base64'),
      keyId: 'local:0000',
      algorithm: 'ECDSA_SHA_256',
    });
    await t.runtime.queues.release.send(forged);
    await eventually(
      'the forged message in the DLQ',
      () => (t.runtime.depths()['release-dlq']?.visible === 1 ? true : undefined),
      30_000,
    );
    expect(t.runtime.poller.refused).toBeGreaterThan(refusedBefore);
  });
});
