/**
 * The application state machine (DESIGN.md §3). Every transition is checked here and written
 * conditionally by the record store, so a repeated or late event cannot move a record backwards.
 */

export const RECORD_STATUSES = [
  'AWAITING_UPLOADS',
  'SCANNING',
  'CHECKING',
  'VETTED',
  'RELEASED',
  'RETAKE_REQUESTED',
  'REJECTED',
  'EXPIRED',
] as const;

export type RecordStatus = (typeof RECORD_STATUSES)[number];

/**
 * Allowed moves. A re-upload after `RETAKE_REQUESTED` or `REJECTED` goes back to `SCANNING`
 * (an applicant whose file was refused may send another). `SCANNING → SCANNING` is a slot
 * finishing while the other is still pending. `VETTED → REJECTED` and `RETAKE_REQUESTED →
 * REJECTED` are a rescan after a signature update finding a held image infected: a vetted record
 * is then never released (the release function re-reads the record).
 */
const TRANSITIONS: Readonly<Record<RecordStatus, readonly RecordStatus[]>> = {
  AWAITING_UPLOADS: ['SCANNING', 'REJECTED', 'EXPIRED'],
  SCANNING: ['SCANNING', 'CHECKING', 'REJECTED', 'EXPIRED'],
  CHECKING: ['VETTED', 'RETAKE_REQUESTED', 'REJECTED'],
  VETTED: ['RELEASED', 'REJECTED'],
  RELEASED: [],
  RETAKE_REQUESTED: ['SCANNING', 'EXPIRED', 'REJECTED'],
  REJECTED: ['SCANNING', 'EXPIRED'],
  EXPIRED: [],
};

export function canTransition(from: RecordStatus, to: RecordStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export class InvalidTransitionError extends Error {
  constructor(
    readonly from: RecordStatus,
    readonly to: RecordStatus,
  ) {
    super(`cannot move an application from ${from} to ${to}`);
    this.name = 'InvalidTransitionError';
  }
}

export function assertTransition(from: RecordStatus, to: RecordStatus): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
}

/** States in which an applicant may ask for a new upload grant. */
export const UPLOAD_OPEN_STATES: readonly RecordStatus[] = ['AWAITING_UPLOADS', 'SCANNING', 'RETAKE_REQUESTED', 'REJECTED'];

/** States from which nothing moves any more. */
export const FINAL_STATES: readonly RecordStatus[] = ['RELEASED', 'EXPIRED'];
