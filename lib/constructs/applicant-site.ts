/**
 * `ApplicantSite`: the hosted form (`web/dist`) on a private bucket behind CloudFront.
 *
 * Default settings:
 * - bucket: private (BLOCK_ALL, object ownership enforced), SSE-S3, SSL only, versioned, server
 *   access logs, noncurrent versions expire after 30 days; readable only by this distribution
 *   (origin access control);
 * - distribution: HTTPS only, HTTP/2 and HTTP/3, default root object `index.html`, price class
 *   200 (includes Asia), `config.json` uncached;
 * - response headers: the form's Content-Security-Policy (the same directives as the `<meta>` in
 *   `web/*.html`, minus the embedded runtime's localhost sources, plus `frame-ancestors 'none'`),
 *   HSTS (2 years, subdomains), `nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`;
 * - `publishForm()` deploys `web/dist` plus a generated `config.json` (`apiBaseUrl`, upload limits)
 *   and invalidates the distribution.
 */
import path from 'node:path';
import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';

/** The Content-Security-Policy header; `web/*.html` carry the same policy in a `<meta>`. */
export const SITE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' https:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** What the form reads from `/config.json`. */
export interface FormConfig {
  /** Base URL of the intake API (no trailing slash). */
  readonly apiBaseUrl: string;
  readonly uploads: { readonly maxBytes: number; readonly contentTypes: readonly string[] };
}

export interface ApplicantSiteProps {
  readonly accessLogs: s3.IBucket;
  /** The built form (`web/dist`). */
  readonly webRoot: string;
  /** Encrypts the deployment function's log group. */
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

export class ApplicantSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** `https://<distribution domain>`: the origin the API and the quarantine bucket allow. */
  readonly origin: string;
  /** The form's URL. */
  readonly url: string;
  private readonly props: ApplicantSiteProps;

  constructor(scope: Construct, id: string, props: ApplicantSiteProps) {
    super(scope, id);
    this.props = props;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'site/',
      lifecycleRules: [
        {
          id: 'old-site-versions',
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Passport pre-review form: CSP, HSTS, nosniff, frame deny, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: SITE_CONTENT_SECURITY_POLICY, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    const origin = origins.S3BucketOrigin.withOriginAccessControl(this.bucket);
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Passport pre-review form',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_200,
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      additionalBehaviors: {
        '/config.json': {
          origin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          responseHeadersPolicy: headers,
        },
      },
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'No geo restriction: citizens apply from abroad too (overseas missions). The site serves static files only; the API is throttled.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF web ACL by default: the distribution serves only static files (no forms post to it), and the API has stage throttling. A WAF (rate-based rule, managed rule groups) is an account-level addition documented in docs/infrastructure.md.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'CloudFront access logs are deliberately off: they record every applicant IP address and user agent (personal data, DESIGN.md §5 invariant 5) for a site that serves only static files. CloudFront metrics cover operations.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'Uses the default *.cloudfront.net certificate, for which CloudFront fixes the minimum protocol (TLSv1); viewer protocol is HTTPS only. With a custom domain and an ACM certificate, set minimumProtocolVersion TLSv1.2_2021 (docs/infrastructure.md).',
      },
    );
    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.url = `${this.origin}/`;
  }

  /** Deploys the built form and its `config.json`, then invalidates the distribution. */
  publishForm(config: FormConfig): s3deploy.BucketDeployment {
    const logGroup = new logs.LogGroup(this, 'DeployLogs', {
      encryptionKey: this.props.logKey,
      retention: this.props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const deployment = new s3deploy.BucketDeployment(this, 'DeployForm', {
      destinationBucket: this.bucket,
      sources: [
        s3deploy.Source.asset(path.resolve(this.props.webRoot), { exclude: ['config.json', '*.map'] }),
        s3deploy.Source.jsonData('config.json', config),
      ],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
      logGroup,
      prune: true,
    });
    const siteBucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement);
    Validations.of(deployment.handlerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${siteBucketId}.Arn>/*]`,
      reason:
        'CDK BucketDeployment provider: writes and prunes the form files in the site bucket (static, public content) at deploy time.',
    });
    return deployment;
  }
}
