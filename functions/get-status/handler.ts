/** GET /api/applications/{applicationId} — the applicant's status, for the holder of the token. */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type ApiResult, applicationRequest, internalErrorGuard, json, notFound } from '../shared/http';
import { handlerLogger } from '../shared/observability';
import { type GetStatusDeps, getStatus } from './get-status';

export function makeGetStatusHandler(deps: GetStatusDeps) {
  const log = handlerLogger();
  return middy<APIGatewayProxyEventV2, ApiResult>()
    .use(injectLambdaContext(log, { clearState: true }))
    .use(internalErrorGuard(log))
    .handler(async (event) => {
      const req = applicationRequest(event);
      if (!req.ok) return req.response;
      const result = await getStatus(req.applicationId, req.token, deps);
      return result.ok ? json(200, result.response) : notFound();
    });
}
