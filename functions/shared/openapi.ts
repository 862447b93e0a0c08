/**
 * The intake API as an OpenAPI 3.1 document, generated from the same zod schemas the handlers
 * validate with (JSON Schema 2020-12 is OpenAPI 3.1's dialect). Served at /openapi.json.
 */
import { z } from 'zod';
import {
  createApplicationRequestSchema,
  createApplicationResponseSchema,
  errorResponseSchema,
  ROUTES,
  requestUploadRequestSchema,
  requestUploadResponseSchema,
  statusResponseSchema,
} from '../core/api';

type JsonSchema = Record<string, unknown>;

const input = (s: z.ZodType): JsonSchema =>
  strip(z.toJSONSchema(s, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }));
const output = (s: z.ZodType): JsonSchema =>
  strip(z.toJSONSchema(s, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' }));

function strip(schema: JsonSchema): JsonSchema {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonContent = (name: string) => ({ content: { 'application/json': { schema: ref(name) } } });
const error = (description: string) => ({ description, ...jsonContent('Error') });

const applicationIdParam = {
  name: 'applicationId',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^P[0-9A-HJKMNP-TV-Z]{12}$' },
};

export function buildOpenApiDocument(serverUrl = '/'): JsonSchema {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Passport pre-review intake API',
      version: '1.0.0',
      description:
        'Create an application, upload the photo and the ID card scan with the returned grants, and follow its status with the secret token. Field errors are returned as 400 with one issue per field.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        statusToken: { type: 'http', scheme: 'bearer', description: 'The secret status token returned at creation.' },
      },
      schemas: {
        CreateApplicationRequest: input(createApplicationRequestSchema),
        CreateApplicationResponse: output(createApplicationResponseSchema),
        RequestUploadRequest: input(requestUploadRequestSchema),
        RequestUploadResponse: output(requestUploadResponseSchema),
        StatusResponse: output(statusResponseSchema),
        Error: output(errorResponseSchema),
      },
    },
    paths: {
      [ROUTES.createApplication.path]: {
        post: {
          operationId: 'createApplication',
          requestBody: { required: true, ...jsonContent('CreateApplicationRequest') },
          responses: {
            '201': {
              description: 'Created; upload both documents with the grants.',
              ...jsonContent('CreateApplicationResponse'),
            },
            '400': error('A field is missing or not valid, or the body is not JSON.'),
            '413': error('The body is too large.'),
            '415': error('The body is not application/json.'),
          },
        },
      },
      [ROUTES.getStatus.path]: {
        get: {
          operationId: 'getStatus',
          security: [{ statusToken: [] }],
          parameters: [applicationIdParam],
          responses: {
            '200': { description: 'The application as the applicant may see it.', ...jsonContent('StatusResponse') },
            '400': error('Not an application number.'),
            '401': error('No status token.'),
            '404': error('No application matches this number and token.'),
          },
        },
      },
      [ROUTES.requestUpload.path]: {
        post: {
          operationId: 'requestUpload',
          security: [{ statusToken: [] }],
          parameters: [applicationIdParam],
          requestBody: { required: true, ...jsonContent('RequestUploadRequest') },
          responses: {
            '201': { description: 'A new upload grant for the slot.', ...jsonContent('RequestUploadResponse') },
            '400': error('Not an application number, or not a slot.'),
            '401': error('No status token.'),
            '404': error('No application matches this number and token.'),
            '409': error('The application is not accepting uploads now.'),
            '413': error('The body is too large.'),
            '415': error('The body is not application/json.'),
            '429': error('Too many uploads for this slot.'),
          },
        },
      },
    },
  };
}
