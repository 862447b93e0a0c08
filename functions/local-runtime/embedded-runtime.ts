/**
 * The embedded runtime: the whole pipeline in one process on one machine, wired with the local
 * adapters and running the same handlers on the same event shapes as AWS:
 *
 *   form/API (HTTP) → quarantine dir → S3-shaped event → scan queue → scan handler
 *   → clean dir → S3-shaped event → face queue → face handler → staging table (SQLite)
 *   → change log (DynamoDB-Streams-shaped) → release handler → release queue
 *   → on-premises poller → inbox dir → /onprem
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createSharpImageSanitizer } from '../adapters/image/sharp-image-sanitizer';
import { createEmbeddedFaceAnalyzer } from '../adapters/local/embedded-face-analyzer';
import { createFsObjectStore, type FsObjectStore, type ObjectCreatedNotice } from '../adapters/local/fs-object-store';
import { createLocalSigner, createPublicKeyVerifier, loadOrCreateLocalSigningKey } from '../adapters/local/local-signer';
import { createLocalUploadGrants } from '../adapters/local/local-upload-grants';
import { createRandomIds } from '../adapters/local/random-ids';
import { closeDatabase, openStateDatabase, type SqliteDatabase } from '../adapters/local/sqlite-database';
import { approximateDepth, purgeExpiredMessages, type SqliteQueue } from '../adapters/local/sqlite-queue';
import { createSqliteRecordChangeFeed } from '../adapters/local/sqlite-record-changes';
import { createSqliteRecordStore, type SqliteRecordStore } from '../adapters/local/sqlite-record-store';
import { systemClock } from '../adapters/local/system-clock';
import { makeCheckFacesHandler } from '../check-faces/handler';
import { DEFAULT_PHOTO_THRESHOLDS, type PhotoRuleThresholds } from '../core/photo-rules';
import type { Clock, FaceAnalyzer, MalwareScanner } from '../core/ports';
import { DEFAULT_RETENTION, type RetentionPolicy } from '../core/retention';
import { makeCreateApplicationHandler } from '../create-application/handler';
import { expireApplications } from '../expire-applications/expire-applications';
import { makeGetStatusHandler } from '../get-status/handler';
import { createFsInbox, type Inbox } from '../onprem/inbox';
import { type ReceiveSummary, receiveReleases } from '../onprem/receive-releases';
import { makeReleaseRecordHandler } from '../release-record/handler';
import { makeRequestUploadHandler } from '../request-upload/handler';
import { makeScanUploadHandler } from '../scan-upload/handler';
import { logger } from '../shared/observability';
import { buildOpenApiDocument } from '../shared/openapi';
import { s3NotificationBody } from '../shared/s3-events';
import { createHttpServer } from './http-server';
import { DEFAULT_QUEUE_SETTINGS, openLocalQueues, type QueueName } from './local-queues';
import { startQueueWorker, type Worker } from './queue-worker';
import { type LocalSignatureScanner, startLocalSignatureScanner } from './signature-scanner';
import { startStreamPump } from './stream-pump';

export interface EmbeddedRuntimeOptions {
  readonly dataDir: string;
  readonly webDir: string;
  readonly port: number;
  readonly host?: string;
  readonly faces?: FaceAnalyzer;
  /** The signature scanner; by default a clamd of our own when installed (see `signature-scanner.ts`). */
  readonly scanner?: MalwareScanner;
  readonly clock?: Clock;
  readonly thresholds?: PhotoRuleThresholds;
  readonly retention?: RetentionPolicy;
  /** Run the on-premises poller in this process (default true). */
  readonly runPoller?: boolean;
  /** Seconds a failed message stays invisible before it is retried (scan and face queues). */
  readonly retryAfterSeconds?: number;
  /** Receives before a message goes to its dead-letter queue. */
  readonly maxReceiveCount?: number;
}

export interface EmbeddedRuntime {
  readonly url: string;
  readonly dataDir: string;
  readonly db: SqliteDatabase;
  readonly records: SqliteRecordStore;
  readonly inbox: Inbox;
  readonly queues: Readonly<Record<QueueName, SqliteQueue>>;
  readonly buckets: { readonly quarantine: FsObjectStore; readonly clean: FsObjectStore };
  /** Totals of what the in-process poller did. */
  readonly poller: ReceiveSummary;
  /** What the signature-scan layer is, for the start-up banner. */
  readonly signatureScan: string;
  depths(): Record<string, { visible: number; inFlight: number }>;
  stop(): Promise<void>;
}

/** Quarantine lifecycle: every object expires within a day (DESIGN.md §5.4). */
const QUARANTINE_TTL_SECONDS = 24 * 60 * 60;
const SWEEP_INTERVAL_MS = 60_000;

async function loadOrCreateSecret(file: string): Promise<Buffer> {
  try {
    return Buffer.from((await readFile(file, 'utf8')).trim(), 'hex');
  } catch {
    const secret = randomBytes(32);
    await writeFile(file, secret.toString('hex'), { mode: 0o600 });
    return secret;
  }
}

export async function startEmbeddedRuntime(options: EmbeddedRuntimeOptions): Promise<EmbeddedRuntime> {
  const clock = options.clock ?? systemClock;
  const retention = options.retention ?? DEFAULT_RETENTION;
  const dataDir = path.resolve(options.dataDir);
  const keysDir = path.join(dataDir, 'keys');
  await mkdir(keysDir, { recursive: true, mode: 0o700 });

  const db = openStateDatabase(dataDir);
  const queues = openLocalQueues(db, clock, {
    retryAfterSeconds: options.retryAfterSeconds ?? DEFAULT_QUEUE_SETTINGS.retryAfterSeconds,
    maxReceiveCount: options.maxReceiveCount ?? DEFAULT_QUEUE_SETTINGS.maxReceiveCount,
  });

  const records = createSqliteRecordStore(db, { clock });
  const feed = createSqliteRecordChangeFeed(db, { clock });
  const objectsDir = path.join(dataDir, 'buckets');
  /** S3 event notifications: a created object becomes a message on the queue that feeds the next stage. */
  const announce = (queue: SqliteQueue) => async (n: ObjectCreatedNotice) => {
    await queue.send(s3NotificationBody({ ...n, eTag: n.etag }, clock.now()));
  };
  const quarantine = createFsObjectStore(objectsDir, 'quarantine', clock, { onPut: announce(queues.scan) });
  const clean = createFsObjectStore(objectsDir, 'clean', clock, { onPut: announce(queues.face) });

  const signingKey = await loadOrCreateLocalSigningKey(keysDir);
  const signer = createLocalSigner(signingKey);
  const verifier = createPublicKeyVerifier(new Map([[signingKey.keyId, signingKey.publicKey]]));
  const uploadSecret = await loadOrCreateSecret(path.join(keysDir, 'upload-policy.key'));
  const sanitizer = createSharpImageSanitizer();
  const faces = options.faces ?? createEmbeddedFaceAnalyzer();
  const signatures = options.scanner ? null : await startLocalSignatureScanner();
  const scanner = options.scanner ?? (signatures as LocalSignatureScanner).scanner;
  const ids = createRandomIds();
  const inbox = createFsInbox(path.join(dataDir, 'onprem-inbox'));

  // The HTTP server starts first so the grants can name its real port.
  let baseUrl = '';
  const grants = createLocalUploadGrants({
    get url() {
      return `${baseUrl}/uploads`;
    },
    bucket: quarantine.bucket,
    secret: uploadSecret,
    clock,
  });

  const onError = (where: string) => (err: unknown) =>
    logger.error('embedded runtime error', {
      where,
      errorName: err instanceof Error ? err.name : 'unknown',
      errorMessage: err instanceof Error ? err.message : String(err),
    });

  const depths = () => Object.fromEntries(Object.keys(queues).map((name) => [name, approximateDepth(db, name, clock.now())]));
  const server = createHttpServer({
    webDir: options.webDir,
    api: {
      createApplication: makeCreateApplicationHandler({ records, grants, ids, clock, retention }),
      getStatus: makeGetStatusHandler({ records }),
      requestUpload: makeRequestUploadHandler({ records, grants, ids, clock, cleanObjects: clean }),
    },
    uploads: {
      quarantine,
      secret: uploadSecret,
      clock,
      quarantineTtlSeconds: QUARANTINE_TTL_SECONDS,
      maxRequestBytes: 11 * 1024 * 1024,
    },
    inbox,
    openApi: () => buildOpenApiDocument(baseUrl || '/'),
    health: () => ({ status: 'ok', queues: depths() }),
    onError: onError('http'),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  baseUrl = `http://${options.host ?? '127.0.0.1'}:${address.port}`;

  const workers: Worker[] = [
    startQueueWorker({
      name: 'scan-upload',
      queue: queues.scan,
      batchSize: 10,
      handler: makeScanUploadHandler({
        records,
        quarantine,
        clean,
        clock,
        sanitizer,
        scanner,
        onIncident: (i) =>
          logger.warn('signature hit on upload', { sha256: i.sha256, size: i.size, signature: i.signature, slot: i.slot }),
      }),
      onError: onError('scan-upload'),
    }),
    startQueueWorker({
      name: 'check-faces',
      queue: queues.face,
      batchSize: 1,
      handler: makeCheckFacesHandler({
        records,
        clean,
        faces,
        clock,
        thresholds: options.thresholds ?? DEFAULT_PHOTO_THRESHOLDS,
      }),
      onError: onError('check-faces'),
    }),
    startStreamPump({
      feed,
      handler: makeReleaseRecordHandler({ records, clean, sanitizer, signer, releaseQueue: queues.release, clock, retention }),
      failureQueue: queues['release-stream-failures'],
      maxAttempts: 3,
      onError: onError('release-record'),
    }),
  ];

  const poller: ReceiveSummary = { received: 0, filed: 0, duplicates: 0, refused: 0, refusals: [] };
  let polling = options.runPoller ?? true;
  const pollLoop = (async () => {
    while (polling) {
      try {
        const s = await receiveReleases({ queue: queues.release, verifier, inbox }, 1);
        poller.received += s.received;
        poller.filed += s.filed;
        poller.duplicates += s.duplicates;
        poller.refused += s.refused;
        poller.refusals.push(...s.refusals);
      } catch (err) {
        onError('poller')(err);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();

  const sweep = async () => {
    const now = clock.now();
    await expireApplications({ records, quarantine, clean, clock, retention });
    records.purgeExpired(now);
    await quarantine.purgeExpiredObjects(now);
    await clean.purgeExpiredObjects(now);
    purgeExpiredMessages(db, now);
    feed.prune(new Date(now.getTime() - 24 * 60 * 60 * 1000));
  };
  const sweeper = setInterval(() => void sweep().catch(onError('sweep')), SWEEP_INTERVAL_MS);
  sweeper.unref();

  return {
    url: baseUrl,
    dataDir,
    db,
    records,
    inbox,
    queues,
    buckets: { quarantine, clean },
    poller,
    signatureScan: signatures?.description ?? 'provided by the caller',
    depths,
    async stop() {
      clearInterval(sweeper);
      polling = false;
      for (const queue of Object.values(queues)) queue.close();
      await Promise.all([...workers.map((w) => w.stop()), pollLoop]);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      if (!options.faces && 'close' in faces && typeof faces.close === 'function') await faces.close();
      await signatures?.stop();
      closeDatabase(db);
    },
  };
}
