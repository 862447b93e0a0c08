/** Scan-queue messages: S3 notifications and GuardDuty scan results; GuardDuty's verdict as a scanner. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import {
  createGuardDutyVerdictScanner,
  GuardDutyScanFailedError,
  UNNAMED_GUARDDUTY_THREAT,
} from '../../functions/adapters/aws/guardduty-verdict-scanner';
import { MalformedEventError, s3NotificationBody } from '../../functions/shared/s3-events';
import { parseScanQueueMessage } from '../../functions/shared/scan-events';
import { guardDutyBody } from '../pipeline/support/guardduty-events';

const KEY = 'uploads/P0A1B2C3D4E5F/photo/u0123456789abcdef';

describe('parseScanQueueMessage', () => {
  it('refuses a GuardDuty result without the object version it applies to', () => {
    const event = JSON.parse(guardDutyBody('NO_THREATS_FOUND', [], { key: KEY }));
    delete event.detail.s3ObjectDetails.versionId;
    expect(() => parseScanQueueMessage(JSON.stringify(event))).toThrow(MalformedEventError);
  });

  it('reads an S3 notification as before', () => {
    const body = s3NotificationBody({ bucket: 'q', key: KEY, size: 10, versionId: 'v1', eTag: 'e' }, new Date());
    expect(parseScanQueueMessage(body)).toEqual({
      kind: 's3',
      objects: [{ bucket: 'q', key: KEY, size: 10, versionId: 'v1' }],
    });
  });

  it('reads a GuardDuty scan result into the same shape plus its verdict', () => {
    expect(parseScanQueueMessage(guardDutyBody('THREATS_FOUND', [{ name: 'EICAR-Test-File (not a virus)' }]))).toEqual({
      kind: 'guardduty',
      objects: [
        {
          bucket: 'quarantine-bucket',
          key: KEY,
          size: undefined,
          versionId: 'v1',
          precomputedScan: { engine: 'guardduty', status: 'THREATS_FOUND', threats: ['EICAR-Test-File (not a virus)'] },
        },
      ],
    });
  });

  it.each(['NO_THREATS_FOUND', 'UNSUPPORTED', 'ACCESS_DENIED', 'FAILED'])('keeps status %s, threats null → []', (status) => {
    const message = parseScanQueueMessage(guardDutyBody(status));
    expect(message.kind === 'guardduty' && message.objects[0]?.precomputedScan).toEqual({
      engine: 'guardduty',
      status,
      threats: [],
    });
  });

  it('parses the sample event events/guardduty-scan-result.json', () => {
    const event = JSON.parse(
      readFileSync(path.resolve(__dirname, '../../events/guardduty-scan-result.json'), 'utf8'),
    ) as SQSEvent;
    const message = parseScanQueueMessage(event.Records[0]?.body as string);
    expect(message).toMatchObject({
      kind: 'guardduty',
      objects: [{ key: KEY, versionId: '3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY', precomputedScan: { status: 'NO_THREATS_FOUND' } }],
    });
  });

  it.each([
    ['not JSON', 'nope'],
    ['an unknown status', guardDutyBody('MAYBE')],
    ['another GuardDuty detail type', guardDutyBody('NO_THREATS_FOUND').replace('Object Scan Result', 'Post Scan Action Failed')],
    ['a GuardDuty event without object details', JSON.stringify({ source: 'aws.guardduty', 'detail-type': 'x', detail: {} })],
    ['an S3 delete record', JSON.stringify({ Records: [{ eventName: 'ObjectRemoved:Delete' }] })],
    ['something else', JSON.stringify({ hello: 'world' })],
  ])('throws MalformedEventError on %s', (_name, body) => {
    expect(() => parseScanQueueMessage(body)).toThrow(MalformedEventError);
  });
});

describe('GuardDuty verdict scanner (fails closed)', () => {
  const bytes = new Uint8Array([1, 2, 3]);
  const scanner = (
    status: 'NO_THREATS_FOUND' | 'THREATS_FOUND' | 'UNSUPPORTED' | 'ACCESS_DENIED' | 'FAILED',
    threats: string[] = [],
  ) => createGuardDutyVerdictScanner({ engine: 'guardduty', status, threats });

  it('NO_THREATS_FOUND → clean (engine guardduty)', async () => {
    await expect(scanner('NO_THREATS_FOUND').scan(bytes)).resolves.toEqual({ verdict: 'clean', engine: 'guardduty' });
  });
  it('THREATS_FOUND → infected with the first threat name', async () => {
    await expect(scanner('THREATS_FOUND', ['Trojan.A', 'Trojan.B']).scan(bytes)).resolves.toEqual({
      verdict: 'infected',
      engine: 'guardduty',
      signature: 'Trojan.A',
    });
  });
  it('THREATS_FOUND without a name → infected all the same', async () => {
    await expect(scanner('THREATS_FOUND').scan(bytes)).resolves.toMatchObject({
      verdict: 'infected',
      signature: UNNAMED_GUARDDUTY_THREAT,
    });
  });
  it.each(['UNSUPPORTED', 'ACCESS_DENIED', 'FAILED'] as const)('%s → throws', async (status) => {
    await expect(scanner(status).scan(bytes)).rejects.toThrow(GuardDutyScanFailedError);
  });
});
