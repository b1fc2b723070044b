import { measurementsTable, type MeasurementsIndex } from '../../../definitions/measurements-table';
import { parseIsoDateTime } from '../model/iso-date-time';
import type { ListQuery } from '../rows/row-store';
import { parseMeasurementKey } from './measurement-key';

/**
 * One page of `GET /api/measurements`: which index serves it, and the cursor that continues it.
 *
 * The cursor is DynamoDB's LastEvaluatedKey as base64url JSON. It is not signed (that would need
 * a secret to manage and rotate); it is bound instead: a cursor is accepted only when it has
 * exactly the key attributes of the index this query reads, all strings, and those keys lie in
 * the caller's own partition of that index (and, for a typed list, in the same type) and within
 * the query's `from`/`to` bounds. The key condition of the query always comes from the token, so
 * even a cursor that passed could only move the start position inside the caller's own rows.
 */

export type ListStartKey = Readonly<Record<string, string>>;

/** A typed list reads `byUserType` (one type's rows); an untyped one reads `byUser` (all rows). */
export function listIndexFor(
  userId: string,
  type: string | undefined,
): { index: MeasurementsIndex & { sortKey: string }; partitionValue: string } {
  return type === undefined
    ? { index: measurementsTable.indexes.byUser, partitionValue: userId }
    : { index: measurementsTable.indexes.byUserType, partitionValue: `${userId}#${type}` };
}

export function encodeListCursor(lastEvaluatedKey: Readonly<Record<string, unknown>>): string {
  return Buffer.from(JSON.stringify(lastEvaluatedKey), 'utf8').toString('base64url');
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The start key a cursor stands for, or `undefined` when it is not a cursor of this very query. */
export function decodeListCursor(
  cursor: string,
  query: Pick<ListQuery, 'userId' | 'type' | 'from' | 'to'>,
): ListStartKey | undefined {
  if (!BASE64URL.test(cursor)) return undefined;
  const json = Buffer.from(cursor, 'base64url').toString('utf8');
  if (Buffer.from(json, 'utf8').toString('base64url') !== cursor) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (
    typeof decoded !== 'object' ||
    decoded === null ||
    Object.getPrototypeOf(decoded) !== Object.prototype
  ) {
    return undefined;
  }

  const { index, partitionValue } = listIndexFor(query.userId, query.type);
  const tableKey = measurementsTable.partitionKey;
  const expected = [tableKey, index.partitionKey, index.sortKey].sort();
  const keys = Object.keys(decoded).sort();
  if (keys.length !== expected.length || keys.some((key, i) => key !== expected[i])) return undefined;
  const startKey = decoded as Record<string, unknown>;
  if (!Object.values(startKey).every((value) => typeof value === 'string')) return undefined;
  const {
    [tableKey]: pk,
    [index.partitionKey]: partition,
    [index.sortKey]: measuredAt,
  } = startKey as Record<string, string>;

  if (partition !== partitionValue) return undefined;
  const owner = parseMeasurementKey(pk!);
  if (!owner || owner.userId !== query.userId) return undefined;
  if (query.type !== undefined && owner.type !== query.type) return undefined;
  // DynamoDB refuses a start key outside the key condition: check it here, so it answers 422, not 500.
  if (parseIsoDateTime(measuredAt!)?.toISOString() !== measuredAt) return undefined;
  if (query.from !== undefined && measuredAt! < query.from) return undefined;
  if (query.to !== undefined && measuredAt! > query.to) return undefined;
  return startKey as ListStartKey;
}
