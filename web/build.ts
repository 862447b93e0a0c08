/**
 * Builds the hosted form into web/dist: one ES module bundle per page (esbuild: esm, minified,
 * es2020, source maps), the stylesheet, and the HTML pages with their Traditional Chinese text
 * filled in from the message table (so a page reads before its script runs). Writes
 * `config.json` only when absent (`{"apiBaseUrl": ""}` = same origin); the AWS deployment
 * replaces it. Prints every file's size, raw and gzip, and fails when a page's JS + CSS is over
 * the budget.
 *
 *   npx tsx web/build.ts
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { DEFAULT_LANG, isMessageKey, MESSAGES } from './src/i18n';

const root = import.meta.dirname;
const dist = join(root, 'dist');
const PAGES = [
  { html: 'index.html', script: 'form' },
  { html: 'status.html', script: 'status' },
] as const;
/** Budget per page: its JS + CSS, gzip. */
const BUDGET_GZIP_BYTES = 150 * 1024;

/**
 * zod re-exports its ~50 message locales as `z.locales`, which defeats tree shaking (about half of
 * zod's size in the bundle). The form translates the codes itself and zod only configures `en`,
 * so the locale index is replaced by one that exports `en` alone.
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)) return undefined;
      return { path: join(args.resolveDir, '../locales/en.js'), namespace: 'zod-locales' };
    });
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: root,
      loader: 'js',
    }));
  },
};

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Sets the text of every `<tag … data-i18n="key">text</tag>` (text only, no child elements) to the
 * default language's message, so the HTML always matches the table; unknown keys fail the build.
 */
export function fillHtml(html: string, file: string): string {
  const table = MESSAGES[DEFAULT_LANG];
  const missing: string[] = [];
  const lookup = (key: string) => {
    if (isMessageKey(key)) return escapeHtml(table[key]);
    missing.push(key);
    return '';
  };
  const out = html
    .replace(
      /<([a-z][a-z0-9]*)\b([^>]*\sdata-i18n="([^"]+)"[^>]*)>[^<]*<\/\1>/g,
      (_m, tag: string, attrs: string, key: string) => `<${tag}${attrs}>${lookup(key)}</${tag}>`,
    )
    .replace(/\sdata-i18n-label="([^"]+)"/g, (m, key: string) => `${m} aria-label="${lookup(key)}"`);
  // An element with data-i18n must hold text only; one with child elements would be left stale.
  const tagged = html.match(/\sdata-i18n="/g)?.length ?? 0;
  const filled = out.match(/\sdata-i18n="[^"]+"[^>]*>[^<]*<\//g)?.length ?? 0;
  if (filled !== tagged) missing.push(`${tagged - filled} element(s) with child elements`);
  if (missing.length > 0) throw new Error(`${file}: unknown or unfillable i18n keys: ${missing.join(', ')}`);
  return out;
}

function clean(): void {
  mkdirSync(dist, { recursive: true });
  for (const name of readdirSync(dist)) {
    if (name !== 'config.json') rmSync(join(dist, name), { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  clean();

  await build({
    entryPoints: PAGES.map((p) => join(root, 'src', `${p.script}.ts`)),
    outdir: dist,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    sourcemap: true,
    charset: 'utf8',
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [zodEnglishOnly],
    logLevel: 'warning',
  });

  await build({
    entryPoints: [join(root, 'styles.css')],
    outdir: dist,
    bundle: true,
    minify: true,
    target: ['chrome90', 'firefox90', 'safari14'],
    logLevel: 'warning',
  });

  for (const page of PAGES) {
    const html = readFileSync(join(root, page.html), 'utf8');
    writeFileSync(join(dist, page.html), fillHtml(html, page.html));
  }

  const configPath = join(dist, 'config.json');
  if (!existsSync(configPath)) writeFileSync(configPath, `${JSON.stringify({ apiBaseUrl: '' })}\n`);

  // Sizes
  const size = (name: string) => {
    const buf = readFileSync(join(dist, name));
    return { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
  };
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`.padStart(10);
  console.log(`web/dist (${Date.now() - started} ms)`);
  console.log(`${'file'.padEnd(22)}${'raw'.padStart(10)}${'gzip'.padStart(10)}`);
  for (const name of readdirSync(dist).sort()) {
    if (name.endsWith('.map')) continue;
    const s = size(name);
    console.log(`${name.padEnd(22)}${kb(s.raw)}${kb(s.gzip)}`);
  }
  let over = false;
  for (const page of PAGES) {
    const js = size(`${page.script}.js`);
    const css = size('styles.css');
    const html = size(page.html);
    const total = js.gzip + css.gzip;
    const verdict = total <= BUDGET_GZIP_BYTES ? 'ok' : 'OVER BUDGET';
    console.log(
      `page ${page.html}: JS+CSS ${kb(js.raw + css.raw).trim()} raw, ${kb(total).trim()} gzip (+ HTML ${kb(html.gzip).trim()} gzip) — budget ${BUDGET_GZIP_BYTES / 1024} KB gzip: ${verdict}`,
    );
    if (total > BUDGET_GZIP_BYTES) over = true;
  }
  console.log(`output: ${relative(process.cwd(), dist) || dist}`);
  if (over) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
