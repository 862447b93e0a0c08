/** cdk-nag 3 (AwsSolutions + Serverless) finds nothing unacknowledged; one full synth with CloudFormation validation. */
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { build, TEST_CA_FILE } from './support';

const variants: [string, Record<string, unknown>][] = [
  ['dev defaults', {}],
  [
    'prod, Roles Anywhere, alarm email',
    { stage: 'prod', account: '123456789012', rolesAnywhereCaFile: TEST_CA_FILE, alarmEmail: 'ops@example.org' },
  ],
  [
    'prod, principal + external id',
    { stage: 'prod', onPremPrincipalArn: 'arn:aws:iam::123456789012:user/onprem-poller', onPremExternalId: 'poller-ext-1' },
  ],
];

describe.each(variants)('%s', (_name, context) => {
  const { stack } = build(context);

  test.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ])('%s: no violations', (_pack, make) => {
    const report = make().validateScope(stack);
    const found = report.violations.map(
      (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath ?? '?').join(', ')}`,
    );
    expect(found).toEqual([]);
    expect(report.success).toBe(true);
  });

  test('no error annotations', () => {
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  });
});

test('full synth with cdk-nag registered and the CloudFormation validation on (no cycles, no findings)', () => {
  expect(() => build({}, { validation: true })).not.toThrow();
});
