/**
 * The malware defence for one uploaded file, layer by layer; each layer fails closed.
 *
 * 1. size cap, non-empty, JPEG/PNG by magic bytes, header format/dimensions/pixel count (no decode)
 * 2. signature scan of the original (`originalScanner`, default `scanner`: in the GuardDuty engine
 *    mode it is GuardDuty's verdict on the object version, see `guardduty-verdict-scanner.ts`)
 * 3. rebuild from pixels (content disarm and reconstruction)
 * 4. signature scan of the rebuilt output (`scanner`: always the image's ClamAV on AWS)
 *
 * Only the rebuilt output of step 3 may leave quarantine, and only when every step passed.
 */
import type { ImageSanitizer, ImageStatistics, MalwareScanner, MalwareScanResult, SanitizeRejectCode } from '../core/ports';

export type VetRejectCode = SanitizeRejectCode | 'signature-hit' | 'scanner-error';

export type VetOutcome =
  | {
      readonly outcome: 'accepted';
      readonly output: Uint8Array;
      readonly width: number;
      readonly height: number;
      /** `not-run` only where no signature scanner is configured (a local machine without clamd). */
      readonly signatureScan: 'clean' | 'not-run';
      /** The rebuilt pixels' statistics for the photo rules, when the sanitizer measured them. */
      readonly stats?: ImageStatistics;
    }
  | {
      readonly outcome: 'rejected';
      readonly code: VetRejectCode;
      readonly detail: string;
      /** Signature name on a hit: for the incident log and metrics, never for the applicant. */
      readonly signature?: string;
    };

export interface VetUploadDeps {
  readonly sanitizer: ImageSanitizer;
  /** Scans the rebuilt output, and the original too unless `originalScanner` is given. */
  readonly scanner: MalwareScanner;
  /** The verdict on the original when another engine produced it (GuardDuty); default `scanner`. */
  readonly originalScanner?: MalwareScanner;
  /** Measure the photo rules' image statistics on the output (only the photo needs them; default true). */
  readonly measureStatistics?: boolean;
}

async function scanOrFailClosed(
  scanner: MalwareScanner,
  bytes: Uint8Array,
): Promise<MalwareScanResult | { verdict: 'error'; detail: string }> {
  try {
    return await scanner.scan(bytes);
  } catch (err) {
    return { verdict: 'error', detail: err instanceof Error ? err.message : 'scanner failed' };
  }
}

export async function vetUpload(bytes: Uint8Array, deps: VetUploadDeps): Promise<VetOutcome> {
  const header = await deps.sanitizer.inspect(bytes);
  if (!header.ok) return { outcome: 'rejected', code: header.code, detail: header.detail };

  const original = await scanOrFailClosed(deps.originalScanner ?? deps.scanner, bytes);
  if (original.verdict === 'error') return { outcome: 'rejected', code: 'scanner-error', detail: original.detail };
  if (original.verdict === 'infected') {
    return {
      outcome: 'rejected',
      code: 'signature-hit',
      detail: 'signature match on the original',
      signature: original.signature,
    };
  }

  const rebuilt = await deps.sanitizer.rebuild(bytes, { measure: deps.measureStatistics ?? true });
  if (!rebuilt.ok) return { outcome: 'rejected', code: rebuilt.code, detail: rebuilt.detail };

  const output = await scanOrFailClosed(deps.scanner, rebuilt.output);
  if (output.verdict === 'error') return { outcome: 'rejected', code: 'scanner-error', detail: output.detail };
  if (output.verdict === 'infected') {
    return {
      outcome: 'rejected',
      code: 'signature-hit',
      detail: 'signature match on the rebuilt image',
      signature: output.signature,
    };
  }

  const ran = original.verdict === 'clean' && output.verdict === 'clean';
  return {
    outcome: 'accepted',
    output: rebuilt.output,
    width: rebuilt.width,
    height: rebuilt.height,
    signatureScan: ran ? 'clean' : 'not-run',
    ...(rebuilt.stats ? { stats: rebuilt.stats } : {}),
  };
}
