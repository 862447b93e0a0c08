/** Scan function: S3 ObjectCreated (quarantine bucket) events in SQS batches. */
import os from 'node:os';
import path from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import { dynamoDocumentClient } from '../adapters/aws/dynamodb-client';
import { createDynamoRecordStore } from '../adapters/aws/dynamodb-record-store';
import { s3Client } from '../adapters/aws/s3-client';
import { createS3ObjectStore } from '../adapters/aws/s3-object-store';
import { type RunningClamd, startClamd } from '../adapters/clamav/clamd-process';
import { createClamdScanner } from '../adapters/clamav/clamd-scanner';
import { createSharpImageSanitizer } from '../adapters/image/sharp-image-sanitizer';
import { systemClock } from '../adapters/local/system-clock';
import { lazyHandler, readEnv, scanEnvSchema } from '../shared/aws-env';
import { handlerLogger, MetricUnit, metrics } from '../shared/observability';
import { parseS3Notification } from '../shared/s3-events';
import { sqsBatchHandler } from '../shared/sqs-batch';
import { type ScanUploadDeps, scanUpload } from './scan-upload';

export function makeScanUploadHandler(deps: ScanUploadDeps) {
  const log = handlerLogger();
  return sqsBatchHandler(log, async (record: SQSRecord) => {
    for (const created of parseS3Notification(record.body)) {
      const started = performance.now();
      const result = await scanUpload(created, deps);
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
        ms: Math.round(ms),
      });
      metrics.addMetric(result.kind === 'accepted' ? 'UploadsAccepted' : 'UploadsRejected', MetricUnit.Count, 1);
      if (result.code === 'signature-hit') metrics.addMetric('SignatureHits', MetricUnit.Count, 1);
      metrics.addMetric('ScanDuration', MetricUnit.Milliseconds, ms);
    }
  });
}

/**
 * The Lambda entry point (container image with ClamAV). clamd is started once per execution
 * environment, on the first invocation rather than in the 10-second init phase: loading the
 * official database takes longer than that. Later invocations reuse it.
 */
let clamd: RunningClamd | undefined;

export const handler = lazyHandler(async () => {
  const env = readEnv(scanEnvSchema);
  clamd = await startClamd({
    runDir: path.join(os.tmpdir(), 'clamd'),
    signaturesDir: env.CLAMAV_DATABASE_DIR,
    readyTimeoutMs: 90_000,
  });
  const log = handlerLogger();
  return makeScanUploadHandler({
    records: createDynamoRecordStore(dynamoDocumentClient(), env.TABLE_NAME, systemClock),
    quarantine: createS3ObjectStore(s3Client(), env.QUARANTINE_BUCKET),
    clean: createS3ObjectStore(s3Client(), env.CLEAN_BUCKET),
    clock: systemClock,
    sanitizer: createSharpImageSanitizer(),
    scanner: createClamdScanner({ socketPath: clamd.socketPath }),
    onIncident: (incident) => log.warn('signature hit on upload', { ...incident }),
  });
});

/** Stops the execution environment's clamd (graceful shutdown; tests). */
export async function closeScanner(): Promise<void> {
  await clamd?.stop();
  clamd = undefined;
}
