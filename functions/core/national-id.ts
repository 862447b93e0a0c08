/**
 * Taiwan national identification number (國民身分證統一編號): one letter for the place of first
 * registration, then nine digits. The first digit is 1 (male) or 2 (female); 8 and 9 are used by
 * the uniform ID numbers of resident certificates issued since 2021. The last digit is a check
 * digit over a weighted sum of the letter's two-digit code and the first eight digits.
 */

/** Two-digit codes of the leading letter (Ministry of the Interior). */
const LETTER_CODES: Readonly<Record<string, number>> = {
  A: 10,
  B: 11,
  C: 12,
  D: 13,
  E: 14,
  F: 15,
  G: 16,
  H: 17,
  I: 34,
  J: 18,
  K: 19,
  L: 20,
  M: 21,
  N: 22,
  O: 35,
  P: 23,
  Q: 24,
  R: 25,
  S: 26,
  T: 27,
  U: 28,
  V: 29,
  W: 32,
  X: 30,
  Y: 31,
  Z: 33,
};

const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 1] as const;

export const NATIONAL_ID_PATTERN = /^[A-Z][1289]\d{8}$/;

/** The check digit the first nine characters call for (0–9). */
export function nationalIdCheckDigit(firstNine: string): number {
  const code = LETTER_CODES[firstNine.charAt(0)];
  if (code === undefined) throw new RangeError('not a national ID prefix');
  let sum = Math.floor(code / 10) + (code % 10) * 9;
  for (let i = 0; i < WEIGHTS.length; i += 1) {
    sum += Number(firstNine.charAt(i + 1)) * (WEIGHTS[i] as number);
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidNationalId(value: string): boolean {
  if (!NATIONAL_ID_PATTERN.test(value)) return false;
  return nationalIdCheckDigit(value.slice(0, 9)) === Number(value.charAt(9));
}

/** The sex the number encodes, or null for resident-certificate numbers (8, 9). */
export function sexFromNationalId(value: string): 'M' | 'F' | null {
  const d = value.charAt(1);
  if (d === '1') return 'M';
  if (d === '2') return 'F';
  return null;
}
