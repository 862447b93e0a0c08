/**
 * A `MalwareScanner` that answers with the verdict GuardDuty Malware Protection for S3 already
 * reached on the object version the event names (it does not look at the bytes it is given: the
 * scan function fetches exactly that version). Fails closed: only NO_THREATS_FOUND is clean;
 * THREATS_FOUND is a hit with the first threat name; UNSUPPORTED, ACCESS_DENIED and FAILED throw,
 * which `vetUpload` turns into a `scanner-error` reject.
 */
import type { MalwareScanner, MalwareScanResult } from '../../core/ports';
import type { PrecomputedScan } from '../../shared/scan-events';

export const GUARDDUTY_ENGINE = 'guardduty';
/** Recorded when GuardDuty reports THREATS_FOUND without naming a threat. */
export const UNNAMED_GUARDDUTY_THREAT = 'GuardDuty.UnnamedThreat';

export class GuardDutyScanFailedError extends Error {
  constructor(readonly status: string) {
    super(`GuardDuty did not scan the object: ${status}`);
    this.name = 'GuardDutyScanFailedError';
  }
}

export function guardDutyVerdict(result: PrecomputedScan): MalwareScanResult {
  switch (result.status) {
    case 'NO_THREATS_FOUND':
      return { verdict: 'clean', engine: GUARDDUTY_ENGINE };
    case 'THREATS_FOUND':
      return { verdict: 'infected', engine: GUARDDUTY_ENGINE, signature: result.threats[0] ?? UNNAMED_GUARDDUTY_THREAT };
    default:
      throw new GuardDutyScanFailedError(result.status);
  }
}

export function createGuardDutyVerdictScanner(result: PrecomputedScan): MalwareScanner {
  return { scan: async () => guardDutyVerdict(result) };
}
