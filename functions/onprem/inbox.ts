/**
 * The on-premises inbox: one folder per application, written atomically (a temporary folder
 * renamed into place), so the counter never sees half a record. A second copy of the same
 * release is a no-op.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ReleasePayload } from '../core/release-message';

export interface InboxEntry {
  readonly applicationId: string;
  readonly releaseId: string;
  readonly record: Omit<ReleasePayload, 'images'>;
}

export interface Inbox {
  /** Files the release; returns false when this release id is already filed. */
  file(payload: ReleasePayload, envelope: string): Promise<boolean>;
  list(): Promise<InboxEntry[]>;
  get(applicationId: string): Promise<InboxEntry | null>;
  image(applicationId: string, which: 'photo' | 'idCard'): Promise<Buffer | null>;
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const ID = /^P[0-9A-HJKMNP-TV-Z]{12}$/;
const IMAGE_FILES = { photo: 'photo.jpg', idCard: 'id-card.jpg' } as const;

export function createFsInbox(dir: string): Inbox {
  const folder = (applicationId: string) => {
    if (!ID.test(applicationId)) throw new Error('not an application number');
    return path.join(dir, applicationId);
  };

  async function readEntry(applicationId: string): Promise<InboxEntry | null> {
    try {
      const text = await readFile(path.join(folder(applicationId), 'record.json'), 'utf8');
      const record = JSON.parse(text) as InboxEntry['record'];
      return { applicationId, releaseId: record.releaseId, record };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  return {
    async file(payload, envelope) {
      const existing = await readEntry(payload.applicationId);
      if (existing && existing.releaseId === payload.releaseId) return false;
      await mkdir(dir, { recursive: true });
      const tmp = path.join(dir, `.tmp-${randomUUID()}`);
      await mkdir(tmp);
      const { images, ...record } = payload;
      await Promise.all([
        writeFile(path.join(tmp, 'record.json'), JSON.stringify(record, null, 2), { flush: true }),
        writeFile(path.join(tmp, IMAGE_FILES.photo), Buffer.from(images.photo.data, 'base64'), { flush: true }),
        writeFile(path.join(tmp, IMAGE_FILES.idCard), Buffer.from(images.idCard.data, 'base64'), { flush: true }),
        writeFile(path.join(tmp, 'envelope.json'), envelope, { flush: true }),
      ]);
      await syncDirectory(tmp);
      const target = folder(payload.applicationId);
      if (existing) await rm(target, { recursive: true, force: true });
      await rename(tmp, target);
      // The rename must be on disk before the caller deletes the message from the queue.
      await syncDirectory(dir);
      return true;
    },
    async list() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      const entries = await Promise.all(names.filter((n) => ID.test(n)).map(readEntry));
      return entries
        .filter((e): e is InboxEntry => e !== null)
        .sort((a, b) => b.record.releasedAt.localeCompare(a.record.releasedAt));
    },
    get: readEntry,
    async image(applicationId, which) {
      try {
        return await readFile(path.join(folder(applicationId), IMAGE_FILES[which]));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
  };
}
