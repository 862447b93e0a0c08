/**
 * The SQS queue adapter: the Queue contract against fauxqs (a standard queue with a redrive policy to
 * a dead-letter queue, and a FIFO queue for deduplication), then the request parameters and error
 * mapping through aws-sdk-client-mock for what fauxqs cannot show.
 */
import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  MessageNotInflight,
  QueueDoesNotExist,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { createSqsQueue, DEFAULT_MESSAGE_GROUP_ID } from '../../functions/adapters/aws/sqs-queue';
import {
  MessageNotInflightError,
  MessageTooLargeError,
  ReceiptHandleInvalidError,
} from '../../functions/adapters/local/sqlite-queue';
import { queueContract } from './contracts/queue.contract';
import { type Fauxqs, startFauxqs } from './support/fauxqs';

let fauxqs: Fauxqs;
let sqs: SQSClient;
let serial = 0;

beforeAll(async () => {
  fauxqs = await startFauxqs();
  sqs = fauxqs.client();
});
afterAll(async () => {
  await fauxqs?.stop();
});

async function createQueue(name: string, attributes: Record<string, string>): Promise<{ url: string; arn: string }> {
  const { QueueUrl: url } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!url) throw new Error('no queue url');
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error('no queue arn');
  return { url, arn };
}

const MAX_BYTES = 4096;

queueContract('sqs (fauxqs)', async () => {
  serial += 1;
  const dlq = await createQueue(`work-${serial}-dlq`, { MessageRetentionPeriod: '1209600' });
  const main = await createQueue(`work-${serial}`, {
    VisibilityTimeout: '30',
    MaximumMessageSize: String(MAX_BYTES),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }),
  });
  const fifo = await createQueue(`dedup-${serial}.fifo`, { FifoQueue: 'true', VisibilityTimeout: '30' });
  const queue = createSqsQueue(sqs, main.url, { maxMessageBytes: MAX_BYTES });
  const deadLetter = createSqsQueue(sqs, dlq.url);
  const deduplicatingQueue = createSqsQueue(sqs, fifo.url);
  return {
    queue,
    deadLetter,
    deduplicatingQueue,
    visibilityTimeoutSeconds: 30,
    maxReceiveCount: 3,
    maxMessageBytes: MAX_BYTES,
    // fauxqs accepts a delete with a made-up or stale receipt handle (SQS: stale ones too).
    rejectsUnknownReceiptHandles: false,
    rejectsStaleReceiptHandles: false,
    advance: (seconds) => fauxqs.advanceClock(seconds),
    cleanup: async () => {
      for (const q of [queue, deadLetter, deduplicatingQueue]) q.close();
      for (const url of [main.url, dlq.url, fifo.url]) await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    },
  };
});

describe('sqs queue on fauxqs (adapter specifics)', () => {
  it('takes its name from the last URL segment and knows a FIFO queue', async () => {
    const { url } = await createQueue(`named-${++serial}.fifo`, { FifoQueue: 'true' });
    const q = createSqsQueue(sqs, url);
    expect(q.name).toBe(`named-${serial}.fifo`);
    expect(q.fifo).toBe(true);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  });

  it('drops a repeated release on the FIFO queue even without a deduplication id (body hash)', async () => {
    const { url } = await createQueue(`hash-${++serial}.fifo`, { FifoQueue: 'true' });
    const q = createSqsQueue(sqs, url);
    const a = await q.send('{"release":1}');
    const b = await q.send('{"release":1}');
    expect(b.messageId).toBe(a.messageId);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  });

  it('close() ends a pending long poll at once', async () => {
    const { url } = await createQueue(`close-${++serial}`, {});
    const q = createSqsQueue(sqs, url);
    const started = Date.now();
    const pending = q.receive({ maxMessages: 1, waitSeconds: 20 });
    setTimeout(() => q.close(), 50);
    expect(await pending).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await q.receive({ maxMessages: 1, waitSeconds: 0 })).toEqual([]);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  });
});

describe('sqs queue requests (aws-sdk-client-mock)', () => {
  const client = new SQSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const mock = mockClient(client);
  const FIFO_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/release.fifo';
  const STD_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/face-check';
  const meta = { $metadata: {} };

  beforeEach(() => {
    mock.reset();
    mock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  });

  it('FIFO: default group id, the caller deduplication id, no delay', async () => {
    const q = createSqsQueue(client, FIFO_URL);
    expect(q.name).toBe('release.fifo');
    await q.send('{"r":1}', { deduplicationId: 'P0123456789AB.3', delaySeconds: 30 });
    expect(mock.commandCalls(SendMessageCommand)[0]?.args[0].input).toEqual({
      QueueUrl: FIFO_URL,
      MessageBody: '{"r":1}',
      MessageGroupId: DEFAULT_MESSAGE_GROUP_ID,
      MessageDeduplicationId: 'P0123456789AB.3',
    });
  });

  it('FIFO: without a deduplication id the SHA-256 of the body; a configured group id', async () => {
    const q = createSqsQueue(client, FIFO_URL, { messageGroupId: 'counter-7' });
    await q.send('{"r":2}');
    expect(mock.commandCalls(SendMessageCommand)[0]?.args[0].input).toEqual({
      QueueUrl: FIFO_URL,
      MessageBody: '{"r":2}',
      MessageGroupId: 'counter-7',
      MessageDeduplicationId: createHash('sha256').update('{"r":2}').digest('hex'),
    });
  });

  it('standard: no group or deduplication id (the consumer deduplicates), delay passed through', async () => {
    const q = createSqsQueue(client, STD_URL);
    await q.send('x', { deduplicationId: 'ignored', delaySeconds: 10 });
    await q.send('y');
    const [first, second] = mock.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(first).toEqual({ QueueUrl: STD_URL, MessageBody: 'x', DelaySeconds: 10 });
    expect(second).toEqual({ QueueUrl: STD_URL, MessageBody: 'y' });
  });

  it('receive: count, wait, visibility when given, the two system attributes; maps them', async () => {
    mock.on(ReceiveMessageCommand).resolves({
      Messages: [
        {
          MessageId: 'm-9',
          ReceiptHandle: 'rh-9',
          Body: 'b',
          Attributes: { ApproximateReceiveCount: '3', SentTimestamp: '1778925600000' },
        },
      ],
    });
    const q = createSqsQueue(client, STD_URL);
    const got = await q.receive({ maxMessages: 10, waitSeconds: 20, visibilityTimeoutSeconds: 120 });
    await q.receive({ maxMessages: 1, waitSeconds: 0 });
    expect(got).toEqual([
      { messageId: 'm-9', receiptHandle: 'rh-9', body: 'b', receiveCount: 3, sentAt: new Date(1778925600000) },
    ]);
    const [withVisibility, without] = mock.commandCalls(ReceiveMessageCommand).map((c) => c.args[0].input);
    expect(withVisibility).toEqual({
      QueueUrl: STD_URL,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 20,
      VisibilityTimeout: 120,
      MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
    });
    expect(without).not.toHaveProperty('VisibilityTimeout');
  });

  it('delete and changeVisibility map 1:1', async () => {
    mock.on(DeleteMessageCommand).resolves({});
    mock.on(ChangeMessageVisibilityCommand).resolves({});
    const q = createSqsQueue(client, STD_URL);
    await q.delete('rh-1');
    await q.changeVisibility('rh-2', 0);
    expect(mock.commandCalls(DeleteMessageCommand)[0]?.args[0].input).toEqual({ QueueUrl: STD_URL, ReceiptHandle: 'rh-1' });
    expect(mock.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0].input).toEqual({
      QueueUrl: STD_URL,
      ReceiptHandle: 'rh-2',
      VisibilityTimeout: 0,
    });
  });

  it('maps ReceiptHandleIsInvalid (a handle SQS never issued) and MessageNotInflight to the typed errors', async () => {
    mock
      .on(DeleteMessageCommand)
      .rejects(new ReceiptHandleIsInvalid({ message: 'The input receipt handle is invalid.', ...meta }));
    mock
      .on(ChangeMessageVisibilityCommand)
      .rejectsOnce(new ReceiptHandleIsInvalid({ message: 'The input receipt handle is invalid.', ...meta }))
      .rejectsOnce(new MessageNotInflight({ message: 'Message does not exist or is not available.', ...meta }));
    const q = createSqsQueue(client, STD_URL);
    const deleting = q.delete('not-a-handle');
    await expect(deleting).rejects.toBeInstanceOf(ReceiptHandleInvalidError);
    await expect(deleting).rejects.toThrow(/receipt handle/i);
    await expect(q.changeVisibility('not-a-handle', 0)).rejects.toBeInstanceOf(ReceiptHandleInvalidError);
    await expect(q.changeVisibility('rh', 10)).rejects.toBeInstanceOf(MessageNotInflightError);
  });

  it('lets every other AWS error through unchanged', async () => {
    const missing = new QueueDoesNotExist({ message: 'The specified queue does not exist.', ...meta });
    mock.on(ReceiveMessageCommand).rejects(missing);
    mock.on(DeleteMessageCommand).rejects(missing);
    const q = createSqsQueue(client, STD_URL);
    await expect(q.receive({ maxMessages: 1, waitSeconds: 0 })).rejects.toBe(missing);
    await expect(q.delete('rh')).rejects.toBe(missing);
  });

  it('checks arguments before calling SQS, with the embedded queue errors', async () => {
    const q = createSqsQueue(client, STD_URL, { maxMessageBytes: 10 });
    await expect(q.send('')).rejects.toThrow(/empty/);
    await expect(q.send('臺臺臺臺')).rejects.toBeInstanceOf(MessageTooLargeError);
    await expect(q.send('x', { delaySeconds: 901 })).rejects.toThrow(/delaySeconds/);
    await expect(q.send('x', { deduplicationId: '' })).rejects.toThrow(/deduplicationId/);
    await expect(q.receive({ maxMessages: 0, waitSeconds: 0 })).rejects.toThrow(/maxMessages/);
    await expect(q.receive({ maxMessages: 1, waitSeconds: 21 })).rejects.toThrow(/waitSeconds/);
    await expect(q.changeVisibility('rh', 43201)).rejects.toThrow(/timeoutSeconds/);
    expect(mock.calls()).toHaveLength(0);
    expect(() => createSqsQueue(client, 'https://sqs.eu-west-1.amazonaws.com/123456789012/bad%20name')).toThrow(/queue name/);
  });
});
