/**
 * Upload grants as S3 presigned POSTs. The policy pins the bucket and the exact server-generated
 * key, bounds the size (`content-length-range`) and requires a `Content-Type` field starting with
 * the given prefix. No other field is left for the client to choose: the form posts every returned
 * field, then `Content-Type`, then the file. S3 enforces the policy and the signature; encryption
 * is the bucket default (SSE-KMS) and needs no field.
 *
 * `createPresignedPost` signs locally (no request) with the client's credentials and its own clock
 * (`Date.now()` + the client's clock offset); `expiresAt` is taken from the injected clock, which is
 * the system clock in Lambda. With temporary credentials the grant also stops working when the
 * session token expires, whichever comes first.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { Clock, UploadGrant, UploadGrantIssuer } from '../../core/ports';
import { assertSafeObjectKey, InvalidObjectKeyError } from '../local/fs-object-store';

/** Upload grants are short-lived; an hour is the most this issuer signs. */
export const MAX_GRANT_SECONDS = 3600;

type GrantRequest = Parameters<UploadGrantIssuer['issue']>[0];

function assertRequest(req: GrantRequest): void {
  assertSafeObjectKey(req.key);
  // A key ending in the POST variable for the file name would turn the key condition into
  // `starts-with` (createPresignedPost does that): the uploader would choose the key.
  if (req.key.includes('${')) throw new InvalidObjectKeyError('contains a POST variable');
  if (typeof req.contentTypePrefix !== 'string' || req.contentTypePrefix.length === 0) {
    throw new TypeError('contentTypePrefix is required');
  }
  if (!Number.isSafeInteger(req.minBytes) || req.minBytes < 0) throw new RangeError('minBytes must be a non-negative integer');
  if (!Number.isSafeInteger(req.maxBytes) || req.maxBytes < req.minBytes) {
    throw new RangeError('maxBytes must be an integer no smaller than minBytes');
  }
  if (!Number.isInteger(req.expiresInSeconds) || req.expiresInSeconds < 1 || req.expiresInSeconds > MAX_GRANT_SECONDS) {
    throw new RangeError(`expiresInSeconds must be an integer from 1 to ${MAX_GRANT_SECONDS}`);
  }
}

export function createS3UploadGrants(client: S3Client, bucket: string, clock: Clock): UploadGrantIssuer {
  if (typeof bucket !== 'string' || bucket.length < 3) throw new RangeError('a bucket name is required');
  return {
    async issue(req): Promise<UploadGrant> {
      assertRequest(req);
      const expiresAt = new Date(clock.now().getTime() + req.expiresInSeconds * 1000).toISOString();
      const { url, fields } = await createPresignedPost(client, {
        Bucket: bucket,
        // The exact key: createPresignedPost adds the `{key}` equality condition.
        Key: req.key,
        Conditions: [
          { bucket },
          ['content-length-range', req.minBytes, req.maxBytes],
          ['starts-with', '$Content-Type', req.contentTypePrefix],
        ],
        Fields: {},
        Expires: req.expiresInSeconds,
      });
      return { url, fields, expiresAt, maxBytes: req.maxBytes };
    },
  };
}
