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
import { GuardDutyMalwareProtection } from './constructs/guardduty-malware-protection';
import { IntakeApi } from './constructs/intake-api';
import { Monitoring } from './constructs/monitoring';
import { QuarantineUploads, UPLOADS_PREFIX } from './constructs/quarantine-uploads';
import { ReleaseBridge } from './constructs/release-bridge';
import { ScanEngineShadow } from './constructs/scan-engine-shadow';
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
  /** Engine modes `guardduty` and `shadow`. */
  readonly guardDuty?: GuardDutyMalwareProtection;
  /** Engine mode `shadow`. */
  readonly shadow?: ScanEngineShadow;

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

    // The scanner's role (and GuardDuty's plan role) exist first: the quarantine bucket policy
    // lets only them read.
    const engine = config.scanEngine;
    const scannerIdentity = UploadScanner.createIdentity(this, 'ScannerIdentity', { logKey, logRetention });
    const guardDutyRole = engine === 'clamav' ? undefined : GuardDutyMalwareProtection.createRole(this, 'GuardDutyPlanRole');
    this.quarantine = new QuarantineUploads(this, 'Quarantine', {
      dataKey: foundation.dataKey,
      queueKey: foundation.queueKey,
      accessLogs: foundation.accessLogs,
      allowedOrigin: this.site.origin,
      readerRoles: guardDutyRole ? [scannerIdentity.role, guardDutyRole] : [scannerIdentity.role],
      consumerTimeout: SCAN_TIMEOUT,
      // In guardduty mode the scanner acts on GuardDuty's result events, not on S3's.
      notifyScanQueue: engine !== 'guardduty',
      eventBridgeEnabled: engine !== 'clamav',
    });
    if (engine === 'shadow') {
      this.shadow = new ScanEngineShadow(this, 'ScanEngineShadow', {
        queueKey: foundation.queueKey,
        table,
        logKey,
        logRetention,
      });
    }
    if (guardDutyRole) {
      this.guardDuty = new GuardDutyMalwareProtection(this, 'GuardDuty', {
        role: guardDutyRole,
        bucket: this.quarantine.bucket,
        dataKey: foundation.dataKey,
        objectPrefix: UPLOADS_PREFIX,
        resultQueue: this.shadow ? this.shadow.queue : this.quarantine.scanQueue,
      });
    }
    this.scanner = new UploadScanner(this, 'Scanner', {
      identity: scannerIdentity,
      quarantineBucket: this.quarantine.bucket,
      scanQueue: this.quarantine.scanQueue,
      cleanBucket,
      table,
      maxConcurrency: config.scanMaxConcurrency,
      imageRefreshStamp: config.imageRefreshStamp,
      engine,
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
        ...(this.guardDuty ? [{ name: 'GuardDutyRule', queue: this.guardDuty.deadLetterQueue }] : []),
        ...(this.shadow ? [{ name: 'Shadow', queue: this.shadow.deadLetterQueue }] : []),
      ],
      functions: [
        { name: 'Scanner', function: this.scanner.function },
        { name: 'FaceCheck', function: this.faceCheck.function },
        { name: 'Release', function: this.bridge.function },
        { name: 'Expiry', function: this.expiry.function },
        ...(this.shadow ? [{ name: 'CompareScanEngines', function: this.shadow.function }] : []),
      ],
      scanEngine: engine,
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
