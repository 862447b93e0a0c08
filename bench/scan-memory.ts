/**
 * Peak memory of the scan stage per file: every file of the shared upload corpus
 * (`../shared/corpus/uploads`) goes through the real scan stage (`vetUpload` with the sharp
 * sanitizer and a real clamd) in a FRESH child process of its own, which reports its peak RSS
 * (`process.resourceUsage().maxRSS`) and the time of `vetUpload`. One clamd, started here with the
 * project signatures, serves every child; its own peak (VmHWM) is read before and after.
 *
 *   npx tsx bench/scan-memory.ts [--json]
 *
 * A first child loads the same modules and scans nothing: its peak is the baseline (Node, tsx,
 * sharp/libvips) that every other row includes. Target: the worst corpus file peaks at ≤ 300 MB.
 * Exit codes: 0 within the target, 1 over it or a failure (no corpus, no clamd, a child died).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findClamd, startClamd } from '../functions/adapters/clamav/clamd-process';
import { createClamdScanner } from '../functions/adapters/clamav/clamd-scanner';
import { createSharpImageSanitizer } from '../functions/adapters/image/sharp-image-sanitizer';
import { vetUpload } from '../functions/scan-upload/vet-upload';

const ROOT = path.resolve(__dirname, '..');
const CORPUS_DIR = path.resolve(ROOT, '../shared/corpus/uploads');
const SIGNATURES_DIR = path.join(ROOT, 'clamav/signatures');
const TARGET_MB = 300;
const CHILD_FLAG = '--child';

interface ChildReport {
  readonly outcome: string;
  readonly ms: number;
  /** process.resourceUsage().maxRSS, kilobytes. */
  readonly maxRssKb: number;
}

interface Row extends ChildReport {
  readonly file: string;
  readonly bytes: number;
}

// ---------------------------------------------------------------------------------------------
// child: one file, one scan, one report line on stdout

async function child(socketPath: string, file: string | undefined): Promise<void> {
  const deps = { sanitizer: createSharpImageSanitizer(), scanner: createClamdScanner({ socketPath }) };
  let report: ChildReport;
  if (file === undefined) {
    report = { outcome: 'baseline', ms: 0, maxRssKb: process.resourceUsage().maxRSS };
  } else {
    const bytes = await readFile(file);
    const started = performance.now();
    const result = await vetUpload(bytes, deps);
    const ms = performance.now() - started;
    const outcome = result.outcome === 'accepted' ? 'accepted' : `rejected:${result.code}`;
    report = { outcome, ms, maxRssKb: process.resourceUsage().maxRSS };
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

// ---------------------------------------------------------------------------------------------
// parent

function runChild(socketPath: string, file?: string): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    // execArgv carries tsx's loader flags, so the child runs this TypeScript file the same way.
    const args = [...process.execArgv, __filename, CHILD_FLAG, socketPath, ...(file ? [file] : [])];
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    proc.stderr.on('data', (d: Buffer) => {
      err += d.toString('utf8');
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line) {
        reject(new Error(`child for ${file ?? 'baseline'} ended with ${signal ?? code}: ${err.trim().slice(-300)}`));
        return;
      }
      resolve(JSON.parse(line) as ChildReport);
    });
  });
}

function clamdMemory(pid: number): Promise<{ rssMb: number; peakMb: number } | null> {
  return readFile(`/proc/${pid}/status`, 'latin1').then(
    (status) => {
      const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
      return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
    },
    () => null,
  );
}

const mb = (kb: number) => kb / 1024;

async function parent(json: boolean): Promise<number> {
  const entries = await readdir(CORPUS_DIR).catch(() => {
    throw new Error(`the upload corpus is missing: expected ${CORPUS_DIR} (shared/corpus/uploads next to the repo)`);
  });
  const files = entries.filter((name) => name !== 'manifest.csv' && !name.endsWith('.md')).sort();
  if (files.length === 0) throw new Error(`the upload corpus in ${CORPUS_DIR} is empty`);
  if (findClamd() === null) throw new Error('clamd is not installed: apt-get install -y clamav-daemon');

  const runDir = await mkdtemp(path.join(os.tmpdir(), 'scan-memory-'));
  const clamd = await startClamd({ runDir: path.join(runDir, 'run'), signaturesDir: SIGNATURES_DIR });
  try {
    const clamdBefore = await clamdMemory(clamd.pid);
    const baseline = await runChild(clamd.socketPath);
    const rows: Row[] = [];
    for (const name of files) {
      const file = path.join(CORPUS_DIR, name);
      const report = await runChild(clamd.socketPath, file);
      rows.push({ file: name, bytes: (await stat(file)).size, ...report });
    }
    const clamdAfter = await clamdMemory(clamd.pid);
    const worst = rows.reduce((a, b) => (b.maxRssKb > a.maxRssKb ? b : a));
    const within = mb(worst.maxRssKb) <= TARGET_MB;

    if (json) {
      process.stdout.write(
        `${JSON.stringify({ baselineMaxRssKb: baseline.maxRssKb, rows, worst: worst.file, targetMb: TARGET_MB, within, clamdBefore, clamdAfter })}\n`,
      );
    } else {
      const line = (cols: string[]) =>
        `${cols[0]?.padEnd(36)} ${cols[1]?.padStart(9)} ${cols[2]?.padEnd(26)} ${cols[3]?.padStart(8)} ${cols[4]?.padStart(9)} ${cols[5]?.padStart(8)}`;
      const out = [
        `scan stage per file, a fresh child process each (${files.length} files from ../shared/corpus/uploads)`,
        line(['file', 'bytes', 'outcome', 'ms', 'peak MB', '+base MB']),
        line(['(baseline: modules loaded, no scan)', '', '', '', mb(baseline.maxRssKb).toFixed(1), '']),
        ...rows.map((r) =>
          line([
            r.file,
            String(r.bytes),
            r.outcome,
            r.ms.toFixed(1),
            mb(r.maxRssKb).toFixed(1),
            mb(r.maxRssKb - baseline.maxRssKb).toFixed(1),
          ]),
        ),
        `worst: ${worst.file} peaks at ${mb(worst.maxRssKb).toFixed(1)} MB (${mb(worst.maxRssKb - baseline.maxRssKb).toFixed(1)} MB over the baseline); target ≤ ${TARGET_MB} MB: ${within ? 'met' : 'NOT MET'}`,
        `clamd (pid ${clamd.pid}): RSS ${clamdBefore?.rssMb.toFixed(1) ?? 'n/a'} MB before, ${clamdAfter?.rssMb.toFixed(1) ?? 'n/a'} MB after; peak (VmHWM) ${clamdBefore?.peakMb.toFixed(1) ?? 'n/a'} → ${clamdAfter?.peakMb.toFixed(1) ?? 'n/a'} MB`,
      ];
      process.stdout.write(`${out.join('\n')}\n`);
    }
    return within ? 0 : 1;
  } finally {
    await clamd.stop();
    await rm(runDir, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
const main: Promise<number | undefined> =
  argv[0] === CHILD_FLAG ? child(argv[1] ?? '', argv[2]).then(() => undefined) : parent(argv.includes('--json'));
main.then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`scan-memory failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
