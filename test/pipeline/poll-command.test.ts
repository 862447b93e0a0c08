/**
 * The on-premises poller as its own program (`npm run poll -- --local DIR`): with the runtime's
 * in-process poller off, a released record waits on the release queue until the command files it.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { adultApplicant } from '../../bin/support/sample-applicants';
import { sampleIdCard, samplePassportPhoto } from '../../bin/support/sample-images';
import { eventually, startTestRuntime, type TestRuntime } from './support/test-runtime';

const run = promisify(execFile);
let t: TestRuntime;

beforeAll(async () => {
  t = await startTestRuntime({ runPoller: false });
});
afterAll(async () => {
  await t?.close();
});

it('files a released record into the inbox, then finds nothing more to do', async () => {
  const created = await t.client.createApplication(adultApplicant(77));
  if (!created.ok) throw new Error('create failed');
  const { applicationId, statusToken, uploads } = created.body;
  await t.client.upload(uploads.photo, await samplePassportPhoto(2), 'image/jpeg');
  await t.client.upload(uploads.idCard, await sampleIdCard(2), 'image/jpeg');
  await t.client.waitFor(applicationId, statusToken, (s) => s.status === 'RELEASED', 60_000);
  await eventually('the release message on the queue', () => (t.runtime.depths().release?.visible === 1 ? true : undefined));
  expect(await t.runtime.inbox.get(applicationId)).toBeNull();

  const root = path.resolve(__dirname, '../..');
  const tsx = path.join(root, 'node_modules/.bin/tsx');
  const first = await run(tsx, ['bin/poll-release.ts', '--local', t.runtime.dataDir], { cwd: root });
  expect(JSON.parse(first.stdout.trim().split('\n').at(-1) as string)).toEqual({
    received: 1,
    filed: 1,
    duplicates: 0,
    refused: 0,
  });
  expect((await t.runtime.inbox.get(applicationId))?.record.verdict.outcome).toBe('CLEAR');

  const second = await run(tsx, ['bin/poll-release.ts', '--local', t.runtime.dataDir], { cwd: root });
  expect(JSON.parse(second.stdout.trim().split('\n').at(-1) as string)).toEqual({
    received: 0,
    filed: 0,
    duplicates: 0,
    refused: 0,
  });
});
