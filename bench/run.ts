/**
 * `npm run bench`: figures, not pass/fail. Each stage in isolation (scan, face, release message),
 * then the whole embedded pipeline end to end over many applications, memory, and bundle sizes.
 *
 *   npm run bench [-- --apps 50] [-- --concurrency 4] [-- --soak 500] [-- --only scan,release,face,soak,e2e,bundles] [-- --json]
 */
import '../bin/support/quiet-env';
import '../bin/support/local-env';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import sharp from 'sharp';
import { createIntakeClient } from '../bin/support/intake-client';
import { adultApplicant } from '../bin/support/sample-applicants';
import { sampleIdCard, samplePassportPhoto } from '../bin/support/sample-images';
import { percentile, runScenario } from '../bin/support/scenarios';
import { createSharpImageSanitizer } from '../functions/adapters/image/sharp-image-sanitizer';
import { createEmbeddedFaceAnalyzer } from '../functions/adapters/local/embedded-face-analyzer';
import { createLocalSigner, loadOrCreateLocalSigningKey } from '../functions/adapters/local/local-signer';
import { startEmbeddedRuntime } from '../functions/local-runtime/embedded-runtime';
import { startLocalSignatureScanner } from '../functions/local-runtime/signature-scanner';
import { vetUpload } from '../functions/scan-upload/vet-upload';

const ROOT = path.resolve(__dirname, '..');
const figures: Record<string, unknown> = {};
let jsonOnly = false;
const say = (line: string) => {
  if (!jsonOnly) process.stdout.write(`${line}\n`);
};
const ms = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(1)} ms`);
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

async function timeMany(n: number, fn: (i: number) => Promise<unknown>): Promise<{ p50: number; p95: number; n: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const t0 = performance.now();
    await fn(i);
    times.push(performance.now() - t0);
  }
  return { p50: percentile(times, 50) as number, p95: percentile(times, 95) as number, n };
}

/** A JPEG with a unique COM segment, so no cache anywhere can answer from an earlier payload. */
function withUniqueComment(jpeg: Uint8Array, i: number): Buffer {
  const text = Buffer.from(`bench payload ${i} ${Math.random()}`);
  const seg = Buffer.alloc(4);
  seg.writeUInt16BE(0xfffe, 0);
  seg.writeUInt16BE(text.length + 2, 2);
  return Buffer.concat([Buffer.from(jpeg.subarray(0, 2)), seg, text, Buffer.from(jpeg.subarray(2))]);
}

/** A PNG whose header claims 60000x60000 (pixel flood), valid CRC, tiny file. */
function pixelFloodPng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = (crcTable[(c ^ x) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(60000, 0);
  ihdr.writeUInt32BE(60000, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.alloc(64)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function benchScan(): Promise<void> {
  const sanitizer = createSharpImageSanitizer();
  const signatures = await startLocalSignatureScanner();
  const deps = { sanitizer, scanner: signatures.scanner };
  const photo = await sharp(await samplePassportPhoto(0))
    .resize(600, 800, { fit: 'cover' })
    .jpeg({ quality: 90 })
    .toBuffer();
  await vetUpload(withUniqueComment(photo, -1), deps);
  const scan = await timeMany(50, (i) => vetUpload(withUniqueComment(photo, i), deps));
  const flood = pixelFloodPng();
  const floodT = await timeMany(20, () => vetUpload(flood, deps));
  // The corpus's complete, valid 1-bit 16000x16000 PNG (256 Mpx of zeros in 31 KB).
  const bomb = await readFile(path.join(ROOT, '../shared/corpus/uploads/png-bomb-16000x16000.png')).catch(() => null);
  const bombT = bomb ? await timeMany(20, () => vetUpload(bomb, deps)) : null;
  await signatures.stop();
  figures.scan = { photo600x800: scan, pixelFlood60000: floodT, pngBomb16000: bombT, signatureScan: signatures.description };
  say('scan stage (allowlist, header limits, signature scan of the original and of the output, rebuild)');
  say(`  signature scan: ${signatures.description}`);
  say(`  600x800 photo, unique payloads   p50 ${ms(scan.p50)}  p95 ${ms(scan.p95)}  (n=${scan.n})`);
  say(`  pixel flood 60000x60000 rejected p50 ${ms(floodT.p50)}  p95 ${ms(floodT.p95)}`);
  say(
    bombT
      ? `  PNG bomb 16000x16000 rejected    p50 ${ms(bombT.p50)}  p95 ${ms(bombT.p95)}`
      : '  PNG bomb: n/a (../shared/corpus is not next to the repo)',
  );
}

/** One face engine per process (tfjs is process-wide): the stage bench and the runtime share it. */
const faces = createEmbeddedFaceAnalyzer();

async function benchFaces(): Promise<void> {
  const photos = await Promise.all([0, 1, 2].map(samplePassportPhoto));
  const ids = await Promise.all([0, 1, 2].map(sampleIdCard));
  const t0 = performance.now();
  await faces.analyzePortrait(photos[0] as Uint8Array);
  await faces.compareFaces(photos[0] as Uint8Array, ids[0] as Uint8Array);
  const cold = performance.now() - t0;
  const rss0 = process.memoryUsage().rss;
  const warm = await timeMany(30, async (i) => {
    const p = photos[i % 3] as Uint8Array;
    await faces.analyzePortrait(p);
    await faces.compareFaces(p, ids[i % 3] as Uint8Array);
  });
  const rss1 = process.memoryUsage().rss;
  figures.face = { firstApplicationMs: cold, warmPerApplication: warm, rssBeforeMB: mb(rss0), rssAfterMB: mb(rss1) };
  say('face stage per application (photo rules + comparison with the ID portrait, embedded model)');
  say(`  first application (model load)   ${ms(cold)}`);
  say(
    `  warm                             p50 ${ms(warm.p50)}  p95 ${ms(warm.p95)}  (n=${warm.n}); RSS ${mb(rss0)} → ${mb(rss1)} MB`,
  );
}

/** The face stage over many applications: is memory flat (no leak of tensors or buffers)? */
async function benchFaceSoak(applications: number): Promise<void> {
  const photos = await Promise.all([0, 1, 2, 3].map(samplePassportPhoto));
  const ids = await Promise.all([0, 1, 2, 3].map(sampleIdCard));
  await faces.analyzePortrait(photos[0] as Uint8Array);
  const samples: { after: number; rssMB: number; heapMB: number }[] = [];
  const times: number[] = [];
  for (let i = 0; i < applications; i += 1) {
    const t0 = performance.now();
    await faces.analyzePortrait(photos[i % 4] as Uint8Array);
    await faces.compareFaces(photos[i % 4] as Uint8Array, ids[(i + (i % 3 === 0 ? 1 : 0)) % 4] as Uint8Array);
    times.push(performance.now() - t0);
    if ((i + 1) % 100 === 0) {
      const m = process.memoryUsage();
      samples.push({ after: i + 1, rssMB: mb(m.rss), heapMB: mb(m.heapUsed) });
    }
  }
  figures.faceSoak = { applications, p50: percentile(times, 50), p95: percentile(times, 95), memory: samples };
  say(`face stage soak (${applications} applications, one process)`);
  say(`  per application p50 ${ms(percentile(times, 50))}  p95 ${ms(percentile(times, 95))}`);
  say(`  memory every 100: ${samples.map((x) => `${x.after}: RSS ${x.rssMB} MB, heap ${x.heapMB} MB`).join(' · ')}`);
}

async function benchRelease(): Promise<void> {
  const sanitizer = createSharpImageSanitizer();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-key-'));
  const signer = createLocalSigner(await loadOrCreateLocalSigningKey(dir));
  const photo = await samplePassportPhoto(0);
  const id = await sampleIdCard(0);
  const t = await timeMany(30, async () => {
    const [p, i] = await Promise.all([sanitizer.downscale(photo, 900, 85), sanitizer.downscale(id, 900, 85)]);
    await signer.sign(Buffer.concat([p.output, i.output]));
  });
  figures.releaseMessage = t;
  say('release message (downscale both images, sign)');
  say(`  p50 ${ms(t.p50)}  p95 ${ms(t.p95)}`);
  await rm(dir, { recursive: true, force: true });
}

async function benchEndToEnd(apps: number, concurrency: number): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-e2e-'));
  const runtime = await startEmbeddedRuntime({ dataDir, port: 0, webDir: path.join(ROOT, 'web/dist'), faces });
  const client = createIntakeClient(runtime.url);
  const photos = await Promise.all([0, 1, 2].map(samplePassportPhoto));
  const ids = await Promise.all([0, 1, 2].map(sampleIdCard));
  // Warm the model once, as a long-running process would be.
  await runScenario(client, runtime.inbox, {
    kind: 'compliant',
    label: 'warm-up',
    application: adultApplicant(0),
    photo: photos[0] as Uint8Array,
    idCard: ids[0] as Uint8Array,
  });

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const rssStart = process.memoryUsage().rss;
  const started = performance.now();
  const results: Awaited<ReturnType<typeof runScenario>>[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < apps) {
        const i = next;
        next += 1;
        results.push(
          await runScenario(client, runtime.inbox, {
            kind: 'compliant',
            label: `bench ${i}`,
            application: adultApplicant(i + 1),
            photo: photos[i % 3] as Uint8Array,
            idCard: ids[i % 3] as Uint8Array,
          }),
        );
      }
    }),
  );
  const wall = performance.now() - started;
  clearInterval(sampler);
  const rssEnd = process.memoryUsage().rss;
  const latencies = results.filter((r) => r.ending === 'released').map((r) => r.latencyMs as number);
  const e2e = {
    applications: apps,
    concurrency,
    released: latencies.length,
    lost: results.filter((r) => r.ending === 'lost').length,
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
    throughputPerMinute: (apps / wall) * 60_000,
    wallMs: wall,
    rssMB: { start: mb(rssStart), end: mb(rssEnd), peak: mb(peakRss) },
  };
  figures[`endToEndConcurrency${concurrency}`] = e2e;
  say(`end to end (embedded runtime, ${apps} applications, ${concurrency} at a time; last upload → on-premises inbox)`);
  say(`  latency p50 ${ms(e2e.latencyMs.p50)}  p95 ${ms(e2e.latencyMs.p95)}; released ${e2e.released}, lost ${e2e.lost}`);
  say(`  throughput ${e2e.throughputPerMinute.toFixed(1)} applications/min (${(wall / 1000).toFixed(1)} s)`);
  say(`  process RSS start ${e2e.rssMB.start} MB, end ${e2e.rssMB.end} MB, peak ${e2e.rssMB.peak} MB`);
  await runtime.stop();
  await rm(dataDir, { recursive: true, force: true });
}

/** Functions deployed as a container image (they need sharp); the rest are zip functions. */
const IMAGE_FUNCTIONS = new Set(['scan-upload', 'release-record']);

async function benchBundles(): Promise<void> {
  const outdir = await mkdtemp(path.join(os.tmpdir(), 'bench-bundles-'));
  const fnDir = path.join(ROOT, 'functions');
  const names = (await readdir(fnDir)).filter((n) => !['core', 'adapters', 'shared', 'local-runtime', 'onprem'].includes(n));
  const rows: Record<string, { kind: string; bytes: number; gzip: number; loadMs: number }> = {};
  for (const name of names.sort()) {
    const entry = path.join(fnDir, name, 'handler.ts');
    if (!(await stat(entry).catch(() => null))) continue;
    const outfile = path.join(outdir, `${name}.js`);
    // As lib/constructs/service-function.ts bundles: minified CJS for Node 24, the AWS SDK bundled in, zod without locales.
    await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      mainFields: ['module', 'main'],
      alias: { zod: path.join(ROOT, 'functions/shared/bundling/zod.js') },
      outfile,
      external: IMAGE_FUNCTIONS.has(name) ? ['sharp'] : [],
      logLevel: 'silent',
    });
    const code = await readFile(outfile);
    // Module load (the init a cold start pays before the first event), measured inside a fresh process.
    const out = execFileSync(
      process.execPath,
      ['-e', `const t=performance.now();require(${JSON.stringify(outfile)});process.stdout.write(String(performance.now()-t))`],
      { cwd: ROOT, env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') } },
    );
    rows[name] = {
      kind: IMAGE_FUNCTIONS.has(name) ? 'image' : 'zip',
      bytes: code.length,
      gzip: gzipSync(code).length,
      loadMs: Number(out.toString()),
    };
  }
  figures.handlerBundles = rows;
  say('handler bundles (esbuild as the CDK app bundles them: minified, AWS SDK included; load = require() in a fresh process)');
  for (const [name, r] of Object.entries(rows)) {
    say(
      `  ${name.padEnd(20)} ${r.kind.padEnd(5)} ${(r.bytes / 1024).toFixed(0).padStart(5)} KB  gzip ${(r.gzip / 1024).toFixed(0).padStart(4)} KB  load ${r.loadMs.toFixed(0)} ms`,
    );
  }

  const web = path.join(ROOT, 'web/dist');
  const files = (await readdir(web).catch(() => [] as string[])).filter((f) => /\.(js|css)$/.test(f));
  const webRows: Record<string, { bytes: number; gzip: number }> = {};
  for (const f of files) {
    const b = await readFile(path.join(web, f));
    webRows[f] = { bytes: b.length, gzip: gzipSync(b).length };
  }
  figures.webAssets = webRows;
  say('web assets (web/dist)');
  for (const [f, r] of Object.entries(webRows))
    say(`  ${f.padEnd(20)} ${(r.bytes / 1024).toFixed(1).padStart(6)} KB  gzip ${(r.gzip / 1024).toFixed(1).padStart(5)} KB`);
  await rm(outdir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      apps: { type: 'string', default: '50' },
      concurrency: { type: 'string', default: '4' },
      only: { type: 'string', default: 'scan,release,face,soak,e2e,bundles' },
      soak: { type: 'string', default: '500' },
      json: { type: 'boolean', default: false },
    },
  });
  jsonOnly = values.json;
  say(
    `machine: ${os.cpus().length} cores, node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const only = new Set(values.only.split(','));
  if (only.has('scan')) await benchScan();
  if (only.has('release')) await benchRelease();
  if (only.has('face')) await benchFaces();
  if (only.has('soak')) await benchFaceSoak(Number(values.soak));
  if (only.has('e2e')) {
    // One at a time gives the latency an applicant sees on a quiet system; several at a time, the throughput.
    await benchEndToEnd(Math.min(20, Number(values.apps)), 1);
    await benchEndToEnd(Number(values.apps), Number(values.concurrency));
  }
  if (only.has('bundles')) await benchBundles();
  figures.maxRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  say(`peak RSS of this process (all of the above, runtime included): ${figures.maxRssMB} MB`);
  if (jsonOnly) process.stdout.write(`${JSON.stringify(figures)}\n`);
  await faces.close?.();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
