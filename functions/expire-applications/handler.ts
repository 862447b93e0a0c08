/**
 * Expiry function (scheduled): expires applications whose uploads did not complete in time and
 * publishes how many records are stuck in a state the pipeline should have left.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { dynamoDocumentClient } from '../adapters/aws/dynamodb-client';
import { createDynamoRecordStore } from '../adapters/aws/dynamodb-record-store';
import { s3Client } from '../adapters/aws/s3-client';
import { createS3ObjectStore } from '../adapters/aws/s3-object-store';
import { systemClock } from '../adapters/local/system-clock';
import { expireEnvSchema, lazyHandler, readEnv, retentionFrom } from '../shared/aws-env';
import { handlerLogger, MetricUnit, metrics, tracer } from '../shared/observability';
import { countStuckApplications, type ExpireApplicationsDeps, expireApplications } from './expire-applications';

export function makeExpireApplicationsHandler(deps: ExpireApplicationsDeps) {
  const log = handlerLogger();
  return middy<ScheduledEvent, { expired: number; stuck: Record<string, number> }>()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(log, { clearState: true }))
    .use(logMetrics(metrics))
    .handler(async () => {
      const expired = await expireApplications(deps);
      const stuck = await countStuckApplications(deps);
      const total = Object.values(stuck).reduce((a, b) => a + b, 0);
      metrics.addMetric('ApplicationsExpired', MetricUnit.Count, expired);
      metrics.addMetric('StuckApplications', MetricUnit.Count, total);
      if (total > 0) log.warn('applications stuck in a moving state', { stuck });
      return { expired, stuck };
    });
}

/** The Lambda entry point, wired with the AWS adapters from the function's environment. */
export const handler = lazyHandler(() => {
  const env = readEnv(expireEnvSchema);
  return makeExpireApplicationsHandler({
    records: createDynamoRecordStore(dynamoDocumentClient(), env.TABLE_NAME, systemClock),
    quarantine: createS3ObjectStore(s3Client(), env.QUARANTINE_BUCKET),
    clean: createS3ObjectStore(s3Client(), env.CLEAN_BUCKET),
    clock: systemClock,
    retention: retentionFrom(env),
  });
});
