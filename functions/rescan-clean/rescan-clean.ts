/**
 * Use case: rescan the rebuilt images that are not released yet, after a signature update.
 *
 * Primary course: for each status in which a record still holds rebuilt images in the clean
 * bucket (SCANNING, CHECKING, VETTED, RETAKE_REQUESTED, REJECTED), list the records; for each
 * CLEAN slot, read its `cleanKey` object and scan it with the (updated) signature scanner.
 *
 * - clean: nothing changes.
 * - hit: the incident is reported (hash, size, signature name; never the bytes), the slot
 *   becomes REJECTED with reason `signature-hit` and the record REJECTED (a conditional write,
 *   retried on concurrent changes), then the clean object is deleted. The applicant sees "not
 *   accepted" (get-status never discloses signature hits) and may upload another file.
 * - scanner error (a throw, or a `not-run` verdict): reported and counted; the record and the
 *   object are left as they are, for the next rescan. An error never counts as clean.
 *
 * A VETTED record that is hit moves to REJECTED too, so it is never released (the release
 * function re-reads the record and only releases VETTED ones); a record already released is out
 * of reach (the office holds it) and is not listed.
 *
 * A hit whose record write succeeded but whose delete failed (a crash in between) leaves the
 * slot REJECTED with reason `signature-hit` and its `cleanKey`: the next rescan deletes the
 * leftover object.
 */
import { createHash } from 'node:crypto';
import {
  type Clock,
  ConditionFailedError,
  type MalwareScanner,
  type MalwareScanResult,
  type ObjectStore,
  type RecordStore,
} from '../core/ports';
import {
  type ApplicationRecord,
  type RecordStatus,
  UPLOAD_SLOTS,
  type UploadSlotName,
  withSlot,
  withStatus,
} from '../core/record';

/** Statuses in which a record may still hold rebuilt images that are not released. */
export const RESCAN_STATUSES: readonly RecordStatus[] = ['SCANNING', 'CHECKING', 'VETTED', 'RETAKE_REQUESTED', 'REJECTED'];

/** Statuses from which a hit moves the record to REJECTED (REJECTED → REJECTED is a same-status write). */
const REJECTABLE: ReadonlySet<RecordStatus> = new Set(RESCAN_STATUSES);

export const SIGNATURE_HIT = 'signature-hit';

export interface RescanIncident {
  readonly applicationId: string;
  readonly slot: UploadSlotName;
  readonly sha256: string;
  readonly size: number;
  readonly signature: string;
  /** The record's status when the hit was found. */
  readonly status: RecordStatus;
  /**
   * - `rejected`: slot and record are REJECTED, the object deleted;
   * - `not-blocked`: the record could not be written (reported as an error; act on the incident);
   * - `superseded`: the slot moved on (another upload, or a status this use case does not
   *   touch) before the decision was written; the object was deleted when the slot no longer uses it.
   */
  readonly action: 'rejected' | 'not-blocked' | 'superseded';
}

export interface RescanError {
  readonly applicationId: string;
  readonly slot: UploadSlotName;
  /** Technical detail (scanner reply, store error): never image content. */
  readonly detail: string;
}

export interface RescanCleanDeps {
  readonly records: RecordStore;
  readonly clean: ObjectStore;
  readonly scanner: MalwareScanner;
  readonly clock: Clock;
  /** Called on every hit: the incident keeps the hash, size and signature name, never the bytes. */
  readonly onIncident?: (incident: RescanIncident) => void;
  /** Called on every scanner or store failure; the record is left for the next rescan. */
  readonly onError?: (error: RescanError) => void;
}

export interface RescanCleanOptions {
  /** Records read per `listByStatus` call (the limit doubles until a status is exhausted). Default 100. */
  readonly pageSize?: number;
  /** Attempts of one conditional write before it counts as an error. Default 5. */
  readonly maxWriteAttempts?: number;
}

export interface RescanSummary {
  /** Records listed (in one of {@link RESCAN_STATUSES}, last changed before the run started). */
  readonly records: number;
  /** Objects scanned. */
  readonly objects: number;
  readonly clean: number;
  readonly infected: number;
  /** Scanner or store failures: those records were left as they were. */
  readonly errors: number;
  /** CLEAN slots whose object was not in the clean bucket (nothing to scan). */
  readonly missing: number;
  /** Hits on records the state machine does not let this use case reject (VETTED): act on them. */
  readonly unblocked: number;
  /** Objects of earlier hits deleted now (the previous run stopped between the write and the delete). */
  readonly leftoversDeleted: number;
}

type Counters = { -readonly [K in keyof RescanSummary]: RescanSummary[K] };

export async function rescanClean(deps: RescanCleanDeps, options: RescanCleanOptions = {}): Promise<RescanSummary> {
  const pageSize = options.pageSize ?? 100;
  const maxWriteAttempts = options.maxWriteAttempts ?? 5;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError('pageSize must be a positive integer');
  if (!Number.isInteger(maxWriteAttempts) || maxWriteAttempts < 1) throw new RangeError('maxWriteAttempts must be positive');
  const counters: Counters = {
    records: 0,
    objects: 0,
    clean: 0,
    infected: 0,
    errors: 0,
    missing: 0,
    unblocked: 0,
    leftoversDeleted: 0,
  };
  // Records that change status during the run (our own rejections) are not listed twice.
  const before = deps.clock.now();
  const seen = new Set<string>();
  for (const status of RESCAN_STATUSES) {
    for await (const record of listAll(deps.records, status, before, pageSize)) {
      if (seen.has(record.applicationId)) continue;
      seen.add(record.applicationId);
      await rescanRecord(record, deps, counters, maxWriteAttempts);
    }
  }
  return { ...counters };
}

/**
 * Every record in `status` changed before `before`. `listByStatus` has no cursor and returns the
 * oldest first, so the limit doubles until a call returns fewer than asked; records already
 * yielded are skipped.
 */
async function* listAll(records: RecordStore, status: RecordStatus, before: Date, pageSize: number) {
  const yielded = new Set<string>();
  for (let limit = pageSize; ; limit *= 2) {
    const page = await records.listByStatus(status, before, limit);
    for (const record of page) {
      if (yielded.has(record.applicationId)) continue;
      yielded.add(record.applicationId);
      yield record;
    }
    if (page.length < limit) return;
  }
}

async function rescanRecord(record: ApplicationRecord, deps: RescanCleanDeps, counters: Counters, attempts: number) {
  counters.records += 1;
  for (const slot of UPLOAD_SLOTS) {
    const upload = record.uploads[slot];
    if (!upload.cleanKey) continue;
    if (upload.state === 'REJECTED' && upload.reason === SIGNATURE_HIT) {
      await deleteLeftover(record.applicationId, slot, upload.cleanKey, deps, counters);
      continue;
    }
    if (upload.state !== 'CLEAN') continue;
    await rescanSlot(record, slot, upload.cleanKey, deps, counters, attempts);
  }
}

async function deleteLeftover(
  applicationId: string,
  slot: UploadSlotName,
  key: string,
  deps: RescanCleanDeps,
  counters: Counters,
) {
  try {
    if (!(await deps.clean.get(key))) return;
    await deps.clean.delete(key);
    counters.leftoversDeleted += 1;
  } catch (err) {
    reportError(deps, counters, { applicationId, slot, detail: `leftover delete failed: ${message(err)}` });
  }
}

async function rescanSlot(
  record: ApplicationRecord,
  slot: UploadSlotName,
  key: string,
  deps: RescanCleanDeps,
  counters: Counters,
  attempts: number,
) {
  const applicationId = record.applicationId;
  let body: Uint8Array;
  try {
    const object = await deps.clean.get(key);
    if (!object) {
      counters.missing += 1;
      return;
    }
    body = object.body;
  } catch (err) {
    reportError(deps, counters, { applicationId, slot, detail: `read failed: ${message(err)}` });
    return;
  }

  counters.objects += 1;
  let result: MalwareScanResult;
  try {
    result = await deps.scanner.scan(body);
  } catch (err) {
    reportError(deps, counters, { applicationId, slot, detail: `scanner error: ${message(err)}` });
    return;
  }
  if (result.verdict === 'not-run') {
    reportError(deps, counters, { applicationId, slot, detail: `scanner did not run: ${result.reason}` });
    return;
  }
  if (result.verdict === 'clean') {
    counters.clean += 1;
    return;
  }

  counters.infected += 1;
  const sha256 = createHash('sha256').update(body).digest('hex');
  let action: RescanIncident['action'];
  let status: RecordStatus = record.status;
  try {
    ({ action, status } = await rejectSlot(record, slot, key, deps, attempts));
  } catch (err) {
    deps.onIncident?.({
      applicationId,
      slot,
      sha256,
      size: body.length,
      signature: result.signature,
      status,
      action: 'not-blocked',
    });
    counters.unblocked += 1;
    reportError(deps, counters, { applicationId, slot, detail: `reject failed: ${message(err)}` });
    return;
  }
  deps.onIncident?.({ applicationId, slot, sha256, size: body.length, signature: result.signature, status, action });
  if (action === 'not-blocked') {
    counters.unblocked += 1;
    return;
  }
  try {
    await deps.clean.delete(key);
  } catch (err) {
    // The slot is REJECTED with its cleanKey kept: the next rescan deletes the leftover.
    reportError(deps, counters, { applicationId, slot, detail: `delete failed: ${message(err)}` });
  }
}

/** Writes the hit to the record; re-reads and retries on a concurrent change. */
async function rejectSlot(
  first: ApplicationRecord,
  slot: UploadSlotName,
  key: string,
  deps: RescanCleanDeps,
  attempts: number,
): Promise<{ action: RescanIncident['action']; status: RecordStatus }> {
  let record: ApplicationRecord | null = first;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (attempt > 0) record = await deps.records.get(first.applicationId);
    if (!record) return { action: 'superseded', status: first.status };
    const upload = record.uploads[slot];
    if (upload.cleanKey !== key || upload.state !== 'CLEAN') {
      // Another upload replaced this one, or it was already rejected: this object is not used any more.
      return { action: 'superseded', status: record.status };
    }
    if (!REJECTABLE.has(record.status)) return { action: 'not-blocked', status: record.status };

    const now = deps.clock.now();
    const uploads = withSlot(record, slot, { ...upload, state: 'REJECTED', reason: SIGNATURE_HIT, updatedAt: now.toISOString() });
    const next = withStatus(record, 'REJECTED', now, { uploads, statusReason: `${slot}:${SIGNATURE_HIT}` });
    try {
      await deps.records.update(next, record.version);
      return { action: 'rejected', status: record.status };
    } catch (err) {
      if (!(err instanceof ConditionFailedError)) throw err;
    }
  }
  throw new ConditionFailedError('the record kept changing while the rescan decision was written');
}

function reportError(deps: RescanCleanDeps, counters: Counters, error: RescanError): void {
  counters.errors += 1;
  deps.onError?.(error);
}

function message(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 200);
}
