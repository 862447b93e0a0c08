/**
 * Bundling-only stand-in for `zod` (esbuild `--alias:zod=…`), used for the Lambda bundles.
 *
 * zod 4 exports its ~50 message locales as the namespaces `z.locales` and `z.core.locales`;
 * because our code uses the `z` namespace, no bundler can drop them, and they are half of zod's
 * weight in a bundle (≈220 KB of a 1.1 MB function). This module is zod's own entry point minus
 * those two namespaces (English messages are registered by zod itself, in classic/schemas.js).
 * Type-checking and tests use the real package; `test/infra/bundling.test.ts` checks that a
 * bundle built through this alias validates as the real zod does. Written for zod 4.6: if an
 * upgrade moves these files, bundling fails loudly.
 */
import * as z from './zod-external.js';

export * from './zod-external.js';
export { z, z as default };
