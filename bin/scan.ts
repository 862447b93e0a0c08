/**
 * Runs the real scan stage (allowlist, limits, signature scan, rebuild) on single files:
 *
 *   npm run -s scan -- --json --out DIR FILE...
 *
 * One JSON line per file: {"file","outcome":"accepted"|"rejected","reason","output"}. The output
 * file is named by position and the input's base name, sanitised; it is always a rebuilt JPEG.
 */
import './support/local-env';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createSharpImageSanitizer } from '../functions/adapters/image/sharp-image-sanitizer';
import { startLocalSignatureScanner } from '../functions/local-runtime/signature-scanner';
import { vetUpload } from '../functions/scan-upload/vet-upload';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, out: { type: 'string' } },
  });
  if (positionals.length === 0) throw new Error('usage: npm run -s scan -- [--json] [--out DIR] FILE...');
  const outDir = values.out ? path.resolve(values.out) : null;
  if (outDir) await mkdir(outDir, { recursive: true });
  const signatures = await startLocalSignatureScanner();
  if (!values.json) process.stderr.write(`signature scan: ${signatures.description}\n`);
  const deps = { sanitizer: createSharpImageSanitizer(), scanner: signatures.scanner };

  let index = 0;
  for (const file of positionals) {
    index += 1;
    let line: {
      file: string;
      outcome: 'accepted' | 'rejected';
      reason: string | null;
      output: string | null;
      signatureScan?: string;
    };
    try {
      const result = await vetUpload(await readFile(file), deps);
      if (result.outcome === 'accepted') {
        let output: string | null = null;
        if (outDir) {
          const base = path
            .basename(file)
            .replace(/\.[^.]*$/, '')
            .replace(/[^A-Za-z0-9_-]/g, '_')
            .slice(0, 60);
          output = path.join(outDir, `${String(index).padStart(3, '0')}-${base}.jpg`);
          await writeFile(output, result.output);
        }
        line = { file, outcome: 'accepted', reason: null, output, signatureScan: result.signatureScan };
      } else {
        line = { file, outcome: 'rejected', reason: result.code, output: null };
      }
    } catch (err) {
      line = { file, outcome: 'rejected', reason: `unreadable: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, output: null };
    }
    process.stdout.write(
      values.json
        ? `${JSON.stringify(line)}\n`
        : `${line.outcome.padEnd(8)} ${line.reason ?? ''} ${file}${line.output ? ` -> ${line.output}` : ''}\n`,
    );
  }
  await signatures.stop();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
