/**
 * Release function: staging-table stream records (filtered to VETTED by the event source; the
 * use case re-reads the record and checks again).
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { z } from 'zod';
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
    log.info('record released', { releaseId: result.releaseId, messageBytes: result.messageBytes });
    metrics.addMetric('RecordsReleased', MetricUnit.Count, 1);
    metrics.addMetric('ReleaseMessageBytes', MetricUnit.Bytes, result.messageBytes);
  });
}
