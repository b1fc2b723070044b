import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { READ_ITEM_BUDGET } from '../../../definitions/answer-limits';
import { measurementsTable, type MeasurementsIndex } from '../../../definitions/measurements-table';
import type { StoredMeasurement } from '../model/measurement';
import { and, atLeast, atMost, between, equals, expressionInput } from './expressions';
import { listIndexFor } from './list-pages';

/** See `maxFilteredItemsRead`: the list read budget (definitions/answer-limits.ts). */
export const MAX_FILTERED_ITEMS_READ = READ_ITEM_BUDGET;
/** Items one Query of a filtered list evaluates (about 600 KB of heart-rate rows). */
const FILTERED_PAGE_ITEMS = 1_000;

export interface IndexRead {
  readonly userId: string;
  readonly type?: string;
  readonly from?: string;
  readonly to?: string;
  readonly source?: string;
  readonly limit?: number;
  readonly newestFirst: boolean;
  readonly startKey?: Record<string, unknown>;
}

/** The index key of a row, as DynamoDB would hand it back as LastEvaluatedKey after that row. */
export function startKeyOf(
  item: StoredMeasurement,
  index: MeasurementsIndex & { sortKey: string },
): Record<string, unknown> {
  const attributes = item as unknown as Record<string, unknown>;
  return {
    [measurementsTable.partitionKey]: attributes[measurementsTable.partitionKey],
    [index.partitionKey]: attributes[index.partitionKey],
    [index.sortKey]: attributes[index.sortKey],
  };
}

/**
 * A Query of a list index, page after page, until `limit` matching rows or the end. Returns the
 * key to continue from when rows may be left: DynamoDB's own, or — when the limit was reached
 * inside a page — the key of the last row returned.
 *
 * With a source filter, DynamoDB applies `Limit` before the filter, so a page is a fixed number
 * of evaluated items (not the rows still wanted), trimmed here, and the read stops once
 * `maxFilteredItemsRead` items were evaluated: the answer then holds the matches found so far
 * and the key to continue from.
 */
export async function queryListIndex(
  target: { readonly client: DynamoDBDocumentClient; readonly tableName: string },
  request: IndexRead,
  maxFilteredItemsRead = MAX_FILTERED_ITEMS_READ,
): Promise<{ items: StoredMeasurement[]; lastEvaluatedKey?: Record<string, unknown>; itemsRead: number }> {
  const { from, to, source, limit } = request;
  const { index, partitionValue } = listIndexFor(request.userId, request.type);
  // measuredAt is stored as `toISOString()`, so string order is time order.
  const instants =
    from !== undefined && to !== undefined
      ? between(index.sortKey, from, to)
      : from !== undefined
        ? atLeast(index.sortKey, from, 'from')
        : to !== undefined
          ? atMost(index.sortKey, to, 'to')
          : undefined;
  const filtered = source !== undefined;
  const expressions = expressionInput({
    KeyConditionExpression: and(equals(index.partitionKey, partitionValue, 'partition'), instants),
    FilterExpression: filtered ? equals('source', source) : undefined,
  });

  const items: StoredMeasurement[] = [];
  let evaluated = 0;
  let startKey = request.startKey;
  do {
    const {
      Items = [],
      LastEvaluatedKey,
      ScannedCount = 0,
    } = await target.client.send(
      new QueryCommand({
        TableName: target.tableName,
        IndexName: index.indexName,
        ...expressions,
        ScanIndexForward: !request.newestFirst,
        ...(filtered
          ? { Limit: Math.min(FILTERED_PAGE_ITEMS, maxFilteredItemsRead) }
          : limit === undefined
            ? {}
            : { Limit: limit - items.length }),
        ExclusiveStartKey: startKey,
      }),
    );
    evaluated += ScannedCount;
    const room = limit === undefined ? Items.length : limit - items.length;
    items.push(...(Items.slice(0, room) as StoredMeasurement[]));
    startKey = LastEvaluatedKey;
    if (limit !== undefined && items.length >= limit) {
      if (Items.length > room) startKey = startKeyOf(items[items.length - 1]!, index);
      break;
    }
    if (filtered && evaluated >= maxFilteredItemsRead) break;
  } while (startKey);
  return { items, itemsRead: evaluated, ...(startKey ? { lastEvaluatedKey: startKey } : {}) };
}
