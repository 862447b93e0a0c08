/**
 * One logger, one metrics and one tracer per process (Powertools). Log lines carry ids, codes and
 * counts only: never names, ID numbers, contact details, images or tokens (DESIGN.md §5.5).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export const SERVICE_NAME = 'passport-prereview';

export const logger = new Logger({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({ namespace: 'PassportPrereview', serviceName: SERVICE_NAME });
/** X-Ray tracing; a no-op outside Lambda (POWERTOOLS_TRACE_ENABLED=false locally). */
export const tracer = new Tracer({ serviceName: SERVICE_NAME });

export { MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * A logger of its own for each handler: in Lambda there is one handler per process anyway; in the
 * embedded runtime several handlers run in one process, and each keeps its own Lambda context.
 */
export function handlerLogger(): Logger {
  return logger.createChild();
}
