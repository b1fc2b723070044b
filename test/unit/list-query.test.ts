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
