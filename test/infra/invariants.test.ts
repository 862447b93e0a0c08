/** DESIGN.md §5 invariants 2, 3 and 4, and the encryption / dead-letter / runtime rules, on the synthesized template. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { apiEnvSchema, expireEnvSchema, faceEnvSchema, releaseEnvSchema, scanEnvSchema } from '../../functions/shared/aws-env';
import { SITE_CONTENT_SECURITY_POLICY } from '../../lib/constructs/applicant-site';
import { asArray, type Built, build, logicalId, REPO_ROOT, referencedIds, resources, TEST_CA_FILE } from './support';

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

let dev: Built;
let ra: Built;

beforeAll(() => {
  dev = build();
  ra = build({
    stage: 'prod',
    account: '123456789012',
    rolesAnywhereCaFile: TEST_CA_FILE,
    rolesAnywhereSubjectCn: 'poller01',
    alarmEmail: 'ops@example.org',
  });
});

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: unknown;
  Principal?: unknown;
  Sid?: string;
};

function policyStatements(built: Built): { roles: unknown; statements: Statement[] }[] {
  return Object.values(resources(built.template, 'AWS::IAM::Policy')).map((p) => ({
    roles: p.Properties?.Roles,
    statements: (p.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [],
  }));
}

describe('invariant 2: only the scanner can read the quarantine bucket', () => {
  test.each([
    ['dev', () => dev],
    ['roles anywhere', () => ra],
  ])('%s: the bucket policy denies GetObject/GetObjectVersion to every principal but the scanner role', (_name, get) => {
    const { stack, template } = get();
    const bucketId = logicalId(stack.quarantine.bucket);
    const scannerRoleId = logicalId(stack.scanner.role);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'OnlyTheScannerReadsQuarantine',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: ['s3:GetObject', 's3:GetObjectVersion'],
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
            Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [scannerRoleId, 'Arn'] } } },
          },
        ]),
      },
    });
  });

  test('the quarantine bucket blocks all public access, is versioned, KMS-encrypted with a bucket key', () => {
    const { stack, template } = dev;
    const bucket = resources(template, 'AWS::S3::Bucket')[logicalId(stack.quarantine.bucket)];
    expect(bucket?.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } },
        ],
      },
    });
  });

  test('the quarantine CORS allows POST from the site origin only', () => {
    const { stack, template } = dev;
    const bucket = resources(template, 'AWS::S3::Bucket')[logicalId(stack.quarantine.bucket)];
    const cors = bucket?.Properties?.CorsConfiguration as
      | { CorsRules: { AllowedMethods: string[]; AllowedOrigins: unknown[] }[] }
      | undefined;
    const rules = cors?.CorsRules ?? [];
    expect(rules).toHaveLength(1);
    expect(rules[0]?.AllowedMethods).toEqual(['POST']);
    expect(rules[0]?.AllowedOrigins).toHaveLength(1);
    expect(referencedIds(rules[0]?.AllowedOrigins)).toEqual(new Set([logicalId(stack.site.distribution)]));
  });

  test('no IAM policy but the scanner role grants reading quarantine objects', () => {
    const { stack } = dev;
    const bucketId = logicalId(stack.quarantine.bucket);
    const readers = policyStatements(dev)
      .filter(({ statements }) =>
        statements.some(
          (s) =>
            s.Effect === 'Allow' &&
            asArray(s.Action).some((a) => a.startsWith('s3:Get') || a === 's3:*') &&
            referencedIds(s.Resource).has(bucketId),
        ),
      )
      .map(({ roles }) => [...referencedIds(roles)]);
    expect(readers).toEqual([[logicalId(stack.scanner.role)]]);
  });
});

describe('invariant 3: the on-premises principal may only receive from the release queue', () => {
  function expectedStatements(built: Built) {
    const { stack } = built;
    return [
      {
        Sid: 'ReceiveReleases',
        Effect: 'Allow',
        Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
        Resource: { 'Fn::GetAtt': [logicalId(stack.bridge.releaseQueue), 'Arn'] },
      },
      {
        Sid: 'DecryptReleasesThroughSqs',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': [logicalId(stack.bridge.releaseQueueKey), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': 'sqs.ap-northeast-1.amazonaws.com' } },
      },
      {
        Sid: 'VerifySignatures',
        Effect: 'Allow',
        Action: 'kms:GetPublicKey',
        Resource: { 'Fn::GetAtt': [logicalId(stack.bridge.signingKey), 'Arn'] },
      },
    ];
  }

  test.each([
    ['principal + external id (dev default)', () => dev],
    ['IAM Roles Anywhere', () => ra],
  ])('%s: the role carries exactly these statements and nothing else', (_name, get) => {
    const built = get();
    const roleId = logicalId(built.stack.bridge.onPremRole);
    const role = resources(built.template, 'AWS::IAM::Role')[roleId];
    expect(role?.Properties?.ManagedPolicyArns).toBeUndefined();
    expect(role?.Properties?.Policies).toEqual([
      { PolicyName: 'ReleaseQueueConsumer', PolicyDocument: { Version: '2012-10-17', Statement: expectedStatements(built) } },
    ]);
    // No separate policy (AWS::IAM::Policy / ManagedPolicy) is attached to it.
    for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
      for (const policy of Object.values(resources(built.template, type))) {
        expect(referencedIds(policy.Properties?.Roles)).not.toContain(roleId);
      }
    }
  });

  test('principal variant: trust is the configured principal with sts:ExternalId', () => {
    const role = resources(dev.template, 'AWS::IAM::Role')[logicalId(dev.stack.bridge.onPremRole)];
    expect(role?.Properties?.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'dev-placeholder-change-me' } },
          Principal: {
            AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] },
          },
        },
      ],
    });
  });

  test('Roles Anywhere variant: trust anchor from the CA, profile lists only the role, trust conditioned on anchor and CN', () => {
    const { stack, template } = ra;
    const pem = readFileSync(TEST_CA_FILE, 'utf8').trim();
    template.hasResourceProperties('AWS::RolesAnywhere::TrustAnchor', {
      Enabled: true,
      Source: { SourceType: 'CERTIFICATE_BUNDLE', SourceData: { X509CertificateData: pem } },
    });
    const roleId = logicalId(stack.bridge.onPremRole);
    template.hasResourceProperties('AWS::RolesAnywhere::Profile', {
      RoleArns: [{ 'Fn::GetAtt': [roleId, 'Arn'] }],
      Enabled: true,
    });
    const role = resources(template, 'AWS::IAM::Role')[roleId];
    expect(role?.Properties?.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'rolesanywhere.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
          Condition: {
            ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalId(required(stack.bridge.trustAnchor)), 'TrustAnchorArn'] } },
            StringEquals: { 'aws:PrincipalTag/x509Subject/CN': 'poller01' },
          },
        },
      ],
    });
  });

  test('the release queue is FIFO, without content-based deduplication, with its own key', () => {
    const q = resources(dev.template, 'AWS::SQS::Queue')[logicalId(dev.stack.bridge.releaseQueue)];
    expect(q?.Properties).toMatchObject({
      FifoQueue: true,
      ContentBasedDeduplication: false,
      QueueName: 'passport-dev-release.fifo',
      MessageRetentionPeriod: 4 * 86_400,
      KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(dev.stack.bridge.releaseQueueKey), 'Arn'] },
    });
  });

  test('the signing key is an ECC P-256 SIGN_VERIFY key', () => {
    dev.template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
  });
});

describe('invariant 4: every record and object has a deletion date', () => {
  test('every bucket has lifecycle rules that delete objects (or old versions)', () => {
    for (const [id, bucket] of Object.entries(resources(dev.template, 'AWS::S3::Bucket'))) {
      const rules = (bucket.Properties?.LifecycleConfiguration as { Rules?: Record<string, unknown>[] } | undefined)?.Rules ?? [];
      expect({ id, rules: rules.length > 0 }).toEqual({ id, rules: true });
      expect({
        id,
        deletes: rules.some((r) => r.ExpirationInDays !== undefined || r.NoncurrentVersionExpiration !== undefined),
      }).toEqual({ id, deletes: true });
    }
  });

  test('quarantine: 1 day for current and noncurrent versions and incomplete uploads; clean: the record TTL (7 days)', () => {
    const buckets = resources(dev.template, 'AWS::S3::Bucket');
    expect(buckets[logicalId(dev.stack.quarantine.bucket)]?.Properties?.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: 'quarantine-max-1-day',
          Status: 'Enabled',
          ExpirationInDays: 1,
          NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
      ],
    });
    expect(buckets[logicalId(dev.stack.faceCheck.cleanBucket)]?.Properties?.LifecycleConfiguration).toMatchObject({
      Rules: [{ ExpirationInDays: 7, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }],
    });
  });

  test('the staging table has TTL on expiresAtEpoch, PITR, a CMK, NEW_IMAGE stream and the byStatus index', () => {
    dev.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'applicationId', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAtEpoch', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byStatus',
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'statusChangedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  test('every queue has a message retention (work queues 4 days, dead-letter queues 14 days)', () => {
    for (const [id, q] of Object.entries(resources(dev.template, 'AWS::SQS::Queue'))) {
      expect({ id, retention: q.Properties?.MessageRetentionPeriod }).toEqual({
        id,
        retention: q.Properties?.RedrivePolicy ? 345_600 : 1_209_600,
      });
    }
  });

  test('every log group has a retention', () => {
    for (const [id, lg] of Object.entries(resources(dev.template, 'AWS::Logs::LogGroup'))) {
      expect({ id, days: lg.Properties?.RetentionInDays }).toEqual({ id, days: 30 });
    }
  });
});

describe('encryption everywhere', () => {
  test.each([
    ['dev', () => dev],
    ['roles anywhere + email', () => ra],
  ])('%s: buckets, queues, table, log groups and topics are encrypted', (_name, get) => {
    const { template } = get();
    for (const [id, b] of Object.entries(resources(template, 'AWS::S3::Bucket'))) {
      expect({ id, sse: b.Properties?.BucketEncryption }).toEqual({
        id,
        sse: expect.objectContaining({ ServerSideEncryptionConfiguration: expect.any(Array) }),
      });
    }
    for (const [id, q] of Object.entries(resources(template, 'AWS::SQS::Queue'))) {
      const p = q.Properties ?? {};
      expect({ id, encrypted: p.KmsMasterKeyId !== undefined || p.SqsManagedSseEnabled === true }).toEqual({
        id,
        encrypted: true,
      });
    }
    for (const [id, t] of Object.entries(resources(template, 'AWS::DynamoDB::Table'))) {
      expect({ id, sse: t.Properties?.SSESpecification }).toEqual({
        id,
        sse: expect.objectContaining({ SSEEnabled: true, KMSMasterKeyId: expect.anything() }),
      });
    }
    for (const [id, lg] of Object.entries(resources(template, 'AWS::Logs::LogGroup'))) {
      expect({ id, key: lg.Properties?.KmsKeyId !== undefined }).toEqual({ id, key: true });
    }
    const topics = resources(template, 'AWS::SNS::Topic');
    expect(Object.keys(topics).length).toBeGreaterThan(0);
    for (const [id, t] of Object.entries(topics)) {
      expect({ id, key: t.Properties?.KmsMasterKeyId !== undefined }).toEqual({ id, key: true });
    }
    for (const [id, k] of Object.entries(resources(template, 'AWS::KMS::Key'))) {
      if (k.Properties?.KeySpec === undefined)
        expect({ id, rotation: k.Properties?.EnableKeyRotation }).toEqual({ id, rotation: true });
    }
  });
});

describe('invariant 6: every queue has a dead-letter queue (or is one), every dead-letter queue an alarm', () => {
  function deadLetterTargets(built: Built): Set<string> {
    const { template } = built;
    const ids = new Set<string>();
    for (const q of Object.values(resources(template, 'AWS::SQS::Queue'))) {
      for (const id of referencedIds(
        (q.Properties?.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn,
      ))
        ids.add(id);
    }
    for (const m of Object.values(resources(template, 'AWS::Lambda::EventSourceMapping'))) {
      for (const id of referencedIds(m.Properties?.DestinationConfig)) ids.add(id);
    }
    for (const f of Object.values(resources(template, 'AWS::Lambda::Function'))) {
      for (const id of referencedIds(f.Properties?.DeadLetterConfig)) ids.add(id);
    }
    for (const r of Object.values(resources(template, 'AWS::Events::Rule'))) {
      for (const t of asArray(r.Properties?.Targets as { DeadLetterConfig?: unknown }[]))
        for (const id of referencedIds(t.DeadLetterConfig)) ids.add(id);
    }
    for (const s of Object.values(resources(template, 'AWS::SNS::Subscription'))) {
      for (const id of referencedIds(s.Properties?.RedrivePolicy)) ids.add(id);
    }
    return ids;
  }

  test.each([
    ['dev', () => dev],
    ['roles anywhere + email', () => ra],
  ])('%s', (_name, get) => {
    const built = get();
    const dlqs = deadLetterTargets(built);
    const queues = resources(built.template, 'AWS::SQS::Queue');
    for (const [id, q] of Object.entries(queues)) {
      expect({ id, ok: q.Properties?.RedrivePolicy !== undefined || dlqs.has(id) }).toEqual({ id, ok: true });
    }
    const alarmed = new Set<string>();
    for (const a of Object.values(resources(built.template, 'AWS::CloudWatch::Alarm'))) {
      const p = a.Properties ?? {};
      if (
        p.MetricName !== 'ApproximateNumberOfMessagesVisible' ||
        p.Threshold !== 0 ||
        p.ComparisonOperator !== 'GreaterThanThreshold'
      )
        continue;
      expect(p.AlarmActions).toBeDefined();
      for (const id of referencedIds(p.Dimensions)) alarmed.add(id);
    }
    for (const id of dlqs) expect({ id, alarmed: alarmed.has(id) }).toEqual({ id, alarmed: true });
  });

  test('work queues: scan and face redrive after 3 receives, release after 5; visibility ≥ 6 × the consumer timeout', () => {
    const queues = resources(dev.template, 'AWS::SQS::Queue');
    const scan = queues[logicalId(dev.stack.quarantine.scanQueue)]?.Properties;
    const face = queues[logicalId(dev.stack.faceCheck.faceQueue)]?.Properties;
    const release = queues[logicalId(dev.stack.bridge.releaseQueue)]?.Properties;
    expect(scan?.RedrivePolicy).toMatchObject({ maxReceiveCount: 3 });
    expect(face?.RedrivePolicy).toMatchObject({ maxReceiveCount: 3 });
    expect(release?.RedrivePolicy).toMatchObject({ maxReceiveCount: 5 });
    const fns = resources(dev.template, 'AWS::Lambda::Function');
    const timeout = (fn: IConstruct) => fns[logicalId(fn)]?.Properties?.Timeout as number;
    expect(scan?.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout(dev.stack.scanner.function));
    expect(face?.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout(dev.stack.faceCheck.function));
  });

  test('custom-metric alarms: SignatureHits and StuckApplications', () => {
    for (const name of ['SignatureHits', 'StuckApplications']) {
      dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'PassportPrereview',
        MetricName: name,
        Dimensions: [{ Name: 'service', Value: 'passport-prereview' }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });
});

describe('functions', () => {
  const CDK_PROVIDERS = /^(CustomCDKBucketDeployment|BucketNotificationsHandler)/;

  test('every project function runs Node.js 24: zip functions nodejs24.x, image functions from the Node 24 Lambda base image', () => {
    const fns = Object.entries(resources(dev.template, 'AWS::Lambda::Function')).filter(([id]) => !CDK_PROVIDERS.test(id));
    const zip = fns.filter(([, f]) => f.Properties?.PackageType !== 'Image');
    const image = fns.filter(([, f]) => f.Properties?.PackageType === 'Image');
    expect(zip).toHaveLength(5);
    expect(image).toHaveLength(2);
    for (const [id, f] of zip)
      expect({ id, runtime: f.Properties?.Runtime, arch: f.Properties?.Architectures }).toEqual({
        id,
        runtime: 'nodejs24.x',
        arch: ['arm64'],
      });
    for (const [, f] of fns) expect(f.Properties?.TracingConfig).toEqual({ Mode: 'Active' });
    const dockerfile = readFileSync(path.join(REPO_ROOT, 'docker', 'functions', 'Dockerfile'), 'utf8');
    const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toBe('public.ecr.aws/lambda/nodejs:24');
  });

  test('the scan and release functions run from one image with different commands', () => {
    const fns = resources(dev.template, 'AWS::Lambda::Function');
    const scan = fns[logicalId(dev.stack.scanner.function)]?.Properties;
    const release = fns[logicalId(dev.stack.bridge.function)]?.Properties;
    expect(scan?.Code).toEqual(release?.Code);
    expect(scan?.ImageConfig).toEqual({ Command: ['scan-upload.handler'] });
    expect(release?.ImageConfig).toEqual({ Command: ['release-record.handler'] });
    expect(scan?.Architectures).toEqual(['x86_64']);
    expect(scan?.MemorySize).toBe(3008);
  });

  test('each function gets exactly the variables its env schema requires (functions/shared/aws-env.ts)', () => {
    const fns = resources(dev.template, 'AWS::Lambda::Function');
    const envOf = (fn: IConstruct) =>
      Object.keys(((fns[logicalId(fn)]?.Properties?.Environment as { Variables: object }) ?? { Variables: {} }).Variables);
    const cases: [IConstruct, { shape: object }][] = [
      [dev.stack.api.functions.createApplication, apiEnvSchema],
      [dev.stack.api.functions.getStatus, apiEnvSchema],
      [dev.stack.api.functions.requestUpload, apiEnvSchema],
      [dev.stack.scanner.function, scanEnvSchema],
      [dev.stack.faceCheck.function, faceEnvSchema],
      [dev.stack.bridge.function, releaseEnvSchema],
      [dev.stack.expiry.function, expireEnvSchema],
    ];
    for (const [fn, schema] of cases) {
      const env = envOf(fn);
      for (const key of Object.keys(schema.shape))
        expect({ fn: logicalId(fn), key, set: env.includes(key) }).toEqual({ fn: logicalId(fn), key, set: true });
      expect(env).toEqual(expect.arrayContaining(['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME']));
    }
  });

  test('the release function reads the table stream, filtered to VETTED, with partial failures, bisect and an on-failure queue', () => {
    dev.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(dev.stack.bridge.function) },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ dynamodb: { NewImage: { status: { S: ['VETTED'] } } } }) }] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(dev.stack.bridge.streamDeadLetterQueue), 'Arn'] } },
      },
    });
  });

  test('the scanner consumes the scan queue with partial batch failures and bounded concurrency', () => {
    dev.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(dev.stack.scanner.function) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(dev.stack.quarantine.scanQueue), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  test('no function role has a managed policy', () => {
    for (const [id, role] of Object.entries(resources(dev.template, 'AWS::IAM::Role'))) {
      if (CDK_PROVIDERS.test(id)) continue;
      expect({ id, managed: role.Properties?.ManagedPolicyArns }).toEqual({ id, managed: undefined });
    }
  });
});

describe('applicant site and API', () => {
  test('the CSP header has the directives of the form pages (minus localhost), plus frame-ancestors', () => {
    const html = readFileSync(path.join(REPO_ROOT, 'web', 'index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    const fromMeta = meta
      .split(';')
      .map((d) =>
        d
          .trim()
          .split(/\s+/)
          .filter((t) => !/^http:\/\/(localhost|127\.0\.0\.1)/.test(t))
          .join(' '),
      )
      .filter(Boolean);
    expect(SITE_CONTENT_SECURITY_POLICY.split('; ')).toEqual([...fromMeta, "frame-ancestors 'none'"]);
    dev.template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: {
          ContentSecurityPolicy: { ContentSecurityPolicy: SITE_CONTENT_SECURITY_POLICY, Override: true },
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: true }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
        },
      },
    });
    dev.template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'https-only' }),
      }),
    });
  });

  test('the HTTP API has the three routes, stage throttling and an access log without personal data', () => {
    const routes = Object.values(resources(dev.template, 'AWS::ApiGatewayV2::Route')).map((r) => r.Properties?.RouteKey);
    expect(routes.sort()).toEqual([
      'GET /api/applications/{applicationId}',
      'POST /api/applications',
      'POST /api/applications/{applicationId}/uploads',
    ]);
    const stage = Object.values(resources(dev.template, 'AWS::ApiGatewayV2::Stage'))[0]?.Properties;
    expect(stage?.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 50 });
    const settings = stage?.AccessLogSettings as { Format: string } | undefined;
    const format = JSON.parse(settings?.Format ?? '{}') as Record<string, string>;
    expect(Object.values(format).sort()).toEqual(
      [
        '$context.integrationLatency',
        '$context.requestId',
        '$context.requestTimeEpoch',
        '$context.responseLatency',
        '$context.routeKey',
        '$context.status',
      ].sort(),
    );
  });

  test('stack outputs', () => {
    for (const name of ['FormUrl', 'ApiUrl', 'ReleaseQueueUrl', 'OnPremRoleArn', 'SigningKeyArn'])
      dev.template.hasOutput(name, Match.anyValue());
  });
});
