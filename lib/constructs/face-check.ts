/**
 * `FaceCheck`: the clean bucket (rebuilt images only), its `ObjectCreated` → face queue, and the
 * face function (photo rules + CompareFaces of the photo with the ID card's portrait).
 *
 * Default settings:
 * - clean bucket: SSE-KMS with the data key + bucket key, BLOCK_ALL, SSL only, server access
 *   logs, NOT versioned (a delete at release removes the bytes at once instead of leaving a
 *   noncurrent copy of personal data); lifecycle: objects expire after the record TTL (7 days),
 *   noncurrent versions after 1 day (in case versioning is ever enabled), incomplete multipart
 *   uploads after 1 day;
 * - `OBJECT_CREATED` under `clean/` → face queue (KMS queue key, SSL only, visibility 6 × the
 *   function timeout, 4 days) → dead-letter queue after 3 receives;
 * - face function: zip `ServiceFunction` `check-faces`, 1024 MB, 60 s, SQS batch size 5, partial
 *   batch failures, max concurrency 5 (Rekognition's per-account TPS quotas);
 * - grants: `rekognition:DetectFaces`/`CompareFaces` (no resource-level permissions: `*`),
 *   `s3:GetObject` on `clean/*`, `dynamodb:GetItem`/`PutItem` on the table.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../functions/shared/aws-env';
import { dataBucketDefaults } from './data-bucket';
import { GuardedQueue } from './guarded-queue';
import { ServiceFunction } from './service-function';

export const CLEAN_PREFIX = 'clean/';
export const FACE_TIMEOUT = Duration.seconds(60);

export interface FaceCheckProps {
  readonly dataKey: kms.IKey;
  readonly queueKey: kms.IKey;
  readonly accessLogs: s3.IBucket;
  readonly table: dynamodb.ITable;
  /** Rebuilt images expire with their record. */
  readonly recordTtlDays: number;
  readonly faceSimilarityThreshold: number;
  readonly logRetention: logs.RetentionDays;
}

export class FaceCheck extends Construct {
  readonly cleanBucket: s3.Bucket;
  readonly faceQueue: sqs.Queue;
  readonly faceDeadLetterQueue: sqs.Queue;
  readonly function: ServiceFunction;

  constructor(scope: Construct, id: string, props: FaceCheckProps) {
    super(scope, id);
    this.cleanBucket = new s3.Bucket(this, 'CleanBucket', {
      ...dataBucketDefaults({ dataKey: props.dataKey, accessLogs: props.accessLogs, logPrefix: 'clean/' }),
      versioned: false,
      lifecycleRules: [
        {
          id: 'clean-expires-with-record',
          expiration: Duration.days(props.recordTtlDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const faces = new GuardedQueue(this, 'FaceQueue', {
      key: props.queueKey,
      visibilityTimeout: Duration.seconds(FACE_TIMEOUT.toSeconds() * 6),
      maxReceiveCount: 3,
    });
    this.faceQueue = faces.queue;
    this.faceDeadLetterQueue = faces.deadLetterQueue;
    this.cleanBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.faceQueue), {
      prefix: CLEAN_PREFIX,
    });

    this.function = new ServiceFunction(this, 'Function', {
      name: 'check-faces',
      description: 'check-faces: photo rules and face comparison (Rekognition)',
      logKey: props.dataKey,
      logRetention: props.logRetention,
      memorySize: 1024,
      timeout: FACE_TIMEOUT,
      environment: { [ENV.faceSimilarityThreshold]: String(props.faceSimilarityThreshold) },
      otherStarReason:
        'rekognition:DetectFaces and rekognition:CompareFaces analyse image bytes passed in the request and support no resource-level permissions, so they are granted on *. Every other statement names its resources.',
    });
    this.function.bindTable(props.table, 'write');
    this.function.bindBucket(this.cleanBucket, ENV.cleanBucket, { prefix: CLEAN_PREFIX, read: true });
    this.function.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['rekognition:DetectFaces', 'rekognition:CompareFaces'], resources: ['*'] }),
    );
    this.function.addEventSource(
      new SqsEventSource(this.faceQueue, { batchSize: 5, reportBatchItemFailures: true, maxConcurrency: 5 }),
    );
    Validations.of(this.function).acknowledge(
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'Invoked only by the SQS event source mapping, never asynchronously: a failed message returns to the face queue and goes to its dead-letter queue (maxReceiveCount 3), which is alarmed.',
      },
      {
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'SQS event source mappings do not support on-failure destinations; failures go to the face queue redrive dead-letter queue (maxReceiveCount 3), which is alarmed.',
      },
    );
  }
}
