/** GET /api/applications/{applicationId} — the applicant's status, for the holder of the token. */

import { dynamoDocumentClient } from '../adapters/aws/dynamodb-client';
import { createDynamoRecordStore } from '../adapters/aws/dynamodb-record-store';
import { systemClock } from '../adapters/local/system-clock';
import { apiEnvSchema, lazyHandler, readEnv } from '../shared/aws-env';
import { apiHandler, applicationRequest, json, notFound } from '../shared/http';
import { handlerLogger } from '../shared/observability';
import { type GetStatusDeps, getStatus } from './get-status';

export function makeGetStatusHandler(deps: GetStatusDeps) {
  const log = handlerLogger();
  return apiHandler(log, async (event) => {
    const req = applicationRequest(event);
    if (!req.ok) return req.response;
    const result = await getStatus(req.applicationId, req.token, deps);
    return result.ok ? json(200, result.response) : notFound();
  });
}

/** The Lambda entry point, wired with the AWS adapters from the function's environment. */
export const handler = lazyHandler(() => {
  const env = readEnv(apiEnvSchema);
  return makeGetStatusHandler({ records: createDynamoRecordStore(dynamoDocumentClient(), env.TABLE_NAME, systemClock) });
});
