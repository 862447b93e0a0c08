/**
 * `IntakeApi`: the HTTP API of the form (routes of `functions/core/api.ts` `ROUTES`), one zip
 * function per route.
 *
 * Default settings:
 * - HTTP API (API Gateway v2), `$default` stage, auto-deploy, stage throttling from the config;
 * - CORS only for the applicant site's origin (`GET`/`POST`, `content-type` + `authorization`);
 * - JSON access logs to a KMS-encrypted log group with retention, with request id, route, status,
 *   latencies only (no IP, no user agent, no path parameters: DESIGN.md §5 invariant 5);
 * - functions: 512 MB, 10 s, environment per `apiEnvSchema`; grants:
 *   create-application: `dynamodb:GetItem`/`PutItem`, `s3:PutObject` on quarantine `uploads/*`
 *   (the presigned POST is signed with the function's role);
 *   get-status: `dynamodb:GetItem`;
 *   request-upload: `dynamodb:GetItem`/`PutItem`, `s3:PutObject` on quarantine `uploads/*`,
 *   `s3:DeleteObject` on clean `clean/*` (a replaced upload's rebuilt image).
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ROUTES } from '../../functions/core/api';
import { ENV } from '../../functions/shared/aws-env';
import type { RetentionConfig } from '../config';
import { CLEAN_PREFIX } from './face-check';
import { retentionEnvironment } from './function-support';
import { UPLOADS_PREFIX } from './quarantine-uploads';
import { ServiceFunction } from './service-function';

/** The only fields of an access log line. */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  requestTime: '$context.requestTimeEpoch',
} as const;

export interface IntakeApiProps {
  readonly table: dynamodb.ITable;
  readonly quarantineBucket: s3.IBucket;
  readonly cleanBucket: s3.IBucket;
  readonly allowedOrigin: string;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly retention: RetentionConfig;
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

export class IntakeApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  /** Base URL of the API (no trailing slash). */
  readonly url: string;
  readonly accessLogGroup: logs.LogGroup;
  readonly functions: {
    readonly createApplication: ServiceFunction;
    readonly getStatus: ServiceFunction;
    readonly requestUpload: ServiceFunction;
  };

  constructor(scope: Construct, id: string, props: IntakeApiProps) {
    super(scope, id);
    const fn = (fid: string, name: string, description: string) => {
      const f = new ServiceFunction(this, fid, {
        name,
        description,
        logKey: props.logKey,
        logRetention: props.logRetention,
        memorySize: 512,
        timeout: Duration.seconds(10),
        environment: retentionEnvironment(props.retention),
      });
      f.addEnvironment(ENV.quarantineBucket, props.quarantineBucket.bucketName);
      f.addEnvironment(ENV.cleanBucket, props.cleanBucket.bucketName);
      Validations.of(f).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason:
          'Invoked synchronously by the HTTP API only: a failure is the HTTP response; there is no asynchronous invocation to dead-letter.',
      });
      return f;
    };
    const createApplication = fn('CreateApplication', 'create-application', 'create-application: POST /api/applications');
    createApplication.bindTable(props.table, 'write');
    createApplication.bindBucket(props.quarantineBucket, ENV.quarantineBucket, { prefix: UPLOADS_PREFIX, write: true });
    const getStatus = fn('GetStatus', 'get-status', 'get-status: GET /api/applications/{applicationId}');
    getStatus.bindTable(props.table, 'read');
    const requestUpload = fn('RequestUpload', 'request-upload', 'request-upload: POST /api/applications/{applicationId}/uploads');
    requestUpload.bindTable(props.table, 'write');
    requestUpload.bindBucket(props.quarantineBucket, ENV.quarantineBucket, { prefix: UPLOADS_PREFIX, write: true });
    requestUpload.bindBucket(props.cleanBucket, ENV.cleanBucket, { prefix: CLEAN_PREFIX, delete: true });
    this.functions = { createApplication, getStatus, requestUpload };

    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'Passport pre-review intake API',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [props.allowedOrigin],
        allowMethods: [apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.POST, apigwv2.CorsHttpMethod.OPTIONS],
        allowHeaders: ['content-type', 'authorization'],
        maxAge: Duration.hours(1),
      },
    });
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      encryptionKey: props.logKey,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    this.url = this.api.apiEndpoint;

    const route = (r: { method: string; path: string }, f: ServiceFunction, id: string) =>
      this.api.addRoutes({
        path: r.path,
        methods: [apigwv2.HttpMethod[r.method as keyof typeof apigwv2.HttpMethod]],
        integration: new HttpLambdaIntegration(id, f),
      });
    route(ROUTES.createApplication, createApplication, 'CreateApplicationIntegration');
    route(ROUTES.getStatus, getStatus, 'GetStatusIntegration');
    route(ROUTES.requestUpload, requestUpload, 'RequestUploadIntegration');

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The intake API is public by design (applicants have no accounts). Creating an application needs no identity; status and upload routes check the per-application secret bearer token in the handler (constant-time compare of its SHA-256), and a wrong token and an unknown id get the same 404. Stage throttling bounds abuse.',
    });
  }
}
