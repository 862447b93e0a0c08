/**
 * The scan use case with the embedded adapters: at-least-once delivery never promotes a stale
 * upload, never writes twice, and a crash between the decision and the rebuilt image is finished
 * by the retried event.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sampleIdCard, samplePassportPhoto } from '../../bin/support/sample-images';
import { createSharpImageSanitizer } from '../../functions/adapters/image/sharp-image-sanitizer';
import { createFsObjectStore, type FsObjectStore } from '../../functions/adapters/local/fs-object-store';
import { createNoSignatureScanner } from '../../functions/adapters/local/no-signature-scanner';
import { closeDatabase, openDatabase, type SqliteDatabase } from '../../functions/adapters/local/sqlite-database';
import { createSqliteRecordStore } from '../../functions/adapters/local/sqlite-record-store';
import { createManualClock } from '../../functions/adapters/local/system-clock';
import type { ObjectStore } from '../../functions/core/ports';
import { type ApplicationRecord, withStatus } from '../../functions/core/record';
import { type ScanUploadDeps, scanUpload } from '../../functions/scan-upload/scan-upload';
import { cleanKey, quarantineKey } from '../../functions/shared/object-keys';
import { sampleRecord } from '../adapters/contracts/record-store.contract';

const APP = 'P0000000000S1';
let dir: string;
let db: SqliteDatabase;
let deps: ScanUploadDeps & { quarantine: FsObjectStore; clean: FsObjectStore };
let photo: Uint8Array;
let idCard: Uint8Array;

function recordWithKeys(): ApplicationRecord {
  const base = sampleRecord(APP, deps.clock.now());
  const slot = (name: 'photo' | 'idCard', uploadId: string) => ({
    ...base.uploads[name],
    uploadId,
    key: quarantineKey({ applicationId: APP, slot: name, uploadId }),
  });
  return { ...base, uploads: { photo: slot('photo', 'u0000000000000001'), idCard: slot('idCard', 'u0000000000000002') } };
}

async function upload(record: ApplicationRecord, slot: 'photo' | 'idCard', bytes: Uint8Array) {
  const key = record.uploads[slot].key;
  const { versionId } = await deps.quarantine.put(key, bytes, {
    contentType: 'image/jpeg',
    expiresAt: new Date(record.expiresAt),
  });
  return { bucket: 'quarantine', key, size: bytes.length, versionId };
}

beforeAll(async () => {
  [photo, idCard] = await Promise.all([samplePassportPhoto(0), sampleIdCard(0)]);
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'scan-upload-'));
  db = openDatabase(':memory:');
  const clock = createManualClock(new Date('2026-11-01T00:00:00Z'));
  deps = {
    records: createSqliteRecordStore(db, { clock }),
    quarantine: createFsObjectStore(dir, 'quarantine', clock),
    clean: createFsObjectStore(dir, 'clean', clock),
    clock,
    sanitizer: createSharpImageSanitizer(),
    scanner: createNoSignatureScanner('test'),
  };
});

afterEach(async () => {
  closeDatabase(db);
  await rm(dir, { recursive: true, force: true });
});

it('accepts both uploads, moves the record to CHECKING, and a duplicate event changes nothing', async () => {
  const record = recordWithKeys();
  await deps.records.create(record);
  const photoEvent = await upload(record, 'photo', photo);
  const idEvent = await upload(record, 'idCard', idCard);

  expect(await scanUpload(photoEvent, deps)).toMatchObject({ kind: 'accepted' });
  expect((await deps.records.get(APP))?.status).toBe('SCANNING');
  expect(await scanUpload(idEvent, deps)).toMatchObject({ kind: 'accepted' });
  const after = await deps.records.get(APP);
  expect(after?.status).toBe('CHECKING');
  // The photo rules' statistics are measured on the photo only.
  expect(after?.uploads.photo.stats?.sharpness).toBeGreaterThan(0);
  expect(after?.uploads.idCard.stats).toBeUndefined();
  expect(await deps.quarantine.get(photoEvent.key)).toBeNull();
  expect(await deps.clean.get(cleanKey({ applicationId: APP, slot: 'photo', uploadId: 'u0000000000000001' }))).not.toBeNull();

  expect(await scanUpload(photoEvent, deps)).toEqual({ kind: 'ignored', why: 'already-decided' });
  expect((await deps.records.get(APP))?.version).toBe(after?.version);
});

it('ignores and deletes an upload the record no longer expects (replaced by a newer grant)', async () => {
  const record = recordWithKeys();
  await deps.records.create(record);
  const stale = await upload(record, 'photo', photo);
  const newer = {
    ...record.uploads.photo,
    uploadId: 'u0000000000000009',
    key: quarantineKey({ applicationId: APP, slot: 'photo', uploadId: 'u0000000000000009' }),
  };
  await deps.records.update({ ...record, version: 2, uploads: { ...record.uploads, photo: newer } }, 1);

  expect(await scanUpload(stale, deps)).toEqual({ kind: 'ignored', why: 'stale-upload' });
  expect(await deps.quarantine.get(stale.key)).toBeNull();
  expect((await deps.records.get(APP))?.uploads.photo.state).toBe('AWAITING');
});

it('finishes the job when the process died after the decision but before the rebuilt image was written', async () => {
  const record = recordWithKeys();
  await deps.records.create(record);
  const photoEvent = await upload(record, 'photo', photo);
  // The first attempt decides, then "crashes" when writing the rebuilt image.
  const failingClean: ObjectStore = {
    ...deps.clean,
    bucket: deps.clean.bucket,
    put: () => Promise.reject(new Error('disk full')),
  };
  await expect(scanUpload(photoEvent, { ...deps, clean: failingClean })).rejects.toThrow('disk full');
  expect((await deps.records.get(APP))?.uploads.photo.state).toBe('CLEAN');
  expect(await deps.quarantine.get(photoEvent.key)).not.toBeNull();

  // The retried event writes the rebuilt image and deletes the original, without a second decision.
  const version = (await deps.records.get(APP))?.version;
  expect(await scanUpload(photoEvent, deps)).toMatchObject({ kind: 'accepted' });
  expect(await deps.clean.get(cleanKey({ applicationId: APP, slot: 'photo', uploadId: 'u0000000000000001' }))).not.toBeNull();
  expect(await deps.quarantine.get(photoEvent.key)).toBeNull();
  expect((await deps.records.get(APP))?.version).toBe(version);
});

it('after release, a late duplicate only deletes a leftover original', async () => {
  const record = recordWithKeys();
  const cleanSlot = (s: 'photo' | 'idCard') => ({ ...record.uploads[s], state: 'CLEAN' as const });
  let r: ApplicationRecord = {
    ...record,
    status: 'CHECKING',
    uploads: { photo: cleanSlot('photo'), idCard: cleanSlot('idCard') },
  };
  await deps.records.create(r);
  r = withStatus(r, 'VETTED', deps.clock.now());
  await deps.records.update(r, 1);
  await deps.records.update(withStatus(r, 'RELEASED', deps.clock.now(), { application: null }), 2);
  const leftover = await upload(record, 'photo', photo);

  expect(await scanUpload(leftover, deps)).toEqual({ kind: 'ignored', why: 'already-decided' });
  expect(await deps.quarantine.get(leftover.key)).toBeNull();
  expect(await deps.clean.get(cleanKey({ applicationId: APP, slot: 'photo', uploadId: 'u0000000000000001' }))).toBeNull();
});

it('rejects a file that is not an image, with its reason on the record', async () => {
  const record = recordWithKeys();
  await deps.records.create(record);
  const event = await upload(record, 'idCard', Buffer.from('%PDF-1.7 not an image at all, just a document'));
  expect(await scanUpload(event, deps)).toMatchObject({ kind: 'rejected', code: 'type-not-allowed' });
  expect(await deps.records.get(APP)).toMatchObject({ status: 'REJECTED', statusReason: 'idCard:type-not-allowed' });
  expect(await deps.quarantine.get(event.key)).toBeNull();
});

it('scans only the version the event names: an upload replaced under the same key is never promoted', async () => {
  const record = recordWithKeys();
  await deps.records.create(record);
  const first = await upload(record, 'photo', Buffer.from('%PDF-1.7 first version is not an image, but it was replaced'));
  const second = await upload(record, 'photo', photo);

  expect(await scanUpload(first, deps)).toEqual({ kind: 'ignored', why: 'superseded' });
  expect((await deps.records.get(APP))?.uploads.photo.state).toBe('AWAITING');
  expect(await scanUpload(second, deps)).toMatchObject({ kind: 'accepted' });
});

it('a grant used again after the decision never swaps the checked image', async () => {
  const record = recordWithKeys();
  await deps.records.create(record);
  const first = await upload(record, 'photo', photo);
  expect(await scanUpload(first, deps)).toMatchObject({ kind: 'accepted' });
  const ref = { applicationId: APP, slot: 'photo' as const, uploadId: 'u0000000000000001' };
  const decided = (await deps.clean.get(cleanKey(ref)))?.body;
  const version = (await deps.records.get(APP))?.version;

  const second = await upload(record, 'photo', idCard);
  expect(await scanUpload(second, deps)).toEqual({ kind: 'ignored', why: 'superseded' });
  expect(Buffer.from((await deps.clean.get(cleanKey(ref)))?.body ?? []).equals(Buffer.from(decided ?? []))).toBe(true);
  expect((await deps.records.get(APP))?.version).toBe(version);
  expect(await deps.quarantine.get(second.key)).toBeNull();
});

it('writes the rebuilt image on retry even when the record moved to REJECTED meanwhile', async () => {
  const base = recordWithKeys();
  const record = {
    ...base,
    status: 'REJECTED' as const,
    uploads: { ...base.uploads, idCard: { ...base.uploads.idCard, state: 'REJECTED' as const, reason: 'type-not-allowed' } },
  };
  await deps.records.create(record);
  const event = await upload(record, 'photo', photo);
  const failingClean: ObjectStore = { ...deps.clean, bucket: deps.clean.bucket, put: () => Promise.reject(new Error('S3 503')) };
  await expect(scanUpload(event, { ...deps, clean: failingClean })).rejects.toThrow('S3 503');
  expect(await deps.records.get(APP)).toMatchObject({ status: 'REJECTED', uploads: { photo: { state: 'CLEAN' } } });

  expect(await scanUpload(event, deps)).toMatchObject({ kind: 'accepted' });
  expect(await deps.clean.get(cleanKey({ applicationId: APP, slot: 'photo', uploadId: 'u0000000000000001' }))).not.toBeNull();
  expect(await deps.quarantine.get(event.key)).toBeNull();
});
