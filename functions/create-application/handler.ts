/** POST /api/applications — thin handler: parse, call the use case, map the result. */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type ApiResult, internalErrorGuard, json, jsonBody, validationFailed } from '../shared/http';
import { handlerLogger, MetricUnit, metrics } from '../shared/observability';
import { type CreateApplicationDeps, createApplication } from './create-application';

export function makeCreateApplicationHandler(deps: CreateApplicationDeps) {
  const log = handlerLogger();
  return middy<APIGatewayProxyEventV2, ApiResult>()
    .use(injectLambdaContext(log, { clearState: true }))
    .use(internalErrorGuard(log))
    .handler(async (event) => {
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
