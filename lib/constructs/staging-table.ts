/**
 * `StagingTable`: the DynamoDB table of application records (the contract of
 * `functions/core/record.ts` and the AWS record store).
 *
 * Default settings:
 * - partition key `applicationId` (S), no sort key; on-demand billing;
 * - TTL attribute `expiresAtEpoch` (every record carries its deletion date);
 * - GSI `byStatus`: `status` (S) + `statusChangedAt` (S), all attributes (expiry and stuck sweeps);
 * - customer-managed KMS key; point-in-time recovery; stream `NEW_IMAGE` (the release trigger);
 * - deletion protection as configured; the table is retained when the stack is deleted.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export const TABLE_PARTITION_KEY = 'applicationId';
export const TABLE_TTL_ATTRIBUTE = 'expiresAtEpoch';
export const STATUS_INDEX = { name: 'byStatus', partitionKey: 'status', sortKey: 'statusChangedAt' } as const;

export interface StagingTableProps {
  readonly encryptionKey: kms.IKey;
  readonly deletionProtection: boolean;
}

export class StagingTable extends Construct {
  readonly table: dynamodb.Table;
  /** Name of the status index (for Query grants). */
  readonly statusIndexName: string = STATUS_INDEX.name;

  constructor(scope: Construct, id: string, props: StagingTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE_TTL_ATTRIBUTE,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      stream: dynamodb.StreamViewType.NEW_IMAGE,
      deletionProtection: props.deletionProtection,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: STATUS_INDEX.name,
      partitionKey: { name: STATUS_INDEX.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: STATUS_INDEX.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }
}
