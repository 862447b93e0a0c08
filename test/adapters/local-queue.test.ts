import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDatabase, openDatabase } from '../../functions/adapters/local/sqlite-database';
import {
  approximateDepth,
  createSqliteQueue,
  MessageNotInflightError,
  purgeExpiredMessages,
  ReceiptHandleInvalidError,
} from '../../functions/adapters/local/sqlite-queue';
import { createManualClock } from '../../functions/adapters/local/system-clock';
import { queueContract } from './contracts/queue.contract';

function localFixture(path = ':memory:') {
  const db = openDatabase(path);
  const clock = createManualClock();
  const maxMessageBytes = 4096;
  const deadLetter = createSqliteQueue(db, { name: 'work-dlq', visibilityTimeoutSeconds: 30, clock, retentionSeconds: 1209600 });
  const queue = createSqliteQueue(db, {
    name: 'work',
    visibilityTimeoutSeconds: 30,
    maxReceiveCount: 3,
    deadLetterQueue: 'work-dlq',
    maxMessageBytes,
    retentionSeconds: 3600,
    clock,
    pollIntervalMs: 50,
  });
  return { db, clock, queue, deadLetter, maxMessageBytes };
}

queueContract('sqlite', async () => {
  const { db, clock, queue, deadLetter, maxMessageBytes } = localFixture();
  return {
    queue,
    deadLetter,
    visibilityTimeoutSeconds: 30,
    maxReceiveCount: 3,
    maxMessageBytes,
    advance: async (seconds) => clock.advance(seconds * 1000),
    cleanup: async () => {
      queue.close();
      deadLetter.close();
      closeDatabase(db);
    },
  };
});

describe('sqlite queue (local specifics)', () => {
  it('throws typed errors for stale handles and messages no longer in flight', async () => {
    const { db, clock, queue } = localFixture();
    await queue.send('x');
    const [m] = await queue.receive({ maxMessages: 1, waitSeconds: 0 });
    if (!m) throw new Error('expected a message');
    clock.advance(31_000);
    await expect(queue.changeVisibility(m.receiptHandle, 10)).rejects.toBeInstanceOf(MessageNotInflightError);
    await queue.receive({ maxMessages: 1, waitSeconds: 0 });
    await expect(queue.delete(m.receiptHandle)).rejects.toBeInstanceOf(ReceiptHandleInvalidError);
    closeDatabase(db);
  });

  it('reports approximate depth: visible, in flight, delayed', async () => {
    const { db, clock, queue } = localFixture();
    await queue.send('a');
    await queue.send('b');
    await queue.send('c', { delaySeconds: 60 });
    await queue.receive({ maxMessages: 1, waitSeconds: 0 });
    expect(approximateDepth(db, 'work', clock.now())).toEqual({ visible: 1, inFlight: 1, delayed: 1 });
    expect(approximateDepth(db, 'nothing-here', clock.now())).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    closeDatabase(db);
  });

  it('moves to the dead-letter queue atomically: the message is in exactly one queue', async () => {
    const { db, clock, queue } = localFixture();
    await queue.send('poison');
    for (let i = 0; i < 3; i++) {
      await queue.receive({ maxMessages: 1, waitSeconds: 0 });
      clock.advance(31_000);
    }
    expect(await queue.receive({ maxMessages: 1, waitSeconds: 0 })).toEqual([]);
    const rows = db.prepare('SELECT queue, receive_count, dead_lettered_from FROM queue_messages').all();
    expect(rows).toEqual([{ queue: 'work-dlq', receive_count: 0, dead_lettered_from: 'work' }]);
    expect(approximateDepth(db, 'work-dlq', clock.now()).visible).toBe(1);
    closeDatabase(db);
  });

  it('drops messages past the retention period', async () => {
    const { db, clock, queue } = localFixture();
    await queue.send('old');
    clock.advance(3601_000);
    await queue.send('new');
    expect((await queue.receive({ maxMessages: 10, waitSeconds: 0 })).map((m) => m.body)).toEqual(['new']);
    await queue.send('older');
    clock.advance(3601_000);
    expect(purgeExpiredMessages(db, clock.now())).toBe(2);
    closeDatabase(db);
  });

  it('wakes a long poll for a message sent through another connection to the same file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'queue-'));
    const path = join(dir, 'state.sqlite');
    const a = openDatabase(path);
    const b = openDatabase(path);
    try {
      const reader = createSqliteQueue(a, { name: 'shared', visibilityTimeoutSeconds: 30, pollIntervalMs: 50 });
      const writer = createSqliteQueue(b, { name: 'shared', visibilityTimeoutSeconds: 30 });
      const started = Date.now();
      const pending = reader.receive({ maxMessages: 1, waitSeconds: 5 });
      setTimeout(() => void writer.send('across'), 100);
      expect((await pending).map((m) => m.body)).toEqual(['across']);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      closeDatabase(a);
      closeDatabase(b);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('returns each message once per receive even with a zero visibility timeout', async () => {
    const { db, queue } = localFixture();
    await queue.send('a');
    await queue.send('b');
    const got = await queue.receive({ maxMessages: 10, waitSeconds: 0, visibilityTimeoutSeconds: 0 });
    expect(got.map((m) => m.body)).toEqual(['a', 'b']);
    expect((await queue.receive({ maxMessages: 10, waitSeconds: 0 })).map((m) => m.receiveCount)).toEqual([2, 2]);
    closeDatabase(db);
  });

  it('close() ends a pending long poll', async () => {
    const { db, queue } = localFixture();
    const started = Date.now();
    const pending = queue.receive({ maxMessages: 1, waitSeconds: 20 });
    setTimeout(() => queue.close(), 50);
    expect(await pending).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1000);
    closeDatabase(db);
  });

  it('refuses an empty body, a bad queue name and a redrive policy without its partner', () => {
    const { db, queue } = localFixture();
    expect(() => createSqliteQueue(db, { name: '../x', visibilityTimeoutSeconds: 1 })).toThrow(/queue name/);
    expect(() => createSqliteQueue(db, { name: 'y', visibilityTimeoutSeconds: 1, maxReceiveCount: 2 })).toThrow(/go together/);
    return expect(queue.send('')).rejects.toThrow(/empty/);
  });
});
