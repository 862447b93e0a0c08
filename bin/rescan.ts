/**
 * Rescans the rebuilt images that are not released yet with the current signatures: run it after
 * every signature update (see docs/malware-scan.md, "Rescan after a signature update").
 *
 *   npm run -s rescan -- --local .data [--json] [--signatures DIR] [--page-size N]
 *
 * Against the embedded runtime's data folder (its SQLite file and its clean bucket), with a clamd
 * of its own started on the project signatures (or `--signatures DIR`). Prints one summary
 * (`--json`: one JSON line) on stdout; each incident and error goes to stderr as one JSON line
 * (application id, slot, hash, size, signature name; never image bytes or personal data).
 *
 * Exit codes: 0 done, every hit handled; 1 scanner/store errors, a hit that could not be blocked
 * (VETTED), or a failure (clamd missing); 2 bad arguments.
 */
import './support/local-env';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createFsObjectStore } from '../functions/adapters/local/fs-object-store';
import { closeDatabase, openStateDatabase, STATE_DATABASE_FILE } from '../functions/adapters/local/sqlite-database';
import { createSqliteRecordStore } from '../functions/adapters/local/sqlite-record-store';
import { systemClock } from '../functions/adapters/local/system-clock';
import { PROJECT_SIGNATURES_DIR, startLocalSignatureScanner } from '../functions/local-runtime/signature-scanner';
import { type RescanSummary, rescanClean } from '../functions/rescan-clean/rescan-clean';

const USAGE = `usage: npm run -s rescan -- --local DATA_DIR [--json] [--signatures DIR] [--page-size N]

  --local DATA_DIR    the embedded runtime's data folder (state.sqlite and buckets/clean)
  --json              print the summary as one JSON line
  --signatures DIR    clamd signature folder (default: the project's clamav/signatures)
  --page-size N       records per listing call (default 100)
`;

class UsageError extends Error {}

interface Options {
  readonly dataDir: string;
  readonly json: boolean;
  readonly signaturesDir: string;
  readonly pageSize: number;
}

function parseOptions(argv: string[]): Options | 'help' {
  let values: {
    local?: string;
    json?: boolean;
    signatures?: string;
    'page-size'?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        local: { type: 'string' },
        json: { type: 'boolean', default: false },
        signatures: { type: 'string' },
        'page-size': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return 'help';
  if (values.local === undefined) throw new UsageError('--local DATA_DIR is required');
  const pageSize = values['page-size'] === undefined ? 100 : Number(values['page-size']);
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new UsageError('--page-size must be a positive integer');
  return {
    dataDir: path.resolve(values.local),
    json: values.json ?? false,
    signaturesDir: path.resolve(values.signatures ?? PROJECT_SIGNATURES_DIR),
    pageSize,
  };
}

function printSummary(summary: RescanSummary, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  const lines = [
    `records ${summary.records}, objects scanned ${summary.objects}`,
    `  clean             ${summary.clean}`,
    `  infected          ${summary.infected}`,
    `  not blocked       ${summary.unblocked}${summary.unblocked > 0 ? '  <- VETTED records hit: stop their release by hand' : ''}`,
    `  errors            ${summary.errors}${summary.errors > 0 ? '  <- left as they were: run the rescan again' : ''}`,
    `  missing objects   ${summary.missing}`,
    `  leftovers deleted ${summary.leftoversDeleted}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!existsSync(path.join(options.dataDir, STATE_DATABASE_FILE))) {
    throw new Error(`no ${STATE_DATABASE_FILE} in ${options.dataDir}: is this the embedded runtime's data folder?`);
  }
  const signatures = await startLocalSignatureScanner(options.signaturesDir);
  if (!signatures.running) {
    throw new Error(`cannot rescan without a signature scanner: ${signatures.description}`);
  }
  if (!options.json) process.stderr.write(`signature scan: ${signatures.description}\n`);
  const db = openStateDatabase(options.dataDir);
  try {
    const clock = systemClock;
    const summary = await rescanClean(
      {
        records: createSqliteRecordStore(db, { clock }),
        clean: createFsObjectStore(path.join(options.dataDir, 'buckets'), 'clean', clock),
        scanner: signatures.scanner,
        clock,
        onIncident: (incident) => process.stderr.write(`${JSON.stringify({ incident: 'signature-hit', ...incident })}\n`),
        onError: (error) => process.stderr.write(`${JSON.stringify({ error: 'rescan', ...error })}\n`),
      },
      { pageSize: options.pageSize },
    );
    printSummary(summary, options.json);
    return summary.errors > 0 || summary.unblocked > 0 ? 1 : 0;
  } finally {
    closeDatabase(db);
    await signatures.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n${USAGE}`);
      process.exit(2);
    }
    process.stderr.write(`rescan failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
