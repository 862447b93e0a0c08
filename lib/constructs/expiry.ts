/**
 * `Expiry`: the sweep that expires applications whose uploads did not complete in time, drops
 * their personal data and objects, and publishes `StuckApplications` (records that stopped moving).
 *
 * Default settings:
 * - EventBridge schedule every 15 minutes → zip `ServiceFunction` `expire-applications`
 *   (512 MB, 5 min), 2 retries, event age ≤ 1 hour; failed events (rule target and function
 *   asynchronous invocation) go to one dead-letter queue (SQS-managed SSE: it holds only the
 *   schedule event, never personal data);
 * - environment per `expireEnvSchema`; grants: `dynamodb:Query` on the `byStatus` index,
 *   `GetItem`/`PutItem` on the table, `s3:DeleteObject` on quarantine `uploads/*` and clean
 *   `clean/*`.
 */
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../functions/shared/aws-env';
import type { RetentionConfig } from '../config';
import { CLEAN_PREFIX } from './face-check';
import { retentionEnvironment } from './function-support';
import { DeadLetterQueue } from './guarded-queue';
import { UPLOADS_PREFIX } from './quarantine-uploads';
import { ServiceFunction } from './service-function';

export const EXPIRY_SCHEDULE = Duration.minutes(15);

export interface ExpiryProps {
  readonly table: dynamodb.ITable;
  readonly statusIndexName: string;
  readonly quarantineBucket: s3.IBucket;
  readonly cleanBucket: s3.IBucket;
  readonly retention: RetentionConfig;
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

export class Expiry extends Construct {
  readonly function: ServiceFunction;
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ExpiryProps) {
    super(scope, id);
    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetter').queue;
    this.function = new ServiceFunction(this, 'Function', {
      name: 'expire-applications',
      description: 'expire-applications: expiry sweep and stuck-record count',
      logKey: props.logKey,
      logRetention: props.logRetention,
      memorySize: 512,
      timeout: Duration.minutes(5),
      environment: retentionEnvironment(props.retention),
      deadLetterQueue: this.deadLetterQueue,
    });
    this.function.bindTable(props.table, 'write', { queryIndex: props.statusIndexName });
    this.function.bindBucket(props.quarantineBucket, ENV.quarantineBucket, { prefix: UPLOADS_PREFIX, delete: true });
    this.function.bindBucket(props.cleanBucket, ENV.cleanBucket, { prefix: CLEAN_PREFIX, delete: true });
    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Expire applications and count stuck records',
      schedule: events.Schedule.rate(EXPIRY_SCHEDULE),
      targets: [
        new targets.LambdaFunction(this.function, {
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
  }
}
