/** Face-check function: S3 ObjectCreated (clean bucket) events in SQS batches. */
import type { SQSRecord } from 'aws-lambda';
import { handlerLogger, MetricUnit, metrics } from '../shared/observability';
import { parseS3Notification } from '../shared/s3-events';
import { sqsBatchHandler } from '../shared/sqs-batch';
import { type CheckFacesDeps, checkFaces } from './check-faces';

export function makeCheckFacesHandler(deps: CheckFacesDeps) {
  const log = handlerLogger();
  return sqsBatchHandler(log, async (record: SQSRecord) => {
    for (const created of parseS3Notification(record.body)) {
      const started = performance.now();
      const result = await checkFaces(created, deps);
      if (result.kind === 'ignored') {
        log.info('face event ignored', { why: result.why });
        continue;
      }
      const ms = performance.now() - started;
      log.info('faces checked', { applicationId: result.applicationId, outcome: result.outcome, ms: Math.round(ms) });
      metrics.addMetric(`Verdict${result.outcome}`, MetricUnit.Count, 1);
      metrics.addMetric('FaceCheckDuration', MetricUnit.Milliseconds, ms);
    }
  });
}
