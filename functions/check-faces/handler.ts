/** Face-check function: S3 ObjectCreated (clean bucket) events in SQS batches. */
import type { SQSRecord } from 'aws-lambda';
import { dynamoDocumentClient } from '../adapters/aws/dynamodb-client';
import { createDynamoRecordStore } from '../adapters/aws/dynamodb-record-store';
import { rekognitionClient } from '../adapters/aws/rekognition-client';
import { createRekognitionFaceAnalyzer } from '../adapters/aws/rekognition-face-analyzer';
import { s3Client } from '../adapters/aws/s3-client';
import { createS3ObjectStore } from '../adapters/aws/s3-object-store';
import { systemClock } from '../adapters/local/system-clock';
import { DEFAULT_PHOTO_THRESHOLDS } from '../core/photo-rules';
import { faceEnvSchema, lazyHandler, readEnv } from '../shared/aws-env';
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

/** The Lambda entry point: Amazon Rekognition (DetectFaces, CompareFaces; nothing stored). */
export const handler = lazyHandler(() => {
  const env = readEnv(faceEnvSchema);
  return makeCheckFacesHandler({
    records: createDynamoRecordStore(dynamoDocumentClient(), env.TABLE_NAME, systemClock),
    clean: createS3ObjectStore(s3Client(), env.CLEAN_BUCKET),
    faces: createRekognitionFaceAnalyzer(rekognitionClient(), { matchThreshold: env.FACE_SIMILARITY_THRESHOLD }),
    clock: systemClock,
    thresholds: DEFAULT_PHOTO_THRESHOLDS,
  });
});
