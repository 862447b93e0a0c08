import { createHash } from 'node:crypto';
import { hashToken, tokenMatches } from '../../functions/shared/tokens';

describe('status tokens', () => {
  it('hashes to the hex SHA-256 of the UTF-8 token', () => {
    // SHA-256("abc") from FIPS 180-2.
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashToken('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hashes non-ASCII tokens as UTF-8', () => {
    expect(hashToken('護照')).toBe(createHash('sha256').update(Buffer.from('護照', 'utf8')).digest('hex'));
  });

  it('produces 64 lowercase hex characters', () => {
    expect(hashToken('tok_7Jq2xW9')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('matches the token that was hashed', () => {
    const token = 'tok_7Jq2xW9-secret';
    expect(tokenMatches(token, hashToken(token))).toBe(true);
  });

  it.each([
    ['a different token', 'tok_other'],
    ['the token with a trailing space', 'tok_7Jq2xW9-secret '],
    ['the token in another case', 'TOK_7JQ2XW9-SECRET'],
    ['an empty token', ''],
  ])('does not match %s', (_name, other) => {
    expect(tokenMatches(other, hashToken('tok_7Jq2xW9-secret'))).toBe(false);
  });

  it.each([
    ['a truncated hash', hashToken('t').slice(0, 62)],
    ['a longer hash', `${hashToken('t')}00`],
    ['an empty hash', ''],
    ['a non-hex hash', 'z'.repeat(64)],
  ])('returns false (and does not throw) for %s', (_name, expected) => {
    expect(tokenMatches('t', expected)).toBe(false);
  });
});
