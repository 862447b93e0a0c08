import { UPLOAD_LIMITS, type UploadGrantBody } from '../core/api';
import type { UploadGrantIssuer } from '../core/ports';

/** One upload grant for a server-generated quarantine key, under the published upload limits. */
export function issueSlotGrant(grants: UploadGrantIssuer, key: string): Promise<UploadGrantBody> {
  return grants.issue({
    key,
    contentTypePrefix: 'image/',
    minBytes: UPLOAD_LIMITS.minBytes,
    maxBytes: UPLOAD_LIMITS.maxBytes,
    expiresInSeconds: UPLOAD_LIMITS.grantSeconds,
  });
}
