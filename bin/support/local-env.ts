/**
 * Environment defaults for processes that run the handlers outside Lambda. Imported first, before
 * Powertools reads the environment: metrics are not published (no CloudWatch here) and logs stay
 * at INFO unless POWERTOOLS_LOG_LEVEL says otherwise.
 */
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'INFO';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
