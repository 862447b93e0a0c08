/** GuardDuty Malware Protection scan-result events as EventBridge delivers them to SQS (tests). */
import type { SQSEvent } from 'aws-lambda';

export const SAMPLE_KEY = 'uploads/P0A1B2C3D4E5F/photo/u0123456789abcdef';

/** The body of one SQS message: the documented event shape, with `status` and `threats` as given. */
export function guardDutyBody(
  status: string,
  threats: { name: string }[] | null = null,
  overrides: { key?: string; bucket?: string; versionId?: string } = {},
): string {
  return JSON.stringify({
    version: '0',
    id: 'e-1',
    'detail-type': 'GuardDuty Malware Protection Object Scan Result',
    source: 'aws.guardduty',
    account: '123456789012',
    time: '2026-11-28T08:00:05Z',
    region: 'ap-northeast-1',
    resources: ['arn:aws:guardduty:ap-northeast-1:123456789012:malware-protection-plan/b4c7f464ab3a4EXAMPLE'],
    detail: {
      schemaVersion: '1.0',
      scanStatus: status === 'NO_THREATS_FOUND' || status === 'THREATS_FOUND' ? 'COMPLETED' : 'FAILED',
      resourceType: 'S3_OBJECT',
      s3ObjectDetails: {
        bucketName: overrides.bucket ?? 'quarantine-bucket',
        objectKey: overrides.key ?? SAMPLE_KEY,
        eTag: 'e',
        versionId: overrides.versionId ?? 'v1',
        s3Throttled: false,
      },
      scanResultDetails: { scanResultStatus: status, threats },
    },
  });
}

/** An SQS batch of GuardDuty scan-result bodies. */
export function sqsEventOf(...bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m-${i}`,
      receiptHandle: 'r',
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:ap-northeast-1:123456789012:shadow-queue',
      awsRegion: 'ap-northeast-1',
    })),
  };
}
