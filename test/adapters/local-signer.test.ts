import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLocalSigner,
  createPublicKeyVerifier,
  loadOrCreateLocalSigningKey,
  PRIVATE_KEY_FILE,
  PUBLIC_KEY_FILE,
} from '../../functions/adapters/local/local-signer';
import { signerContract } from './contracts/signer.contract';

const tempDir = () => mkdtempSync(join(tmpdir(), 'signer-'));

signerContract('local key', async () => {
  const dir = tempDir();
  const key = await loadOrCreateLocalSigningKey(dir);
  const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    signer: createLocalSigner(key),
    verifier: createPublicKeyVerifier(new Map([[key.keyId, readFileSync(join(dir, PUBLIC_KEY_FILE), 'utf8')]])),
    otherKeyVerifier: createPublicKeyVerifier(new Map([[key.keyId, other.publicKey]])),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('local signing key', () => {
  it('creates the key pair once, private key mode 0600, and loads the same key afterwards', async () => {
    const dir = tempDir();
    try {
      const first = await loadOrCreateLocalSigningKey(dir);
      expect(first.keyId).toMatch(/^local:[0-9a-f]{16}$/);
      if (process.platform !== 'win32') expect(statSync(join(dir, PRIVATE_KEY_FILE)).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(dir, PUBLIC_KEY_FILE), 'utf8')).toBe(first.publicKeyPem);
      const again = await loadOrCreateLocalSigningKey(dir);
      expect(again.keyId).toBe(first.keyId);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ends with one key when several callers create it at once', async () => {
    const dir = tempDir();
    try {
      const keys = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateLocalSigningKey(dir)));
      expect(new Set(keys.map((k) => k.keyId)).size).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a private key file others can read', async () => {
    if (process.platform === 'win32') return;
    const dir = tempDir();
    try {
      await loadOrCreateLocalSigningKey(dir);
      chmodSync(join(dir, PRIVATE_KEY_FILE), 0o644);
      await expect(loadOrCreateLocalSigningKey(dir)).rejects.toThrow(/readable by other users/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts public keys as DER bytes (KMS GetPublicKey) and refuses keys that are not P-256', async () => {
    const dir = tempDir();
    try {
      const key = await loadOrCreateLocalSigningKey(dir);
      const der = new Uint8Array(key.publicKey.export({ type: 'spki', format: 'der' }));
      const verifier = createPublicKeyVerifier(new Map([[key.keyId, der]]));
      const payload = new TextEncoder().encode('x');
      expect(await verifier.verify(key.keyId, payload, await createLocalSigner(key).sign(payload))).toBe(true);
      const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
      expect(() => createPublicKeyVerifier(new Map([['rsa', rsa.publicKey]]))).toThrow(/P-256/);
      expect(existsSync(join(dir, PRIVATE_KEY_FILE))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
