/**
 * Turns the staging table's change log into DynamoDB Streams events for the release handler, as
 * the Lambda event source mapping does in AWS: only records whose new image is VETTED pass the
 * filter; a failing record is retried, then sent to the on-failure dead-letter queue.
 */
import type { Context, DynamoDBRecord, DynamoDBStreamEvent, SQSBatchResponse } from 'aws-lambda';
import type { RecordChange, RecordChangeFeed } from '../adapters/local/sqlite-record-changes';
import type { Queue } from '../core/ports';
import { localLambdaContext } from '../shared/lambda-context';
import type { Worker } from './queue-worker';

export type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

const CONSUMER = 'release-record';

export function streamRecord(change: RecordChange): DynamoDBRecord {
  return {
    eventID: String(change.seq),
    eventName: change.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'local',
    dynamodb: {
      Keys: { applicationId: { S: change.applicationId } },
      SequenceNumber: String(change.seq),
      StreamViewType: 'KEYS_ONLY',
      ApproximateCreationDateTime: Math.floor(change.createdAt.getTime() / 1000),
    },
    eventSourceARN: 'arn:aws:dynamodb:local:000000000000:table/staging/stream/local',
  };
}

/** The event filter of the release function's event source: a change that leaves the record VETTED. */
export const releaseFilter = (c: RecordChange) => c.newImage?.status === 'VETTED';

export function startStreamPump(options: {
  feed: RecordChangeFeed;
  handler: StreamHandler;
  failureQueue: Queue;
  maxAttempts: number;
  onError: (err: unknown) => void;
}): Worker {
  let running = true;
  const attempts = new Map<number, number>();

  async function pumpOnce(): Promise<number> {
    const pending = options.feed.readPending(CONSUMER, 10);
    if (pending.length === 0) return 0;
    const wanted = pending.filter(releaseFilter);
    let failedFrom: number | null = null;
    if (wanted.length > 0) {
      const response = await options.handler({ Records: wanted.map(streamRecord) }, localLambdaContext(CONSUMER)).catch(() => ({
        batchItemFailures: [{ itemIdentifier: String(wanted[0]?.seq) }],
      }));
      const failures = (response?.batchItemFailures ?? []).map((f) => Number(f.itemIdentifier));
      if (failures.length > 0) failedFrom = Math.min(...failures);
    }
    if (failedFrom === null) {
      options.feed.ack(CONSUMER, (pending.at(-1) as RecordChange).seq);
      return pending.length;
    }
    // Stream semantics: checkpoint up to the first failure, retry from there.
    const n = (attempts.get(failedFrom) ?? 0) + 1;
    attempts.set(failedFrom, n);
    if (n >= options.maxAttempts) {
      const failed = pending.find((c) => c.seq === failedFrom);
      await options.failureQueue.send(
        JSON.stringify({ consumer: CONSUMER, seq: failedFrom, applicationId: failed?.applicationId }),
      );
      attempts.delete(failedFrom);
      options.feed.ack(CONSUMER, failedFrom);
    } else {
      options.feed.ack(CONSUMER, failedFrom - 1);
      await new Promise((r) => setTimeout(r, 200 * 2 ** n));
    }
    return pending.length;
  }

  const loop = (async () => {
    while (running) {
      try {
        if ((await pumpOnce()) === 0) await new Promise((r) => setTimeout(r, 50));
      } catch (err) {
        options.onError(err);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();
  return {
    name: CONSUMER,
    async stop() {
      running = false;
      await loop;
    },
  };
}
