/**
 * The staging table on DynamoDB. One item per application: the record's fields as attributes
 * (lib-dynamodb marshalling; the document client is created with `removeUndefinedValues`) plus
 * `expiresAtEpoch`, the TTL attribute. Every write is a conditional PutItem; no Scan anywhere.
 *
 * DynamoDB TTL deletes lazily (up to days after the date), so an item past its date is treated as
 * absent here: reads filter it out, `create` may overwrite it and `update` refuses it, exactly as
 * the SQLite store does before its purge runs.
 *
 * Expiry to the second: `expiresAtEpoch` is `expiresAt` rounded up to a whole second (TTL never
 * deletes early) and an item is expired once `expiresAtEpoch < now` (now in fractional seconds),
 * so it reads as absent at most one second after `expiresAt`.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { type Clock, ConditionFailedError, type RecordStore } from '../../core/ports';
import type { ApplicationRecord, RecordStatus } from '../../core/record';
import { RECORD_STATUSES } from '../../core/states';

/** The table contract; the CDK staging-table construct creates exactly this. */
export const RECORD_TABLE = {
  partitionKey: 'applicationId',
  ttlAttribute: 'expiresAtEpoch',
  statusIndex: { name: 'byStatus', partitionKey: 'status', sortKey: 'statusChangedAt' },
} as const;

type Item = Record<string, unknown>;

/** `expiresAt` as TTL epoch seconds, rounded up. */
export function ttlEpochSeconds(expiresAt: string): number {
  return Math.ceil(Date.parse(expiresAt) / 1000);
}

const nowSeconds = (clock: Clock) => clock.now().getTime() / 1000;

function isCanonicalIso(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && new Date(ms).toISOString() === value;
}

/**
 * Refuses records the table could not index. `statusChangedAt` is the index sort key and is
 * compared as a string, so it must be in `Date.toISOString()` form.
 */
function toItem(record: ApplicationRecord): Item {
  if (typeof record.applicationId !== 'string' || record.applicationId.length === 0) {
    throw new TypeError('record applicationId is required');
  }
  if (!Number.isSafeInteger(record.version) || record.version < 0) throw new TypeError('record version must be an integer');
  if (!(RECORD_STATUSES as readonly string[]).includes(record.status)) throw new TypeError('record status is unknown');
  if (!isCanonicalIso(record.statusChangedAt)) throw new TypeError('record statusChangedAt must be an ISO-8601 UTC timestamp');
  if (!Number.isFinite(Date.parse(record.expiresAt))) throw new TypeError('record expiresAt is not a date');
  return { ...record, [RECORD_TABLE.ttlAttribute]: ttlEpochSeconds(record.expiresAt) };
}

/** The record from a stored item, or null when the item is past its deletion date. */
function fromItem(item: Item, now: number): ApplicationRecord | null {
  const { [RECORD_TABLE.ttlAttribute]: epoch, ...rest } = item;
  if (typeof epoch !== 'number') throw new Error('stored record has no TTL attribute');
  if (epoch < now) return null;
  const ok =
    typeof rest.applicationId === 'string' &&
    typeof rest.version === 'number' &&
    Number.isSafeInteger(rest.version) &&
    typeof rest.status === 'string' &&
    (RECORD_STATUSES as readonly string[]).includes(rest.status) &&
    typeof rest.expiresAt === 'string' &&
    typeof rest.statusChangedAt === 'string' &&
    typeof rest.uploads === 'object' &&
    rest.uploads !== null;
  if (!ok) throw new Error('stored record has an unexpected shape');
  return rest as unknown as ApplicationRecord;
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}

/** Runs a conditional write; a failed condition becomes {@link ConditionFailedError}, anything else propagates. */
async function conditional(write: Promise<unknown>, message: string): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (isConditionFailure(error)) throw new ConditionFailedError(message);
    throw error;
  }
}

export function createDynamoRecordStore(doc: DynamoDBDocumentClient, tableName: string, clock: Clock): RecordStore {
  if (typeof tableName !== 'string' || tableName.length === 0) throw new RangeError('a table name is required');

  return {
    async create(record) {
      const item = toItem(record);
      await conditional(
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: item,
            // An item past its TTL but not yet deleted by DynamoDB counts as absent.
            ConditionExpression: 'attribute_not_exists(applicationId) OR expiresAtEpoch < :now',
            ExpressionAttributeValues: { ':now': nowSeconds(clock) },
          }),
        ),
        'a record with this id already exists',
      );
    },

    async get(applicationId) {
      const out = await doc.send(new GetCommand({ TableName: tableName, Key: { applicationId }, ConsistentRead: true }));
      return out.Item ? fromItem(out.Item, nowSeconds(clock)) : null;
    },

    async update(next, expectedVersion) {
      if (!Number.isSafeInteger(expectedVersion) || next.version !== expectedVersion + 1) {
        throw new ConditionFailedError('the record version must advance by one');
      }
      const item = toItem(next);
      await conditional(
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: item,
            // A missing item fails both comparisons, so this also refuses to create.
            ConditionExpression: 'version = :expected AND expiresAtEpoch >= :now',
            ExpressionAttributeValues: { ':expected': expectedVersion, ':now': nowSeconds(clock) },
          }),
        ),
        'the record is not at the expected version',
      );
    },

    async delete(applicationId) {
      await doc.send(new DeleteCommand({ TableName: tableName, Key: { applicationId } }));
    },

    /**
     * Queries the `byStatus` index (eventually consistent, like every GSI read), oldest
     * `statusChangedAt` first, skipping expired items, page by page until `limit` are found.
     */
    async listByStatus(status: RecordStatus, before: Date, limit: number) {
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
      if (!Number.isFinite(before.getTime())) throw new RangeError('before must be a valid date');
      const found: ApplicationRecord[] = [];
      let startKey: QueryCommandOutput['LastEvaluatedKey'];
      do {
        const now = nowSeconds(clock);
        const page = await doc.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: RECORD_TABLE.statusIndex.name,
            KeyConditionExpression: '#status = :s AND statusChangedAt < :before',
            FilterExpression: 'expiresAtEpoch >= :now',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':s': status, ':before': before.toISOString(), ':now': now },
            Limit: limit - found.length,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) {
          const record = fromItem(item, now);
          if (record) found.push(record);
          if (found.length === limit) return found;
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return found;
    },
  };
}
