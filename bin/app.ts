#!/usr/bin/env node
/**
 * The CDK app. The only place that reads CDK context and the environment: it builds the validated
 * stage config and hands it to the stack as props.
 *
 *   npx cdk synth                                      dev stage, defaults (works offline)
 *   npx cdk deploy -c stage=prod -c account=123456789012 \
 *     -c onPremPrincipalArn=arn:aws:iam::123456789012:user/onprem-poller -c onPremExternalId=… \
 *     -c alarmEmail=ops@example.org
 *   npx cdk deploy -c stage=prod -c rolesAnywhereCaFile=pki/onprem-ca.pem -c rolesAnywhereSubjectCn=poller01
 *
 * Context keys: docs/infrastructure.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Annotations, App, Aws, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { type OnPremConfig, parseStageConfig, StageConfigError, type StageConfigInput } from '../lib/config';
import { IntakeStack } from '../lib/intake-stack';

/** The dev default for the on-premises trust: the deploying account's root, with a placeholder external id. */
export const DEV_ONPREM_EXTERNAL_ID = 'dev-placeholder-change-me';

function text(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new StageConfigError(`context ${key} must be a string`);
  }
  return String(value);
}

function number(app: App, key: string): number | undefined {
  const raw = text(app, key);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new StageConfigError(`context ${key} must be a number, got "${raw}"`);
  return n;
}

function bool(app: App, key: string): boolean | undefined {
  const raw = text(app, key);
  if (raw === undefined) return undefined;
  if (raw !== 'true' && raw !== 'false') throw new StageConfigError(`context ${key} must be true or false, got "${raw}"`);
  return raw === 'true';
}

function onPremFromContext(app: App, stage: string): { onPrem: OnPremConfig; isDevDefault: boolean } {
  const principalArn = text(app, 'onPremPrincipalArn');
  const caFile = text(app, 'rolesAnywhereCaFile');
  if (principalArn && caFile) throw new StageConfigError('give either onPremPrincipalArn or rolesAnywhereCaFile, not both');
  if (caFile) {
    let pem: string;
    try {
      pem = readFileSync(path.resolve(caFile), 'utf8');
    } catch (err) {
      throw new StageConfigError(`rolesAnywhereCaFile: cannot read ${caFile}: ${(err as Error).message}`);
    }
    const subjectCommonName = text(app, 'rolesAnywhereSubjectCn');
    return {
      onPrem: { rolesAnywhere: { caCertificatePem: pem, ...(subjectCommonName ? { subjectCommonName } : {}) } },
      isDevDefault: false,
    };
  }
  if (principalArn) {
    const externalId = text(app, 'onPremExternalId');
    return { onPrem: { principalArn, ...(externalId ? { externalId } : {}) }, isDevDefault: false };
  }
  if (stage === 'prod') {
    throw new StageConfigError(
      'stage prod needs the on-premises trust: -c onPremPrincipalArn=… (and -c onPremExternalId=…) or -c rolesAnywhereCaFile=…',
    );
  }
  return {
    onPrem: { principalArn: `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`, externalId: DEV_ONPREM_EXTERNAL_ID },
    isDevDefault: true,
  };
}

export function buildApp(app: App = new App()): { app: App; stack: IntakeStack } {
  const stage = text(app, 'stage') ?? 'dev';
  const { onPrem, isDevDefault } = onPremFromContext(app, stage);
  const throttleRate = number(app, 'apiRateLimit');
  const throttleBurst = number(app, 'apiBurstLimit');
  const input: StageConfigInput = {
    stage,
    account: text(app, 'account') ?? process.env.CDK_DEFAULT_ACCOUNT,
    // Never CDK_DEFAULT_REGION: the CLI sets it to us-east-1 when there is no AWS config.
    region: text(app, 'region'),
    faceSimilarityThreshold: number(app, 'faceSimilarityThreshold'),
    retention: {
      uploadWindowSeconds: number(app, 'uploadWindowSeconds'),
      recordTtlSeconds: number(app, 'recordTtlSeconds'),
      releasedSummarySeconds: number(app, 'releasedSummarySeconds'),
      onPremRetainSeconds: number(app, 'onPremRetainSeconds'),
    },
    apiThrottle:
      throttleRate !== undefined || throttleBurst !== undefined
        ? { rateLimit: throttleRate ?? 20, burstLimit: throttleBurst ?? 50 }
        : undefined,
    scanMaxConcurrency: number(app, 'scanMaxConcurrency'),
    scanEngine: text(app, 'scanEngine') as StageConfigInput['scanEngine'],
    onPrem,
    alarmEmail: text(app, 'alarmEmail'),
    logRetentionDays: number(app, 'logRetentionDays'),
    imageRefreshStamp: text(app, 'imageRefreshStamp'),
    deletionProtection: bool(app, 'deletionProtection') ?? stage === 'prod',
  };
  const config = parseStageConfig(input);

  const webRoot = path.resolve(__dirname, '..', 'web', 'dist');
  if (!existsSync(path.join(webRoot, 'index.html'))) {
    throw new StageConfigError(
      `the built form is missing (${path.relative(process.cwd(), webRoot) || webRoot}): run \`npm run build:web\` first`,
    );
  }

  const stack = new IntakeStack(app, `PassportPrereview-${config.stage}`, {
    config,
    webRoot,
    env: { account: config.account, region: config.region },
    description: `Passport pre-review intake (${config.stage})`,
  });
  if (isDevDefault) {
    Annotations.of(stack).addWarningV2(
      'passport:onprem-dev-default',
      `On-premises trust not configured: the release poller role trusts this account's root with the placeholder external id "${DEV_ONPREM_EXTERNAL_ID}". Deploy for real with -c onPremPrincipalArn=… -c onPremExternalId=… or -c rolesAnywhereCaFile=…`,
    );
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack };
}

if (require.main === module) {
  try {
    buildApp().app.synth();
  } catch (err) {
    if (err instanceof StageConfigError) {
      console.error(`error: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}
