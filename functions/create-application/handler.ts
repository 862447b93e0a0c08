/** POST /api/applications — thin handler: parse, call the use case, map the result. */

import { dynamoDocumentClient } from '../adapters/aws/dynamodb-client';
import { createDynamoRecordStore } from '../adapters/aws/dynamodb-record-store';
import { s3Client } from '../adapters/aws/s3-client';
import { createS3UploadGrants } from '../adapters/aws/s3-upload-grants';
import { createRandomIds } from '../adapters/local/random-ids';
import { systemClock } from '../adapters/local/system-clock';
import { apiEnvSchema, lazyHandler, readEnv, retentionFrom } from '../shared/aws-env';
import { apiHandler, json, jsonBody, validationFailed } from '../shared/http';
import { handlerLogger, MetricUnit, metrics } from '../shared/observability';
import { type CreateApplicationDeps, createApplication } from './create-application';

export function makeCreateApplicationHandler(deps: CreateApplicationDeps) {
  const log = handlerLogger();
  return apiHandler(log, async (event) => {
    const body = jsonBody(event);
    if (!body.ok) return body.response;
    const result = await createApplication(body.value, deps);
    if (!result.ok) {
      log.info('application refused by validation', { issueCount: result.issues.length });
      return validationFailed(result.issues);
    }
    metrics.addMetric('ApplicationsCreated', MetricUnit.Count, 1);
    log.info('application created', { applicationId: result.response.applicationId });
    return json(201, result.response);
  });
}

/** The Lambda entry point, wired with the AWS adapters from the function's environment. */
export const handler = lazyHandler(() => {
  const env = readEnv(apiEnvSchema);
  return makeCreateApplicationHandler({
    records: createDynamoRecordStore(dynamoDocumentClient(), env.TABLE_NAME, systemClock),
    grants: createS3UploadGrants(s3Client(), env.QUARANTINE_BUCKET, systemClock),
    ids: createRandomIds(),
    clock: systemClock,
    retention: retentionFrom(env),
  });
});
