/**
 * Runs a Lambda SQS handler against an embedded queue, as the Lambda event source mapping does:
 * receive a batch, build the SQS event, invoke, delete what succeeded; failed records stay and
 * come back after their visibility timeout (then to the dead-letter queue).
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Queue, ReceivedMessage } from '../core/ports';
import { localLambdaContext } from '../shared/lambda-context';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface Worker {
  stop(): Promise<void>;
  /** Resolves once the worker has been idle (an empty receive) after everything sent so far. */
  readonly name: string;
}

export function sqsRecord(queue: Queue, m: ReceivedMessage): SQSRecord {
  return {
    messageId: m.messageId,
    receiptHandle: m.receiptHandle,
    body: m.body,
    attributes: {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(m.sentAt.getTime()),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:local:000000000000:${queue.name}`,
    awsRegion: 'local',
  };
}

/** One receive → invoke → delete cycle; returns how many messages were handled. */
export async function pumpOnce(
  queue: Queue,
  handler: SqsHandler,
  functionName: string,
  waitSeconds: number,
  batchSize: number,
): Promise<number> {
  const messages = await queue.receive({ maxMessages: batchSize, waitSeconds });
  if (messages.length === 0) return 0;
  const event: SQSEvent = { Records: messages.map((m) => sqsRecord(queue, m)) };
  let failed = new Set<string>(messages.map((m) => m.messageId));
  try {
    const response = await handler(event, localLambdaContext(functionName));
    failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
  } catch {
    // The whole invocation failed: every message comes back after its visibility timeout.
  }
  await Promise.all(messages.filter((m) => !failed.has(m.messageId)).map((m) => queue.delete(m.receiptHandle)));
  return messages.length;
}

export function startQueueWorker(options: {
  name: string;
  queue: Queue;
  handler: SqsHandler;
  batchSize: number;
  onError: (err: unknown) => void;
}): Worker {
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        await pumpOnce(options.queue, options.handler, options.name, 1, options.batchSize);
      } catch (err) {
        options.onError(err);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();
  return {
    name: options.name,
    async stop() {
      running = false;
      await loop;
    },
  };
}
