/**
 * SQS batch handlers with partial batch failures (Powertools BatchProcessor): a record that
 * throws is reported in `batchItemFailures` and comes back after the visibility timeout; after
 * the queue's maximum receive count it lands in the dead-letter queue (never silently dropped).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { DynamoDBRecord, DynamoDBStreamEvent, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { MetricUnit, metrics, tracer } from './observability';

export function sqsBatchHandler(log: Logger, recordHandler: (record: SQSRecord) => Promise<void>) {
  return middy<SQSEvent, SQSBatchResponse>()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(log, { clearState: true }))
    .use(logMetrics(metrics))
    .handler(async (event, context) => {
      metrics.addMetric('RecordsReceived', MetricUnit.Count, event.Records.length);
      const processor = new BatchProcessor(EventType.SQS);
      return processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
    });
}

export function dynamoStreamHandler(log: Logger, recordHandler: (record: DynamoDBRecord) => Promise<void>) {
  return middy<DynamoDBStreamEvent, SQSBatchResponse>()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(log, { clearState: true }))
    .use(logMetrics(metrics))
    .handler(async (event, context) => {
      metrics.addMetric('StreamRecordsReceived', MetricUnit.Count, event.Records.length);
      const processor = new BatchProcessor(EventType.DynamoDBStreams);
      return processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
    });
}
