import { readLimits } from '../../functions/measurements-api/read-schemas';
import { MAX_EXTERNAL_ID_LENGTH } from '../../functions/measurements/model/field-schemas';
import { measurementTypes } from '../../functions/measurements/model/measurement-types';
import { MAX_USER_ID_LENGTH } from '../../functions/measurements/model/user-id';
import {
  decodeListCursor,
  encodeListCursor,
  listIndexFor,
} from '../../functions/measurements/storage/list-pages';

const alice = 'alice';
const typedKey = {
  pk: 'alice#PULSE#C0FFEE00',
  gsiUserType: 'alice#PULSE',
  measuredAt: '2026-08-14T06:00:00.000Z',
};
const untypedKey = { pk: 'alice#PULSE#C0FFEE00', gsiUser: 'alice', measuredAt: '2026-08-14T06:00:00.000Z' };
const typed = { userId: alice, type: 'PULSE' };
const untyped = { userId: alice };

describe('which index a list reads', () => {
  test('with a type: byUserType, partition user#type', () => {
    expect(listIndexFor(alice, 'PULSE')).toEqual({
      index: expect.objectContaining({ indexName: 'byUserType' }),
      partitionValue: 'alice#PULSE',
    });
  });

  test('without: byUser, partition user', () => {
    expect(listIndexFor(alice, undefined)).toEqual({
      index: expect.objectContaining({ indexName: 'byUser' }),
      partitionValue: 'alice',
    });
  });
});

describe('a cursor round-trips only into the very list it came from', () => {
  test('a genuine cursor decodes to its start key', () => {
    expect(decodeListCursor(encodeListCursor(typedKey), typed)).toEqual(typedKey);
    expect(decodeListCursor(encodeListCursor(untypedKey), untyped)).toEqual(untypedKey);
  });

  test('is URL-safe', () => {
    expect(encodeListCursor(typedKey)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  test.each([
    ['another user', { ...typed, userId: 'bob' }],
    ['another type', { ...typed, type: 'WEIGHT' }],
    ['the untyped list', untyped],
    ['a from after its position', { ...typed, from: '2026-08-14T06:00:00.001Z' }],
    ['a to before its position', { ...typed, to: '2026-08-14T05:59:59.999Z' }],
  ])('is refused by %s', (_name, query) => {
    expect(decodeListCursor(encodeListCursor(typedKey), query)).toBeUndefined();
  });

  test('a position on a from/to bound is inside the list', () => {
    const at = typedKey.measuredAt;
    expect(decodeListCursor(encodeListCursor(typedKey), { ...typed, from: at, to: at })).toEqual(typedKey);
  });

  test.each([
    ['not base64url', '***'],
    ['non-canonical base64url', `${encodeListCursor(typedKey)}A`],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['a JSON array', encodeListCursor([1] as unknown as Record<string, unknown>)],
    ['an extra attribute', encodeListCursor({ ...typedKey, gsiUser: alice })],
    ['a missing attribute', encodeListCursor({ pk: typedKey.pk, gsiUserType: typedKey.gsiUserType })],
    ['a number', encodeListCursor({ ...typedKey, measuredAt: 1 })],
    ['a DynamoDB-typed value', encodeListCursor({ ...typedKey, pk: { S: typedKey.pk } })],
    ['an item key of another user', encodeListCursor({ ...typedKey, pk: 'bob#PULSE#C0FFEE00' })],
    ['an item key of another type', encodeListCursor({ ...typedKey, pk: 'alice#WEIGHT#C0FFEE00' })],
    ['an item key that is not one', encodeListCursor({ ...typedKey, pk: 'alice' })],
    ['an index partition of another user', encodeListCursor({ ...typedKey, gsiUserType: 'bob#PULSE' })],
    ['a non-canonical instant', encodeListCursor({ ...typedKey, measuredAt: '2026-08-14T06:00:00Z' })],
    [
      'a prototype key',
      Buffer.from(`{"__proto__":{"pk":"x"},${JSON.stringify(typedKey).slice(1)}`).toString('base64url'),
    ],
  ])('%s is refused', (_name, cursor) => {
    expect(decodeListCursor(cursor, typed)).toBeUndefined();
  });
});

describe('a cursor’s key is one a row of the caller could have (docs/row-api.md, "The cursor")', () => {
  const untypedWith = (pk: string, extra: Partial<typeof untypedKey> = {}) =>
    encodeListCursor({ ...untypedKey, pk, ...extra });

  test.each([
    ['a reading marker’s key', 'alice#@reading#WEIGHT#2026-08-14T06:00:00.000Z#MANUAL'],
    ['a type that is none of the 77', 'alice#STEPS#C0FFEE00'],
    ['a type in another case', 'alice#pulse#C0FFEE00'],
    ['a NUL in the user', 'alice\u0000#PULSE#C0FFEE00'],
    ['a control character in the type', 'alice#PULSE\u0001#C0FFEE00'],
    ['an empty externalId', 'alice#PULSE#'],
    ['an externalId over 120 characters', `alice#PULSE#${'x'.repeat(121)}`],
    ['an externalId with a lone surrogate', 'alice#PULSE#x\ud800'],
  ])('%s is refused, typed list or not', (_name, pk) => {
    expect(decodeListCursor(untypedWith(pk), untyped)).toBeUndefined();
    const type = pk.split('#')[1]!;
    expect(
      decodeListCursor(encodeListCursor({ ...typedKey, pk, gsiUserType: `alice#${type}` }), {
        ...typed,
        type,
      }),
    ).toBeUndefined();
  });

  test.each([
    ['a NUL in the instant', { measuredAt: '2026-08-14T06:00:00.000Z\u0000' }],
    ['a control character in the index partition', { gsiUser: 'alice\u0001' }],
  ])('%s is refused', (_name, extra) => {
    expect(decodeListCursor(untypedWith(untypedKey.pk, extra), untyped)).toBeUndefined();
  });

  test('an externalId of 120 characters, control characters included, is a row’s (the batch stores it)', () => {
    const pk = `alice#PULSE#${'\u0001'.repeat(120)}`;
    expect(decodeListCursor(untypedWith(pk), untyped)).toEqual({ ...untypedKey, pk });
    expect(
      decodeListCursor(untypedWith('alice#WEIGHT#manual:6f1c0d6e-0b8a-4a57-9d5c-1c2b3a4d5e6f'), untyped),
    ).toBeDefined();
  });

  test('the longest possible cursor is within the cursor parameter’s length', () => {
    const userId = '\u0001'.repeat(MAX_USER_ID_LENGTH);
    const type = [...measurementTypes].sort((a, b) => b.length - a.length)[0]!;
    const key = {
      pk: `${userId}#${type}#${'\u0001'.repeat(MAX_EXTERNAL_ID_LENGTH)}`,
      gsiUserType: `${userId}#${type}`,
      measuredAt: '2026-08-14T06:00:00.000Z',
    };
    const cursor = encodeListCursor(key, 'dayTotals');
    expect(decodeListCursor(cursor, { userId, type, pageKind: 'dayTotals' })).toEqual(key);
    expect(cursor.length).toBeLessThanOrEqual(readLimits.maxCursorLength);
  });
});

describe('the cursors of the plain list and of day totals are never taken for each other', () => {
  test('a day-total cursor round-trips into day totals only', () => {
    const cursor = encodeListCursor(typedKey, 'dayTotals');
    expect(decodeListCursor(cursor, { ...typed, pageKind: 'dayTotals' })).toEqual(typedKey);
    expect(decodeListCursor(cursor, typed)).toBeUndefined();
    expect(decodeListCursor(cursor, { ...typed, pageKind: 'rows' })).toBeUndefined();
  });

  test('a plain list’s cursor is refused by day totals', () => {
    expect(decodeListCursor(encodeListCursor(typedKey), { ...typed, pageKind: 'dayTotals' })).toBeUndefined();
  });

  test('a wrapped key with anything beside it is refused', () => {
    const cursor = Buffer.from(JSON.stringify({ dayTotalsAfter: typedKey, extra: 1 })).toString('base64url');
    expect(decodeListCursor(cursor, { ...typed, pageKind: 'dayTotals' })).toBeUndefined();
  });
});
