/** POST /api/applications/{applicationId}/uploads — a new upload grant for one slot. */

import { dynamoDocumentClient } from '../adapters/aws/dynamodb-client';
import { createDynamoRecordStore } from '../adapters/aws/dynamodb-record-store';
import { s3Client } from '../adapters/aws/s3-client';
import { createS3ObjectStore } from '../adapters/aws/s3-object-store';
import { createS3UploadGrants } from '../adapters/aws/s3-upload-grants';
import { createRandomIds } from '../adapters/local/random-ids';
import { systemClock } from '../adapters/local/system-clock';
import { requestUploadRequestSchema } from '../core/api';
import { apiEnvSchema, lazyHandler, readEnv } from '../shared/aws-env';
import { apiHandler, applicationRequest, errorResponse, json, jsonBody, notFound, validationFailed } from '../shared/http';
import { handlerLogger } from '../shared/observability';
import { type RequestUploadDeps, requestUpload } from './request-upload';

export function makeRequestUploadHandler(deps: RequestUploadDeps) {
  const log = handlerLogger();
  return apiHandler(log, async (event) => {
    const req = applicationRequest(event);
    if (!req.ok) return req.response;
    const body = jsonBody(event);
    if (!body.ok) return body.response;
    const request = requestUploadRequestSchema.safeParse(body.value);
    if (!request.success) return validationFailed(request.error.issues);

    const result = await requestUpload(req.applicationId, req.token, request.data.slot, deps);
    if (result.ok) return json(201, { slot: request.data.slot, upload: result.upload });
    if (result.reason === 'not-found') return notFound();
    if (result.reason === 'too-many-uploads')
      return errorResponse(429, result.reason, 'Too many uploads for this document. Please come to the counter.');
    return errorResponse(409, result.reason, 'This application is not accepting uploads now.');
  });
}

/** The Lambda entry point, wired with the AWS adapters from the function's environment. */
export const handler = lazyHandler(() => {
  const env = readEnv(apiEnvSchema);
  return makeRequestUploadHandler({
    records: createDynamoRecordStore(dynamoDocumentClient(), env.TABLE_NAME, systemClock),
    grants: createS3UploadGrants(s3Client(), env.QUARANTINE_BUCKET, systemClock),
    ids: createRandomIds(),
    clock: systemClock,
    cleanObjects: createS3ObjectStore(s3Client(), env.CLEAN_BUCKET),
  });
});
