/** Scan function: S3 ObjectCreated (quarantine bucket) events in SQS batches. */
import type { SQSRecord } from 'aws-lambda';
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
