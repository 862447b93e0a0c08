import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  closeDatabase,
  openDatabase,
  openStateDatabase,
  SCHEMA_VERSION,
  type SqliteDatabase,
} from '../../functions/adapters/local/sqlite-database';
import { createSqliteRecordChangeFeed } from '../../functions/adapters/local/sqlite-record-changes';
import { createSqliteRecordStore } from '../../functions/adapters/local/sqlite-record-store';
import { createManualClock } from '../../functions/adapters/local/system-clock';
import { withStatus } from '../../functions/core/record';
import { recordStoreContract, sampleRecord } from './contracts/record-store.contract';

function localStore(db: SqliteDatabase = openDatabase(':memory:')) {
  const clock = createManualClock(new Date('2025-03-01T00:00:00Z'));
  const store = createSqliteRecordStore(db, { clock });
  const feed = createSqliteRecordChangeFeed(db, { clock });
  return { db, clock, store, feed };
}

recordStoreContract('sqlite', async () => {
  const { db, clock, store, feed } = localStore();
  return {
    store,
    advance: (ms) => clock.advance(ms),
    now: () => clock.now(),
    readChanges: async () =>
      feed.readAfter(0, 1000).map((c) => ({
        eventName: c.eventName,
        applicationId: c.applicationId,
        oldVersion: c.oldImage?.version ?? null,
        newVersion: c.newImage?.version ?? null,
      })),
    cleanup: async () => closeDatabase(db),
  };
});

describe('sqlite record store (local specifics)', () => {
  it('writes the record and its change row in one transaction', async () => {
    const { db, clock, store, feed } = localStore();
    const r = sampleRecord('P0000000000E1', clock.now());
    await store.create(r);
    db.exec(`CREATE TRIGGER fail_changes BEFORE INSERT ON record_changes BEGIN SELECT RAISE(ABORT, 'change log down'); END`);
    await expect(store.update(withStatus(r, 'SCANNING', clock.now()), 1)).rejects.toMatchObject({
      message: expect.stringMatching(/change log down/),
    });
    await expect(store.create(sampleRecord('P0000000000E2', clock.now()))).rejects.toMatchObject({
      message: expect.stringMatching(/change log down/),
    });
    await expect(store.delete(r.applicationId)).rejects.toMatchObject({ message: expect.stringMatching(/change log down/) });
    expect((await store.get(r.applicationId))?.version).toBe(1);
    expect(await store.get('P0000000000E2')).toBeNull();
    db.exec('DROP TRIGGER fail_changes');
    expect(feed.readAfter(0, 10).map((c) => c.eventName)).toEqual(['INSERT']);
    closeDatabase(db);
  });

  it('carries full old and new images on the change feed', async () => {
    const { db, clock, store, feed } = localStore();
    const r = sampleRecord('P0000000000E3', clock.now());
    await store.create(r);
    const next = withStatus(r, 'SCANNING', clock.now());
    await store.update(next, 1);
    const [insert, modify] = feed.readAfter(0, 10);
    expect(insert).toMatchObject({ eventName: 'INSERT', oldImage: null, newImage: r, ttlRemoval: false });
    expect(modify).toMatchObject({ eventName: 'MODIFY', oldImage: r, newImage: next });
    expect(modify?.createdAt).toEqual(clock.now());
    closeDatabase(db);
  });

  it('keeps a checkpoint per consumer that only moves forward', async () => {
    const { db, clock, store, feed } = localStore();
    for (const id of ['P0000000000F1', 'P0000000000F2', 'P0000000000F3']) await store.create(sampleRecord(id, clock.now()));
    expect(feed.checkpoint('release')).toBe(0);
    const first = feed.readPending('release', 2);
    expect(first.map((c) => c.applicationId)).toEqual(['P0000000000F1', 'P0000000000F2']);
    feed.ack('release', first[1]?.seq ?? 0);
    expect(feed.readPending('release', 10).map((c) => c.applicationId)).toEqual(['P0000000000F3']);
    feed.ack('release', 1);
    expect(feed.checkpoint('release')).toBe(first[1]?.seq);
    expect(feed.checkpoint('other')).toBe(0);
    expect(feed.latestSeq()).toBe(3);
    closeDatabase(db);
  });

  it('purges expired records as DynamoDB TTL would, with a TTL REMOVE change', async () => {
    const { db, clock, store, feed } = localStore();
    const soon = new Date(clock.now().getTime() + 60_000).toISOString();
    await store.create(sampleRecord('P0000000000G1', clock.now(), { expiresAt: soon }));
    await store.create(sampleRecord('P0000000000G2', clock.now()));
    expect(store.purgeExpired(clock.now())).toBe(0);
    clock.advance(61_000);
    expect(store.purgeExpired(clock.now())).toBe(1);
    expect(db.prepare('SELECT application_id FROM records').all()).toEqual([{ application_id: 'P0000000000G2' }]);
    const last = feed.readAfter(0, 10).at(-1);
    expect(last).toMatchObject({ eventName: 'REMOVE', applicationId: 'P0000000000G1', ttlRemoval: true, newImage: null });
    closeDatabase(db);
  });

  it('lets a new record take the id of an expired one', async () => {
    const { db, clock, store } = localStore();
    const soon = new Date(clock.now().getTime() + 1000).toISOString();
    await store.create(sampleRecord('P0000000000G3', clock.now(), { expiresAt: soon }));
    clock.advance(2000);
    const fresh = sampleRecord('P0000000000G3', clock.now());
    await store.create(fresh);
    expect(await store.get('P0000000000G3')).toEqual(fresh);
    closeDatabase(db);
  });

  it('prunes old changes', async () => {
    const { db, clock, store, feed } = localStore();
    await store.create(sampleRecord('P0000000000H1', clock.now()));
    clock.advance(25 * 3600 * 1000);
    await store.create(sampleRecord('P0000000000H2', clock.now()));
    expect(feed.prune(new Date(clock.now().getTime() - 24 * 3600 * 1000))).toBe(1);
    expect(feed.readAfter(0, 10).map((c) => c.applicationId)).toEqual(['P0000000000H2']);
    closeDatabase(db);
  });

  it('refuses a corrupt stored record instead of returning it', async () => {
    const { db, clock, store } = localStore();
    await store.create(sampleRecord('P0000000000J1', clock.now()));
    db.prepare(`UPDATE records SET body = '{"applicationId":"P0000000000J1"}'`).run();
    await expect(store.get('P0000000000J1')).rejects.toThrow(/unexpected shape/);
    closeDatabase(db);
  });

  it('refuses to store a record with an unparseable date', async () => {
    const { db, clock, store } = localStore();
    await expect(store.create(sampleRecord('P0000000000J2', clock.now(), { expiresAt: 'soon' }))).rejects.toThrow(/expiresAt/);
    closeDatabase(db);
  });

  it('reopens a file database with its records and schema in place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'records-'));
    try {
      const first = localStore(openStateDatabase(dir));
      await first.store.create(sampleRecord('P0000000000K1', first.clock.now()));
      closeDatabase(first.db);
      closeDatabase(first.db);
      const again = localStore(openStateDatabase(dir));
      expect(Number(again.db.pragma('user_version', { simple: true }))).toBe(SCHEMA_VERSION);
      expect(again.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect((await again.store.get('P0000000000K1'))?.applicationId).toBe('P0000000000K1');
      closeDatabase(again.db);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
