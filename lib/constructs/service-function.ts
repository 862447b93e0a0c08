/**
 * `ServiceFunction`: a zip-packaged Node.js Lambda function of this project, built with esbuild
 * from `functions/<name>/handler.ts` (export `handler`). It owns the defaults every zip function
 * shares; constructs add their environment and grants through the `bind*` helpers.
 *
 * Default settings:
 * - Node.js 24 (`nodejs24.x`) on ARM64 (Graviton), active X-Ray tracing;
 * - JSON logs to its own KMS-encrypted log group with a retention; application log level INFO,
 *   system log level WARN;
 * - its own IAM role with only `logs:CreateLogStream`/`logs:PutLogEvents` on that log group
 *   (inline, no managed policies);
 * - esbuild: minified CJS for `node24`, source maps (`NODE_OPTIONS=--enable-source-maps`), the
 *   AWS SDK bundled (`externalModules: []`: faster cold starts, pinned SDK version);
 * - `POWERTOOLS_SERVICE_NAME` / `POWERTOOLS_METRICS_NAMESPACE` set.
 */
import path from 'node:path';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
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

/** The repository root (where package.json, package-lock.json and `functions/` live). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export interface ServiceFunctionProps extends FunctionCommonProps {
  /** Folder under `functions/`: the entry is `functions/<name>/handler.ts`, export `handler`. */
  readonly name: string;
  /** Dead-letter queue for asynchronous invocations (only functions invoked asynchronously). */
  readonly deadLetterQueue?: sqs.IQueue;
}

/** The bundling stand-in for zod, shared with the container image's build (docker/functions/Dockerfile). */
export const ZOD_WITHOUT_LOCALES = path.join(PROJECT_ROOT, 'functions/shared/bundling/zod.js');

export class ServiceFunction extends NodejsFunction {
  /** The function's own execution role. */
  override readonly role: iam.Role;
  private readonly bindings: Bindings;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    const identity = new FunctionIdentity(scope, `${id}Identity`, props);
    super(scope, id, {
      entry: path.join(PROJECT_ROOT, 'functions', props.name, 'handler.ts'),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
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
      deadLetterQueue: props.deadLetterQueue,
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        target: 'node24',
        format: OutputFormat.CJS,
        externalModules: [],
        // ESM entry points let esbuild drop what a function does not use (the AWS SDK ships both).
        mainFields: ['module', 'main'],
        // zod without its ~50 message locales (functions/shared/bundling/zod.js): ≈220 KB less per function.
        esbuildArgs: { '--alias:zod': ZOD_WITHOUT_LOCALES },
      },
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
}
