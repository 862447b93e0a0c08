/**
 * Release function: staging-table stream records (filtered to VETTED by the event source; the
 * use case re-reads the record and checks again).
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { z } from 'zod';
import { dynamoDocumentClient } from '../adapters/aws/dynamodb-client';
import { createDynamoRecordStore } from '../adapters/aws/dynamodb-record-store';
import { kmsClient } from '../adapters/aws/kms-client';
import { createKmsSigner } from '../adapters/aws/kms-signer';
import { s3Client } from '../adapters/aws/s3-client';
import { createS3ObjectStore } from '../adapters/aws/s3-object-store';
import { sqsClient } from '../adapters/aws/sqs-client';
import { createSqsQueue } from '../adapters/aws/sqs-queue';
import { createSharpImageSanitizer } from '../adapters/image/sharp-image-sanitizer';
import { systemClock } from '../adapters/local/system-clock';
import { lazyHandler, readEnv, releaseEnvSchema, retentionFrom } from '../shared/aws-env';
import { handlerLogger, MetricUnit, metrics } from '../shared/observability';
import { dynamoStreamHandler } from '../shared/sqs-batch';
import { type ReleaseRecordDeps, releaseRecord } from './release-record';

const keysSchema = z.object({ applicationId: z.object({ S: z.string().min(1) }) });

export function makeReleaseRecordHandler(deps: ReleaseRecordDeps) {
  const log = handlerLogger();
  return dynamoStreamHandler(log, async (record: DynamoDBRecord) => {
    const keys = keysSchema.parse(record.dynamodb?.Keys);
    const result = await releaseRecord(keys.applicationId.S, deps);
    if (result.kind === 'ignored') {
      log.info('release event ignored', { why: result.why });
      return;
    }
    if (result.kind === 'sent-but-superseded') {
      // An operator must tell the office to discard this release (see docs/malware-scan.md, rescan).
      log.error('release sent for a record that left VETTED meanwhile', { releaseId: result.releaseId, status: result.status });
      metrics.addMetric('ReleasesSuperseded', MetricUnit.Count, 1);
      return;
    }
    log.info('record released', { releaseId: result.releaseId, messageBytes: result.messageBytes });
    metrics.addMetric('RecordsReleased', MetricUnit.Count, 1);
    metrics.addMetric('ReleaseMessageBytes', MetricUnit.Bytes, result.messageBytes);
  });
}

/** The Lambda entry point (container image: it needs sharp to fit the images into the message). */
export const handler = lazyHandler(() => {
  const env = readEnv(releaseEnvSchema);
  return makeReleaseRecordHandler({
    records: createDynamoRecordStore(dynamoDocumentClient(), env.TABLE_NAME, systemClock),
    clean: createS3ObjectStore(s3Client(), env.CLEAN_BUCKET),
    sanitizer: createSharpImageSanitizer(),
    signer: createKmsSigner(kmsClient(), env.SIGNING_KEY_ID),
    releaseQueue: createSqsQueue(sqsClient(), env.RELEASE_QUEUE_URL),
    clock: systemClock,
    retention: retentionFrom(env),
  });
});
