/**
 * The Queue contract (SQS semantics). Every Queue adapter runs through it: the local SQLite one,
 * and the SQS one against an emulator (fauxqs). Where SQS itself differs (deduplication only on FIFO
 * queues, stale receipt handles accepted), the fixture says so and the case checks the SQS behaviour.
 */
import type { Queue } from '../../../functions/core/ports';

export interface QueueFixture {
  /** A queue whose redrive policy sends messages to `deadLetter` after `maxReceiveCount` receives. */
  readonly queue: Queue;
  readonly deadLetter: Queue;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly maxMessageBytes: number;
  /**
   * Where deduplication ids are honoured; `queue` when absent. SQS deduplicates on FIFO queues only,
   * so the SQS fixture passes a FIFO queue here (its `queue` is a standard one, for delays).
   */
  readonly deduplicatingQueue?: Queue;
  /**
   * Whether a delete or visibility change with a receipt handle never issued, or one made stale by a
   * later receive, is refused with a "receipt handle" error (default true). SQS documents that a
   * delete with a stale handle "succeeds, but the message might not be deleted"; fauxqs also accepts
   * made-up handles. Where false, the contract checks instead that such a delete removes nothing.
   */
  readonly rejectsUnknownReceiptHandles?: boolean;
  readonly rejectsStaleReceiptHandles?: boolean;
  /** Lets `seconds` of queue time pass (a fake clock locally; the emulator process's shifted clock for SQS). */
  advance(seconds: number): Promise<void>;
  cleanup(): Promise<void>;
}

async function receiveAll(queue: Queue, max = 10) {
  return queue.receive({ maxMessages: max, waitSeconds: 0 });
}

/** Receives and deletes until the queue is empty (a FIFO group's next message may wait for the delete of the one in flight). */
async function drainBodies(queue: Queue): Promise<string[]> {
  const bodies: string[] = [];
  for (let round = 0; round < 20; round++) {
    const got = await receiveAll(queue);
    if (got.length === 0) break;
    for (const m of got) {
      bodies.push(m.body);
      await queue.delete(m.receiptHandle);
    }
  }
  return bodies;
}

export function queueContract(name: string, makeQueue: () => Promise<QueueFixture>): void {
  describe(`Queue contract: ${name}`, () => {
    let f: QueueFixture;
    beforeEach(async () => {
      f = await makeQueue();
    });
    afterEach(async () => {
      await f.cleanup();
    });

    it('delivers a sent message once with its id, body, receive count and send time', async () => {
      const { messageId } = await f.queue.send('{"hello":"world"}');
      const [m, ...rest] = await receiveAll(f.queue);
      expect(rest).toEqual([]);
      expect(m?.messageId).toBe(messageId);
      expect(m?.body).toBe('{"hello":"world"}');
      expect(m?.receiveCount).toBe(1);
      expect(m?.sentAt).toBeInstanceOf(Date);
      expect(await receiveAll(f.queue)).toEqual([]);
    });

    it('returns at most maxMessages, oldest first', async () => {
      for (let i = 0; i < 5; i++) await f.queue.send(`m${i}`);
      const first = await f.queue.receive({ maxMessages: 3, waitSeconds: 0 });
      expect(first.map((m) => m.body)).toEqual(['m0', 'm1', 'm2']);
      const second = await receiveAll(f.queue);
      expect(second.map((m) => m.body)).toEqual(['m3', 'm4']);
    });

    it('refuses maxMessages above 10', async () => {
      await expect(f.queue.receive({ maxMessages: 11, waitSeconds: 0 })).rejects.toThrow(/maxMessages/);
    });

    it('redelivers after the visibility timeout with a higher receive count and a new receipt handle', async () => {
      await f.queue.send('again');
      const [first] = await receiveAll(f.queue);
      await f.advance(f.visibilityTimeoutSeconds - 1);
      expect(await receiveAll(f.queue)).toEqual([]);
      await f.advance(2);
      const [second] = await receiveAll(f.queue);
      expect(second?.messageId).toBe(first?.messageId);
      expect(second?.receiveCount).toBe(2);
      expect(second?.receiptHandle).not.toBe(first?.receiptHandle);
    });

    it('honours a per-receive visibility timeout', async () => {
      await f.queue.send('short');
      await f.queue.receive({ maxMessages: 1, waitSeconds: 0, visibilityTimeoutSeconds: 1 });
      await f.advance(2);
      expect((await receiveAll(f.queue)).map((m) => m.body)).toEqual(['short']);
    });

    it('deletes with the current receipt handle and rejects a stale one', async () => {
      await f.queue.send('x');
      const [first] = await receiveAll(f.queue);
      await f.advance(f.visibilityTimeoutSeconds + 1);
      const [second] = await receiveAll(f.queue);
      if (!first || !second) throw new Error('expected two receives');
      let current = second;
      if (f.rejectsStaleReceiptHandles ?? true) {
        await expect(f.queue.delete(first.receiptHandle)).rejects.toThrow(/receipt handle/i);
        await expect(f.queue.changeVisibility(first.receiptHandle, 0)).rejects.toThrow(/receipt handle/i);
      } else {
        // Accepted, but the stale handle must not have removed the message.
        await f.queue.delete(first.receiptHandle);
        await f.queue.changeVisibility(second.receiptHandle, 0);
        const [third] = await receiveAll(f.queue);
        if (!third) throw new Error('a delete with a stale receipt handle removed the message');
        expect(third.messageId).toBe(first.messageId);
        current = third;
      }
      await f.queue.delete(current.receiptHandle);
      await f.advance(f.visibilityTimeoutSeconds + 1);
      expect(await receiveAll(f.queue)).toEqual([]);
    });

    it('rejects a receipt handle it never issued', async () => {
      if (!(f.rejectsUnknownReceiptHandles ?? true)) return;
      await expect(f.queue.delete('not-a-handle')).rejects.toThrow(/receipt handle/i);
    });

    it('changes visibility: 0 makes the message visible at once, a longer timeout hides it longer', async () => {
      await f.queue.send('v');
      const [m] = await receiveAll(f.queue);
      if (!m) throw new Error('expected a message');
      await f.queue.changeVisibility(m.receiptHandle, 0);
      const [again] = await receiveAll(f.queue);
      if (!again) throw new Error('expected the message again');
      expect(again.receiveCount).toBe(2);
      await f.queue.changeVisibility(again.receiptHandle, f.visibilityTimeoutSeconds * 3);
      await f.advance(f.visibilityTimeoutSeconds + 1);
      expect(await receiveAll(f.queue)).toEqual([]);
      await f.advance(f.visibilityTimeoutSeconds * 2);
      expect(await receiveAll(f.queue)).toHaveLength(1);
    });

    it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
      const { messageId } = await f.queue.send('poison');
      for (let i = 1; i <= f.maxReceiveCount; i++) {
        const [m] = await receiveAll(f.queue);
        expect(m?.receiveCount).toBe(i);
        await f.advance(f.visibilityTimeoutSeconds + 1);
      }
      expect(await receiveAll(f.queue)).toEqual([]);
      const [dead] = await receiveAll(f.deadLetter);
      expect(dead?.messageId).toBe(messageId);
      expect(dead?.body).toBe('poison');
      expect(await receiveAll(f.queue)).toEqual([]);
    });

    it('does not dead-letter messages that are deleted in time', async () => {
      await f.queue.send('fine');
      for (let i = 1; i <= f.maxReceiveCount; i++) {
        const [m] = await receiveAll(f.queue);
        if (!m) throw new Error('expected a message');
        if (i === f.maxReceiveCount) await f.queue.delete(m.receiptHandle);
        else await f.advance(f.visibilityTimeoutSeconds + 1);
      }
      await f.advance(f.visibilityTimeoutSeconds + 1);
      expect(await receiveAll(f.queue)).toEqual([]);
      expect(await receiveAll(f.deadLetter)).toEqual([]);
    });

    it('long-poll wakes early when a message is sent', async () => {
      const started = Date.now();
      const pending = f.queue.receive({ maxMessages: 1, waitSeconds: 5 });
      setTimeout(() => void f.queue.send('wake'), 50);
      const got = await pending;
      expect(got.map((m) => m.body)).toEqual(['wake']);
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('long-poll returns [] once the wait expires', async () => {
      const started = Date.now();
      expect(await f.queue.receive({ maxMessages: 1, waitSeconds: 1 })).toEqual([]);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(900);
      expect(elapsed).toBeLessThan(3000);
    });

    it('drops a second send with the same deduplication id and returns the first message id', async () => {
      const q = f.deduplicatingQueue ?? f.queue;
      const a = await q.send('once', { deduplicationId: 'release-1' });
      const b = await q.send('once', { deduplicationId: 'release-1' });
      const c = await q.send('other', { deduplicationId: 'release-2' });
      expect(b.messageId).toBe(a.messageId);
      expect(c.messageId).not.toBe(a.messageId);
      // fauxqs hands out one message of a FIFO group per receive (SQS up to ten), hence the drain there.
      const bodies = f.deduplicatingQueue ? await drainBodies(q) : (await receiveAll(q)).map((m) => m.body);
      expect(bodies).toEqual(['once', 'other']);
    });

    it('accepts the same deduplication id again after the five-minute window', async () => {
      const q = f.deduplicatingQueue ?? f.queue;
      const a = await q.send('once', { deduplicationId: 'd' });
      await f.advance(5 * 60 + 1);
      const b = await q.send('twice', { deduplicationId: 'd' });
      expect(b.messageId).not.toBe(a.messageId);
    });

    it('keeps a delayed message invisible until the delay has passed', async () => {
      await f.queue.send('later', { delaySeconds: 10 });
      expect(await receiveAll(f.queue)).toEqual([]);
      await f.advance(11);
      expect((await receiveAll(f.queue)).map((m) => m.body)).toEqual(['later']);
    });

    it('refuses a message larger than the limit with a clear error, and accepts one at the limit', async () => {
      const atLimit = 'a'.repeat(f.maxMessageBytes);
      await expect(f.queue.send(`${atLimit}a`)).rejects.toThrow(/exceeds the \d+-byte limit/);
      await expect(f.queue.send(atLimit)).resolves.toHaveProperty('messageId');
    });

    it('counts bytes, not characters, against the limit', async () => {
      const multiByte = '臺'.repeat(Math.floor(f.maxMessageBytes / 3) + 1);
      await expect(f.queue.send(multiByte)).rejects.toThrow(/byte limit/);
    });
  });
}
