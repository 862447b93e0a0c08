/** Applications whose uploads never completed expire: status EXPIRED, personal data and objects gone. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createFsObjectStore } from '../../functions/adapters/local/fs-object-store';
import { closeDatabase, openDatabase } from '../../functions/adapters/local/sqlite-database';
import { createSqliteRecordStore } from '../../functions/adapters/local/sqlite-record-store';
import { createManualClock } from '../../functions/adapters/local/system-clock';
import { DEFAULT_RETENTION } from '../../functions/core/retention';
import { expireApplications } from '../../functions/expire-applications/expire-applications';
import { sampleRecord } from '../adapters/contracts/record-store.contract';

const HOUR = 60 * 60 * 1000;

it('expires applications past the upload window, and only those', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'expire-'));
  const db = openDatabase(':memory:');
  const clock = createManualClock(new Date('2026-11-01T00:00:00Z'));
  const records = createSqliteRecordStore(db, { clock });
  const quarantine = createFsObjectStore(dir, 'quarantine', clock);
  const clean = createFsObjectStore(dir, 'clean', clock);
  try {
    const stale = sampleRecord('P0000000000A1', clock.now());
    await records.create(stale);
    await quarantine.put(stale.uploads.photo.key, Buffer.from('x'), {
      contentType: 'image/jpeg',
      expiresAt: new Date(stale.expiresAt),
    });
    clock.advance(2 * 24 * HOUR);
    const fresh = sampleRecord('P0000000000A2', clock.now());
    await records.create(fresh);
    clock.advance(1.5 * 24 * HOUR); // stale: 3.5 days old, fresh: 1.5 days

    const deps = { records, quarantine, clean, clock, retention: DEFAULT_RETENTION };
    expect(await expireApplications(deps)).toBe(1);
    const expired = await records.get(stale.applicationId);
    expect(expired).toMatchObject({ status: 'EXPIRED', application: null, statusReason: 'uploads-not-completed' });
    expect(await quarantine.get(stale.uploads.photo.key)).toBeNull();
    expect((await records.get(fresh.applicationId))?.status).toBe('AWAITING_UPLOADS');
    // Running again changes nothing (idempotent).
    expect(await expireApplications(deps)).toBe(0);
  } finally {
    closeDatabase(db);
    await rm(dir, { recursive: true, force: true });
  }
});
