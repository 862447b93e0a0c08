/** The three scan-engine modes (`-c scanEngine=clamav|guardduty|shadow`) on the synthesized template, and cdk-nag in each. */
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { parseStageConfig, StageConfigError } from '../../lib/config';
import { GUARDDUTY_PLAN_SERVICE } from '../../lib/constructs/guardduty-malware-protection';
import { asArray, type Built, build, logicalId, referencedIds, resources } from './support';

const modes = ['clamav', 'guardduty', 'shadow'] as const;
const built = {} as Record<(typeof modes)[number], Built>;

beforeAll(() => {
  for (const scanEngine of modes) built[scanEngine] = build({ scanEngine });
});

type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Condition?: unknown; Sid?: string };

function policies(b: Built): { roles: unknown; statements: Statement[] }[] {
  return Object.values(resources(b.template, 'AWS::IAM::Policy')).map((p) => ({
    roles: p.Properties?.Roles,
    statements: (p.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [],
  }));
}

function scanQueueNotifications(b: Built): unknown[] {
  const custom = Object.values(resources(b.template, 'Custom::S3BucketNotifications')).filter((n) =>
    referencedIds(n.Properties?.BucketName).has(logicalId(b.stack.quarantine.bucket)),
  );
  return custom.flatMap((n) =>
    asArray(((n.Properties?.NotificationConfiguration ?? {}) as { QueueConfigurations?: unknown[] }).QueueConfigurations),
  );
}

test('config: scanEngine defaults to clamav and rejects other values', () => {
  const onPrem = { principalArn: 'arn:aws:iam::123456789012:user/poller' };
  expect(parseStageConfig({ stage: 'dev', onPrem }).scanEngine).toBe('clamav');
  expect(() => parseStageConfig({ stage: 'dev', onPrem, scanEngine: 'both' })).toThrow(StageConfigError);
  expect(() => build({ scanEngine: 'sophos' })).toThrow(/scanEngine/);
});

describe.each(modes)('%s', (mode) => {
  const get = () => built[mode];

  test('the scanner knows its engine mode (SCAN_ENGINE)', () => {
    const { stack, template } = get();
    const fn = resources(template, 'AWS::Lambda::Function')[logicalId(stack.scanner.function)];
    expect((fn?.Properties?.Environment as { Variables: Record<string, string> } | undefined)?.Variables.SCAN_ENGINE).toBe(mode);
  });

  test('malware protection plan: present only in guardduty and shadow, on uploads/ of the quarantine bucket', () => {
    const { stack, template } = get();
    const plans = resources(template, 'AWS::GuardDuty::MalwareProtectionPlan');
    if (mode === 'clamav') {
      expect(plans).toEqual({});
      expect(stack.guardDuty).toBeUndefined();
      return;
    }
    expect(Object.keys(plans)).toHaveLength(1);
    const plan = Object.values(plans)[0]?.Properties;
    expect(plan).toMatchObject({
      ProtectedResource: { S3Bucket: { BucketName: { Ref: logicalId(stack.quarantine.bucket) }, ObjectPrefixes: ['uploads/'] } },
      Role: { 'Fn::GetAtt': [logicalId(required(stack.guardDuty).role), 'Arn'] },
      Actions: { Tagging: { Status: 'DISABLED' } },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: GUARDDUTY_PLAN_SERVICE } }],
      },
    });
  });

  test('S3 ObjectCreated → scan queue, except in guardduty mode', () => {
    expect(scanQueueNotifications(get())).toHaveLength(mode === 'guardduty' ? 0 : 1);
  });

  test('the scan-result rule matches GuardDuty results for the quarantine bucket and targets the right queue', () => {
    const { stack, template } = get();
    const rules = Object.values(resources(template, 'AWS::Events::Rule')).filter(
      (r) => (r.Properties?.EventPattern as { source?: string[] } | undefined)?.source?.[0] === 'aws.guardduty',
    );
    if (mode === 'clamav') {
      expect(rules).toEqual([]);
      return;
    }
    expect(rules).toHaveLength(1);
    const rule = rules[0]?.Properties ?? {};
    expect(rule.EventPattern).toEqual({
      source: ['aws.guardduty'],
      'detail-type': ['GuardDuty Malware Protection Object Scan Result'],
      detail: { s3ObjectDetails: { bucketName: [{ Ref: logicalId(stack.quarantine.bucket) }] } },
    });
    const target = asArray(rule.Targets as { Arn: unknown; DeadLetterConfig?: unknown }[])[0];
    const queue = mode === 'guardduty' ? stack.quarantine.scanQueue : required(stack.shadow).queue;
    expect(target?.Arn).toEqual({ 'Fn::GetAtt': [logicalId(queue), 'Arn'] });
    expect(referencedIds(target?.DeadLetterConfig)).toEqual(new Set([logicalId(required(stack.guardDuty).deadLetterQueue)]));
    // EventBridge may send to the KMS-encrypted queue: queue policy and key policy.
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalId(queue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: Match.arrayWith(['sqs:SendMessage']),
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Action: Match.arrayWith(['kms:Decrypt', 'kms:GenerateDataKey*']),
          }),
        ]),
      },
    });
  });

  test('the quarantine deny policy exempts exactly the scanner (and the GuardDuty plan role)', () => {
    const { stack, template } = get();
    const scanner = { 'Fn::GetAtt': [logicalId(stack.scanner.role), 'Arn'] };
    const readers = mode === 'clamav' ? scanner : [scanner, { 'Fn::GetAtt': [logicalId(required(stack.guardDuty).role), 'Arn'] }];
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalId(stack.quarantine.bucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'OnlyTheScannerReadsQuarantine',
            Effect: 'Deny',
            Action: ['s3:GetObject', 's3:GetObjectVersion'],
            Condition: { ArnNotEquals: { 'aws:PrincipalArn': readers } },
          }),
        ]),
      },
    });
    // ... and no other role's policy grants reading quarantine objects.
    const bucketId = logicalId(stack.quarantine.bucket);
    const grantees = policies(get())
      .filter(({ statements }) =>
        statements.some(
          (s) =>
            s.Effect === 'Allow' &&
            asArray(s.Action).some((a) => a === 's3:GetObject' || a === 's3:GetObjectVersion' || a === 's3:*') &&
            referencedIds(s.Resource).has(bucketId),
        ),
      )
      .flatMap(({ roles }) => [...referencedIds(roles)])
      .sort();
    const expected = [logicalId(stack.scanner.role), ...(stack.guardDuty ? [logicalId(stack.guardDuty.role)] : [])].sort();
    expect(grantees).toEqual(expected);
  });

  test('the plan role has the documented permissions, limited to the bucket, uploads/ and the data key through S3', () => {
    const { stack } = get();
    if (!stack.guardDuty) return;
    const planRoleId = logicalId(stack.guardDuty.role);
    const statements = policies(get())
      .filter(({ roles }) => referencedIds(roles).has(planRoleId))
      .flatMap(({ statements }) => statements);
    expect(statements.map((s) => s.Sid).sort()).toEqual(
      [
        'AllowCheckBucketOwnership',
        'AllowDecryptForMalwareScan',
        'AllowEnableS3EventBridgeEvents',
        'AllowGuardDutyToMonitorEventBridgeManagedRule',
        'AllowMalwareScan',
        'AllowManagedRuleToSendS3EventsToGuardDuty',
        'AllowPostScanTag',
        'AllowPutValidationObject',
      ].sort(),
    );
    const kms = statements.find((s) => s.Sid === 'AllowDecryptForMalwareScan');
    expect(kms?.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(kms?.Condition).toEqual({ StringLike: { 'kms:ViaService': 's3.ap-northeast-1.amazonaws.com' } });
    const scan = statements.find((s) => s.Sid === 'AllowMalwareScan');
    expect(JSON.stringify(scan?.Resource)).toContain('/uploads/*');
  });

  test('shadow mode: the shadow queue (KMS, dead-letter queue, alarm) feeds compare-scan-engines; alarms on disagreements', () => {
    const { stack, template } = get();
    if (mode !== 'shadow') {
      expect(stack.shadow).toBeUndefined();
      expect(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'ScanEngineDisagreements' } })).toEqual(
        {},
      );
      return;
    }
    const shadow = required(stack.shadow);
    const queue = resources(template, 'AWS::SQS::Queue')[logicalId(shadow.queue)]?.Properties;
    expect(queue?.KmsMasterKeyId).toBeDefined();
    expect(queue?.RedrivePolicy).toMatchObject({ maxReceiveCount: 10 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(shadow.function) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(shadow.queue), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    for (const dlq of [shadow.deadLetterQueue, required(stack.guardDuty).deadLetterQueue]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(dlq), 'QueueName'] } }],
        Threshold: 0,
      });
    }
    for (const name of ['ScanEngineDisagreements', 'GuardDutyScanFailures']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'PassportPrereview',
        MetricName: name,
        Threshold: 0,
      });
    }
    // Reads records only.
    const fnPolicies = policies(get()).filter(({ roles }) => referencedIds(roles).has(logicalId(shadow.function.role)));
    const actions = fnPolicies.flatMap(({ statements }) => statements.flatMap((s) => asArray(s.Action)));
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:GetItem']);
    expect(actions.some((a) => a.startsWith('s3:'))).toBe(false);
  });

  test.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ])('cdk-nag %s: no unacknowledged finding', (_pack, make) => {
    const report = make().validateScope(get().stack);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual(
      [],
    );
  });
});

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}
