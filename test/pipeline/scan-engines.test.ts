/**
 * The GuardDuty and shadow engine modes with the embedded adapters: GuardDuty's verdict on the
 * original through `vetUpload` and the scan handler (the output still scanned by the output
 * scanner), and compare-scan-engines (agreement, disagreement both ways, undecided, stale).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { samplePassportPhoto } from '../../bin/support/sample-images';
import { createGuardDutyVerdictScanner } from '../../functions/adapters/aws/guardduty-verdict-scanner';
import { createSharpImageSanitizer } from '../../functions/adapters/image/sharp-image-sanitizer';
import { createFsObjectStore } from '../../functions/adapters/local/fs-object-store';
import { closeDatabase, openDatabase, type SqliteDatabase } from '../../functions/adapters/local/sqlite-database';
import { createSqliteRecordStore } from '../../functions/adapters/local/sqlite-record-store';
import { createManualClock } from '../../functions/adapters/local/system-clock';
import { compareScanEngines, ScanNotDecidedError } from '../../functions/compare-scan-engines/compare-scan-engines';
import { makeCompareScanEnginesHandler } from '../../functions/compare-scan-engines/handler';
import type { MalwareScanner, RecordStore } from '../../functions/core/ports';
import type { ApplicationRecord, UploadSlot } from '../../functions/core/record';
import { makeScanUploadHandler } from '../../functions/scan-upload/handler';
import type { ScanUploadDeps } from '../../functions/scan-upload/scan-upload';
import { vetUpload } from '../../functions/scan-upload/vet-upload';
import { localLambdaContext } from '../../functions/shared/lambda-context';
import { quarantineKey } from '../../functions/shared/object-keys';
import { s3NotificationBody } from '../../functions/shared/s3-events';
import { type GuardDutyScanResultStatus, parseScanQueueMessage, type ScannedObject } from '../../functions/shared/scan-events';
import { sampleRecord } from '../adapters/contracts/record-store.contract';
import { guardDutyBody, sqsEventOf } from './support/guardduty-events';

const APP = 'P0000000000G1';
const UPLOAD = 'u0000000000000001';
const KEY = quarantineKey({ applicationId: APP, slot: 'photo', uploadId: UPLOAD });

const cleanScanner: MalwareScanner = { scan: async () => ({ verdict: 'clean', engine: 'clamd' }) };
const gd = (status: GuardDutyScanResultStatus, threats: string[] = []) =>
  createGuardDutyVerdictScanner({ engine: 'guardduty', status, threats });

let photo: Uint8Array;
let dir: string;
let db: SqliteDatabase;
let records: RecordStore;
const clock = createManualClock(new Date('2026-11-01T00:00:00Z'));

beforeAll(async () => {
  photo = await samplePassportPhoto(0);
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'scan-engines-'));
  db = openDatabase(':memory:');
  records = createSqliteRecordStore(db, { clock });
});

afterEach(async () => {
  closeDatabase(db);
  await rm(dir, { recursive: true, force: true });
});

function recordWithPhoto(slot: Partial<UploadSlot> = {}): ApplicationRecord {
  const base = sampleRecord(APP, clock.now());
  return { ...base, uploads: { ...base.uploads, photo: { ...base.uploads.photo, uploadId: UPLOAD, key: KEY, ...slot } } };
}

describe('vetUpload with GuardDuty as the original scanner', () => {
  const sanitizer = createSharpImageSanitizer();

  it('NO_THREATS_FOUND → accepted, the output scanned by the output scanner', async () => {
    const scanned: number[] = [];
    const output: MalwareScanner = {
      scan: async (bytes) => {
        scanned.push(bytes.length);
        return { verdict: 'clean', engine: 'clamd' };
      },
    };
    const result = await vetUpload(photo, { sanitizer, scanner: output, originalScanner: gd('NO_THREATS_FOUND') });
    expect(result).toMatchObject({ outcome: 'accepted', signatureScan: 'clean' });
    expect(scanned).toHaveLength(1);
    expect(result.outcome === 'accepted' && scanned[0]).toBe(result.outcome === 'accepted' && result.output.length);
  });

  it('THREATS_FOUND → signature-hit with the threat name', async () => {
    expect(
      await vetUpload(photo, { sanitizer, scanner: cleanScanner, originalScanner: gd('THREATS_FOUND', ['Trojan.X']) }),
    ).toEqual({
      outcome: 'rejected',
      code: 'signature-hit',
      detail: 'signature match on the original',
      signature: 'Trojan.X',
    });
  });

  it.each(['FAILED', 'UNSUPPORTED', 'ACCESS_DENIED'] as const)('%s → scanner-error', async (status) => {
    expect(await vetUpload(photo, { sanitizer, scanner: cleanScanner, originalScanner: gd(status) })).toMatchObject({
      outcome: 'rejected',
      code: 'scanner-error',
    });
  });

  it('a clean GuardDuty verdict does not spare the output its own scan', async () => {
    const hit: MalwareScanner = { scan: async () => ({ verdict: 'infected', engine: 'clamd', signature: 'Sig.Out' }) };
    expect(await vetUpload(photo, { sanitizer, scanner: hit, originalScanner: gd('NO_THREATS_FOUND') })).toMatchObject({
      outcome: 'rejected',
      code: 'signature-hit',
      signature: 'Sig.Out',
    });
  });
});

describe('scan handler in guardduty mode', () => {
  async function wire(): Promise<ScanUploadDeps> {
    const quarantine = createFsObjectStore(dir, 'quarantine', clock);
    await records.create(recordWithPhoto());
    const { versionId } = await quarantine.put(KEY, photo, { contentType: 'image/jpeg', expiresAt: new Date('2026-11-09') });
    return {
      records,
      quarantine,
      clean: createFsObjectStore(dir, 'clean', clock),
      clock,
      sanitizer: createSharpImageSanitizer(),
      scanner: cleanScanner,
      versionId,
    } as ScanUploadDeps & { versionId: string };
  }

  it('acts on a GuardDuty result: THREATS_FOUND rejects the slot with signature-hit and reports the incident', async () => {
    const deps = await wire();
    const incidents: { signature: string }[] = [];
    const handler = makeScanUploadHandler({ ...deps, onIncident: (i) => incidents.push(i) }, { engine: 'guardduty' });
    const versionId = (deps as ScanUploadDeps & { versionId: string }).versionId;
    const event = sqsEventOf(guardDutyBody('THREATS_FOUND', [{ name: 'Trojan.X' }], { key: KEY, versionId }));
    expect(await handler(event, localLambdaContext('t'))).toEqual({ batchItemFailures: [] });
    expect((await records.get(APP))?.uploads.photo).toMatchObject({ state: 'REJECTED', reason: 'signature-hit' });
    expect(incidents.map((i) => i.signature)).toEqual(['Trojan.X']);
  });

  it('ignores an S3 notification (GuardDuty decides), and clamav mode ignores a GuardDuty result', async () => {
    const deps = await wire();
    const s3Body = s3NotificationBody({ bucket: 'q', key: KEY, size: photo.length, versionId: 'v1', eTag: 'e' }, clock.now());
    const guardduty = makeScanUploadHandler(deps, { engine: 'guardduty' });
    expect(await guardduty(sqsEventOf(s3Body), localLambdaContext('t'))).toEqual({ batchItemFailures: [] });
    const clamav = makeScanUploadHandler(deps, { engine: 'clamav' });
    const shadow = makeScanUploadHandler(deps, { engine: 'shadow' });
    for (const h of [clamav, shadow])
      expect(await h(sqsEventOf(guardDutyBody('THREATS_FOUND', [{ name: 'T' }], { key: KEY })), localLambdaContext('t'))).toEqual(
        {
          batchItemFailures: [],
        },
      );
    expect((await records.get(APP))?.uploads.photo.state).toBe('AWAITING');
  });
});

describe('compareScanEngines', () => {
  const result = (status: GuardDutyScanResultStatus, threats: string[] = [], key = KEY): ScannedObject => {
    const message = parseScanQueueMessage(
      guardDutyBody(
        status,
        threats.map((name) => ({ name })),
        { key },
      ),
    );
    if (message.kind !== 'guardduty' || !message.objects[0]) throw new Error('expected a GuardDuty result');
    return message.objects[0];
  };
  const clean: Partial<UploadSlot> = { state: 'CLEAN', signatureScan: 'clean' };
  const hit: Partial<UploadSlot> = { state: 'REJECTED', reason: 'signature-hit' };

  it.each([
    ['clean / NO_THREATS_FOUND → agreement', clean, 'NO_THREATS_FOUND', 'agreement', 'clean'],
    ['signature-hit / THREATS_FOUND → agreement', hit, 'THREATS_FOUND', 'agreement', 'signature-hit'],
    ['clean / THREATS_FOUND → disagreement', clean, 'THREATS_FOUND', 'disagreement', 'clean'],
    ['signature-hit / NO_THREATS_FOUND → disagreement', hit, 'NO_THREATS_FOUND', 'disagreement', 'signature-hit'],
  ] as const)('%s', async (_name, slot, status, kind, clamav) => {
    await records.create(recordWithPhoto(slot));
    const threats = status === 'THREATS_FOUND' ? ['Trojan.X'] : [];
    expect(await compareScanEngines(result(status, threats), { records })).toEqual({
      kind,
      ref: { applicationId: APP, slot: 'photo', uploadId: UPLOAD },
      clamav,
      guardDuty: status,
      threats,
    });
    expect((await records.get(APP))?.version).toBe(1);
  });

  it.each(['AWAITING', 'SCANNING'] as const)('ClamAV undecided (%s) → throws so the message comes back', async (state) => {
    await records.create(recordWithPhoto({ state }));
    await expect(compareScanEngines(result('NO_THREATS_FOUND'), { records })).rejects.toThrow(ScanNotDecidedError);
  });

  it('a stale upload id, an unknown record and a foreign key are ignored', async () => {
    await records.create(recordWithPhoto({ ...clean, uploadId: 'u0000000000000009' }));
    expect(await compareScanEngines(result('NO_THREATS_FOUND'), { records })).toEqual({ kind: 'ignored', why: 'stale-upload' });
    const other = quarantineKey({ applicationId: 'P0000000000G2', slot: 'photo', uploadId: UPLOAD });
    expect(await compareScanEngines(result('NO_THREATS_FOUND', [], other), { records })).toEqual({
      kind: 'ignored',
      why: 'no-record',
    });
    expect(await compareScanEngines(result('NO_THREATS_FOUND', [], 'elsewhere/x'), { records })).toEqual({
      kind: 'ignored',
      why: 'not-our-key',
    });
  });

  it('a rejection outside the signature layer is not comparable', async () => {
    await records.create(recordWithPhoto({ state: 'REJECTED', reason: 'undecodable' }));
    expect(await compareScanEngines(result('THREATS_FOUND', ['T']), { records })).toEqual({
      kind: 'ignored',
      why: 'not-comparable',
      detail: 'undecodable',
    });
  });

  it.each(['UNSUPPORTED', 'ACCESS_DENIED', 'FAILED'] as const)('GuardDuty %s → a GuardDuty failure', async (status) => {
    expect(await compareScanEngines(result(status), { records })).toMatchObject({ kind: 'guardduty-failure', guardDuty: status });
  });

  it('the handler reports an undecided upload as a batch item failure and the rest as processed', async () => {
    await records.create(recordWithPhoto({ state: 'SCANNING' }));
    const handler = makeCompareScanEnginesHandler({ records });
    const event = sqsEventOf(guardDutyBody('NO_THREATS_FOUND', null, { key: KEY }), guardDutyBody('FAILED'));
    expect(await handler(event, localLambdaContext('t'))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-0' }] });
  });
});
