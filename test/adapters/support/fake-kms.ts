/**
 * A stand-in for AWS KMS asymmetric signing (ECC_NIST_P256, ECDSA_SHA_256) behind
 * aws-sdk-client-mock, backed by real local P-256 keys.
 *
 * `Sign` with `MessageType: DIGEST` signs the 32 bytes it is given as they are, as KMS does. Node's
 * crypto has no "sign this prehashed digest" call for ECDSA: `sign(null, digest, key)` hashes the
 * digest again (OpenSSL's default digest for EC keys is SHA-256), and `sign('sha256', payload, key)`
 * needs the payload, which KMS never sees. So {@link signDigestP256} is plain ECDSA over P-256 with
 * BigInt arithmetic (test use only: not constant-time).
 */
import { createPublicKey, type KeyObject, randomBytes } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, NotFoundException, SignCommand } from '@aws-sdk/client-kms';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const A = P - 3n;
const G = {
  x: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
  y: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
};
type Point = { x: bigint; y: bigint } | null;

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;

function inverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return mod(oldS, m);
}

function add(p1: Point, p2: Point): Point {
  if (!p1) return p2;
  if (!p2) return p1;
  if (p1.x === p2.x && mod(p1.y + p2.y, P) === 0n) return null;
  const slope =
    p1.x === p2.x && p1.y === p2.y
      ? mod((3n * p1.x * p1.x + A) * inverse(2n * p1.y, P), P)
      : mod((p2.y - p1.y) * inverse(p2.x - p1.x, P), P);
  const x = mod(slope * slope - p1.x - p2.x, P);
  return { x, y: mod(slope * (p1.x - x) - p1.y, P) };
}

function multiply(k: bigint, point: Point): Point {
  let result: Point = null;
  let addend = point;
  for (let e = k; e > 0n; e >>= 1n) {
    if (e & 1n) result = add(result, addend);
    addend = add(addend, addend);
  }
  return result;
}

const toBigInt = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

/** ECDSA P-256 over a 32-byte digest as given (no hashing), DER-encoded like KMS `Sign`. */
export function signDigestP256(privateKey: KeyObject, digest: Uint8Array): Buffer {
  if (digest.length !== 32) throw new Error('a SHA-256 digest is 32 bytes');
  const d = toBigInt(Buffer.from(privateKey.export({ format: 'jwk' }).d ?? '', 'base64url'));
  const e = toBigInt(digest);
  for (;;) {
    const k = mod(toBigInt(randomBytes(32)), N);
    if (k === 0n) continue;
    const r = mod(multiply(k, G)?.x ?? 0n, N);
    if (r === 0n) continue;
    const s = mod(inverse(k, N) * (e + r * d), N);
    if (s === 0n) continue;
    const body = Buffer.concat([derInteger(r), derInteger(s)]);
    return Buffer.concat([Buffer.from([0x30, body.length]), body]);
  }
}

export interface FakeKms {
  readonly mock: AwsClientStub<KMSClient>;
  /** Digests KMS was asked to sign, in order. */
  readonly signedDigests: Buffer[];
  /** The next GetPublicKey call fails with `error` (a network fault, a throttle). */
  failNextGetPublicKey(error: Error): void;
}

/**
 * Mocks `client`'s `Sign` and `GetPublicKey` for the keys given (KMS key ARN → P-256 private key).
 * `Sign` insists on ECDSA_SHA_256 and MessageType DIGEST with a 32-byte message; an unknown key
 * is a `NotFoundException`, as in KMS.
 */
export function fakeKms(client: KMSClient, keys: ReadonlyMap<string, KeyObject>): FakeKms {
  const mock = mockClient(client);
  const signedDigests: Buffer[] = [];
  const keyOf = (keyId: string | undefined) => {
    const key = keyId === undefined ? undefined : keys.get(keyId);
    if (!key) throw new NotFoundException({ message: 'Key is not found.', $metadata: {} });
    return key;
  };
  mock.on(SignCommand).callsFake((input: SignCommand['input']) => {
    const key = keyOf(input.KeyId);
    if (input.SigningAlgorithm !== 'ECDSA_SHA_256' || input.MessageType !== 'DIGEST') throw new Error('unexpected Sign request');
    const digest = Buffer.from(input.Message ?? new Uint8Array());
    signedDigests.push(digest);
    return { KeyId: input.KeyId, Signature: new Uint8Array(signDigestP256(key, digest)), SigningAlgorithm: 'ECDSA_SHA_256' };
  });
  const getPublicKeyFailures: Error[] = [];
  mock.on(GetPublicKeyCommand).callsFake((input: GetPublicKeyCommand['input']) => {
    const failure = getPublicKeyFailures.shift();
    if (failure) throw failure;
    const key = keyOf(input.KeyId);
    return {
      KeyId: input.KeyId,
      PublicKey: new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' })),
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      SigningAlgorithms: ['ECDSA_SHA_256'],
    };
  });
  return { mock, signedDigests, failNextGetPublicKey: (error) => getPublicKeyFailures.push(error) };
}
