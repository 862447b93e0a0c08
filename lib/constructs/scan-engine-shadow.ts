/**
 * `ScanEngineShadow` (engine mode `shadow`): the shadow queue that GuardDuty's scan results are
 * routed to, and the zip function `compare-scan-engines` that compares each result with ClamAV's
 * decision on the record and records agreements and disagreements (metrics, log lines). It only
 * reads the table.
 *
 * Default settings:
 * - shadow queue: KMS with the queue key, SSL only, visibility 5 min (10 × the function's timeout),
 *   retention 4 days; dead-letter queue after 10 receives (≈ 50 min: longer than a scan-queue
 *   message can take to reach its own dead-letter queue, 3 × 12 min). A result whose upload ClamAV
 *   has not decided yet comes back after the visibility timeout;
 * - function: `ServiceFunction` `compare-scan-engines`, 256 MB, 30 s; SQS batch size 10, partial
 *   batch failures, max concurrency 2; `dynamodb:GetItem` on the table (and the table key through
 *   DynamoDB).
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { GuardedQueue } from './guarded-queue';
import { ServiceFunction } from './service-function';

export const COMPARE_TIMEOUT = Duration.seconds(30);
export const SHADOW_VISIBILITY = Duration.minutes(5);
export const SHADOW_MAX_RECEIVES = 10;

export interface ScanEngineShadowProps {
  readonly queueKey: kms.IKey;
  readonly table: dynamodb.ITable;
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

export class ScanEngineShadow extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly function: ServiceFunction;

  constructor(scope: Construct, id: string, props: ScanEngineShadowProps) {
    super(scope, id);
    const guarded = new GuardedQueue(this, 'ShadowQueue', {
      key: props.queueKey,
      visibilityTimeout: SHADOW_VISIBILITY,
      maxReceiveCount: SHADOW_MAX_RECEIVES,
    });
    this.queue = guarded.queue;
    this.deadLetterQueue = guarded.deadLetterQueue;

    this.function = new ServiceFunction(this, 'Function', {
      name: 'compare-scan-engines',
      memorySize: 256,
      timeout: COMPARE_TIMEOUT,
      description: 'compare-scan-engines: GuardDuty vs ClamAV verdicts (shadow mode, observes only)',
      logKey: props.logKey,
      logRetention: props.logRetention,
    });
    this.function.bindTable(props.table, 'read');
    this.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 2 }),
    );
    Validations.of(this.function).acknowledge(
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'Invoked only by the SQS event source mapping, never asynchronously: a failed message returns to the shadow queue and goes to its dead-letter queue, which is alarmed.',
      },
      {
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'SQS event source mappings do not support on-failure destinations; failures go to the shadow queue redrive dead-letter queue, which is alarmed.',
      },
    );
  }
}
