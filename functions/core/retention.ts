/**
 * How long anything is kept (DESIGN.md §5.4). Every record and object gets a deletion date from
 * here when it is written. Deployments may shorten these; the defaults are the office's limits.
 */
export interface RetentionPolicy {
  /** An application must have both uploads accepted within this window, or it expires. */
  readonly uploadWindowSeconds: number;
  /** Hard deletion date of a staged record and its objects, counted from creation. */
  readonly recordTtlSeconds: number;
  /** After release, the record keeps only its non-personal summary for this long (status page). */
  readonly releasedSummarySeconds: number;
  /** How long the on-premises system is asked to keep a released record unless the applicant came. */
  readonly onPremRetainSeconds: number;
}

const DAY = 24 * 60 * 60;

export const DEFAULT_RETENTION: RetentionPolicy = {
  uploadWindowSeconds: 3 * DAY,
  recordTtlSeconds: 7 * DAY,
  releasedSummarySeconds: 7 * DAY,
  onPremRetainSeconds: 90 * DAY,
};
