/**
 * Upload grants on one machine, with the rules of an S3 presigned POST: a base64 policy document
 * (expiry; exact key; `content-length-range`; `Content-Type` prefix) signed with HMAC-SHA256 by a
 * local secret. The embedded runtime checks every rule before a byte is stored
 * (`checkPostPolicy`), as S3 would.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Clock, UploadGrant, UploadGrantIssuer } from '../../core/ports';

const policySchema = z.object({
  expiration: z.iso.datetime(),
  conditions: z.tuple([
    z.object({ bucket: z.string() }),
    z.object({ key: z.string() }),
    z.tuple([z.literal('content-length-range'), z.number().int(), z.number().int()]),
    z.tuple([z.literal('starts-with'), z.literal('$Content-Type'), z.string()]),
  ]),
});

export type PostPolicy = z.infer<typeof policySchema>;

export interface LocalUploadGrantsOptions {
  /** Absolute URL the form posts to, e.g. http://127.0.0.1:3000/uploads */
  readonly url: string;
  readonly bucket: string;
  readonly secret: Buffer;
  readonly clock: Clock;
}

const sign = (secret: Buffer, policy: string) => createHmac('sha256', secret).update(policy).digest('hex');

export function createLocalUploadGrants(options: LocalUploadGrantsOptions): UploadGrantIssuer {
  return {
    async issue(req): Promise<UploadGrant> {
      const expiresAt = new Date(options.clock.now().getTime() + req.expiresInSeconds * 1000).toISOString();
      const policy: PostPolicy = {
        expiration: expiresAt,
        conditions: [
          { bucket: options.bucket },
          { key: req.key },
          ['content-length-range', req.minBytes, req.maxBytes],
          ['starts-with', '$Content-Type', req.contentTypePrefix],
        ],
      };
      const encoded = Buffer.from(JSON.stringify(policy)).toString('base64');
      return {
        url: options.url,
        fields: { key: req.key, Policy: encoded, 'X-Amz-Signature': sign(options.secret, encoded) },
        expiresAt,
        maxBytes: req.maxBytes,
      };
    },
  };
}

export type PolicyCheck =
  | { ok: true; key: string; minBytes: number; maxBytes: number }
  | { ok: false; status: 400 | 403; code: string; message: string };

/** Fields S3 does not require the policy to name. */
const EXEMPT_FIELDS = new Set(['policy', 'x-amz-signature', 'file']);

/**
 * Checks the form fields of an upload against its signed policy: signature, expiry, exact key,
 * content type prefix, and that every other field is covered by a condition. The size range is
 * returned for the caller to enforce while streaming the file.
 */
export function checkPostPolicy(fields: ReadonlyMap<string, string>, secret: Buffer, bucket: string, now: Date): PolicyCheck {
  const get = (name: string) => {
    for (const [k, v] of fields) if (k.toLowerCase() === name.toLowerCase()) return v;
    return undefined;
  };
  const encoded = get('Policy');
  const signature = get('X-Amz-Signature');
  if (!encoded || !signature)
    return { ok: false, status: 400, code: 'InvalidPolicyDocument', message: 'policy and signature are required' };
  const expected = Buffer.from(sign(secret, encoded), 'hex');
  const given = Buffer.from(/^[0-9a-f]{64}$/.test(signature) ? signature : '', 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, status: 403, code: 'SignatureDoesNotMatch', message: 'the policy signature does not match' };
  }
  let policy: PostPolicy;
  try {
    policy = policySchema.parse(JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')));
  } catch {
    return { ok: false, status: 400, code: 'InvalidPolicyDocument', message: 'the policy document is malformed' };
  }
  if (Date.parse(policy.expiration) <= now.getTime()) {
    return { ok: false, status: 403, code: 'AccessDenied', message: 'the upload grant has expired' };
  }
  const [bucketCond, keyCond, [, minBytes, maxBytes], [, , typePrefix]] = policy.conditions;
  if (bucketCond.bucket !== bucket) return { ok: false, status: 403, code: 'AccessDenied', message: 'wrong bucket' };
  if (get('key') !== keyCond.key)
    return { ok: false, status: 403, code: 'AccessDenied', message: 'key does not match the policy' };
  const contentType = get('Content-Type');
  if (!contentType?.startsWith(typePrefix)) {
    return { ok: false, status: 403, code: 'AccessDenied', message: 'Content-Type does not match the policy' };
  }
  for (const name of fields.keys()) {
    const lower = name.toLowerCase();
    if (!EXEMPT_FIELDS.has(lower) && lower !== 'key' && lower !== 'content-type') {
      return { ok: false, status: 403, code: 'AccessDenied', message: `field ${name} is not allowed by the policy` };
    }
  }
  return { ok: true, key: keyCond.key, minBytes, maxBytes };
}
