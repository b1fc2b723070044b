import {
  IDEMPOTENCY_KEY_PATTERN,
  bodyFingerprint,
  canonicalJson,
  idempotencyIdentity,
  idempotencyKeyOf,
  jsonBodyFingerprint,
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

describe('a replay is keyed by the user from the token, the route (row API) and the key', () => {
  test('identity = userId#key on the batch', () => {
    expect(idempotencyIdentity('user-1', 'abcd1234')).toBe('user-1#abcd1234');
  });

  test('identity = userId#route#key on the row API: a key reused on another route is another identity', () => {
    expect(idempotencyIdentity('user-1', 'abcd1234', 'POST /api/measurements')).toBe(
      'user-1#POST /api/measurements#abcd1234',
    );
    expect(idempotencyIdentity('user-1', 'abcd1234', 'POST /api/measurements')).not.toBe(
      idempotencyIdentity('user-1', 'abcd1234', 'POST /api/measurements/bulk-delete'),
    );
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

describe('"the same body" on the row API means the same JSON value', () => {
  const fingerprint = (text: string) => jsonBodyFingerprint(Buffer.from(text), 64 * 1024);

  test('keys in another order, at any depth, and other whitespace: the same fingerprint', () => {
    const a = '{"type":"WEIGHT","value":72.4,"nested":{"b":1,"a":[{"y":2,"x":1}]}}';
    const b = '{ "nested": { "a": [ { "x": 1, "y": 2 } ], "b": 1 },\n  "value": 72.4, "type": "WEIGHT" }';
    expect(fingerprint(a)).toBe(fingerprint(b));
  });

  test('the same numbers and strings written differently: the same fingerprint', () => {
    expect(fingerprint('{"value":72.40,"type":"\\u0057EIGHT"}')).toBe(
      fingerprint('{"value":72.4,"type":"WEIGHT"}'),
    );
    expect(fingerprint('{"value":1e2}')).toBe(fingerprint('{"value":100}'));
  });

  test('another value, another array order, or one key more: another fingerprint', () => {
    const base = fingerprint('{"ids":["a","b"]}');
    expect(fingerprint('{"ids":["b","a"]}')).not.toBe(base);
    expect(fingerprint('{"ids":["a","b"],"x":null}')).not.toBe(base);
    expect(fingerprint('{"ids":["a","B"]}')).not.toBe(base);
    expect(fingerprint('[{"ids":["a","b"]}]')).not.toBe(base);
  });

  test('canonical JSON sorts keys and keeps arrays; a __proto__ key is just a key', () => {
    expect(canonicalJson({ b: [3, { d: 1, c: 2 }], a: 'x' })).toBe('{"a":"x","b":[3,{"c":2,"d":1}]}');
    expect(canonicalJson(JSON.parse('{"__proto__":{"z":1},"a":1}'))).toBe('{"__proto__":{"z":1},"a":1}');
  });

  test('a body that is not JSON, too large or nested too deep is fingerprinted by its bytes', () => {
    expect(fingerprint('{"value":')).toMatch(/^bytes:/);
    expect(fingerprint('{"value": 1}')).toMatch(/^json:/);
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    expect(fingerprint(deep)).toMatch(/^bytes:/);
    expect(jsonBodyFingerprint(Buffer.from('{"a": 1}'), 4)).toMatch(/^bytes:/);
    expect(jsonBodyFingerprint(Buffer.from('{"a": 1}'), 4)).not.toBe(
      jsonBodyFingerprint(Buffer.from('{"a":1}'), 4),
    );
  });
  test('a body that is not UTF-8 is fingerprinted by its bytes: two such bodies never share one', () => {
    const withByte = (byte: number) =>
      Buffer.concat([Buffer.from('{"externalIds":["SAMPLE-'), Buffer.from([byte]), Buffer.from('"]}')]);
    const ff = jsonBodyFingerprint(withByte(0xff), 64 * 1024);
    const fe = jsonBodyFingerprint(withByte(0xfe), 64 * 1024);
    expect(ff).toMatch(/^bytes:/);
    expect(ff).not.toBe(fe);
    expect(bodyFingerprint(withByte(0xff))).not.toBe(bodyFingerprint(withByte(0xfe)));
  });
});
