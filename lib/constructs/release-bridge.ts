/**
 * `ReleaseBridge`: the one-way bridge to the intranet. The release function (container image,
 * `release-record.handler`) turns each record that reaches VETTED into one signed message on the
 * release FIFO queue; the on-premises poller pulls it with the on-premises role, whose ONLY
 * permissions are receive/delete/change-visibility/attributes on that queue, decrypt with its key
 * (through SQS), and read the signing key's public key (DESIGN.md §5 invariant 3). Nothing in the
 * cloud can reach the intranet: the bridge is a queue the intranet polls outbound.
 *
 * Default settings:
 * - release queue `<prefix>-release.fifo`: FIFO, content-based deduplication off (the release id is
 *   the deduplication id), its own KMS key, SSL only, retention 4 days, long polling 20 s,
 *   visibility 2 min, dead-letter queue `<prefix>-release-dlq.fifo` after 5 receives (a message
 *   that fails verification on premises ends there);
 * - signing key: KMS asymmetric ECC_NIST_P256, SIGN_VERIFY (ECDSA_SHA_256, verified on premises
 *   with the public key);
 * - release function: 1024 MB, 60 s, from the table stream with a filter `status = VETTED` on the
 *   new image, batch size 5, partial batch failures, bisect on error, 5 retries, records older
 *   than 1 day dropped to the stream dead-letter queue (on-failure destination, SQS-managed SSE:
 *   it receives only batch metadata, never a record);
 * - on-premises role: trusted EITHER by one IAM principal (with `sts:ExternalId` when configured)
 *   OR through IAM Roles Anywhere (trust anchor from the CA certificate, profile listing only
 *   this role, trust conditioned on the trust anchor and, when configured, the certificate CN);
 *   max session 1 hour.
 */
import { CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as rolesanywhere from 'aws-cdk-lib/aws-rolesanywhere';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../functions/shared/aws-env';
import type { OnPremConfig, RetentionConfig } from '../config';
import { CLEAN_PREFIX } from './face-check';
import { retentionEnvironment } from './function-support';
import { DeadLetterQueue, GuardedQueue } from './guarded-queue';
import { ImageFunction } from './image-function';

/** The on-premises poller's permissions on the release queue: exactly these. */
export const ONPREM_QUEUE_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
];
/** Session tag Roles Anywhere sets from the certificate's subject CN. */
export const ROLES_ANYWHERE_CN_TAG = 'aws:PrincipalTag/x509Subject/CN';
export const RELEASE_TIMEOUT = Duration.seconds(60);

export interface ReleaseBridgeProps {
  /** Resource name prefix (`passport-<stage>`): the FIFO queues are named from it. */
  readonly prefix: string;
  readonly table: dynamodb.ITable;
  readonly cleanBucket: s3.IBucket;
  readonly onPrem: OnPremConfig;
  readonly retention: RetentionConfig;
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /** Same value as the scanner's: both functions run from one image. */
  readonly imageRefreshStamp?: string;
}

export class ReleaseBridge extends Construct {
  readonly releaseQueue: sqs.Queue;
  readonly releaseDeadLetterQueue: sqs.Queue;
  /** Receives the metadata of stream batches the release function gave up on. */
  readonly streamDeadLetterQueue: sqs.Queue;
  readonly releaseQueueKey: kms.Key;
  readonly signingKey: kms.Key;
  readonly function: ImageFunction;
  readonly onPremRole: iam.Role;
  /** Set when the on-premises side uses IAM Roles Anywhere. */
  readonly trustAnchor?: rolesanywhere.CfnTrustAnchor;
  readonly rolesAnywhereProfile?: rolesanywhere.CfnProfile;

  constructor(scope: Construct, id: string, props: ReleaseBridgeProps) {
    super(scope, id);
    const region = Stack.of(this).region;

    this.releaseQueueKey = new kms.Key(this, 'ReleaseQueueKey', {
      description: `${props.prefix}: release queue (decryptable on premises through SQS only)`,
      enableKeyRotation: true,
    });
    const release = new GuardedQueue(this, 'ReleaseQueue', {
      key: this.releaseQueueKey,
      fifo: { queueName: `${props.prefix}-release.fifo`, deadLetterQueueName: `${props.prefix}-release-dlq.fifo` },
      visibilityTimeout: Duration.minutes(2),
      receiveMessageWaitTime: Duration.seconds(20),
      maxReceiveCount: 5,
    });
    this.releaseQueue = release.queue;
    this.releaseDeadLetterQueue = release.deadLetterQueue;

    this.signingKey = new kms.Key(this, 'SigningKey', {
      description: `${props.prefix}: signs release messages (ECDSA P-256, SHA-256)`,
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
    });
    Validations.of(this.signingKey).acknowledge({
      id: 'AwsSolutions-KMS5',
      reason:
        'Asymmetric SIGN_VERIFY key: AWS KMS does not support automatic rotation of asymmetric keys. Rotate by creating a new key and publishing its public key to the on-premises verifier (docs/infrastructure.md).',
    });

    this.streamDeadLetterQueue = new DeadLetterQueue(this, 'StreamDeadLetter').queue;

    this.function = new ImageFunction(this, 'Function', {
      handler: 'release-record',
      imageRefreshStamp: props.imageRefreshStamp,
      description: 'release-record: signed release message for each VETTED record',
      logKey: props.logKey,
      logRetention: props.logRetention,
      memorySize: 1024,
      timeout: RELEASE_TIMEOUT,
      environment: retentionEnvironment(props.retention),
      otherStarReason:
        'dynamodb:ListStreams (added by the DynamoDB event source) has no resource-level permissions. Every other statement names its resources.',
    });
    this.function.bindTable(props.table, 'write');
    this.function.bindBucket(props.cleanBucket, ENV.cleanBucket, { prefix: CLEAN_PREFIX, read: true, delete: true });
    this.function.bindQueueSender(this.releaseQueue, ENV.releaseQueueUrl);
    this.function.bindSigningKey(this.signingKey, ENV.signingKeyId);
    this.function.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 5,
        bisectBatchOnError: true,
        retryAttempts: 5,
        maxRecordAge: Duration.days(1),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.streamDeadLetterQueue),
        filters: [
          lambda.FilterCriteria.filter({ dynamodb: { NewImage: { status: { S: lambda.FilterRule.isEqual('VETTED') } } } }),
        ],
      }),
    );
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked only by the DynamoDB stream event source mapping, never asynchronously; failed batches go to the mapping on-failure destination (stream dead-letter queue), which is alarmed.',
    });

    // The on-premises poller's role: trusted by one principal or through Roles Anywhere.
    const permissions = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'ReceiveReleases',
          actions: ONPREM_QUEUE_ACTIONS,
          resources: [this.releaseQueue.queueArn],
        }),
        new iam.PolicyStatement({
          sid: 'DecryptReleasesThroughSqs',
          actions: ['kms:Decrypt'],
          resources: [this.releaseQueueKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `sqs.${region}.amazonaws.com` } },
        }),
        new iam.PolicyStatement({ sid: 'VerifySignatures', actions: ['kms:GetPublicKey'], resources: [this.signingKey.keyArn] }),
      ],
    });

    if ('rolesAnywhere' in props.onPrem) {
      const ra = props.onPrem.rolesAnywhere;
      this.trustAnchor = new rolesanywhere.CfnTrustAnchor(this, 'TrustAnchor', {
        name: `${props.prefix}-onprem-ca`,
        enabled: true,
        source: { sourceType: 'CERTIFICATE_BUNDLE', sourceData: { x509CertificateData: ra.caCertificatePem.trim() } },
      });
      this.onPremRole = new iam.Role(this, 'OnPremRole', {
        assumedBy: new iam.ServicePrincipal('rolesanywhere.amazonaws.com'),
        description: 'On-premises release poller (IAM Roles Anywhere): receive and delete release messages only',
        maxSessionDuration: Duration.hours(1),
        inlinePolicies: { ReleaseQueueConsumer: permissions },
      });
      const conditions: Record<string, Record<string, string>> = {
        ArnEquals: { 'aws:SourceArn': this.trustAnchor.attrTrustAnchorArn },
      };
      if (ra.subjectCommonName) conditions.StringEquals = { [ROLES_ANYWHERE_CN_TAG]: ra.subjectCommonName };
      (this.onPremRole.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'rolesanywhere.amazonaws.com' },
            Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
            Condition: conditions,
          },
        ],
      };
      this.rolesAnywhereProfile = new rolesanywhere.CfnProfile(this, 'RolesAnywhereProfile', {
        name: `${props.prefix}-onprem-poller`,
        enabled: true,
        roleArns: [this.onPremRole.roleArn],
        durationSeconds: 3600,
      });
      new CfnOutput(this, 'TrustAnchorArn', { value: this.trustAnchor.attrTrustAnchorArn });
      new CfnOutput(this, 'RolesAnywhereProfileArn', { value: this.rolesAnywhereProfile.attrProfileArn });
    } else {
      this.onPremRole = new iam.Role(this, 'OnPremRole', {
        assumedBy: new iam.ArnPrincipal(props.onPrem.principalArn),
        externalIds: props.onPrem.externalId ? [props.onPrem.externalId] : undefined,
        description: 'On-premises release poller: receive and delete release messages only',
        maxSessionDuration: Duration.hours(1),
        inlinePolicies: { ReleaseQueueConsumer: permissions },
      });
    }
  }
}
