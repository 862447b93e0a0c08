/**
 * `UploadScanner`: the scan function (container image: ClamAV + sharp) consuming the scan queue:
 * type allowlist, limits, signature scan, rebuild from pixels; the rebuilt JPEG goes to the clean
 * bucket, the original is deleted from quarantine.
 *
 * Default settings:
 * - 3008 MB (clamd with the official database needs ~1.2 GiB, ~2.4 GiB briefly on reload), 2 min
 *   timeout, x86_64, the image's `scan-upload.handler`;
 * - SQS event source: batch size 4, partial batch failures reported, at most
 *   `maxConcurrency` concurrent invocations (default 5: bounds clamd memory and cost
 *   without reserving account concurrency);
 * - environment per `scanEnvSchema` (`SCAN_ENGINE`: `clamav`/`shadow` act on S3 notifications,
 *   `guardduty` on GuardDuty scan results); grants: `s3:GetObject`/`GetObjectVersion`/`DeleteObject` on
 *   quarantine `uploads/*`, `s3:PutObject` on clean `clean/*`, `dynamodb:GetItem`/`PutItem` on the
 *   table, KMS through S3/DynamoDB only.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV, type ScanEngine } from '../../functions/shared/aws-env';
import { CLEAN_PREFIX } from './face-check';
import { FunctionIdentity } from './function-support';
import { IMAGE_CLAMAV_DATABASE_DIR, ImageFunction, type ImageFunctionProps } from './image-function';
import { UPLOADS_PREFIX } from './quarantine-uploads';

export const SCAN_TIMEOUT = Duration.minutes(2);
export const SCAN_MEMORY_MB = 3008;
const DESCRIPTION = 'scan-upload: allowlist, limits, ClamAV, rebuild from pixels';

export interface UploadScannerProps {
  /** From {@link UploadScanner.createIdentity}: the role exists before the quarantine bucket policy. */
  readonly identity: FunctionIdentity;
  readonly quarantineBucket: s3.IBucket;
  readonly scanQueue: sqs.IQueue;
  readonly cleanBucket: s3.IBucket;
  readonly table: dynamodb.ITable;
  readonly maxConcurrency: number;
  /** See {@link ImageFunctionProps.imageRefreshStamp}. */
  readonly imageRefreshStamp?: string;
  /** The engine mode (`SCAN_ENGINE`): which scan-queue events the function acts on. */
  readonly engine: ScanEngine;
}

export class UploadScanner extends Construct {
  readonly function: ImageFunction;
  /** The only role the quarantine bucket lets read. */
  readonly role: iam.IRole;

  /** The scanner's log group and role, created before the quarantine bucket (its policy names the role). */
  static createIdentity(
    scope: Construct,
    id: string,
    props: { logKey: kms.IKey; logRetention: logs.RetentionDays },
  ): FunctionIdentity {
    return new FunctionIdentity(scope, id, { ...props, description: DESCRIPTION });
  }

  constructor(scope: Construct, id: string, props: UploadScannerProps) {
    super(scope, id);
    this.function = new ImageFunction(this, 'Function', {
      handler: 'scan-upload',
      imageRefreshStamp: props.imageRefreshStamp,
      identity: props.identity,
      logKey: props.identity.logKey,
      logRetention: props.identity.logRetention,
      memorySize: SCAN_MEMORY_MB,
      timeout: SCAN_TIMEOUT,
      description: DESCRIPTION,
      environment: { [ENV.clamavDatabaseDir]: IMAGE_CLAMAV_DATABASE_DIR, [ENV.scanEngine]: props.engine },
    });
    this.role = this.function.role;
    this.function.bindTable(props.table, 'write');
    this.function.bindBucket(props.quarantineBucket, ENV.quarantineBucket, { prefix: UPLOADS_PREFIX, read: true, delete: true });
    this.function.bindBucket(props.cleanBucket, ENV.cleanBucket, { prefix: CLEAN_PREFIX, write: true });

    const source = new SqsEventSource(props.scanQueue, {
      batchSize: 4,
      reportBatchItemFailures: true,
      maxConcurrency: props.maxConcurrency,
    });
    this.function.addEventSource(source);
    Validations.of(this.function).acknowledge(
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'Invoked only by the SQS event source mapping, never asynchronously: a failed message returns to the scan queue and goes to its dead-letter queue (maxReceiveCount 3), which is alarmed.',
      },
      {
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'SQS event source mappings do not support on-failure destinations; failures go to the scan queue redrive dead-letter queue (maxReceiveCount 3), which is alarmed.',
      },
    );
  }
}
