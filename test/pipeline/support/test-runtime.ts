/** Starts the embedded runtime on a free port with a fresh data directory, for pipeline tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createIntakeClient, type IntakeClient } from '../../../bin/support/intake-client';
import {
  type EmbeddedRuntime,
  type EmbeddedRuntimeOptions,
  startEmbeddedRuntime,
} from '../../../functions/local-runtime/embedded-runtime';

export interface TestRuntime {
  readonly runtime: EmbeddedRuntime;
  readonly client: IntakeClient;
  close(): Promise<void>;
}

export async function startTestRuntime(options: Partial<EmbeddedRuntimeOptions> = {}): Promise<TestRuntime> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'prereview-test-'));
  const runtime = await startEmbeddedRuntime({
    dataDir,
    port: 0,
    webDir: path.resolve(__dirname, '../../../web/dist'),
    retryAfterSeconds: 1,
    maxReceiveCount: 2,
    ...options,
  });
  return {
    runtime,
    client: createIntakeClient(runtime.url),
    async close() {
      await runtime.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const isSettled = (s: { status: string }) => !['AWAITING_UPLOADS', 'SCANNING', 'CHECKING', 'VETTED'].includes(s.status);

/** Waits until `check` returns a value (not undefined), polling; fails with `what` after the timeout. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
