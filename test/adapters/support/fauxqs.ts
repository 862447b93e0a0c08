/**
 * fauxqs 1.9.2 (SQS emulator) for the tests, in a child Node process on 127.0.0.1 and port 0.
 *
 * Why a child process: fauxqs is ESM-only (its package `exports` has only an `import` condition) and
 * Jest runs these suites as CommonJS, so `import('fauxqs')` inside Jest fails to resolve. The child
 * runs `startFauxqs({ port: 0, logger: false, host: '127.0.0.1' })` and prints the port.
 *
 * Time travel: fauxqs reads the time only through `Date.now()` (visibility deadlines, delays, its
 * deduplication cache), so the child wraps `Date.now` with an offset that {@link Fauxqs.advanceClock}
 * moves forward. Long-poll waits are real timers and are not shifted.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { SQSClient } from '@aws-sdk/client-sqs';

const CHILD = `
const realNow = Date.now.bind(Date);
let offsetMs = 0;
Date.now = () => realNow() + offsetMs;
const { startFauxqs } = await import('fauxqs');
const server = await startFauxqs({ port: 0, logger: false, host: '127.0.0.1' });
process.stdout.write(JSON.stringify({ port: server.port }) + '\\n');
const { createInterface } = await import('node:readline');
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const ms = Number(line.replace(/^advance /, ''));
  if (Number.isFinite(ms)) offsetMs += ms;
  process.stdout.write('ok\\n');
});
lines.on('close', () => server.stop().then(() => process.exit(0)));
`;

export interface Fauxqs {
  readonly endpoint: string;
  readonly region: string;
  /** A client for the emulator (dummy credentials; fauxqs checks none). */
  client(): SQSClient;
  /** Moves the emulator's clock forward. */
  advanceClock(seconds: number): Promise<void>;
  stop(): Promise<void>;
}

export const FAUXQS_REGION = 'us-east-1';

export async function startFauxqs(): Promise<Fauxqs> {
  const root = path.resolve(__dirname, '../../..');
  const child: ChildProcessByStdio<Writable, Readable, null> = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: Interface = createInterface({ input: child.stdout });
  const replies: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  lines.on('line', (line) => replies.shift()?.resolve(line));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      for (const r of replies.splice(0)) r.reject(new Error(`fauxqs exited with code ${String(code)}`));
      resolve();
    }),
  );
  const nextLine = () => new Promise<string>((resolve, reject) => replies.push({ resolve, reject }));
  const first = JSON.parse(await nextLine()) as { port: number };
  const endpoint = `http://127.0.0.1:${first.port}`;
  const clients: SQSClient[] = [];
  return {
    endpoint,
    region: FAUXQS_REGION,
    client() {
      const client = new SQSClient({
        endpoint,
        region: FAUXQS_REGION,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      });
      clients.push(client);
      return client;
    },
    async advanceClock(seconds) {
      const ack = nextLine();
      child.stdin.write(`advance ${Math.round(seconds * 1000)}\n`);
      await ack;
    },
    async stop() {
      for (const c of clients) c.destroy();
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
