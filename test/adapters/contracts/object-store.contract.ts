/**
 * The ObjectStore contract (a bucket). Run against the local directory store and the S3 one.
 */
import type { ObjectStore } from '../../../functions/core/ports';

export interface ObjectStoreFixture {
  readonly store: ObjectStore;
  /** A deletion date comfortably in the future. */
  readonly expiresAt: Date;
  cleanup(): Promise<void>;
}

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (body: Uint8Array | undefined) => (body ? new TextDecoder().decode(body) : undefined);

export const TRAVERSAL_KEYS = [
  '',
  '/etc/passwd',
  '../outside',
  'a/../../outside',
  'a/..',
  'a\\b',
  '..\\outside',
  'a\u0000b',
  'a//b',
  'a/',
  '/',
  'a/./b',
];

export function objectStoreContract(name: string, makeStore: () => Promise<ObjectStoreFixture>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let f: ObjectStoreFixture;
    beforeEach(async () => {
      f = await makeStore();
    });
    afterEach(async () => {
      await f.cleanup();
    });

    it('stores and returns a body with its content type and version', async () => {
      const { versionId } = await f.store.put('quarantine/P1/photo/u1', bytes('hello'), {
        contentType: 'image/jpeg',
        expiresAt: f.expiresAt,
      });
      expect(versionId).toEqual(expect.any(String));
      const got = await f.store.get('quarantine/P1/photo/u1');
      expect(text(got?.body)).toBe('hello');
      expect(got?.contentType).toBe('image/jpeg');
      expect(got?.versionId).toBe(versionId);
      expect(text((await f.store.get('quarantine/P1/photo/u1', versionId))?.body)).toBe('hello');
    });

    it('stores binary bodies byte for byte', async () => {
      const body = new Uint8Array(70_000).map((_, i) => (i * 31) & 255);
      await f.store.put('bin', body, { contentType: 'application/octet-stream', expiresAt: f.expiresAt });
      expect(Buffer.from((await f.store.get('bin'))?.body ?? []).equals(Buffer.from(body))).toBe(true);
    });

    it('returns null for a missing key', async () => {
      expect(await f.store.get('nothing/here')).toBeNull();
    });

    it('gives each put a new version and returns null for a replaced version', async () => {
      const first = await f.store.put('k', bytes('one'), { contentType: 'image/png', expiresAt: f.expiresAt });
      const second = await f.store.put('k', bytes('two'), { contentType: 'image/jpeg', expiresAt: f.expiresAt });
      expect(second.versionId).not.toBe(first.versionId);
      expect(await f.store.get('k', first.versionId)).toBeNull();
      const current = await f.store.get('k', second.versionId);
      expect(text(current?.body)).toBe('two');
      expect(current?.contentType).toBe('image/jpeg');
    });

    it('deletes idempotently', async () => {
      await f.store.put('gone', bytes('x'), { contentType: 'image/png', expiresAt: f.expiresAt });
      await f.store.delete('gone');
      await f.store.delete('gone');
      await f.store.delete('never-was');
      expect(await f.store.get('gone')).toBeNull();
    });

    it.each(TRAVERSAL_KEYS.map((k) => [JSON.stringify(k), k]))('refuses the key %s', async (_label, key) => {
      await expect(f.store.put(key, bytes('x'), { contentType: 'image/png', expiresAt: f.expiresAt })).rejects.toThrow();
      await expect(f.store.get(key)).rejects.toThrow();
      await expect(f.store.delete(key)).rejects.toThrow();
    });

    it('never shows a torn object while it is overwritten', async () => {
      const size = 256 * 1024;
      const versions = new Map<string, number>();
      const seen: Array<{ versionId: string; fill: number; uniform: boolean }> = [];
      let writing = true;
      const reader = (async () => {
        while (writing) {
          const got = await f.store.get('hot');
          if (got) {
            const fill = got.body[0] ?? -1;
            seen.push({ versionId: got.versionId, fill, uniform: got.body.length === size && got.body.every((b) => b === fill) });
          }
          await new Promise((r) => setImmediate(r));
        }
      })();
      for (let i = 0; i < 20; i++) {
        const fill = i % 251;
        const { versionId } = await f.store.put('hot', new Uint8Array(size).fill(fill), {
          contentType: 'image/png',
          expiresAt: f.expiresAt,
        });
        versions.set(versionId, fill);
      }
      writing = false;
      await reader;
      expect(seen.length).toBeGreaterThan(0);
      for (const s of seen) {
        expect(s.uniform).toBe(true);
        expect(versions.get(s.versionId)).toBe(s.fill);
      }
    });
  });
}
