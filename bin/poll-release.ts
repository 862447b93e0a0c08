/**
 * The on-premises poller: pulls released records from the release queue (outbound only), checks
 * each signature and schema, files the record in the inbox, then deletes the message.
 *
 *   npm run poll -- --local .data            one pass against the embedded runtime's queue
 *   npm run poll -- --local .data --follow   keep polling until interrupted
 *
 * (The SQS mode, `--queue-url URL --region R`, comes with the AWS deployment.)
 */
import './support/local-env';
import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createPublicKeyVerifier, localKeyId, PUBLIC_KEY_FILE } from '../functions/adapters/local/local-signer';
import { closeDatabase, openStateDatabase } from '../functions/adapters/local/sqlite-database';
import { systemClock } from '../functions/adapters/local/system-clock';
import { openLocalQueues } from '../functions/local-runtime/local-queues';
import { createFsInbox } from '../functions/onprem/inbox';
import { receiveReleases } from '../functions/onprem/receive-releases';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { local: { type: 'string' }, follow: { type: 'boolean', default: false }, inbox: { type: 'string' } },
  });
  if (!values.local) throw new Error('usage: npm run poll -- --local DATA_DIR [--follow] [--inbox DIR]');
  const dataDir = path.resolve(values.local);
  const publicKey = createPublicKey(await readFile(path.join(dataDir, 'keys', PUBLIC_KEY_FILE), 'utf8'));
  const verifier = createPublicKeyVerifier(new Map([[localKeyId(publicKey), publicKey]]));
  const db = openStateDatabase(dataDir);
  const queues = openLocalQueues(db, systemClock);
  const inbox = createFsInbox(path.resolve(values.inbox ?? path.join(dataDir, 'onprem-inbox')));

  let stop = false;
  process.once('SIGINT', () => {
    stop = true;
  });
  const totals = { received: 0, filed: 0, duplicates: 0, refused: 0 };
  do {
    const s = await receiveReleases({ queue: queues.release, verifier, inbox }, values.follow ? 5 : 1);
    totals.received += s.received;
    totals.filed += s.filed;
    totals.duplicates += s.duplicates;
    totals.refused += s.refused;
    for (const r of s.refusals)
      process.stderr.write(
        `refused message ${r.messageId}: ${r.reason} (it stays on the queue, then goes to the dead-letter queue)\n`,
      );
    if (!values.follow && s.received === 0) break;
  } while (!stop);
  process.stdout.write(`${JSON.stringify(totals)}\n`);
  for (const queue of Object.values(queues)) queue.close();
  closeDatabase(db);
}

main().catch((err: unknown) => {
  process.stderr.write(`poll failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
