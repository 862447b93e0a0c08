/**
 * The {@link Queue} port on Amazon SQS. The same semantics as the embedded SQLite queue
 * (`../local/sqlite-queue.ts`) where SQS has them, with the same typed errors:
 *
 * - send: `SendMessage`. On a FIFO queue (URL ends in `.fifo`) every message carries a
 *   `MessageGroupId` (the adapter's `messageGroupId`, default {@link DEFAULT_MESSAGE_GROUP_ID}) and a
 *   `MessageDeduplicationId` (the caller's `deduplicationId`, else the SHA-256 of the body), so SQS
 *   drops a second send with the same id within its five-minute window and returns the first message
 *   id. On a standard queue `deduplicationId` is ignored: SQS has no deduplication there, and a
 *   duplicate relies on the consumer being idempotent (the poller's inbox ignores a release id it has
 *   filed). `delaySeconds` is sent on standard queues only (FIFO queues accept only a queue-level delay).
 * - receive: `ReceiveMessage` with the system attributes `ApproximateReceiveCount` and `SentTimestamp`.
 * - delete / changeVisibility: `DeleteMessage` / `ChangeMessageVisibility`. SQS's
 *   `ReceiptHandleIsInvalid` and `MessageNotInflight` become {@link ReceiptHandleInvalidError} and
 *   {@link MessageNotInflightError}; every other AWS error propagates unchanged. Note that SQS accepts a
 *   delete with a *stale* receipt handle of a message received again since ("the request succeeds, but
 *   the message might not be deleted"): unlike the embedded queue, that is not an error here.
 *
 * Arguments are checked before any call, with the embedded queue's limits and messages, so a caller
 * sees the same `RangeError`s and {@link MessageTooLargeError} on both runtimes.
 */
import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  MessageNotInflight,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  type ReceiveMessageCommandOutput,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Queue, ReceivedMessage } from '../../core/ports';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  MAX_DELAY_SECONDS,
  MAX_VISIBILITY_TIMEOUT_SECONDS,
  MAX_WAIT_SECONDS,
  MessageNotInflightError,
  MessageTooLargeError,
  ReceiptHandleInvalidError,
} from '../local/sqlite-queue';

/** The message group of every message sent to a FIFO queue unless the adapter is given another. */
export const DEFAULT_MESSAGE_GROUP_ID = 'releases';

export interface SqsQueueOptions {
  /** FIFO queues only: the `MessageGroupId` of every message (ordering is per group). */
  readonly messageGroupId?: string;
  /**
   * Largest body accepted, in UTF-8 bytes: the queue's `MaximumMessageSize` (SQS default and
   * maximum 1 MiB). Checked before sending, so an oversized body fails with a clear error.
   */
  readonly maxMessageBytes?: number;
}

export interface SqsQueue extends Queue {
  readonly url: string;
  readonly fifo: boolean;
  /** Ends pending long polls of this queue object (they resolve with []); later receives return [] at once. */
  close(): void;
}

function assertInteger(value: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

function queueNameOf(queueUrl: string): string {
  const name = queueUrl.replace(/\/+$/, '').split('/').pop() ?? '';
  if (!/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(name)) throw new RangeError('the queue URL does not end in a queue name');
  return name;
}

function errorName(error: unknown): unknown {
  return (error as { name?: unknown } | null)?.name;
}

/** `createSqsQueue(client, url)`: the queue's name is the last segment of its URL. */
export function createSqsQueue(client: SQSClient, queueUrl: string, options: SqsQueueOptions = {}): SqsQueue {
  const name = queueNameOf(queueUrl);
  const fifo = name.endsWith('.fifo');
  const messageGroupId = options.messageGroupId ?? DEFAULT_MESSAGE_GROUP_ID;
  if (messageGroupId.length === 0 || messageGroupId.length > 128) throw new RangeError('messageGroupId must be 1-128 characters');
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  assertInteger(maxMessageBytes, 1, DEFAULT_MAX_MESSAGE_BYTES, 'maxMessageBytes');
  let closer = new AbortController();
  let closed = false;

  async function mapHandleErrors<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ReceiptHandleIsInvalid || errorName(error) === 'ReceiptHandleIsInvalid') {
        throw new ReceiptHandleInvalidError(name);
      }
      if (error instanceof MessageNotInflight || errorName(error) === 'MessageNotInflight')
        throw new MessageNotInflightError(name);
      throw error;
    }
  }

  return {
    name,
    url: queueUrl,
    fifo,
    async send(body, sendOptions = {}) {
      if (typeof body !== 'string' || body.length === 0) throw new RangeError(`message body for queue ${name} must not be empty`);
      const size = Buffer.byteLength(body, 'utf8');
      if (size > maxMessageBytes) throw new MessageTooLargeError(size, maxMessageBytes, name);
      const { deduplicationId, delaySeconds } = sendOptions;
      if (delaySeconds !== undefined) assertInteger(delaySeconds, 0, MAX_DELAY_SECONDS, 'delaySeconds');
      if (deduplicationId !== undefined && (deduplicationId.length === 0 || deduplicationId.length > 128)) {
        throw new RangeError('deduplicationId must be 1-128 characters');
      }
      const result = await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: body,
          ...(fifo
            ? {
                MessageGroupId: messageGroupId,
                MessageDeduplicationId: deduplicationId ?? createHash('sha256').update(body, 'utf8').digest('hex'),
              }
            : delaySeconds !== undefined
              ? { DelaySeconds: delaySeconds }
              : {}),
        }),
      );
      if (!result.MessageId) throw new Error(`SQS returned no message id for queue ${name}`);
      return { messageId: result.MessageId };
    },
    async receive(receiveOptions) {
      assertInteger(receiveOptions.maxMessages, 1, 10, 'maxMessages');
      assertInteger(receiveOptions.waitSeconds, 0, MAX_WAIT_SECONDS, 'waitSeconds');
      const visibility = receiveOptions.visibilityTimeoutSeconds;
      if (visibility !== undefined) assertInteger(visibility, 0, MAX_VISIBILITY_TIMEOUT_SECONDS, 'visibilityTimeoutSeconds');
      if (closed) return [];
      let output: ReceiveMessageCommandOutput;
      try {
        output = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: receiveOptions.maxMessages,
            WaitTimeSeconds: receiveOptions.waitSeconds,
            ...(visibility !== undefined ? { VisibilityTimeout: visibility } : {}),
            MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          }),
          { abortSignal: closer.signal },
        );
      } catch (error) {
        if (closed && errorName(error) === 'AbortError') return [];
        throw error;
      }
      return (output.Messages ?? []).map((m): ReceivedMessage => {
        const receiveCount = Number(m.Attributes?.ApproximateReceiveCount);
        const sentAt = Number(m.Attributes?.SentTimestamp);
        if (
          !m.MessageId ||
          !m.ReceiptHandle ||
          m.Body === undefined ||
          !Number.isFinite(receiveCount) ||
          !Number.isFinite(sentAt)
        ) {
          throw new Error(`SQS returned an incomplete message on queue ${name}`);
        }
        return { messageId: m.MessageId, receiptHandle: m.ReceiptHandle, body: m.Body, receiveCount, sentAt: new Date(sentAt) };
      });
    },
    async delete(receiptHandle) {
      await mapHandleErrors(() => client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle })));
    },
    async changeVisibility(receiptHandle, timeoutSeconds) {
      assertInteger(timeoutSeconds, 0, MAX_VISIBILITY_TIMEOUT_SECONDS, 'timeoutSeconds');
      await mapHandleErrors(() =>
        client.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: receiptHandle,
            VisibilityTimeout: timeoutSeconds,
          }),
        ),
      );
    },
    close() {
      closed = true;
      closer.abort();
      closer = new AbortController();
    },
  };
}
