/** The stage config and bin/app.ts's context handling. */
import { App } from 'aws-cdk-lib';
import { buildApp } from '../../bin/app';
import { DEFAULT_RETENTION } from '../../functions/core/retention';
import { parseStageConfig, StageConfigError } from '../../lib/config';
import { TEST_CA_FILE } from './support';

const principal = { principalArn: 'arn:aws:iam::123456789012:user/poller' };

describe('parseStageConfig', () => {
  test('defaults: Tokyo, threshold 99, the core retention, 30-day logs', () => {
    const c = parseStageConfig({ stage: 'dev', onPrem: principal });
    expect(c).toMatchObject({
      region: 'ap-northeast-1',
      faceSimilarityThreshold: 99,
      logRetentionDays: 30,
      retention: DEFAULT_RETENTION,
      deletionProtection: false,
    });
    expect(c.apiThrottle).toEqual({ rateLimit: 20, burstLimit: 50 });
  });

  test.each([
    [{ stage: 'Dev!', onPrem: principal }, 'stage'],
    [{ stage: 'dev', onPrem: { principalArn: 'not-an-arn' } }, 'principalArn'],
    [{ stage: 'dev', onPrem: { rolesAnywhere: { caCertificatePem: 'nope' } } }, 'onPrem'],
    [{ stage: 'dev', onPrem: principal, logRetentionDays: 10 }, 'logRetentionDays'],
    [{ stage: 'dev', onPrem: principal, alarmEmail: 'x' }, 'alarmEmail'],
    [{ stage: 'dev', onPrem: principal, faceSimilarityThreshold: 101 }, 'faceSimilarityThreshold'],
    [{ stage: 'dev', onPrem: principal, retention: { uploadWindowSeconds: 10 * 86_400 } }, 'uploadWindowSeconds'],
    [{ stage: 'dev', onPrem: { ...principal, rolesAnywhere: { caCertificatePem: 'x' } } }, 'onPrem'],
  ])('rejects %j', (input, path) => {
    expect(() => parseStageConfig(input)).toThrow(StageConfigError);
    expect(() => parseStageConfig(input)).toThrow(path);
  });
});

describe('bin/app.ts context', () => {
  const app = (context: Record<string, unknown>) => new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });

  test('prod without an on-premises trust is refused', () => {
    expect(() => buildApp(app({ stage: 'prod' }))).toThrow(/onPremPrincipalArn/);
  });

  test('principal and Roles Anywhere together are refused', () => {
    expect(() => buildApp(app({ onPremPrincipalArn: principal.principalArn, rolesAnywhereCaFile: TEST_CA_FILE }))).toThrow(
      /either/,
    );
  });

  test('an unreadable CA file names the file', () => {
    expect(() => buildApp(app({ rolesAnywhereCaFile: 'no/such/ca.pem' }))).toThrow(/no\/such\/ca\.pem/);
  });

  test('a non-numeric number is refused', () => {
    expect(() => buildApp(app({ faceSimilarityThreshold: 'high' }))).toThrow(/faceSimilarityThreshold/);
  });
});
