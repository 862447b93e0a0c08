/**
 * Release-message signing with an AWS KMS asymmetric key (`ECC_NIST_P256`, usage `SIGN_VERIFY`), and
 * the poller's verifier for it.
 *
 * Signing: KMS `Sign` with `SigningAlgorithm: ECDSA_SHA_256` and `MessageType: DIGEST` over the
 * SHA-256 of the payload. `RAW` would be limited to 4096 bytes and release payloads are about
 * 0.5 MB; for ECDSA_SHA_256 a DIGEST signature over SHA-256(payload) is the same signature KMS would
 * make over the raw payload, so anyone verifies it as `ECDSA_SHA_256` over the payload bytes. KMS
 * returns a DER-encoded (ASN.1 `Ecdsa-Sig-Value`) signature, the encoding of the local signer.
 *
 * Verifying: KMS `GetPublicKey` once per allowed key (DER SubjectPublicKeyInfo, cached), then the
 * local verifier of `../local/local-signer.ts` checks signatures without calling KMS again. Only the
 * key ids (ARNs) given are trusted: a message naming any other key does not verify and costs no call.
 */
import { createHash } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import type { SignatureVerifier, Signer } from '../../core/ports';
import { createPublicKeyVerifier } from '../local/local-signer';

/** A {@link Signer} on the KMS key `keyId` (the key ARN; it becomes the envelope's `keyId`). */
export function createKmsSigner(client: KMSClient, keyId: string): Signer {
  if (keyId.length === 0) throw new RangeError('keyId must not be empty');
  return {
    keyId,
    algorithm: 'ECDSA_SHA_256',
    async sign(payload) {
      const digest = createHash('sha256').update(payload).digest();
      const result = await client.send(
        new SignCommand({ KeyId: keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }),
      );
      if (!result.Signature || result.Signature.length === 0) throw new Error('KMS returned no signature');
      if (result.SigningAlgorithm !== undefined && result.SigningAlgorithm !== 'ECDSA_SHA_256') {
        throw new Error(`KMS signed with ${result.SigningAlgorithm}, expected ECDSA_SHA_256`);
      }
      return new Uint8Array(result.Signature);
    },
  };
}

/**
 * A {@link SignatureVerifier} that trusts exactly `keyIds` (KMS key ARNs, as the signer puts them in
 * the envelope). Each public key is fetched with `GetPublicKey` on first use and cached for the life
 * of the verifier. A failed fetch (network, permissions) throws and is retried on the next call: a
 * KMS outage must not be mistaken for a forged message (which would send valid releases to the
 * dead-letter queue). A key that is not an ECDSA P-256 signing key also throws.
 */
export function createKmsPublicKeyVerifier(client: KMSClient, keyIds: readonly string[]): SignatureVerifier {
  if (keyIds.length === 0) throw new RangeError('at least one allowed key id is required');
  const allowed = new Set(keyIds);
  const verifiers = new Map<string, Promise<SignatureVerifier>>();

  async function fetchVerifier(keyId: string): Promise<SignatureVerifier> {
    const result = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
    if (!result.PublicKey) throw new Error('KMS returned no public key');
    if (result.KeyUsage !== undefined && result.KeyUsage !== 'SIGN_VERIFY') {
      throw new Error(`KMS key ${keyId} is not a signing key (KeyUsage ${result.KeyUsage})`);
    }
    if (result.SigningAlgorithms !== undefined && !result.SigningAlgorithms.includes('ECDSA_SHA_256')) {
      throw new Error(`KMS key ${keyId} does not sign with ECDSA_SHA_256`);
    }
    // createPublicKeyVerifier checks that the DER SPKI is a P-256 key.
    return createPublicKeyVerifier(new Map([[keyId, result.PublicKey]]));
  }

  function verifierFor(keyId: string): Promise<SignatureVerifier> {
    let pending = verifiers.get(keyId);
    if (!pending) {
      pending = fetchVerifier(keyId);
      verifiers.set(keyId, pending);
      pending.catch(() => verifiers.delete(keyId));
    }
    return pending;
  }

  return {
    async verify(keyId, payload, signature) {
      if (!allowed.has(keyId)) return false;
      return (await verifierFor(keyId)).verify(keyId, payload, signature);
    },
  };
}
