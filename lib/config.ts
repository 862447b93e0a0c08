/**
 * The deployment's configuration: one typed, validated object per stage. `bin/app.ts` builds it
 * from CDK context; constructs receive the parts they need as props and never read context or
 * the environment themselves.
 */
import { Token } from 'aws-cdk-lib';
import { z } from 'zod';
import { DEFAULT_RETENTION } from '../functions/core/retention';
import { SCAN_ENGINES } from '../functions/shared/aws-env';

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/**
 * Default region: Tokyo. Amazon Rekognition (CompareFaces, DetectFaces) is not offered in every
 * region; ap-northeast-1 is the nearest region to Taiwan that has it. AWS's Taipei region
 * (ap-east-2) is a config change (`-c region=ap-east-2`) once Rekognition is available there.
 */
export const DEFAULT_REGION = 'ap-northeast-1';

const seconds = z.number().int().positive();
const ARN_PRINCIPAL =
  /^arn:aws[a-z-]*:(iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)|sts::\d{12}:assumed-role\/[\w+=,.@/-]+)$/;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** The on-premises poller assumes its role as an existing IAM principal (user, role or account). */
export const onPremPrincipalSchema = z
  .object({
    /** IAM principal ARN (or an unresolved token such as the deploying account's root). */
    principalArn: z.string().refine((arn) => Token.isUnresolved(arn) || ARN_PRINCIPAL.test(arn), {
      error: 'onPrem.principalArn must be an IAM principal ARN',
    }),
    /** Required in the role's trust policy as `sts:ExternalId` when given. */
    externalId: z
      .string()
      .regex(/^[\w+=,.@:/-]{2,1224}$/)
      .optional(),
  })
  .strict();

/** ... or it authenticates with an X.509 certificate through IAM Roles Anywhere. */
export const onPremRolesAnywhereSchema = z
  .object({
    rolesAnywhere: z
      .object({
        /** PEM of the CA (bundle) that issued the poller's certificate: the trust anchor. */
        caCertificatePem: z
          .string()
          .regex(PEM_CERTIFICATE, { error: 'rolesAnywhere.caCertificatePem must contain a PEM certificate' }),
        /** When given, only a certificate with this subject CN may assume the role. */
        subjectCommonName: z.string().min(1).max(64).optional(),
      })
      .strict(),
  })
  .strict();

export const onPremSchema = z.union([onPremPrincipalSchema, onPremRolesAnywhereSchema]);

export const stageConfigSchema = z
  .object({
    /** Short stage name; prefixes resource names (`passport-<stage>-…`). */
    stage: z.string().regex(/^[a-z][a-z0-9-]{1,15}$/, { error: 'stage must be 2-16 chars: a-z, 0-9, -' }),
    /** 12-digit account id; omitted = environment-agnostic account (synth works offline). */
    account: z
      .string()
      .regex(/^\d{12}$/)
      .optional(),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/)
      .default(DEFAULT_REGION),
    /** CompareFaces similarity (0-100) at or above which two faces match. AWS advises 99. */
    faceSimilarityThreshold: z.number().min(0).max(100).default(99),
    retention: z
      .object({
        uploadWindowSeconds: seconds.default(DEFAULT_RETENTION.uploadWindowSeconds),
        recordTtlSeconds: seconds.default(DEFAULT_RETENTION.recordTtlSeconds),
        releasedSummarySeconds: seconds.default(DEFAULT_RETENTION.releasedSummarySeconds),
        onPremRetainSeconds: seconds.default(DEFAULT_RETENTION.onPremRetainSeconds),
      })
      .strict()
      .default({ ...DEFAULT_RETENTION }),
    /** HTTP API stage throttling (all routes). Peaks near 15,000 applications a day are ~0.2 req/s on average. */
    apiThrottle: z
      .object({ rateLimit: z.number().positive().max(10_000), burstLimit: z.number().int().positive().max(5_000) })
      .strict()
      .default({ rateLimit: 20, burstLimit: 50 }),
    /** Upper bound of concurrent scanner invocations (SQS event source `maxConcurrency`, 2-1000). */
    scanMaxConcurrency: z.number().int().min(2).max(1000).default(5),
    /**
     * Which engine decides on the original upload (docs/malware-scan.md, "Engine modes"):
     * `clamav` (default), `guardduty` (GuardDuty Malware Protection for S3 on the original, ClamAV
     * on the rebuilt output) or `shadow` (ClamAV decides; GuardDuty runs beside it and
     * disagreements are recorded).
     */
    scanEngine: z.enum(SCAN_ENGINES, { error: `scanEngine must be one of ${SCAN_ENGINES.join(', ')}` }).default('clamav'),
    onPrem: onPremSchema,
    /** Alarm notifications go to this address (SNS email subscription, confirm it once). */
    alarmEmail: z.email().optional(),
    /** Retention of every log group (functions, API access logs) and of the S3 access-log bucket. */
    logRetentionDays: z
      .number()
      .int()
      .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
        error: `logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(30),
    /**
     * Build argument of the functions' container image: change it (e.g. to today's date) to force
     * an image rebuild, which downloads a fresh ClamAV database.
     */
    imageRefreshStamp: z
      .string()
      .regex(/^[\w.-]{1,40}$/)
      .default('initial'),
    /** DynamoDB deletion protection on the staging table. */
    deletionProtection: z.boolean().default(false),
  })
  .strict()
  .superRefine((config, ctx) => {
    const r = config.retention;
    if (r.uploadWindowSeconds > r.recordTtlSeconds) {
      ctx.addIssue({ code: 'custom', path: ['retention', 'uploadWindowSeconds'], message: 'must not exceed recordTtlSeconds' });
    }
  });

export type StageConfigInput = z.input<typeof stageConfigSchema>;
export type StageConfig = z.output<typeof stageConfigSchema>;
export type OnPremConfig = z.output<typeof onPremSchema>;
export type RetentionConfig = StageConfig['retention'];

export class StageConfigError extends Error {
  constructor(issues: string) {
    super(`invalid stage configuration: ${issues}`);
    this.name = 'StageConfigError';
  }
}

/** Validates and fills in defaults; throws {@link StageConfigError} listing every problem. */
export function parseStageConfig(input: unknown): StageConfig {
  const parsed = stageConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new StageConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

/** Seconds → whole days, rounded up (S3 lifecycle rules count days). */
export function secondsToDays(value: number): number {
  return Math.max(1, Math.ceil(value / 86_400));
}
