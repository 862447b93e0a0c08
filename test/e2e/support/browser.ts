/**
 * Headless Chromium for the end-to-end suites (Debian's `chromium`, driven by playwright-core), the
 * axe-core accessibility check (axe-core/axe.min.js) and the screenshots kept in test/e2e/artifacts.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AxeResults } from 'axe-core';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Debian's chromium; fails loudly (never skips) when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: the e2e suite needs Debian's chromium, which .ci/run installs (apt-get install -y chromium).`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export const PHONE = { width: 360, height: 740 } as const;
export const DESKTOP = { width: 1280, height: 800 } as const;

export const ARTIFACTS_DIR = path.resolve(__dirname, '../artifacts');
const AXE_SCRIPT = require.resolve('axe-core/axe.min.js');
let axeSource: Promise<string> | undefined;
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** axe-core's WCAG 2.1 A/AA violations on the page, one readable line per rule and element. */
export async function axeViolations(page: Page): Promise<string[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) {
    // The pages' CSP (script-src 'self') blocks the inline <script> that addScriptTag writes; an
    // evaluated script is not subject to it, so the pages are checked with their CSP on.
    axeSource ??= readFile(AXE_SCRIPT, 'utf8');
    await page.evaluate(await axeSource);
  }
  const results = await page.evaluate(
    (tags) =>
      (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<AxeResults> } }).axe.run(document, {
        runOnly: tags,
      }),
    WCAG_TAGS,
  );
  // A run that checked nothing (wrong tags, empty page) must not read as "no violations".
  if (results.passes.length === 0) throw new Error(`axe checked nothing on ${page.url()}`);
  return results.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact ?? 'n/a'}): ${v.help} — ${n.target.join(' ')} — ${n.failureSummary ?? ''}`),
  );
}

/**
 * Checks the page at phone and desktop width: runs axe at each width and saves a full-page
 * screenshot `<name>-360.png` / `<name>-1280.png`. Leaves the page at phone width. Returns the
 * violations found (prefixed with the width), so the caller asserts them together.
 */
export async function checkPage(page: Page, name: string): Promise<string[]> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const found: string[] = [];
  for (const size of [DESKTOP, PHONE]) {
    await page.setViewportSize(size);
    found.push(...(await axeViolations(page)).map((v) => `${size.width}px: ${v}`));
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}-${size.width}.png`), fullPage: true });
  }
  return found;
}
