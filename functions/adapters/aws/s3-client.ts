/**
 * AWS SDK clients, one of each per execution environment, created on first use and traced with
 * X-Ray through Powertools. Region and credentials come from the Lambda environment. One module
 * per client, so each function bundles only the SDK clients it uses.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { tracer } from '../../shared/observability';
import { once } from './once';

export const s3Client = once(() => tracer.captureAWSv3Client(new S3Client({})));
