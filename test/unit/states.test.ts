import {
  assertTransition,
  canTransition,
  FINAL_STATES,
  InvalidTransitionError,
  RECORD_STATUSES,
  type RecordStatus,
} from '../../functions/core/states';

/** The table of DESIGN.md §3, written out independently of the code. */
const ALLOWED: readonly [RecordStatus, RecordStatus][] = [
  ['AWAITING_UPLOADS', 'SCANNING'],
  ['AWAITING_UPLOADS', 'REJECTED'],
  ['AWAITING_UPLOADS', 'EXPIRED'],
  ['SCANNING', 'SCANNING'],
  ['SCANNING', 'CHECKING'],
  ['SCANNING', 'REJECTED'],
  ['SCANNING', 'EXPIRED'],
  ['CHECKING', 'VETTED'],
  ['CHECKING', 'RETAKE_REQUESTED'],
  ['CHECKING', 'REJECTED'],
  ['VETTED', 'RELEASED'],
  ['VETTED', 'REJECTED'],
  ['RETAKE_REQUESTED', 'SCANNING'],
  ['RETAKE_REQUESTED', 'EXPIRED'],
  ['RETAKE_REQUESTED', 'REJECTED'],
  ['REJECTED', 'SCANNING'],
  ['REJECTED', 'EXPIRED'],
];

const allowed = new Set(ALLOWED.map(([from, to]) => `${from}->${to}`));
const FORBIDDEN: [RecordStatus, RecordStatus][] = RECORD_STATUSES.flatMap((from) =>
  RECORD_STATUSES.filter((to) => !allowed.has(`${from}->${to}`)).map((to): [RecordStatus, RecordStatus] => [from, to]),
);

describe('application state machine', () => {
  it.each(ALLOWED)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each(FORBIDDEN)('forbids %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    expect(() => assertTransition(from, to)).toThrow(InvalidTransitionError);
  });

  it.each([
    ['RELEASED', 'SCANNING'],
    ['RELEASED', 'VETTED'],
    ['EXPIRED', 'SCANNING'],
    ['EXPIRED', 'AWAITING_UPLOADS'],
    ['VETTED', 'SCANNING'],
    ['VETTED', 'CHECKING'],
    ['CHECKING', 'SCANNING'],
    ['CHECKING', 'EXPIRED'],
    ['AWAITING_UPLOADS', 'CHECKING'],
    ['AWAITING_UPLOADS', 'VETTED'],
  ] as const)('names both states in the error for %s → %s', (from, to) => {
    let caught: unknown;
    try {
      assertTransition(from, to);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidTransitionError);
    expect(caught).toMatchObject({ name: 'InvalidTransitionError', from, to });
    expect((caught as Error).message).toBe(`cannot move an application from ${from} to ${to}`);
  });

  it.each(['RELEASED', 'EXPIRED'] as const)('lets nothing leave the final state %s, not even to itself', (from) => {
    expect(FINAL_STATES).toContain(from);
    for (const to of RECORD_STATUSES) expect(canTransition(from, to)).toBe(false);
  });

  it('knows exactly the eight statuses of DESIGN.md §3', () => {
    expect([...RECORD_STATUSES].sort()).toEqual([
      'AWAITING_UPLOADS',
      'CHECKING',
      'EXPIRED',
      'REJECTED',
      'RELEASED',
      'RETAKE_REQUESTED',
      'SCANNING',
      'VETTED',
    ]);
  });

  it('only reaches RELEASED from VETTED', () => {
    expect(RECORD_STATUSES.filter((from) => canTransition(from, 'RELEASED'))).toEqual(['VETTED']);
  });
});
