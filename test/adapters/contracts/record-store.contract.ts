/**
 * The RecordStore contract (the staging table). Run against the local SQLite store and the
 * DynamoDB one.
 */
import { ConditionFailedError, type RecordStore } from '../../../functions/core/ports';
import type { ApplicationRecord } from '../../../functions/core/record';
import { withStatus } from '../../../functions/core/record';

/** What a change-stream reader sees, reduced to what every adapter can report. */
export interface ObservedChange {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly applicationId: string;
  readonly oldVersion: number | null;
  readonly newVersion: number | null;
}

export interface RecordStoreFixture {
  readonly store: RecordStore;
  /** Moves the store's clock forward. */
  advance(ms: number): void;
  now(): Date;
  /** Changes written since the fixture was made, oldest first (omit when the adapter has no stream to read). */
  readChanges?(): Promise<ObservedChange[]>;
  cleanup(): Promise<void>;
}

const DAY = 24 * 3600 * 1000;

export function sampleRecord(applicationId: string, at: Date, overrides: Partial<ApplicationRecord> = {}): ApplicationRecord {
  const iso = at.toISOString();
  const slot = (name: string) => ({
    uploadId: `u${name}0000000000000`,
    key: `quarantine/${applicationId}/${name}`,
    state: 'AWAITING' as const,
    grantsIssued: 0,
    updatedAt: iso,
  });
  return {
    applicationId,
    tokenHash: 'a'.repeat(64),
    version: 1,
    status: 'AWAITING_UPLOADS',
    createdAt: iso,
    updatedAt: iso,
    statusChangedAt: iso,
    expiresAt: new Date(at.getTime() + 7 * DAY).toISOString(),
    application: {
      applicationType: 'FIRST',
      applicant: {
        nationalId: 'A123456789',
        chineseName: '王小明',
        romanizedSurname: 'WANG',
        romanizedGivenNames: 'HSIAO-MING',
        sex: 'M',
        dateOfBirth: '1990-01-01',
        placeOfBirth: '臺北市',
        phone: '0912345678',
        email: 'someone@example.com',
      },
      submitter: { kind: 'SELF' },
      declaration: { truthful: true, consentToProcessing: true },
    },
    summary: { applicationType: 'FIRST', fee: 1300, minor: false, submittedByAgency: false },
    uploads: { photo: slot('photo'), idCard: slot('idcard') },
    findings: [],
    verdict: null,
    ...overrides,
  };
}

export function recordStoreContract(name: string, makeStore: () => Promise<RecordStoreFixture>): void {
  describe(`RecordStore contract: ${name}`, () => {
    let f: RecordStoreFixture;
    beforeEach(async () => {
      f = await makeStore();
    });
    afterEach(async () => {
      await f.cleanup();
    });

    it('creates and reads back a record unchanged', async () => {
      const r = sampleRecord('P0000000000A1', f.now());
      await f.store.create(r);
      expect(await f.store.get(r.applicationId)).toEqual(r);
      expect(await f.store.get('P0000000000ZZ')).toBeNull();
    });

    it('refuses to create a record whose id exists', async () => {
      const r = sampleRecord('P0000000000A2', f.now());
      await f.store.create(r);
      await expect(f.store.create({ ...r, tokenHash: 'b'.repeat(64) })).rejects.toBeInstanceOf(ConditionFailedError);
      expect((await f.store.get(r.applicationId))?.tokenHash).toBe('a'.repeat(64));
    });

    it('updates conditionally on the expected version', async () => {
      const r = sampleRecord('P0000000000A3', f.now());
      await f.store.create(r);
      const next = withStatus(r, 'SCANNING', f.now());
      await f.store.update(next, 1);
      expect(await f.store.get(r.applicationId)).toEqual(next);
      await expect(f.store.update(withStatus(r, 'SCANNING', f.now()), 1)).rejects.toBeInstanceOf(ConditionFailedError);
    });

    it('lets exactly one of two updates from the same version win', async () => {
      const r = sampleRecord('P0000000000A4', f.now());
      await f.store.create(r);
      const a = withStatus(r, 'SCANNING', f.now(), { statusReason: 'a' });
      const b = withStatus(r, 'REJECTED', f.now(), { statusReason: 'b' });
      const results = await Promise.allSettled([f.store.update(a, 1), f.store.update(b, 1)]);
      const won = results.filter((x) => x.status === 'fulfilled');
      const lost = results.filter((x) => x.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConditionFailedError);
      const stored = await f.store.get(r.applicationId);
      expect(stored?.version).toBe(2);
      expect([a, b]).toContainEqual(stored);
    });

    it('refuses an update that does not advance the version by one', async () => {
      const r = sampleRecord('P0000000000A5', f.now());
      await f.store.create(r);
      await expect(f.store.update({ ...r, version: 3 }, 1)).rejects.toBeInstanceOf(ConditionFailedError);
      await expect(f.store.update({ ...r, version: 1 }, 1)).rejects.toBeInstanceOf(ConditionFailedError);
      expect((await f.store.get(r.applicationId))?.version).toBe(1);
    });

    it('refuses to update a record that does not exist', async () => {
      const r = sampleRecord('P0000000000A6', f.now());
      await expect(f.store.update(withStatus(r, 'SCANNING', f.now()), 1)).rejects.toBeInstanceOf(ConditionFailedError);
      expect(await f.store.get(r.applicationId)).toBeNull();
    });

    it('deletes idempotently', async () => {
      const r = sampleRecord('P0000000000A7', f.now());
      await f.store.create(r);
      await f.store.delete(r.applicationId);
      await f.store.delete(r.applicationId);
      expect(await f.store.get(r.applicationId)).toBeNull();
    });

    it('lists records by status changed before a time, oldest first, up to a limit', async () => {
      const t0 = f.now();
      await f.store.create(sampleRecord('P0000000000B1', t0));
      f.advance(1000);
      await f.store.create(sampleRecord('P0000000000B2', f.now()));
      f.advance(1000);
      await f.store.create(sampleRecord('P0000000000B3', f.now(), { status: 'SCANNING' }));
      f.advance(1000);
      await f.store.create(sampleRecord('P0000000000B4', f.now()));
      const listed = await f.store.listByStatus('AWAITING_UPLOADS', new Date(t0.getTime() + 2500), 10);
      expect(listed.map((r) => r.applicationId)).toEqual(['P0000000000B1', 'P0000000000B2']);
      expect(await f.store.listByStatus('AWAITING_UPLOADS', f.now(), 1)).toHaveLength(1);
      expect(await f.store.listByStatus('VETTED', f.now(), 10)).toEqual([]);
    });

    it('treats a record past its deletion date as absent', async () => {
      const r = sampleRecord('P0000000000C1', f.now(), { expiresAt: new Date(f.now().getTime() + 60_000).toISOString() });
      await f.store.create(r);
      f.advance(61_000);
      expect(await f.store.get(r.applicationId)).toBeNull();
      expect(await f.store.listByStatus('AWAITING_UPLOADS', f.now(), 10)).toEqual([]);
      await expect(f.store.update(withStatus(r, 'SCANNING', f.now()), 1)).rejects.toBeInstanceOf(ConditionFailedError);
    });

    it('reports every write on the change stream with old and new images', async () => {
      if (!f.readChanges) return;
      const r = sampleRecord('P0000000000D1', f.now());
      await f.store.create(r);
      await f.store.update(withStatus(r, 'SCANNING', f.now()), 1);
      await expect(f.store.update(withStatus(r, 'REJECTED', f.now()), 1)).rejects.toBeInstanceOf(ConditionFailedError);
      await f.store.delete(r.applicationId);
      await f.store.delete(r.applicationId);
      expect(await f.readChanges()).toEqual([
        { eventName: 'INSERT', applicationId: r.applicationId, oldVersion: null, newVersion: 1 },
        { eventName: 'MODIFY', applicationId: r.applicationId, oldVersion: 1, newVersion: 2 },
        { eventName: 'REMOVE', applicationId: r.applicationId, oldVersion: 2, newVersion: null },
      ]);
    });
  });
}
