/**
 * The signature-scan layer on one machine: a clamd of our own, started with the project's
 * signatures (and, where `CLAMAV_DATABASE_DIR` is not set, only those), reached over a private
 * unix socket. When clamd is not installed or cannot start, the layer reports `not-run` and the
 * reason is shown at start-up; verdicts then say the scan did not run (never CLEAR).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findClamd, startClamd } from '../adapters/clamav/clamd-process';
import { createClamdScanner } from '../adapters/clamav/clamd-scanner';
import { createNoSignatureScanner } from '../adapters/local/no-signature-scanner';
import type { MalwareScanner } from '../core/ports';

export const PROJECT_SIGNATURES_DIR = path.resolve(__dirname, '../../clamav/signatures');

export interface LocalSignatureScanner {
  readonly scanner: MalwareScanner;
  /** One line for the start-up banner. */
  readonly description: string;
  readonly running: boolean;
  stop(): Promise<void>;
}

export async function startLocalSignatureScanner(signaturesDir = PROJECT_SIGNATURES_DIR): Promise<LocalSignatureScanner> {
  const unavailable = (why: string): LocalSignatureScanner => ({
    scanner: createNoSignatureScanner(why),
    description: `NOT RUNNING (${why}): uploads are rebuilt but not signature-scanned, and their verdict is REVIEW`,
    running: false,
    stop: async () => undefined,
  });
  if (!findClamd()) return unavailable('clamd is not installed; install Debian clamav-daemon');
  const runDir = await mkdtemp(path.join(os.tmpdir(), 'prereview-clamd-'));
  try {
    const clamd = await startClamd({ runDir, signaturesDir });
    return {
      scanner: createClamdScanner({ socketPath: clamd.socketPath }),
      description: `clamd (pid ${clamd.pid}) with the project signatures in ${path.relative(process.cwd(), signaturesDir) || signaturesDir}`,
      running: true,
      async stop() {
        await clamd.stop();
        await rm(runDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(runDir, { recursive: true, force: true });
    return unavailable(`clamd did not start: ${err instanceof Error ? err.message : String(err)}`);
  }
}
