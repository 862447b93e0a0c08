/**
 * `npm run -s eval:faces -- --data <folder> [--json] [--split] [--set option=value ...] [--sweep-human-weight]`
 *
 * Verification accuracy of the embedded matcher (compareFaces: photo vs ID card) on a labelled face set:
 * `<folder>/manifest.csv` with `file,identity` rows, paths relative to the folder. Every genuine pair
 * (same identity) and every impostor pair (different identities) is scored. Each image is embedded ONCE
 * through the adapter's evaluation hook (the same code path compareFaces runs), then pairs are scored
 * with the adapter's own distance; templates live in memory only and are dropped at exit.
 *
 * Failure to acquire (no face found): every pair with such an image is scored as a non-match
 * (-Infinity): it counts against FNMR for genuine pairs and as a correct rejection for impostor pairs.
 *
 * Options:
 *   --set key=value          override an EmbeddedFaceAnalyzerOptions field (numbers, booleans, strings)
 *   --split                  also report identities of the first half (A) and second half (B) separately
 *   --sweep-human-weight     needs --set matchHumanWeight=<any > 0>: choose the fusion weight on split A
 *                            (lowest FNMR at FMR 1e-3, then lowest EER), report it on split B and on all
 *   --limit-identities N     use only the first N identities (smoke runs)
 *   --json                   the last stdout line is one JSON object (progress goes to stderr)
 */
import '../bin/support/quiet-env';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  type EmbeddedFaceAnalyzerOptions,
  evaluationTemplate,
  type MatchTemplate,
  matchDistance,
  similarityFromDistance,
} from '../functions/adapters/local/embedded-face-analyzer';
import { atFmr, type VerificationMetrics, verificationMetrics, wilsonInterval } from './face-metrics';

interface Entry {
  readonly file: string;
  readonly identity: string;
}

function fail(message: string): never {
  process.stderr.write(`eval:faces: ${message}\n`);
  process.exit(2);
}

function readManifest(folder: string): Entry[] {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) fail(`data folder not found: ${folder}`);
  const manifest = path.join(folder, 'manifest.csv');
  if (!existsSync(manifest)) fail(`manifest not found: ${manifest} (expected "file,identity" rows)`);
  const lines = readFileSync(manifest, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
  const [header, ...rows] = lines;
  if (header?.replace(/\s/g, '').toLowerCase() !== 'file,identity') fail(`${manifest}: the header must be "file,identity"`);
  const entries = rows.map((row, i) => {
    const comma = row.lastIndexOf(',');
    const file = row.slice(0, comma).trim();
    const identity = row.slice(comma + 1).trim();
    if (comma <= 0 || !file || !identity) fail(`${manifest}: line ${i + 2} is not "file,identity"`);
    if (!existsSync(path.join(folder, file))) fail(`${manifest}: line ${i + 2}: ${file} does not exist`);
    return { file, identity };
  });
  if (new Set(entries.map((e) => e.identity)).size < 2) fail(`${manifest}: needs at least two identities`);
  return entries;
}

function parseValue(raw: string): string | number | boolean {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  const n = Number(raw);
  return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
}

function overridesFrom(sets: readonly string[]): EmbeddedFaceAnalyzerOptions {
  const out: Record<string, string | number | boolean> = {};
  for (const set of sets) {
    const eq = set.indexOf('=');
    if (eq <= 0) fail(`--set expects key=value, got "${set}"`);
    out[set.slice(0, eq)] = parseValue(set.slice(eq + 1));
  }
  return out as EmbeddedFaceAnalyzerOptions;
}

interface Scores {
  genuine: number[];
  impostor: number[];
  ftaGenuinePairs: number;
  ftaImpostorPairs: number;
}

/** All pairs i < j among `indices`; score = −distance, −Infinity when either image has no template. */
function scorePairs(
  entries: readonly Entry[],
  templates: readonly (MatchTemplate | null)[],
  indices: readonly number[],
  options: EmbeddedFaceAnalyzerOptions,
): Scores {
  const scores: Scores = { genuine: [], impostor: [], ftaGenuinePairs: 0, ftaImpostorPairs: 0 };
  for (let x = 0; x < indices.length; x += 1) {
    const i = indices[x] as number;
    const a = templates[i] ?? null;
    for (let y = x + 1; y < indices.length; y += 1) {
      const j = indices[y] as number;
      const b = templates[j] ?? null;
      const same = (entries[i] as Entry).identity === (entries[j] as Entry).identity;
      const score = a && b ? -matchDistance(a, b, options) : Number.NEGATIVE_INFINITY;
      if (same) {
        scores.genuine.push(score);
        if (!(a && b)) scores.ftaGenuinePairs += 1;
      } else {
        scores.impostor.push(score);
        if (!(a && b)) scores.ftaImpostorPairs += 1;
      }
    }
  }
  return scores;
}

/** Score threshold (−distance) → the engine's 0–100 similarity, unrounded to 2 dp by similarityFromDistance. */
function similarityAt(threshold: number): number | null {
  return Number.isFinite(threshold) ? similarityFromDistance(-threshold) : null;
}

interface Report {
  readonly label: string;
  readonly metrics: VerificationMetrics;
  readonly scores: Scores;
}

const pct = (v: number) => `${(100 * v).toFixed(2)} %`;

function printTable(reports: readonly Report[]): void {
  const rows = [
    ['set', 'genuine', 'impostor', 'FTA gen/imp pairs', 'EER', 'FNMR@FMR1e-2', 'FNMR@FMR1e-3 (95% CI)', 'd@1e-3', 'sim@1e-3'],
    ...reports.map(({ label, metrics: m, scores: s }) => {
      const k = Math.round(m.atFmr1e3.fnmr * m.genuine);
      const ci = wilsonInterval(k, m.genuine);
      return [
        label,
        String(m.genuine),
        String(m.impostor),
        `${s.ftaGenuinePairs}/${s.ftaImpostorPairs}`,
        pct(m.eer),
        pct(m.atFmr1e2.fnmr),
        `${pct(m.atFmr1e3.fnmr)} (${pct(ci.low)}–${pct(ci.high)})`,
        (-m.atFmr1e3.threshold).toFixed(4),
        String(similarityAt(m.atFmr1e3.threshold)),
      ];
    }),
  ];
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  for (const row of rows) process.stdout.write(`${row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ')}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      json: { type: 'boolean', default: false },
      split: { type: 'boolean', default: false },
      set: { type: 'string', multiple: true, default: [] },
      'sweep-human-weight': { type: 'boolean', default: false },
      'limit-identities': { type: 'string' },
    },
  });
  if (!values.data) fail('--data <folder> is required (a folder with manifest.csv: file,identity)');
  const folder = path.resolve(values.data);
  let entries = readManifest(folder);
  const identities = [...new Set(entries.map((e) => e.identity))];
  const limit = values['limit-identities'] ? Number(values['limit-identities']) : identities.length;
  const kept = new Set(identities.slice(0, limit));
  entries = entries.filter((e) => kept.has(e.identity));
  const options = overridesFrom(values.set);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`eval:faces: ${entries.length} images, ${kept.size} identities, options ${JSON.stringify(options)}`);

  // Embed each image once.
  const templates: (MatchTemplate | null)[] = [];
  const times: number[] = [];
  const started = performance.now();
  await evaluationTemplate(readFileSync(path.join(folder, (entries[0] as Entry).file)), options); // load + warm
  for (const [i, entry] of entries.entries()) {
    const bytes = readFileSync(path.join(folder, entry.file));
    const t0 = performance.now();
    templates.push(await evaluationTemplate(bytes, options));
    times.push(performance.now() - t0);
    if ((i + 1) % 25 === 0 || i + 1 === entries.length) {
      const elapsed = (performance.now() - started) / 1000;
      log(
        `  embedded ${i + 1}/${entries.length} (${elapsed.toFixed(0)} s, no face so far: ${templates.filter((t) => !t).length})`,
      );
    }
  }
  const fta = entries.filter((_, i) => !templates[i]).map((e) => e.file);
  const sorted = [...times].sort((a, b) => a - b);
  const perImageMs = {
    median: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
    p90: Math.round(sorted[Math.floor(sorted.length * 0.9)] ?? 0),
  };

  const identityIndex = new Map(identities.map((id, i) => [id, i]));
  const half = Math.ceil(kept.size / 2);
  const all = entries.map((_, i) => i);
  const splitA = all.filter((i) => (identityIndex.get((entries[i] as Entry).identity) ?? 0) < half);
  const splitB = all.filter((i) => (identityIndex.get((entries[i] as Entry).identity) ?? 0) >= half);
  const report = (label: string, indices: number[], opts: EmbeddedFaceAnalyzerOptions): Report => {
    const scores = scorePairs(entries, templates, indices, opts);
    return { label, metrics: verificationMetrics(scores.genuine, scores.impostor), scores };
  };

  const reports: Report[] = [];
  let chosenWeight: number | undefined;
  const sweep: { weight: number; a: VerificationMetrics }[] = [];
  if (values['sweep-human-weight']) {
    if (!((options.matchHumanWeight ?? 0) > 0)) fail('--sweep-human-weight needs --set matchHumanWeight=<w > 0>');
    for (const weight of [0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.5, 2, 3]) {
      sweep.push({ weight, a: report('A', splitA, { ...options, matchHumanWeight: weight }).metrics });
    }
    const best = [...sweep].sort((x, y) => x.a.atFmr1e3.fnmr - y.a.atFmr1e3.fnmr || x.a.eer - y.a.eer)[0];
    chosenWeight = best?.weight ?? 0;
    for (const s of sweep) {
      log(
        `  weight ${s.weight}: split A EER ${pct(s.a.eer)}, FNMR@1e-2 ${pct(s.a.atFmr1e2.fnmr)}, FNMR@1e-3 ${pct(s.a.atFmr1e3.fnmr)}`,
      );
    }
    log(`  chosen on split A: matchHumanWeight=${chosenWeight}`);
    const chosen = { ...options, matchHumanWeight: chosenWeight };
    reports.push(report('all (face-api only)', all, { ...options, matchHumanWeight: 0 }));
    reports.push(report('B (face-api only)', splitB, { ...options, matchHumanWeight: 0 }));
    reports.push(report(`all (fused w=${chosenWeight})`, all, chosen));
    reports.push(report(`B (fused w=${chosenWeight}, chosen on A)`, splitB, chosen));
    reports.push(report('A (fused, chosen here)', splitA, chosen));
  } else {
    reports.push(report('all', all, options));
    reports.push(
      report(
        'all, FTA images left out',
        all.filter((i) => templates[i]),
        options,
      ),
    );
    if (values.split) {
      reports.push(report('A', splitA, options));
      reports.push(report('B', splitB, options));
    }
  }

  const main = values['sweep-human-weight'] ? (reports[2] as Report) : (reports[0] as Report);
  const m = main.metrics;
  const summary = {
    pairs: { genuine: m.genuine, impostor: m.impostor },
    eer: Number(m.eer.toFixed(4)),
    'fnmrAtFmr1e-2': Number(m.atFmr1e2.fnmr.toFixed(4)),
    'fnmrAtFmr1e-3': Number(m.atFmr1e3.fnmr.toFixed(4)),
    threshold: similarityAt(m.atFmr1e3.threshold),
  };
  log(
    `  FTA: ${fta.length} of ${entries.length} images${fta.length ? ` (${fta.join(', ')})` : ''}; ` +
      `pairs scored as non-matches: ${main.scores.ftaGenuinePairs} genuine, ${main.scores.ftaImpostorPairs} impostor`,
  );
  log(`  time per image (decode + detect + landmarks + descriptor): median ${perImageMs.median} ms, p90 ${perImageMs.p90} ms`);
  log(`  distance at FMR 1e-2: ${(-m.atFmr1e2.threshold).toFixed(4)}, at FMR 1e-3: ${(-m.atFmr1e3.threshold).toFixed(4)}`);
  const finite = (xs: number[]) => xs.filter(Number.isFinite).map((x) => -x);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const at1e1 = atFmr(main.scores.genuine, main.scores.impostor, 1e-1);
  log(
    `  distance at FMR 1e-1: ${(-at1e1.threshold).toFixed(4)}; median distance genuine ${median(finite(main.scores.genuine)).toFixed(4)}, ` +
      `impostor ${median(finite(main.scores.impostor)).toFixed(4)}`,
  );
  if (chosenWeight !== undefined) log(`  fused weight: ${chosenWeight}`);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    printTable(reports);
    process.stdout.write(
      `FTA images: ${fta.length}; time per image: median ${perImageMs.median} ms (p90 ${perImageMs.p90} ms)\n` +
        `accept when similarity > threshold; threshold at FMR 1e-3: ${summary.threshold}\n`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`eval:faces: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
