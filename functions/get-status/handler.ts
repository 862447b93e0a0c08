/** GET /api/applications/{applicationId} — the applicant's status, for the holder of the token. */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { applicationIdSchema } from '../core/api';
import { type ApiResult, bearerToken, errorResponse, internalErrorGuard, json, notFound } from '../shared/http';
import { handlerLogger } from '../shared/observability';
import { type GetStatusDeps, getStatus } from './get-status';

export function makeGetStatusHandler(deps: GetStatusDeps) {
  const log = handlerLogger();
  return middy<APIGatewayProxyEventV2, ApiResult>()
    .use(injectLambdaContext(log, { clearState: true }))
    .use(internalErrorGuard(log))
    .handler(async (event) => {
      const id = applicationIdSchema.safeParse(event.pathParameters?.applicationId);
      if (!id.success)
        return errorResponse(400, 'validation', 'Not an application number.', [
          { path: 'applicationId', code: 'application_id_format', message: 'application_id_format' },
        ]);
      const token = bearerToken(event);
      if (!token) return errorResponse(401, 'unauthorized', 'Send the status token as "Authorization: Bearer <token>".');
      const result = await getStatus(id.data, token, deps);
      return result.ok ? json(200, result.response) : notFound();
    });
}
