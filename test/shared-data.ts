/**
 * The research data next to the repo (`../shared`): read-only, never copied into the repo. A test
 * that needs it fails loudly when it is missing (CI must have it).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const SHARED_DIR = path.resolve(__dirname, '../../shared');

export function sharedPath(...parts: string[]): string {
  const p = path.join(SHARED_DIR, ...parts);
  if (!existsSync(p)) {
    throw new Error(
      `${p} is missing: this test reads the shared research data next to the repository (../shared). It must be present in CI.`,
    );
  }
  return p;
}
