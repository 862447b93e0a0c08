/**
 * A bucket on S3. The buckets are versioned and encrypted by default (SSE-KMS, set on the bucket,
 * so it is not repeated here). Each object carries its deletion date as the `delete-after` user
 * metadata; the actual deletion is the bucket's lifecycle rule (expire current versions after the
 * retention period, then remove noncurrent versions and expired delete markers). Reads honour the
 * date as the directory store does: an object past it reads as absent even while the lifecycle
 * rule has not yet removed it.
 *
 * Errors other than "not found" propagate unchanged, so the handler's batch processing retries
 * them. Messages name neither keys nor bodies.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Clock, ObjectStore, StoredObject } from '../../core/ports';
import { assertSafeObjectKey } from '../local/fs-object-store';

/** User metadata key holding the deletion date (ISO-8601); S3 returns it as `x-amz-meta-delete-after`. */
export const DELETE_AFTER_METADATA = 'delete-after';

/** What S3 reports as the version id of an object in an unversioned bucket. */
const NULL_VERSION = 'null';

export interface S3ObjectStoreOptions {
  /** Clock for the `delete-after` check on reads; the system clock by default. */
  readonly clock?: Clock;
}

const systemTime: Clock = { now: () => new Date() };

interface AwsErrorShape {
  readonly name?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/** A missing object (or a current delete marker). A missing bucket is a deployment error and propagates. */
function isMissingObject(error: unknown): boolean {
  const e = (error ?? {}) as AwsErrorShape;
  if (e.name === 'NoSuchBucket') return false;
  return e.name === 'NoSuchKey' || e.name === 'NoSuchVersion' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

/** Releases the connection of a response body that is not read. */
function discard(body: unknown): void {
  const stream = body as { destroy?: () => void } | undefined;
  if (typeof stream?.destroy === 'function') stream.destroy();
}

function isPast(deleteAfter: string | undefined, now: Date): boolean {
  if (deleteAfter === undefined) return false;
  const at = Date.parse(deleteAfter);
  return Number.isFinite(at) && at < now.getTime();
}

export function createS3ObjectStore(client: S3Client, bucket: string, options: S3ObjectStoreOptions = {}): ObjectStore {
  if (typeof bucket !== 'string' || bucket.length < 3) throw new RangeError('a bucket name is required');
  const clock = options.clock ?? systemTime;

  return {
    bucket,

    async put(key, body, meta) {
      assertSafeObjectKey(key);
      if (!(meta.expiresAt instanceof Date) || !Number.isFinite(meta.expiresAt.getTime())) {
        throw new TypeError('expiresAt must be a valid date');
      }
      if (typeof meta.contentType !== 'string' || meta.contentType.length === 0) throw new TypeError('contentType is required');
      const out = await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: meta.contentType,
          // Informational: the lifecycle rule deletes the object; reads treat it as gone after this date.
          Metadata: { [DELETE_AFTER_METADATA]: meta.expiresAt.toISOString() },
        }),
      );
      return { versionId: out.VersionId ?? NULL_VERSION };
    },

    /**
     * Reads the current object. With `versionId`, returns it only while that version is the current
     * one (as the directory store does): a replaced version reads as null although a versioned
     * bucket still holds it until the lifecycle rule removes noncurrent versions. One GetObject of
     * the current version, compared by id, so body and id always come from the same response and
     * only `s3:GetObject` is needed (not `s3:GetObjectVersion`).
     */
    async get(key, versionId) {
      assertSafeObjectKey(key);
      let out: GetObjectCommandOutput;
      try {
        out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      } catch (error) {
        if (isMissingObject(error)) return null;
        throw error;
      }
      const currentVersion = out.VersionId ?? NULL_VERSION;
      if (
        (versionId !== undefined && versionId !== currentVersion) ||
        isPast(out.Metadata?.[DELETE_AFTER_METADATA], clock.now())
      ) {
        discard(out.Body);
        return null;
      }
      const bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array(0);
      const stored: StoredObject = {
        body: bytes,
        versionId: currentVersion,
        contentType: out.ContentType ?? 'application/octet-stream',
      };
      return stored;
    },

    /**
     * Idempotent (S3 answers 204 for a missing key). On the versioned bucket this adds a delete
     * marker; the lifecycle rule removes the noncurrent versions and the expired marker later.
     */
    async delete(key) {
      assertSafeObjectKey(key);
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
  };
}
