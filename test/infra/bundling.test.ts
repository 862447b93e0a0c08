/**
 * The Lambda bundles replace `zod` with a stand-in without its message locales
 * (functions/shared/bundling/zod.js). A bundle built that way must validate exactly as the real
 * zod does, and must not carry the locales.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { adultApplicant } from '../../bin/support/sample-applicants';
import { applicationSchema } from '../../functions/core/application';
import { ZOD_WITHOUT_LOCALES } from '../../lib/constructs/service-function';

const ROOT = path.resolve(__dirname, '../..');

it('a bundle with zod aliased to the stand-in validates like the real zod, without the locales', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'zod-bundle-'));
  try {
    const outfile = path.join(dir, 'application.js');
    await esbuild.build({
      entryPoints: [path.join(ROOT, 'functions/core/application.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      mainFields: ['module', 'main'],
      alias: { zod: ZOD_WITHOUT_LOCALES },
      outfile,
      logLevel: 'silent',
    });
    const code = await readFile(outfile, 'utf8');
    expect(code).not.toContain('node_modules/zod/v4/locales/he.js');
    const bundled = require(outfile) as typeof import('../../functions/core/application');
    const asOf = new Date('2026-11-28T00:00:00Z');
    const bad = { ...adultApplicant(1), applicant: { ...adultApplicant(1).applicant, nationalId: 'A123456788', email: 'nope' } };
    for (const input of [adultApplicant(1), bad, {}, null]) {
      const mine = bundled.applicationSchema(asOf).safeParse(input);
      const real = applicationSchema(asOf).safeParse(input);
      expect(mine.success).toBe(real.success);
      expect(mine.error?.issues.map((i) => [i.path.join('.'), i.code, i.message])).toEqual(
        real.error?.issues.map((i) => [i.path.join('.'), i.code, i.message]),
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
