/**
 * `ImageFunction`: a Lambda function run from the project's container image
 * (`docker/functions/Dockerfile`). The scan function and the release function both need sharp's
 * native binaries, and the scanner also needs ClamAV with its signature database, so both run
 * from ONE image (one build, one asset hash); only the image `CMD` (the handler) differs.
 *
 * The image is built by the CDK CLI at deploy/publish time (`cdk deploy` needs Docker then);
 * `cdk synth` only stages the build context and needs no Docker.
 *
 * Default settings:
 * - base image `public.ecr.aws/lambda/nodejs:24` (Node.js 24), x86_64 (`linux/amd64`: ClamAV and
 *   its database are built for it in the Amazon Linux 2023 repositories);
 * - active X-Ray tracing; JSON logs to its own KMS-encrypted log group with a retention;
 * - its own IAM role with only inline log permissions on that group;
 * - the build context is the repository root minus everything the Dockerfile does not copy.
 */
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  acknowledgeTracing,
  Bindings,
  baseEnvironment,
  type FunctionCommonProps,
  FunctionIdentity,
  type ObjectAccess,
  type TableAccess,
} from './function-support';
import { PROJECT_ROOT } from './service-function';

/** Relative to the repository root. */
export const FUNCTIONS_DOCKERFILE = 'docker/functions/Dockerfile';

/** Where the image keeps the ClamAV database (official + project signatures); see the Dockerfile. */
export const IMAGE_CLAMAV_DATABASE_DIR = '/opt/clamav/db';

/**
 * Build context: only what the Dockerfile copies (the `.dockerignore` at the root says the same
 * for plain `docker build`). Keeps the staged asset small and its hash stable.
 */
export const IMAGE_CONTEXT_EXCLUDE = [
  '*',
  '!package.json',
  '!package-lock.json',
  '!tsconfig.json',
  '!functions',
  '!clamav',
  '!docker',
  '**/node_modules',
  '**/.git',
  '**/.data',
  '**/cdk.out',
  '**/*.test.ts',
];

/** The handlers the image contains: `<name>.handler` in `/var/task/<name>.js`. */
export type ImageHandler = 'scan-upload' | 'release-record';

export interface ImageFunctionProps extends FunctionCommonProps {
  readonly handler: ImageHandler;
  /** Optional: reserved concurrency. */
  readonly reservedConcurrentExecutions?: number;
  /**
   * The log group and role, when they must exist before the function (the quarantine bucket's
   * policy names the scanner's role). Default: created here.
   */
  readonly identity?: FunctionIdentity;
  /**
   * Build argument `CLAMAV_DB_STAMP`: changing it changes the image asset hash, so the next deploy
   * rebuilds the image and downloads a fresh ClamAV database. Default `initial`.
   */
  readonly imageRefreshStamp?: string;
}

export class ImageFunction extends lambda.DockerImageFunction {
  override readonly role: iam.Role;
  private readonly bindings: Bindings;

  constructor(scope: Construct, id: string, props: ImageFunctionProps) {
    const identity = props.identity ?? new FunctionIdentity(scope, `${id}Identity`, props);
    super(scope, id, {
      code: lambda.DockerImageCode.fromImageAsset(PROJECT_ROOT, {
        file: FUNCTIONS_DOCKERFILE,
        cmd: [`${props.handler}.handler`],
        platform: Platform.LINUX_AMD64,
        exclude: IMAGE_CONTEXT_EXCLUDE,
        buildArgs: { CLAMAV_DB_STAMP: props.imageRefreshStamp ?? 'initial' },
      }),
      architecture: lambda.Architecture.X86_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      description: props.description,
      tracing: lambda.Tracing.ACTIVE,
      role: identity.role,
      logGroup: identity.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      environment: baseEnvironment(props.environment),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    });
    this.role = identity.role;
    this.bindings = new Bindings(this, identity.role);
    acknowledgeTracing(identity.role, props.otherStarReason);
  }

  bindTable(table: dynamodb.ITable, access: TableAccess, options?: { queryIndex?: string }): void {
    this.bindings.table(table, access, options);
  }

  bindBucket(bucket: s3.IBucket, envName: string, ...grants: ObjectAccess[]): void {
    this.bindings.bucket(bucket, envName, ...grants);
  }

  bindQueueSender(queue: sqs.IQueue, envName: string): void {
    this.bindings.queueSender(queue, envName);
  }

  bindSigningKey(key: kms.IKey, envName: string): void {
    this.bindings.signingKey(key, envName);
  }
}
