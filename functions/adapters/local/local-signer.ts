/**
 * Release-message signing with a local ECDSA P-256 key: the same algorithm and signature
 * encoding as AWS KMS `ECDSA_SHA_256` (SHA-256 digest, DER-encoded signature), so the on-premises
 * poller verifies messages from both the same way.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { link, mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SignatureVerifier, Signer } from '../../core/ports';

export const PRIVATE_KEY_FILE = 'release-signing-key.pem';
export const PUBLIC_KEY_FILE = 'release-signing-key.pub.pem';

export interface LocalSigningKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** SPKI PEM, to hand to the poller. */
  readonly publicKeyPem: string;
}

function assertP256(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`${what} is not an ECDSA P-256 key`);
  }
}

/** 'local:' + the first 16 hex digits of the SHA-256 of the DER SubjectPublicKeyInfo. */
export function localKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `local:${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

function fromPrivateKey(privateKey: KeyObject): LocalSigningKey {
  assertP256(privateKey, 'the release signing key');
  const publicKey = createPublicKey(privateKey);
  return {
    keyId: localKeyId(publicKey),
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function isCode(error: unknown, code: string): boolean {
  return (error as { code?: unknown } | null)?.code === code;
}

/**
 * Loads `<dir>/release-signing-key.pem`, creating it (mode 0600) with its public half on first use.
 * Creation is atomic (temp file + hard link), so two processes starting together end with one key.
 * Refuses a private key file that group or others can read.
 */
export async function loadOrCreateLocalSigningKey(dir: string): Promise<LocalSigningKey> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const privatePath = join(dir, PRIVATE_KEY_FILE);
  const existing = await readPrivateKey(privatePath);
  let key: LocalSigningKey;
  if (existing) {
    key = fromPrivateKey(existing);
  } else {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const tmp = join(dir, `.${PRIVATE_KEY_FILE}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(pem);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(tmp, privatePath);
      key = fromPrivateKey(privateKey);
    } catch (error) {
      if (!isCode(error, 'EEXIST')) throw error;
      const winner = await readPrivateKey(privatePath);
      if (!winner) throw error;
      key = fromPrivateKey(winner);
    } finally {
      await rm(tmp, { force: true });
    }
  }
  await writeFile(join(dir, PUBLIC_KEY_FILE), key.publicKeyPem, { mode: 0o644 });
  return key;
}

async function readPrivateKey(path: string): Promise<KeyObject | null> {
  let pem: Buffer;
  try {
    pem = await readFile(path);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return null;
    throw error;
  }
  if (process.platform !== 'win32') {
    const { mode } = await stat(path);
    if ((mode & 0o077) !== 0) {
      throw new Error(`${path} is readable by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
    }
  }
  return createPrivateKey(pem);
}

/** A {@link Signer} over a local key. */
export function createLocalSigner(key: LocalSigningKey): Signer {
  return {
    keyId: key.keyId,
    algorithm: 'ECDSA_SHA_256',
    async sign(payload) {
      return new Uint8Array(sign('sha256', payload, { key: key.privateKey, dsaEncoding: 'der' }));
    },
  };
}

/** Convenience: the signer of `<dir>`'s key, created on first use. */
export async function loadOrCreateLocalSigner(dir: string): Promise<Signer> {
  return createLocalSigner(await loadOrCreateLocalSigningKey(dir));
}

/** A public key as a KeyObject, SPKI PEM text, or SPKI DER bytes (what KMS GetPublicKey returns). */
export type PublicKeyInput = KeyObject | string | Uint8Array;

function toPublicKey(input: PublicKeyInput, keyId: string): KeyObject {
  let key: KeyObject;
  if (typeof input === 'string') key = createPublicKey(input);
  else if (input instanceof Uint8Array) key = createPublicKey({ key: Buffer.from(input), format: 'der', type: 'spki' });
  else key = input.type === 'private' ? createPublicKey(input) : input;
  assertP256(key, `the public key of ${keyId}`);
  return key;
}

/**
 * Verifies ECDSA_SHA_256 DER signatures against the given public keys. An unknown key id, a
 * malformed signature or a mismatch is `false`, never a throw.
 */
export function createPublicKeyVerifier(publicKeysByKeyId: ReadonlyMap<string, PublicKeyInput>): SignatureVerifier {
  const keys = new Map<string, KeyObject>();
  for (const [keyId, input] of publicKeysByKeyId) keys.set(keyId, toPublicKey(input, keyId));
  return {
    async verify(keyId, payload, signature) {
      const key = keys.get(keyId);
      if (!key) return false;
      try {
        return verify('sha256', payload, { key, dsaEncoding: 'der' }, signature);
      } catch {
        return false;
      }
    },
  };
}
