/**
 * The KMS signer and the poller's KMS public-key verifier, against a mocked KMS backed by real P-256
 * keys (support/fake-kms.ts signs the digest it is sent, as KMS does with MessageType DIGEST).
 */
import { createHash, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { DisabledException, GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { createKmsPublicKeyVerifier, createKmsSigner } from '../../functions/adapters/aws/kms-signer';
import { createPublicKeyVerifier } from '../../functions/adapters/local/local-signer';
import { signerContract } from './contracts/signer.contract';
import { fakeKms, signDigestP256 } from './support/fake-kms';

const ARN = 'arn:aws:kms:ap-northeast-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const OTHER_ARN = 'arn:aws:kms:ap-northeast-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const newKey = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
const kmsClient = () =>
  new KMSClient({ region: 'ap-northeast-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();

/** About the size of a release payload (~0.5 MB), far over KMS's 4096-byte RAW limit. */
const bigPayload = () => Buffer.from(JSON.stringify({ releaseId: 'R1', images: 'A'.repeat(500_000) }), 'utf8');

describe('KMS ECDSA_SHA_256 over a digest interoperates with the local verifier', () => {
  it('sends SHA-256(payload) as a DIGEST and returns a DER signature that verifies over the payload', async () => {
    const key = newKey();
    const client = kmsClient();
    const kms = fakeKms(client, new Map([[ARN, key]]));
    const signer = createKmsSigner(client, ARN);
    const payload = bigPayload();

    const signature = await signer.sign(payload);

    expect(signer.keyId).toBe(ARN);
    expect(signer.algorithm).toBe('ECDSA_SHA_256');
    const [call] = kms.mock.commandCalls(SignCommand);
    expect(call?.args[0].input).toMatchObject({ KeyId: ARN, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' });
    expect(Buffer.from(call?.args[0].input.Message ?? new Uint8Array())).toEqual(sha256(payload));
    expect(signature[0]).toBe(0x30);
    const publicKeyPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
    const local = createPublicKeyVerifier(new Map([[ARN, publicKeyPem]]));
    expect(await local.verify(ARN, payload, signature)).toBe(true);
    expect(verify('sha256', payload, { key: createPublicKey(key), dsaEncoding: 'der' }, signature)).toBe(true);
    expect(await local.verify(ARN, Buffer.concat([payload, Buffer.from(' ')]), signature)).toBe(false);
  });

  it('the fake signs the digest as given: the same as node signing the payload with sha256, unlike sign(null, digest)', () => {
    const key = newKey();
    const pub = { key: createPublicKey(key), dsaEncoding: 'der' as const };
    const payload = Buffer.from('{"releaseId":"R2"}');
    const digest = sha256(payload);
    expect(verify('sha256', payload, pub, signDigestP256(key, digest))).toBe(true);
    expect(verify('sha256', payload, pub, sign('sha256', payload, { key, dsaEncoding: 'der' }))).toBe(true);
    // sign(null, …) on an EC key hashes its input again: it signs SHA-256(SHA-256(payload)).
    const doubleHashed = sign(null, digest, { key, dsaEncoding: 'der' });
    expect(verify('sha256', payload, pub, doubleHashed)).toBe(false);
    expect(verify('sha256', digest, pub, doubleHashed)).toBe(true);
  });
});

signerContract('kms (mocked, real P-256 key)', async () => {
  const client = kmsClient();
  fakeKms(client, new Map([[ARN, newKey()]]));
  // The same ARN answering with another key: a swapped or rotated key must not verify.
  const otherClient = kmsClient();
  fakeKms(otherClient, new Map([[ARN, newKey()]]));
  return {
    signer: createKmsSigner(client, ARN),
    verifier: createKmsPublicKeyVerifier(client, [ARN]),
    otherKeyVerifier: createKmsPublicKeyVerifier(otherClient, [ARN]),
    cleanup: async () => undefined,
  };
});

describe('KMS public-key verifier', () => {
  it('calls GetPublicKey once per allowed key and verifies locally afterwards', async () => {
    const client = kmsClient();
    const kms = fakeKms(
      client,
      new Map([
        [ARN, newKey()],
        [OTHER_ARN, newKey()],
      ]),
    );
    const verifier = createKmsPublicKeyVerifier(client, [ARN, OTHER_ARN]);
    const signer = createKmsSigner(client, ARN);
    const otherSigner = createKmsSigner(client, OTHER_ARN);
    const payload = Buffer.from('{"releaseId":"R3"}');
    const [a, b] = [await signer.sign(payload), await otherSigner.sign(payload)];
    const results = await Promise.all(
      [1, 2, 3].flatMap(() => [verifier.verify(ARN, payload, a), verifier.verify(OTHER_ARN, payload, b)]),
    );
    expect(results.every(Boolean)).toBe(true);
    expect(await verifier.verify(OTHER_ARN, payload, a)).toBe(false);
    expect(kms.mock.commandCalls(GetPublicKeyCommand).map((c) => c.args[0].input.KeyId)).toEqual([ARN, OTHER_ARN]);
  });

  it('refuses a key it was not given without asking KMS', async () => {
    const client = kmsClient();
    const kms = fakeKms(
      client,
      new Map([
        [ARN, newKey()],
        [OTHER_ARN, newKey()],
      ]),
    );
    const signature = await createKmsSigner(client, OTHER_ARN).sign(Buffer.from('x'));
    const verifier = createKmsPublicKeyVerifier(client, [ARN]);
    expect(await verifier.verify(OTHER_ARN, Buffer.from('x'), signature)).toBe(false);
    expect(kms.mock.commandCalls(GetPublicKeyCommand)).toHaveLength(0);
    expect(() => createKmsPublicKeyVerifier(client, [])).toThrow(/at least one/);
  });

  it('throws (and retries later) when KMS cannot be reached, rather than calling a message forged', async () => {
    const client = kmsClient();
    const kms = fakeKms(client, new Map([[ARN, newKey()]]));
    const payload = Buffer.from('y');
    const signature = await createKmsSigner(client, ARN).sign(payload);
    kms.failNextGetPublicKey(new Error('connect ETIMEDOUT'));
    const verifier = createKmsPublicKeyVerifier(client, [ARN]);
    await expect(verifier.verify(ARN, payload, signature)).rejects.toThrow(/ETIMEDOUT/);
    expect(await verifier.verify(ARN, payload, signature)).toBe(true);
    expect(kms.mock.commandCalls(GetPublicKeyCommand)).toHaveLength(2);
  });

  it('refuses a key that is not a P-256 signing key', async () => {
    const client = kmsClient();
    const kms = fakeKms(client, new Map([[ARN, newKey()]]));
    kms.mock.on(GetPublicKeyCommand).resolves({ KeyId: ARN, PublicKey: new Uint8Array([1, 2, 3]), KeyUsage: 'ENCRYPT_DECRYPT' });
    await expect(createKmsPublicKeyVerifier(client, [ARN]).verify(ARN, Buffer.from('z'), new Uint8Array(8))).rejects.toThrow(
      /not a signing key/,
    );
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' });
    kms.mock
      .on(GetPublicKeyCommand)
      .resolves({ KeyId: ARN, PublicKey: new Uint8Array(rsa), KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ECDSA_SHA_256'] });
    await expect(createKmsPublicKeyVerifier(client, [ARN]).verify(ARN, Buffer.from('z'), new Uint8Array(8))).rejects.toThrow(
      /P-256/,
    );
  });
});

describe('KMS signer errors', () => {
  it('lets KMS errors through unchanged', async () => {
    const client = kmsClient();
    const kms = fakeKms(client, new Map([[ARN, newKey()]]));
    const disabled = new DisabledException({ message: 'key is disabled', $metadata: {} });
    kms.mock.on(SignCommand).rejects(disabled);
    await expect(createKmsSigner(client, ARN).sign(Buffer.from('p'))).rejects.toBe(disabled);
  });
});
