/**
 * compare-scan-engines (shadow engine mode): GuardDuty Malware Protection scan results, routed by
 * EventBridge to the shadow queue, in SQS batches with partial failures. Records agreements and
 * disagreements with ClamAV's decision as metrics and log lines (ids, verdicts and threat names;
 * never bytes or personal data). A result whose upload ClamAV has not decided yet fails its record
 * and comes back after the visibility timeout.
 */
import type { SQSRecord } from 'aws-lambda';
import { dynamoDocumentClient } from '../adapters/aws/dynamodb-client';
import { createDynamoRecordStore } from '../adapters/aws/dynamodb-record-store';
import { systemClock } from '../adapters/local/system-clock';
import { compareEnvSchema, lazyHandler, readEnv } from '../shared/aws-env';
import { handlerLogger, MetricUnit, metrics } from '../shared/observability';
import { MalformedEventError } from '../shared/s3-events';
import { parseScanQueueMessage } from '../shared/scan-events';
import { sqsBatchHandler } from '../shared/sqs-batch';
import { type CompareScanEnginesDeps, compareScanEngines } from './compare-scan-engines';

export function makeCompareScanEnginesHandler(deps: CompareScanEnginesDeps) {
  const log = handlerLogger();
  return sqsBatchHandler(log, async (record: SQSRecord) => {
    const message = parseScanQueueMessage(record.body);
    if (message.kind !== 'guardduty') throw new MalformedEventError('the shadow queue carries GuardDuty scan results only');
    for (const result of message.objects) {
      const outcome = await compareScanEngines(result, deps);
      switch (outcome.kind) {
        case 'ignored':
          log.info('scan comparison skipped', { why: outcome.why, detail: outcome.detail });
          metrics.addMetric('ScanComparisonsSkipped', MetricUnit.Count, 1);
          break;
        case 'guardduty-failure':
          log.warn('GuardDuty did not scan the upload', {
            applicationId: outcome.ref.applicationId,
            slot: outcome.ref.slot,
            guardDuty: outcome.guardDuty,
          });
          metrics.addMetric('GuardDutyScanFailures', MetricUnit.Count, 1);
          break;
        case 'agreement':
          log.info('scan engines agree', {
            applicationId: outcome.ref.applicationId,
            slot: outcome.ref.slot,
            clamav: outcome.clamav,
            guardDuty: outcome.guardDuty,
          });
          metrics.addMetric('ScanEngineAgreements', MetricUnit.Count, 1);
          break;
        case 'disagreement':
          log.warn('scan engines disagree', {
            applicationId: outcome.ref.applicationId,
            slot: outcome.ref.slot,
            clamav: outcome.clamav,
            guardDuty: outcome.guardDuty,
            threats: outcome.threats,
          });
          metrics.addMetric('ScanEngineDisagreements', MetricUnit.Count, 1);
          break;
      }
    }
  });
}

/** The Lambda entry point (zip function; reads the staging table only). */
export const handler = lazyHandler(() => {
  const env = readEnv(compareEnvSchema);
  return makeCompareScanEnginesHandler({
    records: createDynamoRecordStore(dynamoDocumentClient(), env.TABLE_NAME, systemClock),
  });
});
