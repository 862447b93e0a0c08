/**
 * The application form: one zod schema shared by the hosted form (in the browser) and the intake
 * API. Error messages are stable codes (see `messages.ts`), translated where they are shown.
 */
import { z } from 'zod';
import { ageOn, isRealIsoDate, taipeiDate } from './dates';
import { isValidNationalId, NATIONAL_ID_PATTERN, sexFromNationalId } from './national-id';

/** Age below which a legal representative must consent (Civil Code art. 12, since 2023). */
export const ADULT_AGE = 18;
/** Age below which the reduced fee applies. */
export const REDUCED_FEE_AGE = 14;

export const APPLICATION_TYPES = ['FIRST', 'RENEWAL', 'LOST_REPLACEMENT'] as const;
export const SUBMITTER_KINDS = ['SELF', 'AGENCY', 'RELATIVE'] as const;
export const REPRESENTATIVE_RELATIONSHIPS = ['FATHER', 'MOTHER', 'GUARDIAN'] as const;
export const RELATIVE_RELATIONSHIPS = ['SPOUSE', 'PARENT', 'CHILD', 'SIBLING', 'GRANDPARENT', 'OTHER'] as const;

const trimmed = (max: number) => z.string().trim().min(1, { error: 'required' }).max(max, { error: 'too_long' });

export const nationalIdSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(NATIONAL_ID_PATTERN, { error: 'national_id_format' })
  .refine(isValidNationalId, { error: 'national_id_check_digit' });

export const isoDateSchema = z.string().trim().refine(isRealIsoDate, { error: 'date_format' });

/** Chinese name as on the household register: 2–12 CJK characters (middle dot allowed for transliterated names). */
export const chineseNameSchema = z
  .string()
  .trim()
  .regex(/^[\p{Script=Han}·]{2,12}$/u, { error: 'chinese_name_format' });

/** Romanized names as printed in the passport: capital Latin letters, spaces, hyphens, apostrophes. */
export const romanizedSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z][A-Z' -]{0,38}[A-Z]$|^[A-Z]$/, { error: 'romanized_format' });

/** Taiwan mobile (09xxxxxxxx) or international E.164. */
export const phoneSchema = z
  .string()
  .trim()
  .transform((v) => v.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^(09\d{8}|\+[1-9]\d{7,14})$/, { error: 'phone_format' }));

export const emailSchema = z
  .string()
  .trim()
  .max(254, { error: 'too_long' })
  .pipe(z.email({ error: 'email_format' }));

/** Taiwan passport numbers are nine digits. */
export const passportNumberSchema = z
  .string()
  .trim()
  .regex(/^\d{9}$/, { error: 'passport_number_format' });

export const applicantSchema = z.object({
  nationalId: nationalIdSchema,
  chineseName: chineseNameSchema,
  romanizedSurname: romanizedSchema,
  romanizedGivenNames: romanizedSchema,
  sex: z.enum(['M', 'F'], { error: 'required' }),
  dateOfBirth: isoDateSchema,
  placeOfBirth: trimmed(60),
  phone: phoneSchema,
  email: emailSchema,
});

export const legalRepresentativeSchema = z.object({
  name: trimmed(40),
  nationalId: nationalIdSchema,
  relationship: z.enum(REPRESENTATIVE_RELATIONSHIPS, { error: 'required' }),
  phone: phoneSchema,
});

export const previousPassportSchema = z.object({
  /** Optional only for a lost passport whose number the applicant does not know. */
  number: passportNumberSchema.optional(),
  issueDate: isoDateSchema.optional(),
  /** Required when the passport was lost. */
  lostOn: isoDateSchema.optional(),
});

export const submitterSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('SELF') }),
    z.object({
      kind: z.literal('AGENCY'),
      agencyName: trimmed(80),
      /** Registration number of the travel agency (交觀綜/甲/乙 + digits). */
      registrationNumber: z
        .string()
        .trim()
        .regex(/^[\p{Script=Han}A-Za-z]{0,6}\d{3,6}$/u, { error: 'agency_registration_format' }),
    }),
    z.object({
      kind: z.literal('RELATIVE'),
      name: trimmed(40),
      nationalId: nationalIdSchema,
      relationship: z.enum(RELATIVE_RELATIONSHIPS, { error: 'required' }),
    }),
  ],
  { error: 'required' },
);

export const declarationSchema = z.object({
  truthful: z.literal(true, { error: 'must_accept' }),
  consentToProcessing: z.literal(true, { error: 'must_accept' }),
});

export const applicationBaseSchema = z.object({
  applicationType: z.enum(APPLICATION_TYPES, { error: 'required' }),
  applicant: applicantSchema,
  legalRepresentative: legalRepresentativeSchema.optional(),
  previousPassport: previousPassportSchema.optional(),
  submitter: submitterSchema,
  declaration: declarationSchema,
});

export type ApplicationInput = z.infer<typeof applicationBaseSchema>;
export type ApplicationType = ApplicationInput['applicationType'];

/**
 * The full schema with the rules that relate fields to each other and to today's date (in
 * Taipei): age-based representative, previous passport by application type, sex consistent with
 * the national ID, dates not in the future.
 */
export function applicationSchema(asOf: Date) {
  const today = taipeiDate(asOf);
  return applicationBaseSchema.superRefine((app, ctx) => {
    const { applicant } = app;
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

    if (isRealIsoDate(applicant.dateOfBirth)) {
      if (applicant.dateOfBirth > today) issue(['applicant', 'dateOfBirth'], 'date_in_future');
      else if (ageOn(applicant.dateOfBirth, today) > 130) issue(['applicant', 'dateOfBirth'], 'date_too_old');
      else if (ageOn(applicant.dateOfBirth, today) < ADULT_AGE && !app.legalRepresentative) {
        issue(['legalRepresentative'], 'representative_required');
      }
    }
    const idSex = isValidNationalId(applicant.nationalId) ? sexFromNationalId(applicant.nationalId) : null;
    if (idSex && idSex !== applicant.sex) issue(['applicant', 'sex'], 'sex_mismatch_national_id');

    if (app.legalRepresentative && app.legalRepresentative.nationalId === applicant.nationalId) {
      issue(['legalRepresentative', 'nationalId'], 'representative_is_applicant');
    }

    const prev = app.previousPassport;
    if (app.applicationType === 'RENEWAL') {
      if (!prev?.number) issue(['previousPassport', 'number'], 'required');
    }
    if (app.applicationType === 'LOST_REPLACEMENT') {
      if (!prev?.lostOn) issue(['previousPassport', 'lostOn'], 'required');
    }
    for (const field of ['issueDate', 'lostOn'] as const) {
      const v = prev?.[field];
      if (v && isRealIsoDate(v) && v > today) issue(['previousPassport', field], 'date_in_future');
    }
    if (app.submitter.kind === 'RELATIVE' && app.submitter.nationalId === applicant.nationalId) {
      issue(['submitter', 'nationalId'], 'relative_is_applicant');
    }
  });
}

/** Applicant's age in whole years on the given instant (Taipei date). */
export function applicantAge(app: ApplicationInput, at: Date): number {
  return ageOn(app.applicant.dateOfBirth, taipeiDate(at));
}

/** Fee in NT$: NT$1,300, or NT$900 under 14. */
export function passportFee(app: ApplicationInput, at: Date): number {
  return applicantAge(app, at) < REDUCED_FEE_AGE ? 900 : 1300;
}
