/**
 * Scan function: scan-queue messages in SQS batches. Each body is an S3 ObjectCreated notification
 * from the quarantine bucket (engine modes `clamav` and `shadow`) or a GuardDuty Malware Protection
 * scan-result event routed by EventBridge (mode `guardduty`). A message of the other kind is
 * ignored with a log line: in `guardduty` mode the scanner acts only on GuardDuty's verdict, and in
 * the other modes a GuardDuty result never decides anything here.
 */
import os from 'node:os';
import path from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import { dynamoDocumentClient } from '../adapters/aws/dynamodb-client';
import { createDynamoRecordStore } from '../adapters/aws/dynamodb-record-store';
import { createGuardDutyVerdictScanner } from '../adapters/aws/guardduty-verdict-scanner';
import { s3Client } from '../adapters/aws/s3-client';
import { createS3ObjectStore } from '../adapters/aws/s3-object-store';
import { type RunningClamd, startClamd } from '../adapters/clamav/clamd-process';
import { createClamdScanner } from '../adapters/clamav/clamd-scanner';
import { createSharpImageSanitizer } from '../adapters/image/sharp-image-sanitizer';
import { systemClock } from '../adapters/local/system-clock';
import { lazyHandler, readEnv, type ScanEngine, scanEnvSchema } from '../shared/aws-env';
import { handlerLogger, MetricUnit, metrics } from '../shared/observability';
import type { ObjectCreated } from '../shared/s3-events';
import { parseScanQueueMessage, type ScannedObject } from '../shared/scan-events';
import { sqsBatchHandler } from '../shared/sqs-batch';
import { type ScanUploadDeps, scanUpload } from './scan-upload';

export interface ScanHandlerOptions {
  /** Default `clamav` (the embedded runtime and the tests). */
  readonly engine?: ScanEngine;
}

export function makeScanUploadHandler(deps: ScanUploadDeps, options: ScanHandlerOptions = {}) {
  const log = handlerLogger();
  const engine = options.engine ?? 'clamav';
  return sqsBatchHandler(log, async (record: SQSRecord) => {
    const message = parseScanQueueMessage(record.body);
    const wanted = engine === 'guardduty' ? 'guardduty' : 's3';
    if (message.kind !== wanted) {
      log.info('scan event ignored', { why: 'other-engine', event: message.kind, engine });
      metrics.addMetric('ScanEventsIgnored', MetricUnit.Count, 1);
      return;
    }
    for (const created of message.objects) {
      const started = performance.now();
      const result = await scanUpload(created, withOriginalVerdict(created, deps));
      const ms = performance.now() - started;
      if (result.kind === 'ignored') {
        log.info('scan event ignored', { why: result.why });
        metrics.addMetric('ScanEventsIgnored', MetricUnit.Count, 1);
        continue;
      }
      log.info('upload scanned', {
        applicationId: result.ref.applicationId,
        slot: result.ref.slot,
        outcome: result.kind,
        code: result.code,
        engine,
        ms: Math.round(ms),
      });
      metrics.addMetric(result.kind === 'accepted' ? 'UploadsAccepted' : 'UploadsRejected', MetricUnit.Count, 1);
      if (result.code === 'signature-hit') metrics.addMetric('SignatureHits', MetricUnit.Count, 1);
      metrics.addMetric('ScanDuration', MetricUnit.Milliseconds, ms);
    }
  });
}

/** GuardDuty's verdict replaces the scan of the original; the output is still scanned by `deps.scanner`. */
function withOriginalVerdict(created: ObjectCreated | ScannedObject, deps: ScanUploadDeps): ScanUploadDeps {
  if (!('precomputedScan' in created)) return deps;
  return { ...deps, originalScanner: createGuardDutyVerdictScanner(created.precomputedScan) };
}

/**
 * The Lambda entry point (container image with ClamAV). clamd is started once per execution
 * environment, on the first invocation rather than in the 10-second init phase: loading the
 * official database takes longer than that. Later invocations reuse it. Every engine mode starts
 * clamd: in `guardduty` mode it scans the rebuilt output.
 */
let clamd: Promise<RunningClamd> | undefined;

function sharedClamd(databaseDir: string): Promise<RunningClamd> {
  clamd ??= startClamd({ runDir: path.join(os.tmpdir(), 'clamd'), signaturesDir: databaseDir, readyTimeoutMs: 90_000 }).catch(
    (err: unknown) => {
      clamd = undefined;
      throw err;
    },
  );
  return clamd;
}

/** Builds the Lambda entry point from the environment on first use (exported for the tests). */
export function createScanLambdaHandler() {
  return lazyHandler(async () => {
    const env = readEnv(scanEnvSchema);
    const running = await sharedClamd(env.CLAMAV_DATABASE_DIR);
    const log = handlerLogger();
    return makeScanUploadHandler(
      {
        records: createDynamoRecordStore(dynamoDocumentClient(), env.TABLE_NAME, systemClock),
        quarantine: createS3ObjectStore(s3Client(), env.QUARANTINE_BUCKET),
        clean: createS3ObjectStore(s3Client(), env.CLEAN_BUCKET),
        clock: systemClock,
        sanitizer: createSharpImageSanitizer(),
        scanner: createClamdScanner({ socketPath: running.socketPath }),
        onIncident: (incident) => log.warn('signature hit on upload', { ...incident }),
      },
      { engine: env.SCAN_ENGINE },
    );
  });
}

export const handler = createScanLambdaHandler();

/** Stops the execution environment's clamd (graceful shutdown; tests). */
export async function closeScanner(): Promise<void> {
  const running = clamd;
  clamd = undefined;
  await (await running?.catch(() => undefined))?.stop();
}
