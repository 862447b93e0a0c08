/**
 * S3 event notifications as they arrive through SQS (the body of each SQS record), validated.
 * Keys arrive URL-encoded (spaces as '+'); they are decoded here once.
 */
import { z } from 'zod';

export const s3EventRecordSchema = z.object({
  eventName: z.string().startsWith('ObjectCreated:'),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative().optional(),
      versionId: z.string().optional(),
      eTag: z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});

const s3NotificationSchema = z.union([
  z.object({ Records: z.array(z.unknown()) }),
  /** Sent once when a notification is configured; carries nothing to process. */
  z.object({ Event: z.literal('s3:TestEvent') }),
]);

export interface ObjectCreated {
  readonly bucket: string;
  readonly key: string;
  readonly size: number | undefined;
  readonly versionId: string | undefined;
}

export class MalformedEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedEventError';
  }
}

/** The ObjectCreated records of one SQS message body; `[]` for S3's test event. */
export function parseS3Notification(body: string): ObjectCreated[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new MalformedEventError('message body is not JSON');
  }
  const parsed = s3NotificationSchema.safeParse(json);
  if (!parsed.success) throw new MalformedEventError('message body is not an S3 event notification');
  if ('Event' in parsed.data) return [];
  return parsed.data.Records.map((raw) => {
    const rec = s3EventRecordSchema.safeParse(raw);
    if (!rec.success) throw new MalformedEventError('S3 record is not an ObjectCreated record');
    const { bucket, object } = rec.data.s3;
    return {
      bucket: bucket.name,
      key: decodeKey(object.key),
      size: object.size,
      versionId: object.versionId,
    };
  });
}

function decodeKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    throw new MalformedEventError('S3 object key is not URL-encoded');
  }
}

/** Builds the notification body S3 would send for one created object (embedded runtime, tests). */
export function s3NotificationBody(
  o: { bucket: string; key: string; size: number; versionId: string; eTag: string },
  at: Date,
): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'local',
        eventTime: at.toISOString(),
        eventName: 'ObjectCreated:Post',
        s3: {
          s3SchemaVersion: '1.0',
          bucket: { name: o.bucket, arn: `arn:aws:s3:::${o.bucket}` },
          object: {
            key: encodeURIComponent(o.key).replace(/%2F/g, '/'),
            size: o.size,
            eTag: o.eTag,
            versionId: o.versionId,
            sequencer: at.getTime().toString(16).toUpperCase(),
          },
        },
      },
    ],
  });
}
