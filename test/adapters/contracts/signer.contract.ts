/**
 * The Signer / SignatureVerifier contract: ECDSA_SHA_256 with DER signatures, as AWS KMS signs.
 * Run against the local key and the KMS signer (with the poller's public-key verifier).
 */
import type { SignatureVerifier, Signer } from '../../../functions/core/ports';

export interface SignerFixture {
  readonly signer: Signer;
  /** A verifier that knows the signer's public key under `signer.keyId`. */
  readonly verifier: SignatureVerifier;
  /** A verifier for a different key registered under the same key id (a swapped or rotated key). */
  readonly otherKeyVerifier?: SignatureVerifier;
  cleanup(): Promise<void>;
}

const payload = () => new TextEncoder().encode('{"releaseId":"r1","applicationId":"P0000000000A1"}');

export function signerContract(name: string, makeSigner: () => Promise<SignerFixture>): void {
  describe(`Signer contract: ${name}`, () => {
    let f: SignerFixture;
    beforeEach(async () => {
      f = await makeSigner();
    });
    afterEach(async () => {
      await f.cleanup();
    });

    it('signs with ECDSA_SHA_256 into a DER signature that verifies', async () => {
      expect(f.signer.algorithm).toBe('ECDSA_SHA_256');
      const sig = await f.signer.sign(payload());
      expect(sig[0]).toBe(0x30);
      expect(sig.length).toBeGreaterThanOrEqual(8);
      expect(sig.length).toBeLessThanOrEqual(72);
      expect(await f.verifier.verify(f.signer.keyId, payload(), sig)).toBe(true);
    });

    it('rejects a tampered payload', async () => {
      const sig = await f.signer.sign(payload());
      const tampered = payload();
      tampered[5] = (tampered[5] ?? 0) ^ 1;
      expect(await f.verifier.verify(f.signer.keyId, tampered, sig)).toBe(false);
    });

    it('rejects a tampered or malformed signature without throwing', async () => {
      const sig = await f.signer.sign(payload());
      const flipped = Uint8Array.from(sig);
      const last = flipped.length - 1;
      flipped[last] = (flipped[last] ?? 0) ^ 1;
      expect(await f.verifier.verify(f.signer.keyId, payload(), flipped)).toBe(false);
      expect(await f.verifier.verify(f.signer.keyId, payload(), new Uint8Array(0))).toBe(false);
      expect(await f.verifier.verify(f.signer.keyId, payload(), new Uint8Array(64).fill(7))).toBe(false);
    });

    it('rejects an unknown key id', async () => {
      const sig = await f.signer.sign(payload());
      expect(await f.verifier.verify(`${f.signer.keyId}-unknown`, payload(), sig)).toBe(false);
      expect(await f.verifier.verify('', payload(), sig)).toBe(false);
    });

    it('rejects a signature checked against another key', async () => {
      if (!f.otherKeyVerifier) return;
      const sig = await f.signer.sign(payload());
      expect(await f.otherKeyVerifier.verify(f.signer.keyId, payload(), sig)).toBe(false);
    });

    it('produces signatures that each verify (ECDSA is randomized)', async () => {
      const a = await f.signer.sign(payload());
      const b = await f.signer.sign(payload());
      expect(await f.verifier.verify(f.signer.keyId, payload(), a)).toBe(true);
      expect(await f.verifier.verify(f.signer.keyId, payload(), b)).toBe(true);
    });
  });
}
