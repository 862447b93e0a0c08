/**
 * The environment of each Lambda function, validated once at cold start (fail fast on a wrong
 * deployment). The CDK constructs set exactly these variables; `lib/constructs/*` and this file
 * are the two sides of one contract.
 */
import { z } from 'zod';
import { DEFAULT_RETENTION, type RetentionPolicy } from '../core/retention';

const seconds = z.coerce.number().int().positive();

/** Variable names, shared with the CDK constructs. */
export const ENV = {
  tableName: 'TABLE_NAME',
  quarantineBucket: 'QUARANTINE_BUCKET',
  cleanBucket: 'CLEAN_BUCKET',
  releaseQueueUrl: 'RELEASE_QUEUE_URL',
  signingKeyId: 'SIGNING_KEY_ID',
  faceSimilarityThreshold: 'FACE_SIMILARITY_THRESHOLD',
  uploadWindowSeconds: 'UPLOAD_WINDOW_SECONDS',
  recordTtlSeconds: 'RECORD_TTL_SECONDS',
  releasedSummarySeconds: 'RELEASED_SUMMARY_SECONDS',
  onPremRetainSeconds: 'ONPREM_RETAIN_SECONDS',
  clamavDatabaseDir: 'CLAMAV_DATABASE_DIR',
  scanEngine: 'SCAN_ENGINE',
} as const;

/**
 * Which engine decides on the original upload (docs/malware-scan.md, "Engine modes"):
 * `clamav` (the image's clamd), `guardduty` (GuardDuty Malware Protection for S3; ClamAV still
 * scans the rebuilt output) or `shadow` (ClamAV decides; GuardDuty's results are only compared).
 */
export const SCAN_ENGINES = ['clamav', 'guardduty', 'shadow'] as const;
export type ScanEngine = (typeof SCAN_ENGINES)[number];

const retentionShape = {
  [ENV.uploadWindowSeconds]: seconds.default(DEFAULT_RETENTION.uploadWindowSeconds),
  [ENV.recordTtlSeconds]: seconds.default(DEFAULT_RETENTION.recordTtlSeconds),
  [ENV.releasedSummarySeconds]: seconds.default(DEFAULT_RETENTION.releasedSummarySeconds),
  [ENV.onPremRetainSeconds]: seconds.default(DEFAULT_RETENTION.onPremRetainSeconds),
};

export const apiEnvSchema = z.object({
  [ENV.tableName]: z.string().min(1),
  [ENV.quarantineBucket]: z.string().min(3),
  [ENV.cleanBucket]: z.string().min(3),
  ...retentionShape,
});

export const scanEnvSchema = z.object({
  [ENV.tableName]: z.string().min(1),
  [ENV.quarantineBucket]: z.string().min(3),
  [ENV.cleanBucket]: z.string().min(3),
  /** Folder holding the official ClamAV database and the project's signatures (baked into the image). */
  [ENV.clamavDatabaseDir]: z.string().min(1),
  /** The engine mode; the scan function acts only on the events of its mode. */
  [ENV.scanEngine]: z.enum(SCAN_ENGINES),
});

/** compare-scan-engines (shadow mode): reads records only. */
export const compareEnvSchema = z.object({
  [ENV.tableName]: z.string().min(1),
});

export const faceEnvSchema = z.object({
  [ENV.tableName]: z.string().min(1),
  [ENV.cleanBucket]: z.string().min(3),
  /** CompareFaces similarity (0–100) at or above which the faces match; AWS advises 99 where accuracy matters. */
  [ENV.faceSimilarityThreshold]: z.coerce.number().min(0).max(100).default(99),
});

export const releaseEnvSchema = z.object({
  [ENV.tableName]: z.string().min(1),
  [ENV.cleanBucket]: z.string().min(3),
  [ENV.releaseQueueUrl]: z.url(),
  [ENV.signingKeyId]: z.string().min(1),
  ...retentionShape,
});

export const expireEnvSchema = z.object({
  [ENV.tableName]: z.string().min(1),
  [ENV.quarantineBucket]: z.string().min(3),
  [ENV.cleanBucket]: z.string().min(3),
  ...retentionShape,
});

export class EnvironmentError extends Error {
  constructor(issues: string) {
    super(`the function's environment is not valid: ${issues}`);
    this.name = 'EnvironmentError';
  }
}

export function readEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new EnvironmentError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

export function retentionFrom(env: {
  [ENV.uploadWindowSeconds]: number;
  [ENV.recordTtlSeconds]: number;
  [ENV.releasedSummarySeconds]: number;
  [ENV.onPremRetainSeconds]: number;
}): RetentionPolicy {
  return {
    uploadWindowSeconds: env[ENV.uploadWindowSeconds],
    recordTtlSeconds: env[ENV.recordTtlSeconds],
    releasedSummarySeconds: env[ENV.releasedSummarySeconds],
    onPremRetainSeconds: env[ENV.onPremRetainSeconds],
  };
}

/**
 * A Lambda entry point built on first use: the AWS clients and adapters are created once per
 * execution environment (not per invocation, and not when a module is merely imported). The
 * build may be asynchronous (the scanner starts clamd); a failed build is retried on the next
 * invocation rather than cached.
 */
export function lazyHandler<E, C, R>(
  build: () => ((event: E, context: C) => Promise<R>) | Promise<(event: E, context: C) => Promise<R>>,
): (event: E, context: C) => Promise<R> {
  let built: Promise<(event: E, context: C) => Promise<R>> | undefined;
  return async (event, context) => {
    built ??= Promise.resolve().then(build);
    let handle: (event: E, context: C) => Promise<R>;
    try {
      handle = await built;
    } catch (err) {
      built = undefined;
      throw err;
    }
    return handle(event, context);
  };
}
