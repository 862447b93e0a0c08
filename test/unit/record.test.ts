import { type ApplicationRecord, withSlot, withStatus } from '../../functions/core/record';
import { InvalidTransitionError } from '../../functions/core/states';

const CREATED = '2026-05-16T08:00:00.000Z';

function record(overrides: Partial<ApplicationRecord> = {}): ApplicationRecord {
  const slot = { uploadId: 'u0000000000000000', key: 'k', state: 'AWAITING', grantsIssued: 1, updatedAt: CREATED } as const;
  return {
    applicationId: 'P0000000000AB',
    tokenHash: 'a'.repeat(64),
    version: 3,
    status: 'SCANNING',
    createdAt: CREATED,
    updatedAt: CREATED,
    statusChangedAt: CREATED,
    expiresAt: '2026-06-16T08:00:00.000Z',
    application: null,
    summary: { applicationType: 'FIRST', fee: 1300, minor: false, submittedByAgency: false },
    uploads: { photo: slot, idCard: slot },
    findings: [],
    verdict: null,
    ...overrides,
  };
}

describe('withStatus', () => {
  const at = new Date('2026-05-16T09:30:00.000Z');

  it('moves to a new status: version +1, updatedAt and statusChangedAt set to the instant', () => {
    const next = withStatus(record(), 'CHECKING', at);
    expect(next).toMatchObject({
      status: 'CHECKING',
      version: 4,
      updatedAt: at.toISOString(),
      statusChangedAt: at.toISOString(),
    });
  });

  it('keeps statusChangedAt when the status stays the same, but still bumps version and updatedAt', () => {
    const next = withStatus(record(), 'SCANNING', at);
    expect(next).toMatchObject({ status: 'SCANNING', version: 4, updatedAt: at.toISOString(), statusChangedAt: CREATED });
  });

  it('allows a same-status write even from a final state (no transition is made)', () => {
    const next = withStatus(record({ status: 'RELEASED' }), 'RELEASED', at);
    expect(next).toMatchObject({ status: 'RELEASED', version: 4, statusChangedAt: CREATED });
  });

  it.each([
    ['SCANNING', 'VETTED'],
    ['RELEASED', 'SCANNING'],
    ['EXPIRED', 'SCANNING'],
    ['VETTED', 'SCANNING'],
  ] as const)('throws InvalidTransitionError for %s → %s and leaves the input untouched', (from, to) => {
    const before = record({ status: from });
    const snapshot = structuredClone(before);
    expect(() => withStatus(before, to, at)).toThrow(InvalidTransitionError);
    expect(before).toEqual(snapshot);
  });

  it('applies the other changes with the status', () => {
    const next = withStatus(record({ status: 'CHECKING' }), 'RETAKE_REQUESTED', at, { statusReason: 'photo' });
    expect(next.statusReason).toBe('photo');
    expect(next.applicationId).toBe('P0000000000AB');
  });

  it('does not let the changes override status, version or the bookkeeping timestamps', () => {
    const changes = { status: 'RELEASED', version: 99, updatedAt: 'x', statusChangedAt: 'y' } as unknown as Parameters<
      typeof withStatus
    >[3];
    const next = withStatus(record(), 'CHECKING', at, changes);
    expect(next).toMatchObject({
      status: 'CHECKING',
      version: 4,
      updatedAt: at.toISOString(),
      statusChangedAt: at.toISOString(),
    });
  });

  it('returns a new object and does not mutate the record', () => {
    const before = record();
    const next = withStatus(before, 'CHECKING', at);
    expect(next).not.toBe(before);
    expect(before.status).toBe('SCANNING');
    expect(before.version).toBe(3);
  });
});

describe('withSlot', () => {
  it('replaces one slot and keeps the other', () => {
    const r = record();
    const photo = { ...r.uploads.photo, state: 'CLEAN' as const };
    const uploads = withSlot(r, 'photo', photo);
    expect(uploads.photo.state).toBe('CLEAN');
    expect(uploads.idCard).toBe(r.uploads.idCard);
    expect(r.uploads.photo.state).toBe('AWAITING');
  });
});
