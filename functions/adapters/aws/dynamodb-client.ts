/**
 * AWS SDK clients, one of each per execution environment, created on first use and traced with
 * X-Ray through Powertools. Region and credentials come from the Lambda environment. One module
 * per client, so each function bundles only the SDK clients it uses.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from '../../shared/observability';
import { once } from './once';

export const dynamoDocumentClient = once(() =>
  DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  }),
);
