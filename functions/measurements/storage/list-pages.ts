import { measurementsTable, type MeasurementsIndex } from '../../../definitions/measurements-table';
import { decodeCursor, encodeCursor, hasExactlyKeys, isPlainObject } from '../model/cursor-text';
import { MAX_EXTERNAL_ID_LENGTH, isWellFormedText } from '../model/field-schemas';
import { parseIsoDateTime } from '../model/iso-date-time';
import { isMeasurementType } from '../model/measurement-types';
import type { ListPageKind, ListQuery } from '../rows/row-store';
import { parseMeasurementKey } from './measurement-key';

/**
 * One page of `GET /api/measurements`: which index serves it, and the cursor that continues it.
 *
 * The cursor is the index key of the last row a page read (DynamoDB's LastEvaluatedKey) as
 * base64url JSON — for a page of day totals wrapped as `{"dayTotalsAfter": key}`, so the cursors of
 * the two lists are never taken for each other. It is not signed (that would need a secret to
 * manage and rotate); it is bound instead: a cursor is accepted only when its key is one a row of
 * the caller's could have in the index this query reads — the caller's partition of that index
 * (and, for a typed list, of that type), a table key `userId#type#externalId` of the caller's with
 * a known type and an externalId the write paths accept, a canonical instant within the query's
 * `from`/`to`. The key condition of the query always comes from the token, so even a cursor that
 * passed could only move the start position inside the caller's own rows.
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

/** What wraps a day-total page's key; a plain list's cursor is the bare key. */
const DAY_TOTALS_AFTER = 'dayTotalsAfter';

export function encodeListCursor(
  lastEvaluatedKey: Readonly<Record<string, unknown>>,
  kind: ListPageKind = 'rows',
): string {
  return encodeCursor(kind === 'dayTotals' ? { [DAY_TOTALS_AFTER]: lastEvaluatedKey } : lastEvaluatedKey);
}

/**
 * Whether an externalId slot could hold a row of this service: a hand entry's `manual:<uuid>` or a
 * batch externalId, both 1–120 characters of well-formed text. Any character the batch stores is
 * fine here too — control characters included: a list must page past such a row, and DynamoDB
 * takes in a start key what it took in the item's key.
 */
const isRowExternalId = (externalId: string) =>
  externalId.length > 0 && externalId.length <= MAX_EXTERNAL_ID_LENGTH && isWellFormedText(externalId);

/** The start key a cursor stands for, or `undefined` when it is not a cursor of this very query. */
export function decodeListCursor(
  cursor: string,
  query: Pick<ListQuery, 'userId' | 'type' | 'from' | 'to' | 'pageKind'>,
): ListStartKey | undefined {
  const decoded = decodeCursor(cursor);
  if (!decoded) return undefined;
  let startKey: Record<string, unknown> = decoded;
  if ((query.pageKind ?? 'rows') === 'dayTotals') {
    const wrapped = decoded[DAY_TOTALS_AFTER];
    if (!hasExactlyKeys(decoded, [DAY_TOTALS_AFTER]) || !isPlainObject(wrapped)) return undefined;
    startKey = wrapped;
  }

  const { index, partitionValue } = listIndexFor(query.userId, query.type);
  const tableKey = measurementsTable.partitionKey;
  if (!hasExactlyKeys(startKey, [tableKey, index.partitionKey, index.sortKey])) return undefined;
  if (!Object.values(startKey).every((value) => typeof value === 'string')) return undefined;
  const {
    [tableKey]: pk,
    [index.partitionKey]: partition,
    [index.sortKey]: measuredAt,
  } = startKey as Record<string, string>;

  if (partition !== partitionValue) return undefined;
  // A row's key: the caller's, of a known type (a reading marker's `@reading` is none), of the
  // list's type when it has one.
  const row = parseMeasurementKey(pk!);
  if (!row || row.userId !== query.userId || !isMeasurementType(row.type)) return undefined;
  if (query.type !== undefined && row.type !== query.type) return undefined;
  if (!isRowExternalId(row.externalId)) return undefined;
  // DynamoDB refuses a start key outside the key condition: check it here, so it answers 422, not 500.
  if (parseIsoDateTime(measuredAt!)?.toISOString() !== measuredAt) return undefined;
  if (query.from !== undefined && measuredAt! < query.from) return undefined;
  if (query.to !== undefined && measuredAt! > query.to) return undefined;
  return startKey as ListStartKey;
}
