/**
 * `npm run demo`: starts a fresh embedded runtime (temporary data directory, free port) and
 * submits sample applicants through its HTTP API: a compliant one, one whose ID card shows
 * another person, one whose upload is malicious, one whose photo breaks a rule, and a minor.
 * Works without ../shared: the pictures are generated from photos inside an npm dependency.
 *
 *   npm run demo [-- --json] [-- --keep]     --keep leaves the data directory for `npm run poll`
 *
 * With --json the last line is one JSON object:
 *   {"submitted","released","review","retake","rejected","lost","latencyMs":{"p50","p95"}}
 */
import './support/quiet-env';
import './support/local-env';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedRuntime } from '../functions/local-runtime/embedded-runtime';
import { createIntakeClient } from './support/intake-client';
import { demoScenarios, percentile, runScenario } from './support/scenarios';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { json: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } },
  });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'prereview-demo-'));
  const runtime = await startEmbeddedRuntime({ dataDir, port: 0, webDir: path.resolve(__dirname, '../web/dist') });
  const say = (line: string) => {
    if (!values.json) process.stdout.write(`${line}\n`);
  };
  say(`embedded runtime at ${runtime.url} (data in ${dataDir})`);
  try {
    const client = createIntakeClient(runtime.url);
    const scenarios = await demoScenarios();
    const results = [];
    for (const s of scenarios) {
      const r = await runScenario(client, runtime.inbox, s);
      results.push(r);
      const latency = r.latencyMs === null ? '' : ` in ${Math.round(r.latencyMs)} ms`;
      say(
        `- ${s.label.padEnd(40)} ${r.applicationId}  ${r.ending.toUpperCase()}${r.verdict ? ` ${r.verdict}` : ''}${r.reasons.length ? ` (${r.reasons.join(', ')})` : ''}${latency}`,
      );
    }
    const released = results.filter((r) => r.ending === 'released');
    const latencies = released.map((r) => r.latencyMs as number);
    const summary = {
      submitted: results.length,
      released: released.length,
      review: released.filter((r) => r.verdict === 'REVIEW').length,
      retake: results.filter((r) => r.ending === 'retake').length,
      rejected: results.filter((r) => r.ending === 'rejected').length,
      lost: results.filter((r) => r.ending === 'lost').length,
      latencyMs: { p50: round(percentile(latencies, 50)), p95: round(percentile(latencies, 95)) },
    };
    say(
      `\nreleased ${summary.released} (REVIEW ${summary.review}), retake ${summary.retake}, rejected ${summary.rejected}, lost ${summary.lost}`,
    );
    say(`latency from last upload to the on-premises inbox: p50 ${summary.latencyMs.p50} ms, p95 ${summary.latencyMs.p95} ms`);
    say(`the counter's view: ${runtime.url}/onprem (while this runs)`);
    if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await runtime.stop();
    if (values.keep) say(`data kept in ${dataDir}`);
    else await rm(dataDir, { recursive: true, force: true });
  }
}

const round = (v: number | null) => (v === null ? null : Math.round(v));

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
