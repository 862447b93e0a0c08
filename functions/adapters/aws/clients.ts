/**
 * AWS SDK clients, one of each per execution environment, created on first use and traced with
 * X-Ray through Powertools. Region and credentials come from the Lambda environment.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from '../../shared/observability';

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
}

export const s3Client = once(() => tracer.captureAWSv3Client(new S3Client({})));
export const sqsClient = once(() => tracer.captureAWSv3Client(new SQSClient({})));
export const kmsClient = once(() => tracer.captureAWSv3Client(new KMSClient({})));
export const rekognitionClient = once(() => tracer.captureAWSv3Client(new RekognitionClient({})));
export const dynamoDocumentClient = once(() =>
  DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  }),
);
