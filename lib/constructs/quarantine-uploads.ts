/**
 * `QuarantineUploads`: where the public's uploads land (presigned POST from the form), readable by
 * the scanner only (DESIGN.md §5 invariant 2), and the scan queue its `ObjectCreated` events go to.
 *
 * Default settings:
 * - bucket: versioned, SSE-KMS with the data key + S3 bucket key, BLOCK_ALL, SSL only, server
 *   access logs, object ownership enforced;
 * - bucket policy: DENY `s3:GetObject`/`s3:GetObjectVersion` to every principal whose
 *   `aws:PrincipalArn` is not one of the reader roles: the scanner's, plus the GuardDuty Malware
 *   Protection plan's service role in the `guardduty` and `shadow` engine modes (an explicit deny
 *   beats any allow, including an administrator's);
 * - CORS: `POST` from the applicant site's origin only;
 * - lifecycle: current versions expire after 1 day, noncurrent versions 1 day later, incomplete
 *   multipart uploads are aborted after 1 day (the scanner deletes each object as soon as it is
 *   scanned; the rules are the backstop);
 * - `OBJECT_CREATED` under `uploads/` → scan queue (KMS with the queue key, SSL only, visibility
 *   6 × the scanner's timeout, retention 4 days) → dead-letter queue after 3 receives. Not in the
 *   `guardduty` engine mode (`notifyScanQueue: false`): there GuardDuty's result events feed the
 *   scan queue instead.
 * - S3 → EventBridge notifications on (`eventBridgeEnabled`) where GuardDuty protects the bucket:
 *   GuardDuty turns them on itself, and the stack then states the same setting.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { dataBucketDefaults } from './data-bucket';
import { GuardedQueue } from './guarded-queue';

export const UPLOADS_PREFIX = 'uploads/';
/** Lambda's guidance: the source queue's visibility timeout at least 6 × the function timeout. */
export const VISIBILITY_FACTOR = 6;

export interface QuarantineUploadsProps {
  readonly dataKey: kms.IKey;
  readonly queueKey: kms.IKey;
  readonly accessLogs: s3.IBucket;
  /** The applicant site's origin (`https://…`), the only origin allowed to POST uploads. */
  readonly allowedOrigin: string;
  /** The only roles that may read objects: the scanner's (and the GuardDuty plan's service role). */
  readonly readerRoles: readonly iam.IRole[];
  /** S3 `OBJECT_CREATED` → scan queue (default true; false in the `guardduty` engine mode). */
  readonly notifyScanQueue?: boolean;
  /** S3 → EventBridge notifications (GuardDuty Malware Protection listens to them). */
  readonly eventBridgeEnabled?: boolean;
  /** The scanner's timeout (sets the scan queue's visibility timeout). */
  readonly consumerTimeout: Duration;
}

export class QuarantineUploads extends Construct {
  readonly bucket: s3.Bucket;
  readonly scanQueue: sqs.Queue;
  readonly scanDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: QuarantineUploadsProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...dataBucketDefaults({ dataKey: props.dataKey, accessLogs: props.accessLogs, logPrefix: 'quarantine/' }),
      versioned: true,
      eventBridgeEnabled: props.eventBridgeEnabled ? true : undefined,
      cors: [
        {
          allowedMethods: [s3.HttpMethods.POST],
          allowedOrigins: [props.allowedOrigin],
          allowedHeaders: ['content-type'],
          maxAge: 3600,
        },
      ],
      lifecycleRules: [
        {
          id: 'quarantine-max-1-day',
          expiration: Duration.days(1),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (props.readerRoles.length === 0) throw new Error('QuarantineUploads: at least one reader role (the scanner)');
    const readerArns = props.readerRoles.map((r) => r.roleArn);
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheScannerReadsQuarantine',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': readerArns.length === 1 ? readerArns[0] : readerArns } },
      }),
    );

    const scan = new GuardedQueue(this, 'ScanQueue', {
      key: props.queueKey,
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * VISIBILITY_FACTOR),
      maxReceiveCount: 3,
    });
    this.scanQueue = scan.queue;
    this.scanDeadLetterQueue = scan.deadLetterQueue;
    if (props.notifyScanQueue ?? true) {
      this.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.scanQueue), {
        prefix: UPLOADS_PREFIX,
      });
    }
  }
}
