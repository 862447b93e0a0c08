/**
 * The DynamoDB record store.
 *
 * - The RecordStore contract runs on dynalite (real SDK requests over 127.0.0.1), one fresh table
 *   per case with the `byStatus` index. Time travel is the store's manual clock: dynalite never
 *   expires TTL items (nor does DynamoDB promptly), which is what the store's own expiry filter is
 *   for. dynalite has no streams API, so the fixture has no `readChanges` and the contract's
 *   change-stream case returns early.
 * - aws-sdk-client-mock shows the exact requests (condition expressions, TTL attribute, index
 *   query, pagination) and the error mapping.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createDynamoRecordStore, RECORD_TABLE, ttlEpochSeconds } from '../../functions/adapters/aws/dynamodb-record-store';
import { createManualClock } from '../../functions/adapters/local/system-clock';
import { ConditionFailedError } from '../../functions/core/ports';
import { withStatus } from '../../functions/core/record';
import { recordStoreContract, sampleRecord } from './contracts/record-store.contract';

const START = new Date('2025-03-01T00:00:00Z');
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

interface DynaliteServer {
  listen(port: number, host: string, callback: (error?: Error) => void): void;
  address(): { port: number };
  close(callback: (error?: Error) => void): void;
}
// dynalite ships no type declarations.
const dynalite = require('dynalite') as (options: Record<string, unknown>) => DynaliteServer;

let server: DynaliteServer;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tableCount = 0;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
  client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${server.address().port}`,
    region: 'eu-west-1',
    credentials: CREDENTIALS,
  });
  doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
});

afterAll(async () => {
  client?.destroy();
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Creates the staging table exactly as the CDK construct does (keys, index), on dynalite. */
async function createTable(): Promise<string> {
  const name = `records-${++tableCount}`;
  const { partitionKey, statusIndex } = RECORD_TABLE;
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: partitionKey, AttributeType: 'S' },
        { AttributeName: statusIndex.partitionKey, AttributeType: 'S' },
        { AttributeName: statusIndex.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: statusIndex.name,
          KeySchema: [
            { AttributeName: statusIndex.partitionKey, KeyType: 'HASH' },
            { AttributeName: statusIndex.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  return name;
}

async function dynaliteStore() {
  const tableName = await createTable();
  const clock = createManualClock(START);
  const store = createDynamoRecordStore(doc, tableName, clock);
  return {
    tableName,
    clock,
    store,
    cleanup: async () => void (await client.send(new DeleteTableCommand({ TableName: tableName }))),
  };
}

recordStoreContract('dynamodb on dynalite', async () => {
  const { store, clock, cleanup } = await dynaliteStore();
  return { store, advance: (ms) => clock.advance(ms), now: () => clock.now(), cleanup };
});

describe('dynamodb record store on dynalite (specifics)', () => {
  it('stores the record fields as attributes plus expiresAtEpoch, and returns the record without it', async () => {
    const { tableName, clock, store, cleanup } = await dynaliteStore();
    const r = sampleRecord('P0000000000E1', clock.now(), { expiresAt: '2025-03-08T00:00:00.500Z' });
    await store.create(r);
    const raw = await doc.send(new GetCommand({ TableName: tableName, Key: { applicationId: r.applicationId } }));
    expect(raw.Item).toEqual({ ...r, expiresAtEpoch: Date.parse('2025-03-08T00:00:01Z') / 1000 });
    expect(await store.get(r.applicationId)).toEqual(r);
    await cleanup();
  });

  it('treats an item past its TTL that DynamoDB has not deleted yet as absent: create overwrites it, update refuses it', async () => {
    const { tableName, clock, store, cleanup } = await dynaliteStore();
    const old = sampleRecord('P0000000000E2', clock.now(), { expiresAt: new Date(clock.now().getTime() + 1000).toISOString() });
    await store.create(old);
    clock.advance(2000);
    const raw = await doc.send(new GetCommand({ TableName: tableName, Key: { applicationId: old.applicationId } }));
    expect(raw.Item?.applicationId).toBe(old.applicationId);
    expect(await store.get(old.applicationId)).toBeNull();
    await expect(store.update(withStatus(old, 'SCANNING', clock.now()), 1)).rejects.toBeInstanceOf(ConditionFailedError);
    const fresh = sampleRecord('P0000000000E2', clock.now(), { tokenHash: 'b'.repeat(64) });
    await store.create(fresh);
    expect(await store.get(fresh.applicationId)).toEqual(fresh);
    await expect(store.create(fresh)).rejects.toBeInstanceOf(ConditionFailedError);
    await cleanup();
  });

  it('pages through expired items in the index until the limit is reached', async () => {
    const { clock, store, cleanup } = await dynaliteStore();
    const t0 = clock.now();
    for (let i = 1; i <= 6; i++) {
      // The three oldest expire after 10 s; the index returns them first.
      const expiresAt = i <= 3 ? new Date(t0.getTime() + 10_000).toISOString() : undefined;
      await store.create(sampleRecord(`P0000000000F${i}`, clock.now(), expiresAt ? { expiresAt } : {}));
      clock.advance(1000);
    }
    clock.advance(10_000);
    const listed = await store.listByStatus('AWAITING_UPLOADS', clock.now(), 2);
    expect(listed.map((r) => r.applicationId)).toEqual(['P0000000000F4', 'P0000000000F5']);
    expect((await store.listByStatus('AWAITING_UPLOADS', clock.now(), 10)).map((r) => r.applicationId)).toEqual([
      'P0000000000F4',
      'P0000000000F5',
      'P0000000000F6',
    ]);
    await cleanup();
  });

  it('refuses a record the index could not order, before any request', async () => {
    const { clock, store, cleanup } = await dynaliteStore();
    const r = sampleRecord('P0000000000E3', clock.now(), { statusChangedAt: '2025-03-01T00:00:00Z' });
    await expect(store.create(r)).rejects.toThrow(/statusChangedAt/);
    await expect(store.create({ ...r, statusChangedAt: START.toISOString(), expiresAt: 'soon' })).rejects.toThrow(/expiresAt/);
    expect(await store.get(r.applicationId)).toBeNull();
    await cleanup();
  });
});

describe('dynamodb record store: requests and error mapping (mocked)', () => {
  const nowSeconds = START.getTime() / 1000;

  function mocked() {
    const mockedDoc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1', credentials: CREDENTIALS }), {
      marshallOptions: { removeUndefinedValues: true },
    });
    const mock = mockClient(mockedDoc);
    const clock = createManualClock(START);
    return { mock, clock, store: createDynamoRecordStore(mockedDoc, 'staging', clock) };
  }

  const record = () => sampleRecord('P0000000000M1', START);

  it('creates with a PutItem conditional on the id being absent or past its TTL', async () => {
    const { mock, store } = mocked();
    mock.on(PutCommand).resolves({});
    const r = record();
    await store.create(r);
    expect(mock.commandCalls(PutCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: 'staging',
        Item: { ...r, expiresAtEpoch: ttlEpochSeconds(r.expiresAt) },
        ConditionExpression: 'attribute_not_exists(applicationId) OR expiresAtEpoch < :now',
        ExpressionAttributeValues: { ':now': nowSeconds },
      },
    ]);
    expect(ttlEpochSeconds(r.expiresAt)).toBe(Date.parse(r.expiresAt) / 1000);
  });

  it('updates with a PutItem conditional on the expected version and an unexpired item', async () => {
    const { mock, store } = mocked();
    mock.on(PutCommand).resolves({});
    const next = withStatus(record(), 'SCANNING', START);
    await store.update(next, 1);
    expect(mock.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: 'staging',
      Item: { ...next, expiresAtEpoch: ttlEpochSeconds(next.expiresAt) },
      ConditionExpression: 'version = :expected AND expiresAtEpoch >= :now',
      ExpressionAttributeValues: { ':expected': 1, ':now': nowSeconds },
    });
  });

  it('refuses an update that does not advance the version by one without calling DynamoDB', async () => {
    const { mock, store } = mocked();
    await expect(store.update({ ...record(), version: 3 }, 1)).rejects.toBeInstanceOf(ConditionFailedError);
    await expect(store.update(record(), 1)).rejects.toBeInstanceOf(ConditionFailedError);
    expect(mock.calls()).toHaveLength(0);
  });

  it('maps ConditionalCheckFailedException to ConditionFailedError, without the record in the message', async () => {
    const { mock, store } = mocked();
    mock
      .on(PutCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    const r = record();
    const created = store.create(r).catch((e: unknown) => e);
    const updated = store.update(withStatus(r, 'SCANNING', START), 1).catch((e: unknown) => e);
    for (const error of [await created, await updated]) {
      expect(error).toBeInstanceOf(ConditionFailedError);
      expect((error as Error).message).not.toContain(r.applicationId);
    }
  });

  it('lets other DynamoDB errors propagate unchanged', async () => {
    const { mock, store } = mocked();
    const throttled = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
    mock.on(PutCommand).rejects(throttled);
    mock.on(GetCommand).rejects(throttled);
    mock.on(DeleteCommand).rejects(throttled);
    mock.on(QueryCommand).rejects(throttled);
    await expect(store.create(record())).rejects.toBe(throttled);
    await expect(store.get('P0000000000M1')).rejects.toBe(throttled);
    await expect(store.delete('P0000000000M1')).rejects.toBe(throttled);
    await expect(store.listByStatus('SCANNING', START, 5)).rejects.toBe(throttled);
  });

  it('reads with a consistent GetItem and hides an expired item', async () => {
    const { mock, clock, store } = mocked();
    const r = record();
    mock.on(GetCommand).resolves({ Item: { ...r, expiresAtEpoch: ttlEpochSeconds(r.expiresAt) } });
    expect(await store.get(r.applicationId)).toEqual(r);
    expect(mock.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: 'staging',
      Key: { applicationId: r.applicationId },
      ConsistentRead: true,
    });
    clock.set(new Date(Date.parse(r.expiresAt) + 1000));
    expect(await store.get(r.applicationId)).toBeNull();
  });

  it('refuses a stored item without the TTL attribute or with the wrong shape', async () => {
    const { mock, store } = mocked();
    const r = record();
    mock
      .on(GetCommand)
      .resolvesOnce({ Item: { ...r } })
      .resolvesOnce({ Item: { applicationId: r.applicationId, expiresAtEpoch: ttlEpochSeconds(r.expiresAt) } });
    await expect(store.get(r.applicationId)).rejects.toThrow(/TTL attribute/);
    await expect(store.get(r.applicationId)).rejects.toThrow(/unexpected shape/);
  });

  it('queries the byStatus index page by page until the limit, skipping expired items', async () => {
    const { mock, clock, store } = mocked();
    const at = (s: number) => new Date(START.getTime() + s * 1000);
    const item = (id: string, changedAt: Date, expired = false) => {
      const r = sampleRecord(id, changedAt);
      return { ...r, expiresAtEpoch: expired ? START.getTime() / 1000 - 1 : ttlEpochSeconds(r.expiresAt) };
    };
    const page1 = [item('P0000000000Q1', at(-30), true), item('P0000000000Q2', at(-20))];
    const page2 = [item('P0000000000Q3', at(-10)), item('P0000000000Q4', at(-5))];
    mock
      .on(QueryCommand)
      .resolvesOnce({ Items: page1, LastEvaluatedKey: { applicationId: 'P0000000000Q2' } })
      .resolvesOnce({ Items: page2, LastEvaluatedKey: { applicationId: 'P0000000000Q4' } });
    const before = clock.now();
    const listed = await store.listByStatus('AWAITING_UPLOADS', before, 2);
    expect(listed.map((r) => r.applicationId)).toEqual(['P0000000000Q2', 'P0000000000Q3']);
    const inputs = mock.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      {
        TableName: 'staging',
        IndexName: 'byStatus',
        KeyConditionExpression: '#status = :s AND statusChangedAt < :before',
        FilterExpression: 'expiresAtEpoch >= :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':s': 'AWAITING_UPLOADS', ':before': before.toISOString(), ':now': nowSeconds },
        Limit: 2,
        ExclusiveStartKey: undefined,
      },
      expect.objectContaining({ Limit: 1, ExclusiveStartKey: { applicationId: 'P0000000000Q2' } }),
    ]);
  });

  it('stops when the index has no more pages, and refuses a bad limit', async () => {
    const { mock, store } = mocked();
    mock.on(QueryCommand).resolves({ Items: [] });
    expect(await store.listByStatus('VETTED', START, 10)).toEqual([]);
    expect(mock.commandCalls(QueryCommand)).toHaveLength(1);
    await expect(store.listByStatus('VETTED', START, 0)).rejects.toThrow(RangeError);
  });

  it('deletes with one DeleteItem', async () => {
    const { mock, store } = mocked();
    mock.on(DeleteCommand).resolves({});
    await store.delete('P0000000000M1');
    await store.delete('P0000000000M1');
    expect(mock.commandCalls(DeleteCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: 'staging', Key: { applicationId: 'P0000000000M1' } },
      { TableName: 'staging', Key: { applicationId: 'P0000000000M1' } },
    ]);
  });

  it('never scans: the store imports no Scan command', () => {
    const source = readFileSync(join(__dirname, '../../functions/adapters/aws/dynamodb-record-store.ts'), 'utf8');
    expect(source).not.toMatch(/ScanCommand|paginateScan/);
  });
});
