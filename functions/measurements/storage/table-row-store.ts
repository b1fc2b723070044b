import { GetCommand, paginateQuery, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { measurementsTable } from '../../../definitions/measurements-table';
import type { StoredMeasurement } from '../model/measurement';
import { kindOfKeySlot } from '../model/measurement-id';
import { softDeleteOf } from '../model/tombstone';
import type {
  CreateReadingsOutcome,
  ListPage,
  ListQuery,
  MeasurementEditChange,
  MeasurementRef,
  MeasurementRowStore,
  MoveReadingOutcome,
  NewManualReading,
  RowChange,
  RowsQuery,
  RowsRead,
  SoftDeleteOutcome,
  SoftDeleteScope,
} from '../rows/row-store';
import { conditionFailure } from './condition-failures';
import {
  and,
  attributeExists,
  attributeNotExists,
  equals,
  expressionInput,
  notEquals,
  update,
  type ExpressionPart,
} from './expressions';
import { queryListIndex, startKeyOf, type IndexRead } from './list-index-query';
import { decodeListCursor, encodeListCursor, listIndexFor } from './list-pages';
import { toManualItem, toReadingMarkerItem } from './measurement-item';
import { keyIsFree, measurementItemKey, parseMeasurementKey, readingMarkerKey } from './measurement-key';
import { applied, editOf } from './row-edits';
import { transactWrite } from './transactions';

const { partitionKey } = measurementsTable;

/**
 * The row API's reads and changes of the measurements table (the `MeasurementRowStore` port). It
 * reads by key (GetItem) or through the list indexes (Query, never Scan), and changes a row with
 * one conditional UpdateItem that also records its writer (`edit` / `delete`) and the request id.
 * A soft delete turns the row into its tombstone (model/tombstone.ts): the index attributes go
 * with its data, so the row leaves every sparse index.
 *
 * Hand-entered readings are written with a transaction (TransactWriteItems): per reading a
 * PutItem of the row and a PutItem of its uniqueness marker, each conditioned on its key not
 * existing, so a repeated reading fails on its marker and nothing at all is written. Moving a
 * reading to another instant updates the row, deletes the old marker and puts the new one in one
 * transaction too.
 */
export class TableRowStore implements MeasurementRowStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: {
      /**
       * How many index items one filtered list (`sourceEq`) may read before it stops and answers
       * what it found with a cursor: a filter that matches few rows of a large partition (hand
       * entries among years of heart-rate buckets) must not read the whole partition per request.
       */
      readonly maxFilteredItemsRead?: number;
    } = {},
  ) {}

  async createManualReadings(
    readings: readonly NewManualReading[],
    by: RowChange,
  ): Promise<CreateReadingsOutcome> {
    const items = readings.map((reading) => toManualItem(reading, by));
    const mustBeNew = expressionInput({ ConditionExpression: keyIsFree });
    // Per reading: [row, marker]. The marker is the odd position, which is how a cancellation
    // reason is told apart below.
    const transactItems = items.flatMap((item) => [
      { Put: { TableName: this.tableName, Item: item, ...mustBeNew } },
      {
        Put: {
          TableName: this.tableName,
          Item: toReadingMarkerItem(item.userId, item, item.pk, by.at),
          ...mustBeNew,
        },
      },
    ]);
    const reasons = await transactWrite(this.client, transactItems);
    if (reasons === 'committed') return { status: 'created', items };
    if (reasons.some((code, index) => index % 2 === 1 && code === 'ConditionalCheckFailed')) {
      return { status: 'duplicate' };
    }
    throw new Error(`The hand-entered readings were not written: ${reasons.join(', ')}`);
  }

  async moveManualReading(
    ref: MeasurementRef,
    current: StoredMeasurement,
    change: MeasurementEditChange & { readonly measuredAt: string },
    by: RowChange,
  ): Promise<MoveReadingOutcome> {
    const rowKey = measurementItemKey(ref);
    const { set, remove } = editOf(change, by);
    const reasons = await transactWrite(this.client, [
      {
        Update: {
          TableName: this.tableName,
          Key: rowKey,
          // The move was planned from `current`: its instant names the marker to delete, and any
          // other write in between (which sets a new requestId and updatedAt) makes the move stale
          // rather than wrong.
          ...expressionInput({
            UpdateExpression: update(set, remove),
            ConditionExpression: and(
              liveRow,
              isVersion(current),
              equals('measuredAt', current.measuredAt, 'expectedMeasuredAt'),
            ),
          }),
        },
      },
      {
        Delete: {
          TableName: this.tableName,
          Key: {
            [partitionKey]: readingMarkerKey(ref.userId, current.type, current.measuredAt, current.source),
          },
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: toReadingMarkerItem(
            ref.userId,
            { ...current, measuredAt: change.measuredAt },
            rowKey[partitionKey]!,
            by.at,
          ),
          ...expressionInput({ ConditionExpression: keyIsFree }),
        },
      },
    ]);
    if (reasons === 'committed') return { status: 'edited', item: applied(current, { set, remove }) };
    if (reasons[0] === 'ConditionalCheckFailed') return { status: 'stale' };
    if (reasons[2] === 'ConditionalCheckFailed') return { status: 'duplicate' };
    throw new Error(`The reading was not moved: ${reasons.join(', ')}`);
  }

  async getMeasurement(ref: MeasurementRef): Promise<StoredMeasurement | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: measurementItemKey(ref),
        // GET by id must return a value written a moment ago; the indexes may still lag.
        ConsistentRead: true,
      }),
    );
    return Item as StoredMeasurement | undefined;
  }

  /**
   * One page of a user's live rows, newest first. A page of up to `limit` rows may take several
   * Queries (DynamoDB returns at most 1 MB each, and a `source` filter drops rows after reading);
   * the cursor then points at the last row returned.
   */
  async listMeasurements(query: ListQuery): Promise<ListPage> {
    const startKey = query.cursor === undefined ? undefined : decodeListCursor(query.cursor, query);
    if (query.cursor !== undefined && !startKey) return { status: 'invalid_cursor' };
    const { items, lastEvaluatedKey, itemsRead } = await this.queryIndex({
      ...query,
      newestFirst: true,
      startKey,
    });
    return {
      status: 'page',
      items,
      nextCursor: lastEvaluatedKey ? encodeListCursor(lastEvaluatedKey, query.pageKind) : null,
      itemsRead,
      ...(startKey ? { continuesAfter: startKey[listIndexFor(query.userId, query.type).index.sortKey] } : {}),
    };
  }

  listCursorAfter(query: ListQuery, item: StoredMeasurement): string {
    const { index } = listIndexFor(query.userId, query.type);
    return encodeListCursor(startKeyOf(item, index), query.pageKind);
  }

  async readRows(query: RowsQuery): Promise<RowsRead> {
    const { items, lastEvaluatedKey, itemsRead } = await this.queryIndex({
      ...query,
      newestFirst: query.limit !== undefined,
    });
    return { items, hitLimit: lastEvaluatedKey !== undefined, itemsRead };
  }

  private queryIndex(request: IndexRead) {
    return queryListIndex(
      { client: this.client, tableName: this.tableName },
      request,
      this.options.maxFilteredItemsRead,
    );
  }

  async editMeasurement(
    ref: MeasurementRef,
    change: MeasurementEditChange,
    by: RowChange,
    expected?: StoredMeasurement,
  ): Promise<StoredMeasurement | undefined> {
    const { set, remove } = editOf(change, by);
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: measurementItemKey(ref),
          ...expressionInput({
            UpdateExpression: update(set, remove),
            ConditionExpression: and(liveRow, expected && isVersion(expected)),
          }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes as StoredMeasurement;
    } catch (error) {
      if (conditionFailure(error)) return undefined;
      throw error;
    }
  }

  async softDeleteMeasurement(
    ref: MeasurementRef,
    by: RowChange,
    scope: SoftDeleteScope = {},
  ): Promise<SoftDeleteOutcome> {
    // The row becomes its tombstone (model/tombstone.ts): the index keys go, so it leaves every
    // list, and so do its values, notes and device fields.
    const { set, remove } = softDeleteOf(kindOfKeySlot(ref.externalId), by);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: measurementItemKey(ref),
          ...expressionInput({
            UpdateExpression: update(set, remove),
            ConditionExpression: and(liveRow, scope.onlyHealthKitRows ? healthKitRow : undefined),
          }),
          // Tells an already-deleted row (the app retrying a delete) from a missing one, without a read first.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'deleted';
    } catch (error) {
      const failure = conditionFailure(error);
      if (!failure) throw error;
      return failure.item?.deletedAt !== undefined ? 'already_deleted' : 'not_found';
    }
  }

  async findMeasurementsByExternalId(userId: string, externalId: string): Promise<MeasurementRef[]> {
    const index = measurementsTable.indexes.byUserExternalId;
    const found: MeasurementRef[] = [];
    // KEYS_ONLY: the index holds the table key and nothing else, which is all a delete needs.
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        IndexName: index.indexName,
        ...expressionInput({
          KeyConditionExpression: equals(index.partitionKey, `${userId}#${externalId}`, 'partition'),
        }),
      },
    );
    for await (const { Items = [] } of pages) {
      for (const item of Items) {
        const key = item[partitionKey];
        const ref = typeof key === 'string' ? parseMeasurementKey(key) : undefined;
        if (ref && ref.userId === userId && ref.externalId === externalId) found.push(ref);
      }
    }
    return found;
  }
}

/**
 * An update applies only to a live row: one that exists (an update would otherwise create it)
 * and is not soft-deleted. A failed condition is how a missing row shows.
 */
const liveRow = and(attributeExists(partitionKey), attributeNotExists('deletedAt'));

/** The phone's deletes by externalId remove only what HealthKit wrote, never a hand entry. */
const healthKitRow = and(
  equals('source', 'APPLE_HEALTH', 'healthKitSource'),
  notEquals('kind', 'manual', 'manualKind'),
);

/**
 * "The row is still the version that was read". Every write of a row sets `requestId` (the
 * writing request's own id) and `updatedAt`, so the pair names one write: any other write in
 * between changes it, and the update is refused instead of applied to a row it was not planned
 * for (docs/row-api.md, "Edits and deletes on the item").
 */
function isVersion(expected: StoredMeasurement): ExpressionPart {
  const stamp = (attribute: 'requestId' | 'updatedAt', valueName: string) =>
    expected[attribute] === undefined
      ? attributeNotExists(attribute)
      : equals(attribute, expected[attribute], valueName);
  return and(stamp('requestId', 'expectedRequestId'), stamp('updatedAt', 'expectedUpdatedAt'));
}
