/**
 * The rescan after a signature update, with the embedded adapters (in-memory SQLite, fs buckets):
 * a rebuilt image that the updated signatures now detect is an incident, its record is rejected
 * and the object deleted; clean images, scanner errors and released records are left alone.
 * One case runs against a real clamd with the project signatures (EICAR built from base64 at run
 * time; the suite FAILS when clamd is missing).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { findClamd, type RunningClamd, startClamd } from '../../functions/adapters/clamav/clamd-process';
import { createClamdScanner } from '../../functions/adapters/clamav/clamd-scanner';
import { createFsObjectStore, type FsObjectStore } from '../../functions/adapters/local/fs-object-store';
import { closeDatabase, openDatabase, type SqliteDatabase } from '../../functions/adapters/local/sqlite-database';
import { createSqliteRecordStore } from '../../functions/adapters/local/sqlite-record-store';
import { createManualClock, type ManualClock } from '../../functions/adapters/local/system-clock';
import { ConditionFailedError, type MalwareScanner, type RecordStore } from '../../functions/core/ports';
import type { ApplicationRecord, RecordStatus, UploadSlot, UploadSlotName } from '../../functions/core/record';
import {
  type RescanError,
  type RescanIncident,
  type RescanSummary,
  rescanClean,
} from '../../functions/rescan-clean/rescan-clean';
import { cleanKey, quarantineKey } from '../../functions/shared/object-keys';
import { sampleRecord } from '../adapters/contracts/record-store.contract';

const SIGNATURES_DIR = path.resolve(__dirname, '../../clamav/signatures');
const EICAR = Buffer.from(
  'WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FSLVNUQU5EQVJELUFOVElWSVJVUy1URVNULUZJTEUhJEgrSCo=',
  'base64',
);
const HIT = Buffer.from('FAKE-SIGNATURE-NOW-DETECTED', 'latin1');
const BREAKS = Buffer.from('FAKE-SCANNER-BREAKS-ON-THIS', 'latin1');

let dir: string;
let db: SqliteDatabase;
let clock: ManualClock;
let records: RecordStore;
let clean: FsObjectStore;
let jpeg: Buffer;
let incidents: RescanIncident[];
let errors: RescanError[];
let scanned: number;

/** Flags bytes that contain HIT, throws on bytes that contain BREAKS. */
const fakeScanner: MalwareScanner = {
  async scan(bytes) {
    scanned += 1;
    const buf = Buffer.from(bytes);
    if (buf.includes(BREAKS)) throw new Error('clamd connection failed: ECONNRESET');
    if (buf.includes(HIT)) return { verdict: 'infected', engine: 'fake', signature: 'Fake.Updated.Signature' };
    return { verdict: 'clean', engine: 'fake' };
  },
};

/** A unique small JPEG; with `payload`, carried in a COM segment (what an updated signature might now see). */
function image(payload?: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(randomBytes(8).toString('hex'), 'latin1'), payload ?? Buffer.alloc(0)]);
  const com = Buffer.from([0xff, 0xfe, 0, 0]);
  com.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), com, body, jpeg.subarray(2)]);
}

let counter = 0;

/**
 * Stores a record in `status` whose slots are CLEAN with rebuilt images in the clean bucket
 * (or in the state given), and moves the clock on so `listByStatus` sees it.
 */
async function seed(
  status: RecordStatus,
  images: Partial<Record<UploadSlotName, Buffer>>,
  slotState: Partial<Record<UploadSlotName, Partial<UploadSlot>>> = {},
): Promise<ApplicationRecord> {
  counter += 1;
  const applicationId = `P${String(counter).padStart(12, '0')}`;
  const base = sampleRecord(applicationId, clock.now(), { status });
  const slot = (name: UploadSlotName): UploadSlot => {
    const uploadId = `u${name === 'photo' ? 1 : 2}${String(counter).padStart(15, '0')}`;
    const ref = { applicationId, slot: name, uploadId };
    return {
      ...base.uploads[name],
      uploadId,
      key: quarantineKey(ref),
      state: 'CLEAN',
      cleanKey: cleanKey(ref),
      width: 96,
      height: 128,
      signatureScan: 'clean',
      ...slotState[name],
    };
  };
  const record: ApplicationRecord = {
    ...base,
    ...(status === 'RELEASED' ? { application: null, releasedAt: clock.now().toISOString() } : {}),
    uploads: { photo: slot('photo'), idCard: slot('idCard') },
  };
  await records.create(record);
  for (const name of ['photo', 'idCard'] as const) {
    const bytes = images[name];
    const key = record.uploads[name].cleanKey;
    if (bytes && key) await clean.put(key, bytes, { contentType: 'image/jpeg', expiresAt: new Date(record.expiresAt) });
  }
  clock.advance(60_000);
  return record;
}

const objectOf = (record: ApplicationRecord, slot: UploadSlotName) => clean.get(record.uploads[slot].cleanKey ?? '');

function run(scanner: MalwareScanner = fakeScanner, store: RecordStore = records, pageSize?: number): Promise<RescanSummary> {
  return rescanClean(
    { records: store, clean, scanner, clock, onIncident: (i) => incidents.push(i), onError: (e) => errors.push(e) },
    pageSize ? { pageSize } : {},
  );
}

beforeAll(async () => {
  jpeg = await sharp({ create: { width: 96, height: 128, channels: 3, background: '#808080' } })
    .jpeg()
    .toBuffer();
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rescan-clean-'));
  db = openDatabase(':memory:');
  clock = createManualClock(new Date('2026-11-01T00:00:00Z'));
  records = createSqliteRecordStore(db, { clock });
  clean = createFsObjectStore(dir, 'clean', clock);
  incidents = [];
  errors = [];
  scanned = 0;
});

afterEach(async () => {
  closeDatabase(db);
  await rm(dir, { recursive: true, force: true });
});

describe('rescanClean with a scanner that now detects a signature', () => {
  it('rejects a CHECKING record whose rebuilt photo is hit, deletes that object, and reports the incident', async () => {
    const photo = image(HIT);
    const record = await seed('CHECKING', { photo, idCard: image() });

    const summary = await run();

    expect(summary).toMatchObject({ records: 1, objects: 2, clean: 1, infected: 1, errors: 0, unblocked: 0 });
    const after = await records.get(record.applicationId);
    expect(after).toMatchObject({ status: 'REJECTED', statusReason: 'photo:signature-hit', version: record.version + 1 });
    expect(after?.uploads.photo).toMatchObject({ state: 'REJECTED', reason: 'signature-hit' });
    expect(after?.uploads.idCard.state).toBe('CLEAN');
    expect(await objectOf(record, 'photo')).toBeNull();
    expect(await objectOf(record, 'idCard')).not.toBeNull();
    expect(incidents).toEqual([
      {
        applicationId: record.applicationId,
        slot: 'photo',
        sha256: createHash('sha256').update(photo).digest('hex'),
        size: photo.length,
        signature: 'Fake.Updated.Signature',
        status: 'CHECKING',
        action: 'rejected',
      },
    ]);
  });

  it('leaves a clean record untouched', async () => {
    const record = await seed('CHECKING', { photo: image(), idCard: image() });
    expect(await run()).toMatchObject({ records: 1, objects: 2, clean: 2, infected: 0, errors: 0 });
    expect(await records.get(record.applicationId)).toEqual(record);
    expect(await objectOf(record, 'photo')).not.toBeNull();
    expect(incidents).toEqual([]);
  });

  it('fails closed on a scanner error: the record stays as it was, and the next rescan decides', async () => {
    const record = await seed('CHECKING', { photo: image(Buffer.concat([HIT, BREAKS])), idCard: image() });

    expect(await run()).toMatchObject({ objects: 2, clean: 1, infected: 0, errors: 1 });
    expect(errors).toEqual([
      { applicationId: record.applicationId, slot: 'photo', detail: expect.stringMatching(/^scanner error/) },
    ]);
    expect(await records.get(record.applicationId)).toEqual(record);
    expect(await objectOf(record, 'photo')).not.toBeNull();

    // The scanner works again (clamd restarted): the same object is now scanned and hit.
    const repaired: MalwareScanner = {
      scan(bytes) {
        const buf = Buffer.from(bytes);
        const at = buf.indexOf(BREAKS);
        return fakeScanner.scan(at < 0 ? buf : Buffer.concat([buf.subarray(0, at), buf.subarray(at + BREAKS.length)]));
      },
    };
    const next = await run(repaired);
    expect(next).toMatchObject({ infected: 1, errors: 0 });
    expect((await records.get(record.applicationId))?.status).toBe('REJECTED');
  });

  it('treats a `not-run` verdict as an error, never as clean', async () => {
    const record = await seed('CHECKING', { photo: image(), idCard: image() });
    const summary = await run({ scan: async () => ({ verdict: 'not-run', engine: 'none', reason: 'no clamd' }) });
    expect(summary).toMatchObject({ objects: 2, clean: 0, infected: 0, errors: 2 });
    expect(await records.get(record.applicationId)).toEqual(record);
  });

  it('does not touch a RELEASED record', async () => {
    const record = await seed('RELEASED', { photo: image(HIT), idCard: image(HIT) });
    expect(await run()).toMatchObject({ records: 0, objects: 0, infected: 0 });
    expect(scanned).toBe(0);
    expect(await records.get(record.applicationId)).toEqual(record);
    expect(await objectOf(record, 'photo')).not.toBeNull();
  });

  it.each(['VETTED', 'RETAKE_REQUESTED'] as const)(
    'rejects a %s record whose held image is now a hit (a vetted record is never released)',
    async (status) => {
      const record = await seed(status, { photo: image(), idCard: image(HIT) });
      expect(await run()).toMatchObject({ records: 1, objects: 2, infected: 1, unblocked: 0, errors: 0 });
      const after = await records.get(record.applicationId);
      expect(after).toMatchObject({ status: 'REJECTED', statusReason: 'idCard:signature-hit' });
      expect(after?.uploads.idCard).toMatchObject({ state: 'REJECTED', reason: 'signature-hit' });
      expect(await objectOf(record, 'idCard')).toBeNull();
      expect(incidents).toEqual([expect.objectContaining({ slot: 'idCard', status, action: 'rejected' })]);
    },
  );

  it('on a REJECTED record rejects the remaining clean slot too, and on SCANNING moves the record to REJECTED', async () => {
    const rejected = await seed(
      'REJECTED',
      { photo: image(HIT) },
      { idCard: { state: 'REJECTED', reason: 'undecodable', cleanKey: undefined } },
    );
    const scanning = await seed('SCANNING', { photo: image(HIT) }, { idCard: { state: 'SCANNING', cleanKey: undefined } });
    expect(await run()).toMatchObject({ records: 2, objects: 2, infected: 2, errors: 0 });
    for (const record of [rejected, scanning]) {
      const after = await records.get(record.applicationId);
      expect(after).toMatchObject({ status: 'REJECTED', statusReason: 'photo:signature-hit' });
      expect(after?.uploads.photo.state).toBe('REJECTED');
      expect(await objectOf(record, 'photo')).toBeNull();
    }
  });

  it('pages through more records than one listByStatus call returns', async () => {
    const seeded: ApplicationRecord[] = [];
    for (let i = 0; i < 7; i++) seeded.push(await seed('CHECKING', { photo: image(i === 6 ? HIT : undefined), idCard: image() }));
    expect(await run(fakeScanner, records, 2)).toMatchObject({ records: 7, objects: 14, clean: 13, infected: 1 });
    expect((await records.get(seeded[6]?.applicationId ?? ''))?.status).toBe('REJECTED');
  });

  it('retries the conditional write when the record changed meanwhile', async () => {
    const record = await seed('CHECKING', { photo: image(HIT), idCard: image() });
    let raced = false;
    const racing: RecordStore = {
      ...records,
      listByStatus: (...args) => records.listByStatus(...args),
      get: (id) => records.get(id),
      async update(next, expectedVersion) {
        if (!raced) {
          // Another writer bumps the record first (e.g. the face stage adding a finding).
          raced = true;
          const current = await records.get(next.applicationId);
          if (current)
            await records.update(
              { ...current, version: current.version + 1, updatedAt: clock.now().toISOString() },
              current.version,
            );
          throw new ConditionFailedError();
        }
        return records.update(next, expectedVersion);
      },
    };
    expect(await run(fakeScanner, racing)).toMatchObject({ infected: 1, errors: 0 });
    expect(await records.get(record.applicationId)).toMatchObject({ status: 'REJECTED', version: record.version + 2 });
    expect(await objectOf(record, 'photo')).toBeNull();
  });

  it('deletes the leftover object of an earlier hit whose delete did not happen', async () => {
    const record = await seed(
      'REJECTED',
      { photo: image(HIT) },
      {
        photo: { state: 'REJECTED', reason: 'signature-hit' },
        idCard: { state: 'REJECTED', reason: 'undecodable', cleanKey: undefined },
      },
    );
    expect(await run()).toMatchObject({ records: 1, objects: 0, leftoversDeleted: 1 });
    expect(scanned).toBe(0);
    expect(await objectOf(record, 'photo')).toBeNull();
    expect(await records.get(record.applicationId)).toEqual(record);
  });
});

describe('rescanClean with a real clamd and the project signatures', () => {
  let clamd: RunningClamd | undefined;
  let clamdDir: string;

  beforeAll(async () => {
    if (findClamd() === null) {
      throw new Error('clamd is not installed: this suite needs a real clamd (apt-get install -y clamav-daemon)');
    }
    clamdDir = await mkdtemp(path.join(os.tmpdir(), 'rescan-clamd-'));
    clamd = await startClamd({ runDir: path.join(clamdDir, 'run'), signaturesDir: SIGNATURES_DIR });
  });
  afterAll(async () => {
    await clamd?.stop();
    await rm(clamdDir, { recursive: true, force: true });
  });

  it('rejects a CHECKING record whose clean image carries EICAR, and leaves the clean one', async () => {
    if (!clamd) throw new Error('clamd did not start');
    const scanner = createClamdScanner({ socketPath: clamd.socketPath });
    const infected = await seed('CHECKING', { photo: image(EICAR), idCard: image() });
    const fine = await seed('CHECKING', { photo: image(), idCard: image() });

    expect(await run(scanner)).toMatchObject({ records: 2, objects: 4, clean: 3, infected: 1, errors: 0 });
    expect(await records.get(infected.applicationId)).toMatchObject({ status: 'REJECTED', statusReason: 'photo:signature-hit' });
    expect(await objectOf(infected, 'photo')).toBeNull();
    expect(incidents).toEqual([expect.objectContaining({ signature: expect.stringMatching(/EICAR/), action: 'rejected' })]);
    expect(await records.get(fine.applicationId)).toEqual(fine);
  });
});
