/** The release use case when the record changes while the message is being built. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sampleIdCard, samplePassportPhoto } from '../../bin/support/sample-images';
import { createSharpImageSanitizer } from '../../functions/adapters/image/sharp-image-sanitizer';
import { createFsObjectStore } from '../../functions/adapters/local/fs-object-store';
import { createLocalSigner, loadOrCreateLocalSigningKey } from '../../functions/adapters/local/local-signer';
import { closeDatabase, openDatabase, type SqliteDatabase } from '../../functions/adapters/local/sqlite-database';
import { createSqliteQueue } from '../../functions/adapters/local/sqlite-queue';
import { createSqliteRecordStore } from '../../functions/adapters/local/sqlite-record-store';
import { createManualClock } from '../../functions/adapters/local/system-clock';
import type { Signer } from '../../functions/core/ports';
import { type ApplicationRecord, withStatus } from '../../functions/core/record';
import { DEFAULT_RETENTION } from '../../functions/core/retention';
import { releaseRecord } from '../../functions/release-record/release-record';
import { cleanKey, quarantineKey } from '../../functions/shared/object-keys';
import { sampleRecord } from '../adapters/contracts/record-store.contract';

const APP = 'P0000000000R1';
let dir: string;
let db: SqliteDatabase;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'release-'));
  db = openDatabase(':memory:');
});
afterEach(async () => {
  closeDatabase(db);
  await rm(dir, { recursive: true, force: true });
});

it('a record rejected by a rescan while its message was built is reported, and its images are kept', async () => {
  const clock = createManualClock(new Date('2026-11-01T00:00:00Z'));
  const records = createSqliteRecordStore(db, { clock });
  const clean = createFsObjectStore(dir, 'clean', clock);
  const releaseQueue = createSqliteQueue(db, { name: 'release', visibilityTimeoutSeconds: 30 });
  const base = sampleRecord(APP, clock.now());
  const slot = (name: 'photo' | 'idCard', uploadId: string) => {
    const ref = { applicationId: APP, slot: name, uploadId };
    return {
      uploadId,
      key: quarantineKey(ref),
      state: 'CLEAN' as const,
      cleanKey: cleanKey(ref),
      signatureScan: 'clean' as const,
      grantsIssued: 1,
      updatedAt: base.updatedAt,
    };
  };
  const vetted: ApplicationRecord = {
    ...base,
    status: 'VETTED',
    uploads: { photo: slot('photo', 'u0000000000000001'), idCard: slot('idCard', 'u0000000000000002') },
    verdict: { outcome: 'CLEAR', reasons: [], retakeChecks: [], decidedAt: base.updatedAt },
  };
  await records.create(vetted);
  const expiresAt = new Date(vetted.expiresAt);
  await clean.put(vetted.uploads.photo.cleanKey as string, await samplePassportPhoto(0), {
    contentType: 'image/jpeg',
    expiresAt,
  });
  await clean.put(vetted.uploads.idCard.cleanKey as string, await sampleIdCard(0), { contentType: 'image/jpeg', expiresAt });

  // The rescan rejects the record while the release signs its message.
  const real = createLocalSigner(await loadOrCreateLocalSigningKey(path.join(dir, 'keys')));
  const signer: Signer = {
    keyId: real.keyId,
    algorithm: real.algorithm,
    async sign(payload) {
      const current = (await records.get(APP)) as ApplicationRecord;
      await records.update(
        withStatus(current, 'REJECTED', clock.now(), { statusReason: 'idCard:signature-hit' }),
        current.version,
      );
      return real.sign(payload);
    },
  };

  const outcome = await releaseRecord(APP, {
    records,
    clean,
    sanitizer: createSharpImageSanitizer(),
    signer,
    releaseQueue,
    clock,
    retention: DEFAULT_RETENTION,
  });
  expect(outcome).toMatchObject({ kind: 'sent-but-superseded', status: 'REJECTED' });
  expect((await records.get(APP))?.status).toBe('REJECTED');
  expect(await clean.get(vetted.uploads.photo.cleanKey as string)).not.toBeNull();
  releaseQueue.close();
});
