/**
 * A bucket as a directory: `<rootDir>/<bucket>/<key>` holds the latest body and
 * `<rootDir>/<bucket>/.meta/<key>.json` a sidecar (content type, version id, deletion date,
 * MD5 and SHA-256 of the body). Writes go to a temp file in the same directory, are fsynced and
 * renamed into place; the sidecar is renamed last and is the commit point. A read waits for a
 * put of the same key in progress in this process, and checks the body against the sidecar's
 * hash, so a read that races a replace from another process retries (and at worst fails loudly)
 * instead of returning one version's bytes under another's id.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Clock, ObjectStore, StoredObject } from '../../core/ports';

/** What the runtime needs to emit an S3 `ObjectCreated:Put` event. */
export interface ObjectCreatedNotice {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly versionId: string;
  /** MD5 of the body, hex (the S3 ETag of a single-part upload, without quotes). */
  readonly etag: string;
}

export interface FsObjectStoreOptions {
  /** Called after a put is committed. A rejection reaches the caller of `put`; the object stays stored. */
  readonly onPut?: (notice: ObjectCreatedNotice) => void | Promise<void>;
}

export interface FsObjectStore extends ObjectStore {
  /** Deletes objects whose deletion date is before `now` (lifecycle expiration); returns how many. */
  purgeExpiredObjects(now: Date): Promise<number>;
}

/** Thrown for a key that could escape the bucket directory or is not a plain relative path. */
export class InvalidObjectKeyError extends Error {
  constructor(reason: string) {
    super(`invalid object key: ${reason}`);
    this.name = 'InvalidObjectKeyError';
  }
}

const META_DIR = '.meta';
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_KEY_BYTES = 1024;

interface Sidecar {
  readonly contentType: string;
  readonly versionId: string;
  readonly expiresAt: string;
  readonly createdAt: string;
  readonly size: number;
  readonly md5: string;
  readonly sha256: string;
}

/** Refuses absolute keys, `..`, backslashes, NUL and control characters, empty or dot-led segments. */
export function assertSafeObjectKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidObjectKeyError('empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw new InvalidObjectKeyError('longer than 1024 bytes');
  if (key.startsWith('/')) throw new InvalidObjectKeyError('absolute');
  if (key.includes('..')) throw new InvalidObjectKeyError('contains ..');
  if (key.includes('\\')) throw new InvalidObjectKeyError('contains a backslash');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(key)) throw new InvalidObjectKeyError('contains NUL or a control character');
  if (/^[A-Za-z]:/.test(key)) throw new InvalidObjectKeyError('starts with a drive letter');
  for (const segment of key.split('/')) {
    if (segment.length === 0) throw new InvalidObjectKeyError('has an empty segment');
    if (segment.startsWith('.')) throw new InvalidObjectKeyError('has a segment starting with a dot');
    if (Buffer.byteLength(segment, 'utf8') > 200) throw new InvalidObjectKeyError('has a segment longer than 200 bytes');
  }
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function parseSidecar(text: string): Sidecar | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const s = value as Record<string, unknown>;
  const ok =
    typeof s.contentType === 'string' &&
    typeof s.versionId === 'string' &&
    typeof s.expiresAt === 'string' &&
    Number.isFinite(Date.parse(s.expiresAt)) &&
    typeof s.createdAt === 'string' &&
    typeof s.size === 'number' &&
    typeof s.md5 === 'string' &&
    typeof s.sha256 === 'string';
  return ok ? (value as Sidecar) : null;
}

/** Writes `data` to `path` atomically: temp file in the same directory, fsync, rename, fsync the directory. */
async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  }
}

async function readIfExists(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

export function createFsObjectStore(
  rootDir: string,
  bucket: string,
  clock: Clock,
  options: FsObjectStoreOptions = {},
): FsObjectStore {
  if (!BUCKET_NAME.test(bucket)) throw new RangeError(`invalid bucket name ${JSON.stringify(bucket)}`);
  const bucketDir = resolve(rootDir, bucket);
  const metaDir = join(bucketDir, META_DIR);
  /** Puts to one key are serialized in this process, so the sidecar always describes the last body. */
  const keyLocks = new Map<string, Promise<unknown>>();

  const pathsOf = (key: string): { body: string; meta: string } => {
    assertSafeObjectKey(key);
    const body = resolve(bucketDir, key);
    const meta = resolve(metaDir, `${key}.json`);
    const inside = (root: string, p: string) => {
      const rel = relative(root, p);
      return rel.length > 0 && !rel.startsWith('..') && !rel.startsWith(sep) && !rel.startsWith('/');
    };
    if (!inside(bucketDir, body) || !inside(metaDir, meta)) throw new InvalidObjectKeyError('escapes the bucket');
    return { body, meta };
  };

  const withKeyLock = async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const previous = keyLocks.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    keyLocks.set(key, settled);
    try {
      return await run;
    } finally {
      if (keyLocks.get(key) === settled) keyLocks.delete(key);
    }
  };

  /** Removes empty directories from `dir` up to (not including) `stop`. */
  const pruneDirs = async (dir: string, stop: string): Promise<void> => {
    let current = dir;
    while (current !== stop && current.startsWith(stop + sep)) {
      try {
        await rmdir(current);
      } catch {
        return;
      }
      current = dirname(current);
    }
  };

  const removeObject = async (key: string): Promise<void> => {
    const { body, meta } = pathsOf(key);
    await rm(meta, { force: true });
    await rm(body, { force: true });
    await pruneDirs(dirname(meta), metaDir);
    await pruneDirs(dirname(body), bucketDir);
  };

  const store: FsObjectStore = {
    bucket,
    async put(key, body, meta) {
      const paths = pathsOf(key);
      if (!(meta.expiresAt instanceof Date) || !Number.isFinite(meta.expiresAt.getTime())) {
        throw new TypeError('expiresAt must be a valid date');
      }
      if (typeof meta.contentType !== 'string' || meta.contentType.length === 0) throw new TypeError('contentType is required');
      const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      const sidecar: Sidecar = {
        contentType: meta.contentType,
        versionId: randomBytes(16).toString('base64url'),
        expiresAt: meta.expiresAt.toISOString(),
        createdAt: clock.now().toISOString(),
        size: bytes.byteLength,
        md5: createHash('md5').update(bytes).digest('hex'),
        sha256: createHash('sha256').update(bytes).digest('hex'),
      };
      await withKeyLock(key, async () => {
        await writeAtomic(paths.body, bytes);
        await writeAtomic(paths.meta, JSON.stringify(sidecar));
      });
      await options.onPut?.({ bucket, key, size: sidecar.size, versionId: sidecar.versionId, etag: sidecar.md5 });
      return { versionId: sidecar.versionId };
    },

    async get(key, versionId) {
      const paths = pathsOf(key);
      for (let attempt = 0; attempt < 5; attempt++) {
        // Wait out a put of this key in progress in this process; another process's put is caught by the hash check.
        await keyLocks.get(key);
        const metaText = await readIfExists(paths.meta);
        if (metaText === null) return null;
        const sidecar = parseSidecar(metaText.toString('utf8'));
        if (!sidecar) throw new Error(`object ${bucket}/${key} has an unreadable sidecar`);
        if (Date.parse(sidecar.expiresAt) < clock.now().getTime()) return null;
        if (versionId !== undefined && versionId !== sidecar.versionId) return null;
        const bytes = await readIfExists(paths.body);
        if (bytes !== null && createHash('sha256').update(bytes).digest('hex') === sidecar.sha256) {
          const stored: StoredObject = {
            body: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
            versionId: sidecar.versionId,
            contentType: sidecar.contentType,
          };
          return stored;
        }
        // The body was replaced or removed between the two reads: look again.
        await new Promise((r) => setTimeout(r, 5 * (attempt + 1)));
      }
      throw new Error(`object ${bucket}/${key} does not match its sidecar`);
    },

    async delete(key) {
      pathsOf(key);
      await withKeyLock(key, () => removeObject(key));
    },

    async purgeExpiredObjects(now) {
      let removed = 0;
      const walk = async (dir: string): Promise<void> => {
        let entries: Dirent[];
        try {
          entries = await readdir(dir, { withFileTypes: true });
        } catch (error) {
          if (isNotFound(error)) return;
          throw error;
        }
        for (const entry of entries) {
          const full = join(dir, entry.name);
          if (entry.isDirectory()) {
            await walk(full);
            continue;
          }
          if (!entry.isFile() || !entry.name.endsWith('.json') || entry.name.startsWith('.')) continue;
          const key = relative(metaDir, full).slice(0, -'.json'.length).split(sep).join('/');
          try {
            assertSafeObjectKey(key);
          } catch {
            continue; // not a sidecar this store wrote
          }
          const expired = await withKeyLock(key, async () => {
            // Decided under the key lock, so a put that just replaced the object is not undone.
            const text = await readIfExists(full);
            if (text === null) return false;
            const sidecar = parseSidecar(text.toString('utf8'));
            // An object without a readable deletion date is removed too: nothing is kept forever.
            if (sidecar && Date.parse(sidecar.expiresAt) >= now.getTime()) return false;
            await removeObject(key);
            return true;
          });
          if (expired) removed++;
        }
      };
      await walk(metaDir);
      return removed;
    },
  };
  return store;
}
