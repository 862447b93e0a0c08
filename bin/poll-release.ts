/**
 * The on-premises poller: pulls released records from the release queue (outbound only), checks
 * each signature and schema, files the record in the inbox, then deletes the message.
 *
 *   npm run poll -- --local .data            one pass against the embedded runtime's queue
 *   npm run poll -- --local .data --follow   keep polling until interrupted
 *
 *   npm run poll -- --queue-url https://sqs.ap-northeast-1.amazonaws.com/123456789012/release.fifo \
 *     --region ap-northeast-1 --key-id arn:aws:kms:ap-northeast-1:123456789012:key/… [--key-id …] \
 *     [--inbox DIR] [--follow]
 *
 * SQS mode: credentials come from the default AWS SDK chain (so `AWS_PROFILE` with a
 * `credential_process` for IAM Roles Anywhere works; see docs/onprem-poller.md). Only messages signed
 * by one of the `--key-id` KMS keys are filed; their public keys are fetched once with GetPublicKey.
 * `--follow` long-polls 20 s at a time; SIGINT or SIGTERM ends a pending long poll at once, lets the
 * messages already received finish, then prints the totals and exits 0.
 *
 * Exit codes: 0 done, 1 failure, 2 bad arguments.
 */
import './support/local-env';
import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createKmsPublicKeyVerifier } from '../functions/adapters/aws/kms-signer';
import { createSqsQueue } from '../functions/adapters/aws/sqs-queue';
import { createPublicKeyVerifier, localKeyId, PUBLIC_KEY_FILE } from '../functions/adapters/local/local-signer';
import { closeDatabase, openStateDatabase } from '../functions/adapters/local/sqlite-database';
import { systemClock } from '../functions/adapters/local/system-clock';
import type { Queue, SignatureVerifier } from '../functions/core/ports';
import { openLocalQueues } from '../functions/local-runtime/local-queues';
import { createFsInbox, type Inbox } from '../functions/onprem/inbox';
import { receiveReleases } from '../functions/onprem/receive-releases';

const USAGE = `usage:
  npm run poll -- --local DATA_DIR [--inbox DIR] [--follow]
  npm run poll -- --queue-url URL --region REGION --key-id KMS_KEY_ARN [--key-id KMS_KEY_ARN ...] [--inbox DIR] [--follow]

  --local DATA_DIR     the embedded runtime's data folder (its queue and its local signing key)
  --queue-url URL      the SQS release queue (mutually exclusive with --local)
  --region REGION      the queue's AWS region
  --key-id ARN         a KMS key ARN whose signatures are accepted (required with --queue-url; repeatable)
  --inbox DIR          where records are filed (default: ./onprem-inbox, or DATA_DIR/onprem-inbox with --local)
  --follow             keep polling until SIGINT or SIGTERM
`;

/** SQS long-poll maximum. */
const SQS_FOLLOW_WAIT_SECONDS = 20;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\/[A-Za-z0-9-]+$/;

class UsageError extends Error {}

type Mode =
  | { kind: 'local'; dataDir: string; inbox?: string; follow: boolean }
  | { kind: 'sqs'; queueUrl: string; region: string; keyIds: string[]; inbox: string; follow: boolean };

function parseMode(argv: string[]): Mode | 'help' {
  let values: ReturnType<typeof parse>['values'];
  function parse() {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        local: { type: 'string' },
        'queue-url': { type: 'string' },
        region: { type: 'string' },
        'key-id': { type: 'string', multiple: true },
        follow: { type: 'boolean', default: false },
        inbox: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  }
  try {
    values = parse().values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return 'help';
  const queueUrl = values['queue-url'];
  const keyIds = values['key-id'] ?? [];
  if (values.local !== undefined && queueUrl !== undefined)
    throw new UsageError('--local and --queue-url are mutually exclusive');
  if (values.local !== undefined) {
    if (values.region !== undefined || keyIds.length > 0)
      throw new UsageError('--region and --key-id go with --queue-url, not --local');
    return { kind: 'local', dataDir: path.resolve(values.local), inbox: values.inbox, follow: values.follow ?? false };
  }
  if (queueUrl === undefined) throw new UsageError('one of --local DATA_DIR or --queue-url URL is required');
  if (!/^https?:\/\/[^/]+\/.+/.test(queueUrl))
    throw new UsageError('--queue-url must be the queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)');
  if (!values.region) throw new UsageError('--region is required with --queue-url');
  if (keyIds.length === 0) {
    throw new UsageError(
      '--key-id is required with --queue-url: the ARN of the KMS key that signs releases (repeat it to accept more than one key)',
    );
  }
  const regions = new Set<string>();
  for (const keyId of keyIds) {
    const match = KMS_KEY_ARN.exec(keyId);
    if (!match?.[1])
      throw new UsageError(`--key-id must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), got ${JSON.stringify(keyId)}`);
    regions.add(match[1]);
  }
  if (regions.size > 1) throw new UsageError('all --key-id keys must be in one region');
  return {
    kind: 'sqs',
    queueUrl,
    region: values.region,
    keyIds,
    inbox: path.resolve(values.inbox ?? 'onprem-inbox'),
    follow: values.follow ?? false,
  };
}

interface Totals {
  received: number;
  filed: number;
  duplicates: number;
  refused: number;
}

/** Polls until a pass finds nothing (or, with `follow`, until `stopped()`); prints refusals as they happen. */
async function pollLoop(
  deps: { queue: Queue; verifier: SignatureVerifier; inbox: Inbox },
  waitSeconds: number,
  follow: boolean,
  stopped: () => boolean,
): Promise<Totals> {
  const totals: Totals = { received: 0, filed: 0, duplicates: 0, refused: 0 };
  do {
    const s = await receiveReleases(deps, waitSeconds);
    totals.received += s.received;
    totals.filed += s.filed;
    totals.duplicates += s.duplicates;
    totals.refused += s.refused;
    for (const r of s.refusals)
      process.stderr.write(
        `refused message ${r.messageId}: ${r.reason} (it stays on the queue, then goes to the dead-letter queue)\n`,
      );
    if (!follow && s.received === 0) break;
  } while (!stopped());
  return totals;
}

/** SIGINT / SIGTERM: stop after the messages in hand; `onStop` ends a pending long poll. */
function stopOnSignals(onStop: () => void): () => boolean {
  let stop = false;
  const handler = () => {
    stop = true;
    onStop();
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => stop;
}

async function runLocal(mode: Extract<Mode, { kind: 'local' }>): Promise<Totals> {
  const publicKey = createPublicKey(await readFile(path.join(mode.dataDir, 'keys', PUBLIC_KEY_FILE), 'utf8'));
  const verifier = createPublicKeyVerifier(new Map([[localKeyId(publicKey), publicKey]]));
  const db = openStateDatabase(mode.dataDir);
  const queues = openLocalQueues(db, systemClock);
  const inbox = createFsInbox(path.resolve(mode.inbox ?? path.join(mode.dataDir, 'onprem-inbox')));
  const stopped = stopOnSignals(() => queues.release.close());
  try {
    return await pollLoop({ queue: queues.release, verifier, inbox }, mode.follow ? 5 : 1, mode.follow, stopped);
  } finally {
    for (const queue of Object.values(queues)) queue.close();
    closeDatabase(db);
  }
}

async function runSqs(mode: Extract<Mode, { kind: 'sqs' }>): Promise<Totals> {
  const keyRegion = KMS_KEY_ARN.exec(mode.keyIds[0] ?? '')?.[1] ?? mode.region;
  const sqs = new SQSClient({ region: mode.region });
  const kms = new KMSClient({ region: keyRegion });
  const queue = createSqsQueue(sqs, mode.queueUrl);
  const verifier = createKmsPublicKeyVerifier(kms, mode.keyIds);
  const inbox = createFsInbox(mode.inbox);
  const stopped = stopOnSignals(() => queue.close());
  try {
    return await pollLoop({ queue, verifier, inbox }, mode.follow ? SQS_FOLLOW_WAIT_SECONDS : 1, mode.follow, stopped);
  } finally {
    queue.close();
    sqs.destroy();
    kms.destroy();
  }
}

async function main(): Promise<void> {
  const mode = parseMode(process.argv.slice(2));
  if (mode === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const totals = mode.kind === 'local' ? await runLocal(mode) : await runSqs(mode);
  process.stdout.write(`${JSON.stringify(totals)}\n`);
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`poll-release: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  // AWS and file-system errors carry no personal data; message bodies never reach this line.
  process.stderr.write(`poll failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
