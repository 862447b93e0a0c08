/**
 * Acknowledgements for the functions and roles CDK itself creates (singletons at stack level):
 * the S3 bucket-notification handler and the `BucketDeployment` provider. Their code, runtime and
 * policies are CDK's; they run only during deployments.
 */
import { Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

const CDK_OWNED = 'CDK-managed deployment-time custom resource';

export function acknowledgeCdkInternals(stack: Stack): void {
  for (const child of stack.node.children) {
    const id = child.node.id;
    if (id.startsWith('BucketNotificationsHandler')) acknowledgeNotificationsHandler(child);
    if (id.startsWith('Custom::CDKBucketDeployment')) acknowledgeBucketDeployment(child);
  }
}

function acknowledgeNotificationsHandler(scope: IConstruct): void {
  Validations.of(scope).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: `${CDK_OWNED} (S3 bucket notifications): CDK attaches the basic execution managed policy to its role; it only writes its own logs and configures this stack's bucket notifications at deploy time.`,
  });
}

function acknowledgeBucketDeployment(scope: IConstruct): void {
  const stack = Stack.of(scope);
  const what = `${CDK_OWNED} (BucketDeployment provider, runs only while deploying the form)`;
  Validations.of(scope).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: `${what}: CDK attaches the basic execution managed policy to its role.`,
    },
    ...[
      'Action::s3:GetBucket*',
      'Action::s3:GetObject*',
      'Action::s3:List*',
      'Action::s3:Abort*',
      'Action::s3:DeleteObject*',
    ].map((finding) => ({
      id: `AwsSolutions-IAM5[${finding}]`,
      reason: `${what}: CDK grants read on the CDK asset bucket and read/write/delete on the site bucket to copy and prune the form files.`,
    })),
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `${what}: cloudfront:CreateInvalidation/GetInvalidation have no resource-level scoping in the CDK provider.`,
    },
    {
      id: `AwsSolutions-IAM5[Resource::arn:${literal(stack.partition, '<AWS::Partition>')}:s3:::cdk-hnb659fds-assets-${literal(stack.account, '<AWS::AccountId>')}-${literal(stack.region, '<AWS::Region>')}/*]`,
      reason: `${what}: reads the form's zipped asset from the CDK bootstrap asset bucket.`,
    },
    { id: 'AwsSolutions-L1', reason: `${what}: CDK pins the provider's Python runtime; it is not ours to upgrade.` },
    { id: 'Serverless-LambdaLatestVersion', reason: `${what}: CDK pins the provider's Python runtime.` },
    { id: 'Serverless-LambdaDLQ', reason: `${what}: invoked synchronously by CloudFormation; a failure fails the deployment.` },
    { id: 'Serverless-LambdaTracing', reason: `${what}: deployment-time only; no request path to trace.` },
  );
}

/** How cdk-nag prints a value in a finding id: the literal, or the pseudo parameter when unresolved. */
function literal(value: string, pseudo: string): string {
  return Token.isUnresolved(value) ? pseudo : value;
}
