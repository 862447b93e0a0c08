/**
 * What arrives on the scan queue (and the shadow queue): either an S3 `ObjectCreated`
 * notification (ClamAV mode) or a GuardDuty Malware Protection for S3 scan-result event, delivered
 * by an EventBridge rule (GuardDuty mode, shadow comparison). Both become the same
 * {@link ObjectCreated} shape; a GuardDuty result also carries its verdict as `precomputedScan`.
 *
 * The GuardDuty event's fields are the documented ones ("Monitoring S3 object scans with Amazon
 * EventBridge", https://docs.aws.amazon.com/guardduty/latest/ug/monitor-with-eventbridge-s3-malware-protection.html;
 * also `@types/aws-lambda` `GuardDutyScanResultNotificationEvent`):
 * `source: aws.guardduty`, `detail-type: GuardDuty Malware Protection Object Scan Result`,
 * `detail.scanStatus` (COMPLETED | SKIPPED | FAILED), `detail.resourceType` (S3_OBJECT),
 * `detail.s3ObjectDetails.{bucketName, objectKey, eTag, versionId, s3Throttled}`,
 * `detail.scanResultDetails.{scanResultStatus, threats: [{name}] | null}`.
 * GuardDuty's object key is the plain key (not URL-encoded as in S3 notifications).
 */
import { z } from 'zod';
import { MalformedEventError, type ObjectCreated, parseS3Notification } from './s3-events';

export const GUARDDUTY_SOURCE = 'aws.guardduty';
export const GUARDDUTY_SCAN_RESULT_DETAIL_TYPE = 'GuardDuty Malware Protection Object Scan Result';

export const GUARDDUTY_SCAN_RESULT_STATUSES = [
  'NO_THREATS_FOUND',
  'THREATS_FOUND',
  'UNSUPPORTED',
  'ACCESS_DENIED',
  'FAILED',
] as const;
export type GuardDutyScanResultStatus = (typeof GUARDDUTY_SCAN_RESULT_STATUSES)[number];

/** A verdict another engine already reached on exactly this object version. */
export interface PrecomputedScan {
  readonly engine: 'guardduty';
  readonly status: GuardDutyScanResultStatus;
  /** Threat names (THREATS_FOUND); empty otherwise. */
  readonly threats: readonly string[];
}

export interface ScannedObject extends ObjectCreated {
  readonly precomputedScan: PrecomputedScan;
}

export type ScanQueueMessage =
  | { readonly kind: 's3'; readonly objects: readonly ObjectCreated[] }
  | { readonly kind: 'guardduty'; readonly objects: readonly ScannedObject[] };

export const guardDutyScanResultSchema = z.object({
  source: z.literal(GUARDDUTY_SOURCE),
  'detail-type': z.literal(GUARDDUTY_SCAN_RESULT_DETAIL_TYPE),
  detail: z.object({
    scanStatus: z.string().optional(),
    resourceType: z.literal('S3_OBJECT').optional(),
    s3ObjectDetails: z.object({
      bucketName: z.string().min(1),
      objectKey: z.string().min(1),
      eTag: z.string().optional(),
      // Required: the quarantine bucket is versioned, and a verdict applies to exactly one version.
      versionId: z.string().min(1),
      s3Throttled: z.boolean().optional(),
    }),
    scanResultDetails: z.object({
      scanResultStatus: z.enum(GUARDDUTY_SCAN_RESULT_STATUSES),
      threats: z
        .array(z.object({ name: z.string() }))
        .nullable()
        .optional(),
    }),
  }),
});

function isGuardDutyEnvelope(json: unknown): boolean {
  return typeof json === 'object' && json !== null && (json as { source?: unknown }).source === GUARDDUTY_SOURCE;
}

/** One GuardDuty scan-result event (the SQS body EventBridge delivers) as the object it names plus its verdict. */
export function parseGuardDutyScanResult(json: unknown): ScannedObject {
  const parsed = guardDutyScanResultSchema.safeParse(json);
  if (!parsed.success) throw new MalformedEventError('message body is not a GuardDuty Malware Protection scan result');
  const { s3ObjectDetails: o, scanResultDetails: r } = parsed.data.detail;
  return {
    bucket: o.bucketName,
    key: o.objectKey,
    size: undefined,
    versionId: o.versionId,
    precomputedScan: {
      engine: 'guardduty',
      status: r.scanResultStatus,
      threats: (r.threats ?? []).map((t) => t.name).filter((name) => name.length > 0),
    },
  };
}

/** The body of one scan-queue message: an S3 notification or a GuardDuty scan result; anything else throws. */
export function parseScanQueueMessage(body: string): ScanQueueMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new MalformedEventError('message body is not JSON');
  }
  if (isGuardDutyEnvelope(json)) return { kind: 'guardduty', objects: [parseGuardDutyScanResult(json)] };
  return { kind: 's3', objects: parseS3Notification(body) };
}
