import { type ApplicationInput, applicationSchema, passportFee } from '../../functions/core/application';
import { AS_OF, IDS, TAIPEI_TODAY, validApplication, validMinorApplication } from './fixtures';

/** `path: code` of every issue, or [] when the input parses. */
function issuesOf(input: unknown, asOf: Date = AS_OF): string[] {
  const result = applicationSchema(asOf).safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

function parsed(input: unknown, asOf: Date = AS_OF): ApplicationInput {
  const result = applicationSchema(asOf).safeParse(input);
  if (!result.success) throw new Error(`expected a valid application, got ${JSON.stringify(result.error.issues)}`);
  return result.data;
}

function edit(change: (app: ApplicationInput) => void, base: ApplicationInput = validApplication()): ApplicationInput {
  change(base);
  return base;
}

/**
 * A change that sets the field at a dotted path, creating objects on the way. Untyped on
 * purpose: a hostile client can send any value.
 */
function set(path: string, value: unknown): (app: ApplicationInput) => void {
  return (app) => {
    const keys = path.split('.');
    const last = keys.pop() as string;
    let target = app as unknown as Record<string, unknown>;
    for (const key of keys) {
      target[key] ??= {};
      target = target[key] as Record<string, unknown>;
    }
    target[last] = value;
  };
}

describe('applicationSchema: valid applications', () => {
  it('accepts a valid adult applying for themselves', () => {
    expect(issuesOf(validApplication())).toEqual([]);
  });

  it('accepts a minor with a legal representative', () => {
    expect(issuesOf(validMinorApplication())).toEqual([]);
  });

  it.each([
    ['travel agency', { kind: 'AGENCY', agencyName: '大好旅行社', registrationNumber: '交觀綜2345' }],
    ['travel agency with a Latin prefix', { kind: 'AGENCY', agencyName: 'Good Travel', registrationNumber: 'AB123' }],
    ['relative', { kind: 'RELATIVE', name: '王大明', nationalId: IDS.otherMale, relationship: 'PARENT' }],
  ] as const)('accepts submission by a %s', (_name, submitter) => {
    expect(issuesOf(edit(set('submitter', submitter)))).toEqual([]);
  });

  it('accepts a renewal with the previous passport number', () => {
    const app = edit((a) => {
      a.applicationType = 'RENEWAL';
      a.previousPassport = { number: '312345678', issueDate: '2016-05-01' };
    });
    expect(issuesOf(app)).toEqual([]);
  });

  it('accepts a lost-passport replacement with a loss date and no number', () => {
    const app = edit((a) => {
      a.applicationType = 'LOST_REPLACEMENT';
      a.previousPassport = { lostOn: TAIPEI_TODAY };
    });
    expect(issuesOf(app)).toEqual([]);
  });

  it.each([IDS.resident8, IDS.resident9])('accepts either sex for the resident-certificate number %s', (id) => {
    for (const sex of ['M', 'F'] as const) {
      expect(
        issuesOf(
          edit((a) => {
            a.applicant.nationalId = id;
            a.applicant.sex = sex;
          }),
        ),
      ).toEqual([]);
    }
  });

  it('accepts a female applicant with a female national ID', () => {
    const app = edit((a) => {
      a.applicant.nationalId = IDS.female;
      a.applicant.sex = 'F';
    });
    expect(issuesOf(app)).toEqual([]);
  });
});

describe('applicationSchema: error codes', () => {
  it.each<[string, (a: ApplicationInput) => void, string]>([
    [
      'national ID with a wrong check digit',
      set('applicant.nationalId', 'A123456788'),
      'applicant.nationalId: national_id_check_digit',
    ],
    ['national ID too short', set('applicant.nationalId', 'A12345678'), 'applicant.nationalId: national_id_format'],
    ['national ID with second digit 3', set('applicant.nationalId', 'A323456789'), 'applicant.nationalId: national_id_format'],
    ['Latin Chinese name', set('applicant.chineseName', 'Wang'), 'applicant.chineseName: chinese_name_format'],
    ['empty Chinese name', set('applicant.chineseName', '  '), 'applicant.chineseName: chinese_name_format'],
    ['13-character Chinese name', set('applicant.chineseName', '王'.repeat(13)), 'applicant.chineseName: chinese_name_format'],
    ['surname with a digit', set('applicant.romanizedSurname', 'WANG2'), 'applicant.romanizedSurname: romanized_format'],
    ['surname with an accent', set('applicant.romanizedSurname', 'WÁNG'), 'applicant.romanizedSurname: romanized_format'],
    [
      'given names ending in a hyphen',
      set('applicant.romanizedGivenNames', 'HSIAO-'),
      'applicant.romanizedGivenNames: romanized_format',
    ],
    [
      'given names of 41 letters',
      set('applicant.romanizedGivenNames', 'A'.repeat(41)),
      'applicant.romanizedGivenNames: romanized_format',
    ],
    ['sex not M or F', set('applicant.sex', 'X'), 'applicant.sex: required'],
    ['sex contradicting the national ID', set('applicant.sex', 'F'), 'applicant.sex: sex_mismatch_national_id'],
    ['impossible date of birth', set('applicant.dateOfBirth', '1990-02-30'), 'applicant.dateOfBirth: date_format'],
    ['date of birth not ISO', set('applicant.dateOfBirth', '15/01/1990'), 'applicant.dateOfBirth: date_format'],
    ['date of birth tomorrow in Taipei', set('applicant.dateOfBirth', '2026-05-18'), 'applicant.dateOfBirth: date_in_future'],
    ['date of birth 131 years ago', set('applicant.dateOfBirth', '1895-01-01'), 'applicant.dateOfBirth: date_too_old'],
    ['blank place of birth', set('applicant.placeOfBirth', '   '), 'applicant.placeOfBirth: required'],
    ['place of birth of 61 characters', set('applicant.placeOfBirth', 'x'.repeat(61)), 'applicant.placeOfBirth: too_long'],
    ['landline phone', set('applicant.phone', '0223456789'), 'applicant.phone: phone_format'],
    ['mobile with 11 digits', set('applicant.phone', '09123456789'), 'applicant.phone: phone_format'],
    ['international number with a leading 0', set('applicant.phone', '+0886912345678'), 'applicant.phone: phone_format'],
    ['phone with letters', set('applicant.phone', '09one23456'), 'applicant.phone: phone_format'],
    ['email without @', set('applicant.email', 'hsiaoming.example.com'), 'applicant.email: email_format'],
    ['email over 254 characters', set('applicant.email', `${'a'.repeat(250)}@example.com`), 'applicant.email: too_long'],
    ['unknown application type', set('applicationType', 'EXTENSION'), 'applicationType: required'],
    ['unknown submitter kind', set('submitter', { kind: 'FRIEND' }), 'submitter.kind: required'],
    [
      'agency registration number without digits',
      set('submitter', { kind: 'AGENCY', agencyName: '大好旅行社', registrationNumber: '交觀綜' }),
      'submitter.registrationNumber: agency_registration_format',
    ],
    [
      'agency registration number with too many letters',
      set('submitter', { kind: 'AGENCY', agencyName: 'Good Travel', registrationNumber: 'ABCDEFG123' }),
      'submitter.registrationNumber: agency_registration_format',
    ],
    [
      'relative submitting with the applicant’s own national ID',
      set('submitter', { kind: 'RELATIVE', name: '王小明', nationalId: IDS.male, relationship: 'SIBLING' }),
      'submitter.nationalId: relative_is_applicant',
    ],
    [
      'relative with an unknown relationship',
      set('submitter', { kind: 'RELATIVE', name: '王大明', nationalId: IDS.otherMale, relationship: 'FRIEND' }),
      'submitter.relationship: required',
    ],
    ['truthfulness not declared', set('declaration.truthful', false), 'declaration.truthful: must_accept'],
    ['consent not given', set('declaration.consentToProcessing', false), 'declaration.consentToProcessing: must_accept'],
    ['renewal without a previous passport', set('applicationType', 'RENEWAL'), 'previousPassport.number: required'],
    [
      'renewal with previous passport but no number',
      (a) => {
        a.applicationType = 'RENEWAL';
        a.previousPassport = { issueDate: '2016-05-01' };
      },
      'previousPassport.number: required',
    ],
    [
      'renewal with an 8-digit passport number',
      (a) => {
        a.applicationType = 'RENEWAL';
        a.previousPassport = { number: '31234567' };
      },
      'previousPassport.number: passport_number_format',
    ],
    [
      'lost replacement without a previous passport',
      set('applicationType', 'LOST_REPLACEMENT'),
      'previousPassport.lostOn: required',
    ],
    [
      'lost replacement with a number but no loss date',
      (a) => {
        a.applicationType = 'LOST_REPLACEMENT';
        a.previousPassport = { number: '312345678' };
      },
      'previousPassport.lostOn: required',
    ],
    [
      'previous passport issued tomorrow in Taipei',
      (a) => {
        a.applicationType = 'RENEWAL';
        a.previousPassport = { number: '312345678', issueDate: '2026-05-18' };
      },
      'previousPassport.issueDate: date_in_future',
    ],
    [
      'passport lost tomorrow in Taipei',
      (a) => {
        a.applicationType = 'LOST_REPLACEMENT';
        a.previousPassport = { lostOn: '2026-05-18' };
      },
      'previousPassport.lostOn: date_in_future',
    ],
    ['impossible loss date', set('previousPassport', { lostOn: '2026-13-01' }), 'previousPassport.lostOn: date_format'],
  ])('reports %s', (_name, change, expected) => {
    expect(issuesOf(edit(change))).toContain(expected);
  });

  it.each<[string, (a: ApplicationInput) => void, string]>([
    ['no legal representative', set('legalRepresentative', undefined), 'legalRepresentative: representative_required'],
    [
      'the representative is the applicant',
      set('legalRepresentative.nationalId', IDS.male),
      'legalRepresentative.nationalId: representative_is_applicant',
    ],
    [
      'the representative’s national ID has a wrong check digit',
      set('legalRepresentative.nationalId', 'Z100000003'),
      'legalRepresentative.nationalId: national_id_check_digit',
    ],
    [
      'the representative has an unknown relationship',
      set('legalRepresentative.relationship', 'UNCLE'),
      'legalRepresentative.relationship: required',
    ],
    ['the representative has a bad phone', set('legalRepresentative.phone', '12345'), 'legalRepresentative.phone: phone_format'],
  ])('reports a minor application where %s', (_name, change, expected) => {
    expect(issuesOf(edit(change, validMinorApplication()))).toContain(expected);
  });

  it('detects the representative-is-applicant case across case and whitespace differences', () => {
    const app = validMinorApplication();
    if (app.legalRepresentative) app.legalRepresentative.nationalId = ` ${IDS.male.toLowerCase()} `;
    expect(issuesOf(app)).toContain('legalRepresentative.nationalId: representative_is_applicant');
  });

  it('detects the relative-is-applicant case across case and whitespace differences', () => {
    const app = edit((a) => {
      a.submitter = { kind: 'RELATIVE', name: '王小明', nationalId: IDS.male.toLowerCase(), relationship: 'OTHER' };
    });
    expect(issuesOf(app)).toContain('submitter.nationalId: relative_is_applicant');
  });

  it('rejects a single-character Chinese name (the household register name is 2–12 characters)', () => {
    expect(issuesOf(edit(set('applicant.chineseName', '王')))).toContain('applicant.chineseName: chinese_name_format');
  });

  it.each(['阿布都·熱合曼', '王'.repeat(12)])('accepts the Chinese name %s', (name) => {
    expect(issuesOf(edit(set('applicant.chineseName', name)))).toEqual([]);
  });
});

describe('applicationSchema: age of majority in Taipei time', () => {
  // AS_OF = 2026-05-16T17:00:00Z, which is 2026-05-17 01:00 in Taipei.
  const born = (dateOfBirth: string) =>
    edit((a) => {
      a.applicant.dateOfBirth = dateOfBirth;
    });

  it('needs no representative for someone turning 18 on the Taipei date (already the 17th there, still the 16th in UTC)', () => {
    expect(issuesOf(born('2008-05-17'))).toEqual([]);
  });

  it('needs a representative for someone one day younger', () => {
    expect(issuesOf(born('2008-05-18'))).toEqual(['legalRepresentative: representative_required']);
  });

  it('needs a representative one second before Taipei midnight on the eve of the 18th birthday', () => {
    expect(issuesOf(born('2008-05-17'), new Date('2026-05-16T15:59:59Z'))).toEqual([
      'legalRepresentative: representative_required',
    ]);
  });

  it('needs no representative from Taipei midnight of the 18th birthday', () => {
    expect(issuesOf(born('2008-05-17'), new Date('2026-05-16T16:00:00Z'))).toEqual([]);
  });

  it('accepts a birth date equal to the Taipei date even though it is still the day before in UTC', () => {
    expect(issuesOf(edit(set('applicant.dateOfBirth', TAIPEI_TODAY), validMinorApplication()))).toEqual([]);
  });
});

describe('applicationSchema: normalisation', () => {
  it('trims and uppercases the national IDs', () => {
    const out = parsed(
      edit((a) => {
        a.applicant.nationalId = '  a123456789 ';
      }, validMinorApplication()),
    );
    expect(out.applicant.nationalId).toBe('A123456789');
  });

  it('trims and uppercases the romanized names', () => {
    const out = parsed(
      edit((a) => {
        a.applicant.romanizedSurname = ' wang ';
        a.applicant.romanizedGivenNames = "hsiao-ming o'neil  ";
      }),
    );
    expect(out.applicant.romanizedSurname).toBe('WANG');
    expect(out.applicant.romanizedGivenNames).toBe("HSIAO-MING O'NEIL");
  });

  it.each([
    ['0912 345 678', '0912345678'],
    ['0912-345-678', '0912345678'],
    [' 0912 - 345 - 678 ', '0912345678'],
    ['+886 912-345-678', '+886912345678'],
    ['+1 415 555 0100', '+14155550100'],
  ])('normalises the phone %j to %j', (input, expected) => {
    const out = parsed(
      edit((a) => {
        a.applicant.phone = input;
      }, validMinorApplication()),
    );
    expect(out.applicant.phone).toBe(expected);
  });

  it('normalises the legal representative’s phone the same way', () => {
    const app = validMinorApplication();
    if (app.legalRepresentative) app.legalRepresentative.phone = '0922-333 444';
    expect(parsed(app).legalRepresentative?.phone).toBe('0922333444');
  });
});

describe('passportFee', () => {
  const at = (dateOfBirth: string) => validMinorApplication(dateOfBirth);

  it.each([
    ['a baby', '2026-01-01', 900],
    ['a 13-year-old one day before the 14th birthday', '2012-05-18', 900],
    ['a child on the 14th birthday (Taipei date)', '2012-05-17', 1300],
    ['a 17-year-old', '2008-05-18', 1300],
    ['an adult', '1990-01-15', 1300],
  ])('charges %s born %s NT$%i', (_name, dateOfBirth, fee) => {
    expect(passportFee(at(dateOfBirth), AS_OF)).toBe(fee);
  });

  it('uses the Taipei date: the 14th birthday starts at 16:00 UTC the day before', () => {
    expect(passportFee(at('2012-05-17'), new Date('2026-05-16T15:59:59Z'))).toBe(900);
    expect(passportFee(at('2012-05-17'), new Date('2026-05-16T16:00:00Z'))).toBe(1300);
  });
});
