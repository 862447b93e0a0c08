/**
 * `npm start`: the whole system on one machine (no cloud account, no Docker).
 *   PORT      (default 3000)      HTTP port on 127.0.0.1
 *   DATA_DIR  (default .data)     records, queues, buckets, keys and the on-premises inbox
 *   ONPREM_POLLER=off              do not run the on-premises poller in this process
 *                                  (run it on its own: npm run poll -- --local .data --follow)
 */
import './support/local-env';
import path from 'node:path';
import { startEmbeddedRuntime } from '../functions/local-runtime/embedded-runtime';

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${process.env.PORT}`);
  const dataDir = path.resolve(process.env.DATA_DIR ?? '.data');
  const runPoller = process.env.ONPREM_POLLER !== 'off';
  const runtime = await startEmbeddedRuntime({ dataDir, port, runPoller, webDir: path.resolve(__dirname, '../web/dist') });
  const lines = [
    `Passport pre-review running at ${runtime.url}`,
    `  form              ${runtime.url}/`,
    `  status page       ${runtime.url}/status.html`,
    `  counter (onprem)  ${runtime.url}/onprem`,
    `  API description   ${runtime.url}/openapi.json`,
    `  data              ${dataDir}`,
    `  on-prem poller    ${runPoller ? 'in this process' : 'off (npm run poll -- --local DATA_DIR --follow)'}`,
    `  signature scan    ${runtime.signatureScan}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const shutdown = () => {
    runtime.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
