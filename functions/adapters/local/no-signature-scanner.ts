/**
 * The signature-scan layer when no scanner is configured on a local machine: every scan reports
 * `not-run`, so the record's findings show that the layer did not run and the verdict is REVIEW
 * (never CLEAR). AWS deployments always have a real scanner.
 */
import type { MalwareScanner } from '../../core/ports';

export function createNoSignatureScanner(reason: string): MalwareScanner {
  return { scan: async () => ({ verdict: 'not-run', engine: 'none', reason }) };
}
