/**
 * `Monitoring`: no failure is silent (DESIGN.md §5 invariant 6). One alarm topic, an alarm on
 * every dead-letter queue and on what can get stuck, and one dashboard.
 *
 * Default settings:
 * - SNS topic encrypted with its own KMS key (CloudWatch may use it), SSL-only publishing; an
 *   email subscription when `alarmEmail` is set (its own dead-letter queue, alarmed too);
 * - alarms (1-minute or 5-minute periods, missing data = OK), all notifying the topic:
 *   every dead-letter queue `ApproximateNumberOfMessagesVisible` > 0; release queue
 *   `ApproximateAgeOfOldestMessage` > 30 min (the on-premises poller is not pulling); scan queue
 *   age > 10 min; `Errors` > 0 of the scanner, face check, release and expiry functions;
 *   `SignatureHits` > 0 (a signature matched an upload: an incident); `StuckApplications` > 0
 *   (records that stopped moving, counted by the expiry sweep); in the `shadow` engine mode also
 *   `ScanEngineDisagreements` > 0 and `GuardDutyScanFailures` > 0 (published by
 *   compare-scan-engines);
 * - dashboard: queue depths and ages, function errors and p95 durations, verdict counts
 *   (`VerdictCLEAR`/`REVIEW`/`RETAKE`), `UploadsAccepted`/`UploadsRejected`/`SignatureHits`.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ScanEngine } from '../../functions/shared/aws-env';
import { METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME } from './function-support';
import { DeadLetterQueue } from './guarded-queue';

export interface MonitoredQueue {
  readonly name: string;
  readonly queue: sqs.IQueue;
}

export interface MonitoringProps {
  readonly prefix: string;
  /** Every dead-letter queue of the stack: each gets an alarm. */
  readonly deadLetterQueues: readonly MonitoredQueue[];
  readonly scanQueue: sqs.IQueue;
  readonly faceQueue: sqs.IQueue;
  readonly releaseQueue: sqs.IQueue;
  /** Functions whose every error alarms. */
  readonly functions: readonly { readonly name: string; readonly function: lambda.IFunction }[];
  readonly alarmEmail?: string;
  /** Engine mode: `shadow` adds the engine-comparison alarms and graph. */
  readonly scanEngine?: ScanEngine;
  readonly releaseAgeThreshold?: Duration;
  readonly scanAgeThreshold?: Duration;
}

/** A custom metric the handlers publish (Powertools Metrics, `service` dimension). */
export function customMetric(metricName: string, period = Duration.minutes(5)): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: POWERTOOLS_SERVICE_NAME },
    statistic: cloudwatch.Stats.SUM,
    period,
  });
}

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  /** Set when an email subscription exists. */
  readonly subscriptionDeadLetterQueue?: sqs.Queue;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const key = new kms.Key(this, 'TopicKey', { description: `${props.prefix}: alarm topic`, enableKeyRotation: true });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.topic = new sns.Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true, displayName: `${props.prefix} alarms` });

    const deadLetters = [...props.deadLetterQueues];
    if (props.alarmEmail) {
      this.subscriptionDeadLetterQueue = new DeadLetterQueue(this, 'EmailDeadLetter').queue;
      this.topic.addSubscription(
        new subs.EmailSubscription(props.alarmEmail, { deadLetterQueue: this.subscriptionDeadLetterQueue }),
      );
      deadLetters.push({ name: 'AlarmEmail', queue: this.subscriptionDeadLetterQueue });
    }

    const notify = new actions.SnsAction(this.topic);
    const alarm = (id: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
      const a = new cloudwatch.Alarm(this, id, {
        metric,
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(notify);
      a.addOkAction(notify);
      this.alarms.push(a);
      return a;
    };

    for (const { name, queue } of deadLetters) {
      alarm(
        `${name}DeadLetterAlarm`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
        0,
        `${name}: messages in the dead-letter queue. Inspect, fix, then redrive (docs/infrastructure.md).`,
      );
    }
    const releaseAge = props.releaseAgeThreshold ?? Duration.minutes(30);
    alarm(
      'ReleaseQueueAgeAlarm',
      props.releaseQueue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      releaseAge.toSeconds(),
      `Release queue: oldest message older than ${releaseAge.toMinutes()} min; the on-premises poller is not pulling.`,
    );
    const scanAge = props.scanAgeThreshold ?? Duration.minutes(10);
    alarm(
      'ScanQueueAgeAlarm',
      props.scanQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      scanAge.toSeconds(),
      `Scan queue: oldest upload waiting more than ${scanAge.toMinutes()} min.`,
    );
    for (const { name, function: fn } of props.functions) {
      alarm(
        `${name}ErrorsAlarm`,
        fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        0,
        `${name}: function errors.`,
      );
    }
    alarm(
      'SignatureHitsAlarm',
      customMetric('SignatureHits'),
      0,
      'A malware signature matched an upload: incident (see the scanner logs for the SHA-256 and signature name).',
    );
    alarm(
      'ReleasesSupersededAlarm',
      customMetric('ReleasesSuperseded'),
      0,
      'A release left for a record that stopped being VETTED meanwhile (a rescan found an infected image): tell the office to discard that release id.',
    );
    alarm(
      'StuckApplicationsAlarm',
      customMetric('StuckApplications', Duration.minutes(15)),
      0,
      'Applications stopped moving (counted by the expiry sweep): check the queues and dead-letter queues.',
    );

    if (props.scanEngine === 'shadow') {
      alarm(
        'ScanEngineDisagreementsAlarm',
        customMetric('ScanEngineDisagreements'),
        0,
        'GuardDuty and ClamAV disagree on an upload (shadow mode): see the compare-scan-engines logs for the application id, slot, verdicts and threat name.',
      );
      alarm(
        'GuardDutyScanFailuresAlarm',
        customMetric('GuardDutyScanFailures'),
        0,
        'GuardDuty could not scan an upload (UNSUPPORTED, ACCESS_DENIED or FAILED; shadow mode): check the plan role and the plan status.',
      );
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: `${props.prefix}-intake` });
    const queues: MonitoredQueue[] = [
      { name: 'scan', queue: props.scanQueue },
      { name: 'face', queue: props.faceQueue },
      { name: 'release', queue: props.releaseQueue },
    ];
    const m1 = Duration.minutes(1);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Queue depth (visible)',
        width: 12,
        left: queues.map((q) =>
          q.queue.metricApproximateNumberOfMessagesVisible({ label: q.name, period: m1, statistic: 'Maximum' }),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'Oldest message age (s)',
        width: 12,
        left: queues.map((q) => q.queue.metricApproximateAgeOfOldestMessage({ label: q.name, period: m1, statistic: 'Maximum' })),
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queues (visible)',
        width: 12,
        left: deadLetters.map((q) =>
          q.queue.metricApproximateNumberOfMessagesVisible({ label: q.name, period: m1, statistic: 'Maximum' }),
        ),
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 12, alarms: this.alarms }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Function errors',
        width: 12,
        left: props.functions.map((f) =>
          f.function.metricErrors({ label: f.name, period: Duration.minutes(5), statistic: 'Sum' }),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'Function duration p95 (ms)',
        width: 12,
        left: props.functions.map((f) =>
          f.function.metricDuration({ label: f.name, period: Duration.minutes(5), statistic: 'p95' }),
        ),
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Verdicts',
        width: 12,
        stacked: true,
        left: ['VerdictCLEAR', 'VerdictREVIEW', 'VerdictRETAKE'].map((n) => customMetric(n).with({ label: n })),
      }),
      new cloudwatch.GraphWidget({
        title: 'Uploads',
        width: 12,
        left: ['UploadsAccepted', 'UploadsRejected', 'SignatureHits'].map((n) => customMetric(n).with({ label: n })),
      }),
    );
    if (props.scanEngine === 'shadow') {
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: 'Scan engines (shadow)',
          width: 24,
          left: ['ScanEngineAgreements', 'ScanEngineDisagreements', 'GuardDutyScanFailures', 'ScanComparisonsSkipped'].map((n) =>
            customMetric(n).with({ label: n }),
          ),
        }),
      );
    }
  }
}
