/**
 * What every function of the stack shares, whether it ships as a zip (`ServiceFunction`) or as
 * the container image (`ImageFunction`): its own KMS-encrypted log group with a retention, its
 * own IAM role with only inline log permissions on that group (no managed policies), and the
 * `bind*` helpers that set an environment variable and the matching least-privilege grant
 * together, so the env contract (`functions/shared/aws-env.ts`) and IAM cannot drift apart.
 */
import { type CfnElement, type Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../functions/shared/aws-env';
import type { RetentionConfig } from '../config';

/** The Powertools service name (also the `service` dimension of every custom metric). */
export const POWERTOOLS_SERVICE_NAME = 'passport-prereview';
/** CloudWatch namespace of the custom metrics the handlers publish (Powertools Metrics, EMF). */
export const METRICS_NAMESPACE = 'PassportPrereview';

export interface FunctionCommonProps {
  /** Encrypts the function's log group. Its key policy must allow `logs.<region>.amazonaws.com`. */
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly description: string;
  readonly environment?: Record<string, string>;
  /** Why this function needs another `Resource: *` statement besides X-Ray (nag acknowledgement). */
  readonly otherStarReason?: string;
}

export type TableAccess = 'read' | 'write';

export interface ObjectAccess {
  /** Key prefix the grants are limited to, e.g. `uploads/`. */
  readonly prefix: string;
  /** `s3:GetObject` (+ `s3:GetObjectVersion`). */
  readonly read?: boolean;
  /** `s3:PutObject` (also what a presigned POST signed by this role may do). */
  readonly write?: boolean;
  /** `s3:DeleteObject`. */
  readonly delete?: boolean;
}

/** Environment every function gets. */
export function baseEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_OPTIONS: '--enable-source-maps',
    POWERTOOLS_SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    ...extra,
  };
}

/** The retention variables of the env contract. */
export function retentionEnvironment(retention: RetentionConfig): Record<string, string> {
  return {
    [ENV.uploadWindowSeconds]: String(retention.uploadWindowSeconds),
    [ENV.recordTtlSeconds]: String(retention.recordTtlSeconds),
    [ENV.releasedSummarySeconds]: String(retention.releasedSummarySeconds),
    [ENV.onPremRetainSeconds]: String(retention.onPremRetainSeconds),
  };
}

/** A function's log group and execution role, created before the function. */
export class FunctionIdentity extends Construct {
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;

  constructor(scope: Construct, id: string, props: { logKey: kms.IKey; logRetention: logs.RetentionDays; description: string }) {
    super(scope, id);
    this.logKey = props.logKey;
    this.logRetention = props.logRetention;
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      encryptionKey: props.logKey,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role: ${props.description}`,
      inlinePolicies: {
        OwnLogGroup: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [this.logGroup.logGroupArn],
            }),
          ],
        }),
      },
    });
  }
}

/**
 * Grants that tracing needs. X-Ray's `PutTraceSegments`/`PutTelemetryRecords` have no
 * resource-level permissions, so CDK grants them on `*`.
 */
export function acknowledgeTracing(fn: Construct, otherStarReason?: string): void {
  const tracing =
    'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions (AWS service authorization reference), so CDK grants them on *.';
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: otherStarReason
      ? `${tracing} ${otherStarReason}`
      : `${tracing} Every other statement of this role names its resources.`,
  });
}

/** Object grants name a key prefix; an object ARN under a prefix always ends in a wildcard. */
function acknowledgeObjectPrefix(role: iam.IRole, bucket: s3.IBucket, prefix: string): void {
  const cfn = bucket.node.defaultChild as CfnElement | undefined;
  if (!cfn) return;
  const logicalId = Stack.of(bucket).getLogicalId(cfn);
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${prefix}*]`,
    reason: `Object-level grant limited to the server-generated key prefix ${prefix} of one bucket (keys are minted per application and upload id, so no narrower ARN exists at deploy time).`,
  });
}

/**
 * Env + least-privilege grants, shared by both function kinds. KMS permissions are limited to the
 * service that uses the key (`kms:ViaService`), so a role that may decrypt S3 objects with the
 * data key cannot decrypt anything else with it.
 */
export class Bindings {
  constructor(
    private readonly fn: lambda.Function,
    private readonly role: iam.IRole,
  ) {}

  /** `TABLE_NAME`; read = GetItem, write = GetItem + PutItem (every write is a conditional put). */
  table(table: dynamodb.ITable, access: TableAccess, options: { queryIndex?: string } = {}): void {
    this.fn.addEnvironment(ENV.tableName, table.tableName);
    const actions = access === 'read' ? ['dynamodb:GetItem'] : ['dynamodb:GetItem', 'dynamodb:PutItem'];
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [table.tableArn] }));
    if (options.queryIndex) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${options.queryIndex}`] }),
      );
    }
    if (table.encryptionKey) {
      const kmsActions = access === 'read' ? ['kms:Decrypt'] : ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'];
      this.key(table.encryptionKey, kmsActions, 'dynamodb');
    }
  }

  /** Sets `envName` to the bucket name and grants the listed object operations under one prefix. */
  bucket(bucket: s3.IBucket, envName: string, ...grants: ObjectAccess[]): void {
    this.fn.addEnvironment(envName, bucket.bucketName);
    const kmsActions = new Set<string>();
    for (const grant of grants) {
      const actions: string[] = [];
      if (grant.read) {
        actions.push('s3:GetObject', 's3:GetObjectVersion');
        kmsActions.add('kms:Decrypt');
      }
      if (grant.write) {
        actions.push('s3:PutObject');
        kmsActions.add('kms:GenerateDataKey');
      }
      if (grant.delete) actions.push('s3:DeleteObject');
      if (actions.length === 0) throw new Error(`bindBucket(${envName}): no operation granted on ${grant.prefix}`);
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [bucket.arnForObjects(`${grant.prefix}*`)] }));
      acknowledgeObjectPrefix(this.role, bucket, grant.prefix);
    }
    if (bucket.encryptionKey && kmsActions.size > 0) this.key(bucket.encryptionKey, [...kmsActions].sort(), 's3');
  }

  /** Sets `envName` to the queue URL; `sqs:SendMessage` plus the queue key's data-key actions. */
  queueSender(queue: sqs.IQueue, envName: string): void {
    this.fn.addEnvironment(envName, queue.queueUrl);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    if (queue.encryptionMasterKey) this.key(queue.encryptionMasterKey, ['kms:Decrypt', 'kms:GenerateDataKey'], 'sqs');
  }

  /** Sets `envName` to the key ARN and grants `kms:Sign` (asymmetric signing key). */
  signingKey(key: kms.IKey, envName: string): void {
    this.fn.addEnvironment(envName, key.keyArn);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Sign'], resources: [key.keyArn] }));
  }

  /** KMS actions on one key, only when called through `service` in this region. */
  key(key: kms.IKey, actions: string[], service: 'dynamodb' | 's3' | 'sqs'): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions,
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `${service}.${Stack.of(this.fn).region}.amazonaws.com` } },
      }),
    );
  }
}
