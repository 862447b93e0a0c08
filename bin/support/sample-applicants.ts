/** Sample application forms (fictional people with valid national ID check digits). */
import type { ApplicationInput } from '../../functions/core/application';
import { nationalIdCheckDigit } from '../../functions/core/national-id';

/** A valid national ID from a letter, a sex digit and seven digits (the check digit is computed). */
export function nationalId(letter: string, sexDigit: '1' | '2', seven: string): string {
  const nine = `${letter}${sexDigit}${seven}`;
  return `${nine}${nationalIdCheckDigit(nine)}`;
}

export function adultApplicant(n: number, overrides: Partial<ApplicationInput> = {}): ApplicationInput {
  const seven = String(1000000 + (n % 9000000)).slice(-7);
  return {
    applicationType: 'FIRST',
    applicant: {
      nationalId: nationalId('A', '2', seven),
      chineseName: '王小明',
      romanizedSurname: 'WANG',
      romanizedGivenNames: 'HSIAO-MING',
      sex: 'F',
      dateOfBirth: '1990-05-17',
      placeOfBirth: '臺北市',
      phone: '0912345678',
      email: `applicant${n}@example.com`,
    },
    submitter: { kind: 'SELF' },
    declaration: { truthful: true, consentToProcessing: true },
    ...overrides,
  };
}

export function minorApplicant(n: number): ApplicationInput {
  const base = adultApplicant(n);
  return {
    ...base,
    applicant: { ...base.applicant, dateOfBirth: '2015-03-02', chineseName: '林小華' },
    legalRepresentative: {
      name: '林大同',
      nationalId: nationalId('F', '1', '2345678'),
      relationship: 'FATHER',
      phone: '0987654321',
    },
  };
}
