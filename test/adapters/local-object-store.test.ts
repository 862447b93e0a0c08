import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createFsObjectStore,
  InvalidObjectKeyError,
  type ObjectCreatedNotice,
} from '../../functions/adapters/local/fs-object-store';
import { createManualClock } from '../../functions/adapters/local/system-clock';
import { objectStoreContract } from './contracts/object-store.contract';

const HOUR = 3600 * 1000;

function localStore(onPut?: (n: ObjectCreatedNotice) => void) {
  const root = mkdtempSync(join(tmpdir(), 'objects-'));
  const clock = createManualClock(new Date('2025-03-01T00:00:00Z'));
  const store = createFsObjectStore(root, 'quarantine', clock, onPut ? { onPut } : {});
  return { root, clock, store, cleanup: async () => rmSync(root, { recursive: true, force: true }) };
}

objectStoreContract('filesystem', async () => {
  const { store, clock, cleanup } = localStore();
  return { store, expiresAt: new Date(clock.now().getTime() + 24 * HOUR), cleanup };
});

describe('filesystem object store (local specifics)', () => {
  it('lays out a directory per bucket with the body and a sidecar, and no temp files left', async () => {
    const { root, clock, store, cleanup } = localStore();
    const expiresAt = new Date(clock.now().getTime() + HOUR);
    const { versionId } = await store.put('P1/photo/u1', new Uint8Array([1, 2, 3]), { contentType: 'image/jpeg', expiresAt });
    expect(readFileSync(join(root, 'quarantine', 'P1', 'photo', 'u1'))).toEqual(Buffer.from([1, 2, 3]));
    const sidecar = JSON.parse(readFileSync(join(root, 'quarantine', '.meta', 'P1', 'photo', 'u1.json'), 'utf8'));
    expect(sidecar).toMatchObject({ contentType: 'image/jpeg', versionId, expiresAt: expiresAt.toISOString(), size: 3 });
    expect(readdirSync(join(root, 'quarantine', 'P1', 'photo'))).toEqual(['u1']);
    await cleanup();
  });

  it('calls onPut with what an S3 ObjectCreated event carries', async () => {
    const notices: ObjectCreatedNotice[] = [];
    const { clock, store, cleanup } = localStore((n) => notices.push(n));
    const body = new TextEncoder().encode('photo');
    const { versionId } = await store.put('P1/photo/u2', body, {
      contentType: 'image/jpeg',
      expiresAt: new Date(clock.now().getTime() + HOUR),
    });
    expect(notices).toEqual([
      { bucket: 'quarantine', key: 'P1/photo/u2', size: 5, versionId, etag: createHash('md5').update(body).digest('hex') },
    ]);
    await cleanup();
  });

  it('treats expired objects as absent and purges them with their directories', async () => {
    const { root, clock, store, cleanup } = localStore();
    await store.put('P1/a', new Uint8Array([1]), { contentType: 'image/png', expiresAt: new Date(clock.now().getTime() + HOUR) });
    await store.put('P2/b', new Uint8Array([2]), {
      contentType: 'image/png',
      expiresAt: new Date(clock.now().getTime() + 3 * HOUR),
    });
    clock.advance(2 * HOUR);
    expect(await store.get('P1/a')).toBeNull();
    expect(await store.get('P2/b')).not.toBeNull();
    expect(await store.purgeExpiredObjects(clock.now())).toBe(1);
    expect(existsSync(join(root, 'quarantine', 'P1'))).toBe(false);
    expect(existsSync(join(root, 'quarantine', '.meta', 'P1'))).toBe(false);
    expect(await store.purgeExpiredObjects(new Date(clock.now().getTime() + 2 * HOUR))).toBe(1);
    await cleanup();
  });

  it('refuses traversal with a typed error and never touches a path outside the bucket', async () => {
    const { root, clock, store, cleanup } = localStore();
    const expiresAt = new Date(clock.now().getTime() + HOUR);
    await expect(store.put('../escape', new Uint8Array([1]), { contentType: 'image/png', expiresAt })).rejects.toBeInstanceOf(
      InvalidObjectKeyError,
    );
    await expect(store.put('.meta/x', new Uint8Array([1]), { contentType: 'image/png', expiresAt })).rejects.toBeInstanceOf(
      InvalidObjectKeyError,
    );
    expect(existsSync(join(root, 'escape'))).toBe(false);
    await cleanup();
  });

  it('refuses a bad bucket name and a missing deletion date', async () => {
    const { root, store, cleanup } = localStore();
    expect(() => createFsObjectStore(root, '../up', createManualClock())).toThrow(/bucket/);
    await expect(store.put('k', new Uint8Array([1]), { contentType: 'image/png', expiresAt: new Date('nope') })).rejects.toThrow(
      /expiresAt/,
    );
    await cleanup();
  });
});
