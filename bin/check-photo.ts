/**
 * Runs every photo check on single files, as the face stage would with the embedded engine: the
 * scanner's rebuild (sharp sanitizer: allowlist, limits, decode, re-encode) gives the clean photo and
 * its statistics, the embedded face engine analyses the clean photo, the core evaluates the rules.
 * The signature scan is not run here (it decides nothing about the photo rules).
 *
 *   npm run -s check-photo -- [--json] FILE...
 *
 * One line per file. With --json:
 *   {"file","checks":[{"name","value","threshold","result"}],"verdict"}
 * verdict: RETAKE when a fixable check fails, else INCONCLUSIVE when a check could not be measured,
 * else PASS (see `photoOutcome` in functions/core/photo-rules.ts). A file the scanner refuses gets
 * {"file","verdict":"REJECTED","reason"}.
 */
import './support/local-env';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createSharpImageSanitizer } from '../functions/adapters/image/sharp-image-sanitizer';
import { createEmbeddedFaceAnalyzer } from '../functions/adapters/local/embedded-face-analyzer';
import { evaluatePhoto, photoOutcome } from '../functions/core/photo-rules';
import type { FaceAnalyzer, ImageSanitizer } from '../functions/core/ports';
import type { Finding } from '../functions/core/verdict';

export interface CheckedPhoto {
  readonly file: string;
  readonly checks?: { name: string; value: Finding['value']; threshold: string | null; result: Finding['result'] }[];
  readonly verdict: 'PASS' | 'RETAKE' | 'INCONCLUSIVE' | 'REJECTED';
  readonly reason?: string;
}

export async function checkPhoto(
  file: string,
  bytes: Uint8Array,
  sanitizer: ImageSanitizer,
  faces: FaceAnalyzer,
): Promise<CheckedPhoto> {
  const rebuilt = await sanitizer.rebuild(bytes);
  if (!rebuilt.ok) return { file, verdict: 'REJECTED', reason: `${rebuilt.code}: ${rebuilt.detail}` };
  const analysis = await faces.analyzePortrait(rebuilt.output);
  const findings = evaluatePhoto(analysis, rebuilt.stats);
  return {
    file,
    checks: findings.map((f) => ({ name: f.check, value: f.value ?? null, threshold: f.threshold ?? null, result: f.result })),
    verdict: photoOutcome(findings),
  };
}

function humanLine(r: CheckedPhoto): string {
  if (r.verdict === 'REJECTED') return `REJECTED      ${r.file}: ${r.reason}\n`;
  const notPassed = (r.checks ?? []).filter((c) => c.result !== 'pass');
  const detail = notPassed.map((c) => `${c.name}=${String(c.value)} (${c.result}, ${c.threshold ?? '-'})`).join('; ');
  return `${r.verdict.padEnd(13)} ${r.file}${detail ? `: ${detail}` : ''}\n`;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
  if (positionals.length === 0) throw new Error('usage: npm run -s check-photo -- [--json] FILE...');
  const sanitizer = createSharpImageSanitizer();
  const faces = createEmbeddedFaceAnalyzer();
  try {
    for (const file of positionals) {
      let result: CheckedPhoto;
      try {
        result = await checkPhoto(file, await readFile(file), sanitizer, faces);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (!code) throw err;
        result = { file, verdict: 'REJECTED', reason: `unreadable: ${code}` };
      }
      process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : humanLine(result));
    }
  } finally {
    // The models are process-wide; close() waits for work in flight and refuses further calls.
    await faces.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  });
}
