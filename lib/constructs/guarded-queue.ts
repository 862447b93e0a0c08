/**
 * `GuardedQueue`: an SQS work queue with its dead-letter queue, both encrypted and SSL-only.
 *
 * Default settings:
 * - KMS encryption with the given key (data-key reuse 5 min), or SQS-managed SSE when no key is
 *   given (queues that hold no personal data and are written by AWS services: the stream-failure
 *   and schedule dead-letter queues);
 * - `enforceSSL`; message retention 4 days (work queue) and 14 days (dead-letter queue);
 * - redrive to the dead-letter queue after `maxReceiveCount` receives.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export const WORK_QUEUE_RETENTION = Duration.days(4);
export const DEAD_LETTER_RETENTION = Duration.days(14);

export interface GuardedQueueProps {
  /** Encrypts both queues; omit for SQS-managed SSE. */
  readonly key?: kms.IKey;
  readonly maxReceiveCount: number;
  readonly visibilityTimeout: Duration;
  readonly retentionPeriod?: Duration;
  /** FIFO queue: give the names (they must end in `.fifo`). */
  readonly fifo?: { readonly queueName: string; readonly deadLetterQueueName: string };
  /** Long polling wait on receive (consumers outside Lambda). */
  readonly receiveMessageWaitTime?: Duration;
}

function encryptionOf(key: kms.IKey | undefined): Pick<sqs.QueueProps, 'encryption' | 'encryptionMasterKey' | 'dataKeyReuse'> {
  return key
    ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key, dataKeyReuse: Duration.minutes(5) }
    : { encryption: sqs.QueueEncryption.SQS_MANAGED };
}

export class GuardedQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: GuardedQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetter', {
      key: props.key,
      fifo: props.fifo ? { queueName: props.fifo.deadLetterQueueName } : undefined,
    }).queue;
    this.queue = new sqs.Queue(this, 'Queue', {
      ...encryptionOf(props.key),
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: props.retentionPeriod ?? WORK_QUEUE_RETENTION,
      receiveMessageWaitTime: props.receiveMessageWaitTime,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
      ...(props.fifo ? { fifo: true, contentBasedDeduplication: false, queueName: props.fifo.queueName } : {}),
    });
  }
}

/** A queue that only ever holds failures: 14 days retention, encrypted, SSL only. */
export class DeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;

  constructor(scope: Construct, id: string, props: { key?: kms.IKey; fifo?: { queueName: string } } = {}) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      ...encryptionOf(props.key),
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
      ...(props.fifo ? { fifo: true, contentBasedDeduplication: false, queueName: props.fifo.queueName } : {}),
    });
    Validations.of(this.queue).acknowledge(
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'This queue is itself a dead-letter queue: it has no redrive target of its own. Its depth is alarmed (Monitoring).',
      },
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself a dead-letter queue (a redrive target, a Lambda on-failure destination, an EventBridge target DLQ or an SNS subscription DLQ). Its depth is alarmed (Monitoring).',
      },
    );
  }
}
