import {
  IDEMPOTENCY_KEY_PATTERN,
  bodyFingerprint,
  idempotencyIdentity,
  idempotencyKeyOf,
} from '../../functions/request-guards/idempotency-key';

const withHeader = (headers: Record<string, string>) => ({ headers });

describe('valid Idempotency-Keys match ^[A-Za-z0-9_\\-:.]{8,128}$; others are ignored', () => {
  test('the pattern is the contract’s', () => {
    expect(IDEMPOTENCY_KEY_PATTERN.source).toBe('^[A-Za-z0-9_\\-:.]{8,128}$');
  });

  test.each([
    ['8 characters', 'abcd1234'],
    ['128 characters', 'k'.repeat(128)],
    ['a UUID', '0b6f6c2e-3f1a-4c55-9f0e-6a1c0d2b7e11'],
    ['every allowed punctuation', 'sync:2026-08-14.batch_7'],
  ])('%s is used', (_, key) => {
    expect(idempotencyKeyOf(withHeader({ 'idempotency-key': key }))).toBe(key);
  });

  test.each([
    ['7 characters', 'abc1234'],
    ['129 characters', 'k'.repeat(129)],
    ['empty', ''],
    ['a space', 'abcd 1234'],
    ['a slash', 'abcd/1234'],
    ['a plus and equals (base64)', 'abcd+123=='],
    ['a comma (a repeated header, joined)', 'abcd1234,abcd1234'],
    ['non-ASCII letters', 'schlüssel1'],
    ['a trailing newline', 'abcd1234\n'],
  ])('%s is ignored', (_, key) => {
    expect(idempotencyKeyOf(withHeader({ 'idempotency-key': key }))).toBeUndefined();
  });

  test('no header: no key', () => {
    expect(idempotencyKeyOf(withHeader({}))).toBeUndefined();
    expect(idempotencyKeyOf({ headers: undefined as unknown as Record<string, string> })).toBeUndefined();
  });

  test('the header name is case-insensitive', () => {
    expect(idempotencyKeyOf(withHeader({ 'Idempotency-Key': 'abcd1234' }))).toBe('abcd1234');
  });
});

describe('a replay is keyed by the user from the token and the key', () => {
  test('identity = userId#key', () => {
    expect(idempotencyIdentity('user-1', 'abcd1234')).toBe('user-1#abcd1234');
  });

  test('two users with one key are two identities', () => {
    expect(idempotencyIdentity('alice', 'abcd1234')).not.toBe(idempotencyIdentity('bob', 'abcd1234'));
  });
});

describe('"the same body" means the same bytes', () => {
  test('equal bytes, equal fingerprint; one byte apart, different', () => {
    const body = Buffer.from('{"entries":[]}');
    expect(bodyFingerprint(body)).toBe(bodyFingerprint(Buffer.from('{"entries":[]}')));
    expect(bodyFingerprint(body)).not.toBe(bodyFingerprint(Buffer.from('{"entries": []}')));
  });
});
