/**
 * The defaults every bucket holding applicants' data shares (quarantine uploads, rebuilt images):
 * the customer-managed data key with an S3 bucket key, public access blocked, TLS only, bucket
 * owner enforced, server access logs to the shared log bucket under its own prefix.
 */
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

export function dataBucketDefaults(props: { dataKey: kms.IKey; accessLogs: s3.IBucket; logPrefix: string }): s3.BucketProps {
  return {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: props.dataKey,
    bucketKeyEnabled: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: props.accessLogs,
    serverAccessLogsPrefix: props.logPrefix,
  };
}
