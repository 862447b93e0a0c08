/** Shared builders for the unit tests: plain data only, no I/O. */
import type { ApplicationInput } from '../../functions/core/application';

/** 2026-05-16T17:00:00Z is already 2026-05-17 in Taipei (UTC+8). */
export const AS_OF = new Date('2026-05-16T17:00:00Z');
export const TAIPEI_TODAY = '2026-05-17';

/** Valid national IDs (check digits computed independently of the code under test). */
export const IDS = {
  male: 'A123456789',
  female: 'O223456784',
  resident8: 'A812345671',
  resident9: 'C912345675',
  otherMale: 'Z100000002',
  otherFemale: 'I222222229',
} as const;

/** A valid adult applying for a first passport by themselves. A fresh copy on every call. */
export function validApplication(): ApplicationInput {
  return {
    applicationType: 'FIRST',
    applicant: {
      nationalId: IDS.male,
      chineseName: '王小明',
      romanizedSurname: 'WANG',
      romanizedGivenNames: 'HSIAO-MING',
      sex: 'M',
      dateOfBirth: '1990-01-15',
      placeOfBirth: 'Taipei',
      phone: '0912345678',
      email: 'hsiaoming@example.com',
    },
    submitter: { kind: 'SELF' },
    declaration: { truthful: true, consentToProcessing: true },
  };
}

export function validMinorApplication(dateOfBirth = '2015-03-01'): ApplicationInput {
  const app = validApplication();
  app.applicant.dateOfBirth = dateOfBirth;
  app.legalRepresentative = { name: '王大明', nationalId: IDS.otherMale, relationship: 'FATHER', phone: '0922333444' };
  return app;
}
