/**
 * `IntakeStack`: the whole AWS deployment, composed from one construct per concern (DESIGN.md §4).
 * Everything it needs comes in as the validated stage config; nothing here reads context or the
 * environment.
 */
import path from 'node:path';
import { CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { UPLOAD_LIMITS } from '../functions/core/api';
import { type StageConfig, secondsToDays } from './config';
import { ApplicantSite } from './constructs/applicant-site';
import { acknowledgeCdkInternals } from './constructs/cdk-internals';
import { Expiry } from './constructs/expiry';
import { FaceCheck } from './constructs/face-check';
import { Foundation } from './constructs/foundation';
import { IntakeApi } from './constructs/intake-api';
import { Monitoring } from './constructs/monitoring';
import { QuarantineUploads } from './constructs/quarantine-uploads';
import { ReleaseBridge } from './constructs/release-bridge';
import { PROJECT_ROOT } from './constructs/service-function';
import { StagingTable } from './constructs/staging-table';
import { SCAN_TIMEOUT, UploadScanner } from './constructs/upload-scanner';

export interface IntakeStackProps extends StackProps {
  readonly config: StageConfig;
  /** The built form; default `web/dist` of this repository. */
  readonly webRoot?: string;
}

export class IntakeStack extends Stack {
  readonly site: ApplicantSite;
  readonly api: IntakeApi;
  readonly quarantine: QuarantineUploads;
  readonly scanner: UploadScanner;
  readonly faceCheck: FaceCheck;
  readonly staging: StagingTable;
  readonly bridge: ReleaseBridge;
  readonly expiry: Expiry;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: IntakeStackProps) {
    super(scope, id, props);
    const { config } = props;
    const prefix = `passport-${config.stage}`;
    const logRetention = config.logRetentionDays as logs.RetentionDays;
    Tags.of(this).add('project', 'passport-prereview');
    Tags.of(this).add('stage', config.stage);

    const foundation = new Foundation(this, 'Foundation', { prefix, accessLogRetentionDays: config.logRetentionDays });
    const logKey = foundation.dataKey;

    this.staging = new StagingTable(this, 'Staging', {
      encryptionKey: foundation.dataKey,
      deletionProtection: config.deletionProtection,
    });
    const table = this.staging.table;

    this.site = new ApplicantSite(this, 'Site', {
      accessLogs: foundation.accessLogs,
      webRoot: props.webRoot ?? path.join(PROJECT_ROOT, 'web', 'dist'),
      logKey,
      logRetention,
    });

    this.faceCheck = new FaceCheck(this, 'FaceCheck', {
      dataKey: foundation.dataKey,
      queueKey: foundation.queueKey,
      accessLogs: foundation.accessLogs,
      table,
      recordTtlDays: secondsToDays(config.retention.recordTtlSeconds),
      faceSimilarityThreshold: config.faceSimilarityThreshold,
      logRetention,
    });
    const cleanBucket = this.faceCheck.cleanBucket;

    // The scanner's role exists first: the quarantine bucket policy lets only it read.
    const scannerIdentity = UploadScanner.createIdentity(this, 'ScannerIdentity', { logKey, logRetention });
    this.quarantine = new QuarantineUploads(this, 'Quarantine', {
      dataKey: foundation.dataKey,
      queueKey: foundation.queueKey,
      accessLogs: foundation.accessLogs,
      allowedOrigin: this.site.origin,
      readerRole: scannerIdentity.role,
      consumerTimeout: SCAN_TIMEOUT,
    });
    this.scanner = new UploadScanner(this, 'Scanner', {
      identity: scannerIdentity,
      quarantineBucket: this.quarantine.bucket,
      scanQueue: this.quarantine.scanQueue,
      cleanBucket,
      table,
      maxConcurrency: config.scanMaxConcurrency,
      imageRefreshStamp: config.imageRefreshStamp,
    });

    this.api = new IntakeApi(this, 'Api', {
      table,
      quarantineBucket: this.quarantine.bucket,
      cleanBucket,
      allowedOrigin: this.site.origin,
      throttle: config.apiThrottle,
      retention: config.retention,
      logKey,
      logRetention,
    });
    this.site.publishForm({
      apiBaseUrl: this.api.url,
      uploads: { maxBytes: UPLOAD_LIMITS.maxBytes, contentTypes: [...UPLOAD_LIMITS.contentTypes] },
    });

    this.bridge = new ReleaseBridge(this, 'ReleaseBridge', {
      prefix,
      table,
      cleanBucket,
      onPrem: config.onPrem,
      retention: config.retention,
      imageRefreshStamp: config.imageRefreshStamp,
      logKey,
      logRetention,
    });

    this.expiry = new Expiry(this, 'Expiry', {
      table,
      statusIndexName: this.staging.statusIndexName,
      quarantineBucket: this.quarantine.bucket,
      cleanBucket,
      retention: config.retention,
      logKey,
      logRetention,
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      prefix,
      alarmEmail: config.alarmEmail,
      scanQueue: this.quarantine.scanQueue,
      faceQueue: this.faceCheck.faceQueue,
      releaseQueue: this.bridge.releaseQueue,
      deadLetterQueues: [
        { name: 'Scan', queue: this.quarantine.scanDeadLetterQueue },
        { name: 'Face', queue: this.faceCheck.faceDeadLetterQueue },
        { name: 'Release', queue: this.bridge.releaseDeadLetterQueue },
        { name: 'ReleaseStream', queue: this.bridge.streamDeadLetterQueue },
        { name: 'Expiry', queue: this.expiry.deadLetterQueue },
      ],
      functions: [
        { name: 'Scanner', function: this.scanner.function },
        { name: 'FaceCheck', function: this.faceCheck.function },
        { name: 'Release', function: this.bridge.function },
        { name: 'Expiry', function: this.expiry.function },
      ],
    });

    new CfnOutput(this, 'FormUrl', { value: this.site.url, description: 'The applicant form' });
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'The intake API base URL' });
    new CfnOutput(this, 'ReleaseQueueUrl', {
      value: this.bridge.releaseQueue.queueUrl,
      description: 'The on-premises poller pulls this queue',
    });
    new CfnOutput(this, 'OnPremRoleArn', {
      value: this.bridge.onPremRole.roleArn,
      description: 'The role the on-premises poller assumes',
    });
    new CfnOutput(this, 'SigningKeyArn', {
      value: this.bridge.signingKey.keyArn,
      description: 'Verify release signatures with its public key',
    });

    acknowledgeCdkInternals(this);
  }
}
