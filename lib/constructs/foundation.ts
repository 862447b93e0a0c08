/**
 * `Foundation`: the KMS keys shared by several constructs and the S3 access-log bucket.
 *
 * Default settings:
 * - `dataKey` (symmetric, yearly rotation): the quarantine and clean buckets, the staging table
 *   and every log group. Its key policy lets CloudWatch Logs use it for this account's log groups.
 * - `queueKey` (symmetric, yearly rotation): the scan and face queues and their dead-letter queues.
 *   A separate key because S3 event notifications add an `s3.amazonaws.com` statement conditioned
 *   on the bucket ARN to the queue's key policy; with one key for the bucket and its queue,
 *   CloudFormation sees a bucket ↔ key cycle.
 * - `accessLogs`: S3 server access logs of every bucket (SSE-S3, which S3 log delivery requires),
 *   BLOCK_ALL, SSL only, objects expire after the log retention.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface FoundationProps {
  /** Resource name prefix, e.g. `passport-dev`. */
  readonly prefix: string;
  /** Days the S3 access logs are kept. */
  readonly accessLogRetentionDays: number;
}

export class Foundation extends Construct {
  /** Buckets, staging table, log groups. */
  readonly dataKey: kms.Key;
  /** Scan/face work queues and their dead-letter queues. */
  readonly queueKey: kms.Key;
  /** Target of every bucket's server access logs. */
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: FoundationProps) {
    super(scope, id);
    const { region, account } = Stack.of(this);

    this.dataKey = new kms.Key(this, 'DataKey', {
      description: `${props.prefix}: staging data (buckets, table, logs)`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.dataKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Stack.of(this).partition}:logs:${region}:${account}:log-group:*`,
          },
        },
      }),
    );

    this.queueKey = new kms.Key(this, 'QueueKey', {
      description: `${props.prefix}: scan and face queues`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'expire-logs',
          expiration: Duration.days(props.accessLogRetentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log target bucket; logging it into itself would loop.',
    });
  }
}
