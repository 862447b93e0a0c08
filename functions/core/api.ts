/**
 * The intake API contract: request and response bodies of every route, as zod schemas. The
 * OpenAPI document is generated from these (see `openapi.ts`), the handlers validate with them,
 * and the form uses the same types.
 */
import { z } from 'zod';
import { applicationBaseSchema } from './application';
import { RECORD_STATUSES } from './states';

export const applicationIdSchema = z.string().regex(/^P[0-9A-HJKMNP-TV-Z]{12}$/, { error: 'application_id_format' });
export const statusTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, { error: 'token_format' });
export const slotSchema = z.enum(['photo', 'idCard']);

export const uploadGrantSchema = z.object({
  url: z.string(),
  fields: z.record(z.string(), z.string()),
  expiresAt: z.iso.datetime(),
  maxBytes: z.number().int(),
});

export const createApplicationRequestSchema = applicationBaseSchema;

export const createApplicationResponseSchema = z.object({
  applicationId: applicationIdSchema,
  statusToken: statusTokenSchema,
  uploads: z.object({ photo: uploadGrantSchema, idCard: uploadGrantSchema }),
  expiresAt: z.iso.datetime(),
});

export const requestUploadRequestSchema = z.object({ slot: slotSchema });
export const requestUploadResponseSchema = z.object({ slot: slotSchema, upload: uploadGrantSchema });

const applicantFindingSchema = z.object({
  check: z.string(),
  result: z.enum(['pass', 'fail', 'inconclusive']),
  value: z.union([z.number(), z.string(), z.boolean(), z.null()]).optional(),
  threshold: z.string().optional(),
});

export const statusResponseSchema = z.object({
  applicationId: applicationIdSchema,
  status: z.enum(RECORD_STATUSES),
  statusReason: z.string().optional(),
  uploads: z.object({
    photo: z.object({ state: z.enum(['AWAITING', 'SCANNING', 'CLEAN', 'REJECTED']), reason: z.string().optional() }),
    idCard: z.object({ state: z.enum(['AWAITING', 'SCANNING', 'CLEAN', 'REJECTED']), reason: z.string().optional() }),
  }),
  /** Never includes the face-comparison score. */
  findings: z.array(applicantFindingSchema),
  verdict: z
    .object({
      outcome: z.enum(['CLEAR', 'REVIEW', 'RETAKE']),
      retakeChecks: z.array(z.string()),
      bringDocumentsToCounter: z.boolean(),
    })
    .nullable(),
  fee: z.number().int(),
  deleteAfter: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const errorResponseSchema = z.object({
  error: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })).optional(),
});

export type CreateApplicationResponse = z.infer<typeof createApplicationResponseSchema>;
export type RequestUploadResponse = z.infer<typeof requestUploadResponseSchema>;
export type StatusResponse = z.infer<typeof statusResponseSchema>;
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
export type UploadGrantBody = z.infer<typeof uploadGrantSchema>;

/** Upload limits told to the form and enforced by the grant and again by the scanner. */
export const UPLOAD_LIMITS = {
  minBytes: 1024,
  maxBytes: 10 * 1024 * 1024,
  contentTypes: ['image/jpeg', 'image/png'] as const,
  grantSeconds: 15 * 60,
  maxGrantsPerSlot: 10,
} as const;

/** Routes, for the router and the OpenAPI document. */
export const ROUTES = {
  createApplication: { method: 'POST', path: '/api/applications' },
  getStatus: { method: 'GET', path: '/api/applications/{applicationId}' },
  requestUpload: { method: 'POST', path: '/api/applications/{applicationId}/uploads' },
} as const;
