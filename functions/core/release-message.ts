/**
 * The release message: what crosses the one-way bridge to the on-premises system. The payload is
 * a JSON document; the envelope carries the exact payload bytes (as a string) and a signature
 * over them, so nothing has to be re-serialised to verify.
 */
import { z } from 'zod';
import { applicationBaseSchema } from './application';

export const RELEASE_SCHEMA_ID = 'passport-prereview/release@1';

const imageSchema = z.object({
  contentType: z.literal('image/jpeg'),
  /** Base64 of the rebuilt JPEG (downscaled to fit the message budget). */
  data: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});

const findingSchema = z.object({
  check: z.string(),
  result: z.enum(['pass', 'fail', 'inconclusive']),
  value: z.union([z.number(), z.string(), z.boolean(), z.null()]).optional(),
  threshold: z.string().optional(),
  fixable: z.boolean(),
  counterOnly: z.boolean().optional(),
});

export const releasePayloadSchema = z.object({
  schema: z.literal(RELEASE_SCHEMA_ID),
  releaseId: z.string().min(8),
  applicationId: z.string().min(8),
  releasedAt: z.iso.datetime(),
  /** The on-premises system should delete its copy after this date unless the applicant came. */
  retainUntil: z.iso.datetime(),
  application: applicationBaseSchema,
  verdict: z.object({
    outcome: z.enum(['CLEAR', 'REVIEW']),
    reasons: z.array(z.string()),
    decidedAt: z.iso.datetime(),
  }),
  findings: z.array(findingSchema),
  fee: z.number().int().positive(),
  images: z.object({ photo: imageSchema, idCard: imageSchema }),
  scan: z.object({ photo: z.enum(['clean', 'not-run']), idCard: z.enum(['clean', 'not-run']) }),
});

export type ReleasePayload = z.infer<typeof releasePayloadSchema>;

export const releaseEnvelopeSchema = z.object({
  /** The signed bytes: UTF-8 JSON of a {@link ReleasePayload}. */
  payload: z.string().min(2),
  signature: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/),
  keyId: z.string().min(1),
  algorithm: z.literal('ECDSA_SHA_256'),
});

export type ReleaseEnvelope = z.infer<typeof releaseEnvelopeSchema>;

/** SQS's message size limit (1 MiB since 2025); the release use case stays well under it. */
export const MAX_RELEASE_MESSAGE_BYTES = 1024 * 1024;
/** Budget the release use case aims for, leaving room for the envelope and attributes. */
export const RELEASE_MESSAGE_BUDGET_BYTES = 900 * 1024;
