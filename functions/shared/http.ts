/**
 * HTTP API (API Gateway HTTP API, payload v2) helpers shared by the API handlers: JSON bodies
 * with a size limit, field-level validation errors, bearer tokens, and responses that are never
 * cached and never sniffed.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import { applicationIdSchema, type ErrorResponse } from '../core/api';
import { MetricUnit, metrics, tracer } from './observability';

export type ApiResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

const MAX_BODY_BYTES = 64 * 1024;

const BASE_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult {
  return { statusCode, headers: { ...BASE_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function errorResponse(statusCode: number, error: string, message: string, issues?: ErrorResponse['issues']): ApiResult {
  const body: ErrorResponse = { error, message, ...(issues ? { issues } : {}) };
  return json(statusCode, body);
}

export function validationFailed(issues: readonly z.core.$ZodIssue[]): ApiResult {
  return errorResponse(
    400,
    'validation',
    'Some fields are missing or not valid.',
    issues.map((i) => ({
      path: i.path.map(String).join('.'),
      code: i.code === 'custom' ? i.message : i.code,
      message: i.message,
    })),
  );
}

export type BodyResult = { ok: true; value: unknown } | { ok: false; response: ApiResult };

/** Parses a JSON request body; 413 when too large, 415 when not JSON, 400 when malformed. */
export function jsonBody(event: APIGatewayProxyEventV2): BodyResult {
  const contentType = header(event, 'content-type') ?? '';
  if (!/^application\/json\b/i.test(contentType)) {
    return { ok: false, response: errorResponse(415, 'unsupported-media-type', 'Send the request body as application/json.') };
  }
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    return { ok: false, response: errorResponse(413, 'too-large', 'The request body is too large.') };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, response: errorResponse(400, 'malformed-json', 'The request body is not valid JSON.') };
  }
}

export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/** The status token from `Authorization: Bearer <token>`; never from the URL (it would be logged). */
export function bearerToken(event: APIGatewayProxyEventV2): string | null {
  const m = /^Bearer ([A-Za-z0-9_-]{43})$/.exec(header(event, 'authorization') ?? '');
  return m ? (m[1] as string) : null;
}

export type ApplicationRequest = { ok: true; applicationId: string; token: string } | { ok: false; response: ApiResult };

/** The application number from the path and the status token from the header, or the 4xx that says which is wrong. */
export function applicationRequest(event: APIGatewayProxyEventV2): ApplicationRequest {
  const id = applicationIdSchema.safeParse(event.pathParameters?.applicationId);
  if (!id.success) {
    return {
      ok: false,
      response: errorResponse(400, 'validation', 'Not an application number.', [
        { path: 'applicationId', code: 'application_id_format', message: 'application_id_format' },
      ]),
    };
  }
  const token = bearerToken(event);
  if (!token)
    return {
      ok: false,
      response: errorResponse(401, 'unauthorized', 'Send the status token as "Authorization: Bearer <token>".'),
    };
  return { ok: true, applicationId: id.data, token };
}

export const notFound = () => errorResponse(404, 'not-found', 'No application matches this number and token.');

/**
 * The one handler style of the API functions: traced, the Lambda context on the logger, metrics
 * flushed, and an unexpected error turned into a bare 500. `handle` maps an event to a response.
 */
export function apiHandler(log: Logger, handle: (event: APIGatewayProxyEventV2) => Promise<ApiResult>) {
  return (
    middy<APIGatewayProxyEventV2, ApiResult>()
      // Responses carry status tokens and upload grants: never into traces (DESIGN.md §5.5).
      .use(captureLambdaHandler(tracer, { captureResponse: false }))
      .use(injectLambdaContext(log, { clearState: true }))
      .use(logMetrics(metrics))
      .use(internalErrorGuard(log))
      .handler(async (event) => {
        const response = await handle(event);
        metrics.addMetric(response.statusCode < 500 ? 'ApiResponses' : 'ApiErrors', MetricUnit.Count, 1);
        return response;
      })
  );
}

/** Middy middleware: an unexpected error becomes a bare 500, logged without the request. */
export function internalErrorGuard(log: Logger): MiddlewareObj<APIGatewayProxyEventV2, ApiResult> {
  return {
    onError: async (request) => {
      const err = request.error;
      log.error('unhandled error in API handler', { errorName: err?.name ?? 'Error' });
      request.response = errorResponse(500, 'internal', 'Something went wrong on our side. Please try again.');
    },
  };
}
