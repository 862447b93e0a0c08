/**
 * AWS SDK clients, one of each per execution environment, created on first use and traced with
 * X-Ray through Powertools. Region and credentials come from the Lambda environment. One module
 * per client, so each function bundles only the SDK clients it uses.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { tracer } from '../../shared/observability';
import { once } from './once';

export const kmsClient = once(() => tracer.captureAWSv3Client(new KMSClient({})));
