import {
  isValidNationalId,
  NATIONAL_ID_PATTERN,
  nationalIdCheckDigit,
  sexFromNationalId,
} from '../../functions/core/national-id';

describe('national ID check digit', () => {
  // Check digits computed with an independent implementation of the MOI algorithm
  // (letter order ABCDEFGHJKLMNPQRSTUVXYWZIO → 10…35).
  it.each([
    'A123456789',
    'F131104093',
    'I123456781',
    'I222222229',
    'O223456784',
    'W111111113',
    'X200000001',
    'Y102030408',
    'Z287654326',
    'Z100000002',
    'A812345671',
    'B812345672',
    'C912345675',
  ])('accepts the valid number %s', (id) => {
    expect(isValidNationalId(id)).toBe(true);
    expect(nationalIdCheckDigit(id.slice(0, 9))).toBe(Number(id.charAt(9)));
  });

  it.each([
    ['I', 34, 'I123456781'],
    ['O', 35, 'O223456784'],
    ['W', 32, 'W111111113'],
    ['X', 30, 'X200000001'],
    ['Y', 31, 'Y102030408'],
    ['Z', 33, 'Z287654326'],
  ])('maps the out-of-sequence letter %s (code %i) to the right check digit', (_letter, _code, id) => {
    expect(nationalIdCheckDigit(id.slice(0, 9))).toBe(Number(id.charAt(9)));
  });

  it('gives every letter A–Z a code, so no prefix throws', () => {
    for (const letter of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
      const digit = nationalIdCheckDigit(`${letter}12345678`);
      expect(Number.isInteger(digit) && digit >= 0 && digit <= 9).toBe(true);
    }
  });

  it('throws a RangeError for a prefix that is not a capital letter', () => {
    expect(() => nationalIdCheckDigit('112345678')).toThrow(RangeError);
    expect(() => nationalIdCheckDigit('a12345678')).toThrow(RangeError);
  });

  it.each(['A123456780', 'A123456788', 'A123456781', 'Z287654327', 'I123456782'])('rejects %s: wrong check digit', (id) => {
    expect(NATIONAL_ID_PATTERN.test(id)).toBe(true);
    expect(isValidNationalId(id)).toBe(false);
  });

  it('rejects every wrong check digit of a valid number', () => {
    for (let d = 0; d <= 9; d += 1) {
      expect(isValidNationalId(`A12345678${d}`)).toBe(d === 9);
    }
  });

  it.each([
    ['lowercase letter', 'a123456789'],
    ['leading space', ' A123456789'],
    ['trailing space', 'A123456789 '],
    ['too short', 'A12345678'],
    ['too long', 'A1234567890'],
    ['second digit 3', 'A323456789'],
    ['second digit 0', 'A023456789'],
    ['second digit 7', 'A723456789'],
    ['two letters', 'AB23456789'],
    ['digit prefix', '1123456789'],
    ['hyphen', 'A12345-789'],
    ['full-width letter', 'Ａ123456789'],
    ['empty', ''],
  ])('rejects the %s format (%j)', (_name, id) => {
    expect(isValidNationalId(id)).toBe(false);
  });
});

describe('sex from national ID', () => {
  it.each([
    ['A123456789', 'M'],
    ['O223456784', 'F'],
    ['I222222229', 'F'],
    ['Z100000002', 'M'],
    ['A812345671', null],
    ['C912345675', null],
  ] as const)('decodes %s as %s', (id, sex) => {
    expect(sexFromNationalId(id)).toBe(sex);
  });
});
