import { setTimeout as sleep } from 'node:timers/promises';
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  paginateQuery,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { READ_ITEM_BUDGET } from '../../../definitions/answer-limits';
import { measurementsTable, type MeasurementsIndex } from '../../../definitions/measurements-table';
import type { MeasurementWriter, WriteOutcome, WriteRequest } from '../batch/measurement-writer';
import type { StoredMeasurement, Writer } from '../model/measurement';
import { kindOfKeySlot } from '../model/measurement-id';
import { softDeleteOf } from '../model/tombstone';
import type {
  CreateReadingsOutcome,
  ListPage,
  ListQuery,
  RowsQuery,
  RowsRead,
  MeasurementEditChange,
  MeasurementRef,
  MeasurementRowStore,
  MoveReadingOutcome,
  NewManualReading,
  RowChange,
  SoftDeleteOutcome,
  SoftDeleteScope,
} from '../rows/row-store';
import { decodeListCursor, encodeListCursor, listIndexFor } from './list-pages';
import { toManualItem, toMeasurementItem, toReadingMarkerItem } from './measurement-item';
import { measurementKey, parseMeasurementKey, readingMarkerKey } from './measurement-key';

const { partitionKey } = measurementsTable;

// A reason is a name or a code of at most 64 characters, never a message, so a failed entry's
// outcome stays as small as any other (docs/batch-api.md, "The answer").
const errorName = /^[A-Za-z][A-Za-z0-9_.]{0,63}$/;
const systemErrorCode = /^E[A-Z0-9_]{1,63}$/;
const systemErrorInMessage = /\b[a-z]+ (E[A-Z0-9_]{2,63})\b/;

/**
 * What a failed write's `reason` says, so that an operator reading the answer or the logs knows
 * the cause: `deadline_exceeded` when the function's deadline aborted it; the error's own name
 * when it has one — DynamoDB's (`ProvisionedThroughputExceededException`,
 * `ResourceNotFoundException`, `AccessDeniedException`) or the HTTP handler's (`TimeoutError`);
 * for a network fault, which Node.js raises as a plain `Error`, its system code (`ECONNREFUSED`,
 * `ECONNRESET`, `ENOTFOUND`, `EPIPE`); `write_failed` only when nothing better is known.
 */
export function writeFailureReason(error: unknown, abortSignal?: AbortSignal): string {
  if (abortSignal?.aborted) return 'deadline_exceeded';
  // Read as plain properties: an error raised by Node.js's own modules may come from another
  // realm (a test runner's sandbox), where `instanceof Error` is false.
  if (typeof error !== 'object' || error === null) return 'write_failed';
  const { name, code, message } = error as { name?: unknown; code?: unknown; message?: unknown };
  if (typeof name === 'string' && name !== 'Error' && errorName.test(name)) return name;
  if (typeof code === 'string' && systemErrorCode.test(code)) return code;
  // The SDK's retry layer re-wraps an error from another realm keeping only its text, which for
  // a system error names the code (`connect ECONNREFUSED 127.0.0.1:8000`).
  const named = typeof message === 'string' ? systemErrorInMessage.exec(message) : null;
  return named ? named[1]! : 'write_failed';
}

/** See `maxFilteredItemsRead`: the list read budget (definitions/answer-limits.ts). */
export const MAX_FILTERED_ITEMS_READ = READ_ITEM_BUDGET;
/** Items one Query of a filtered list evaluates (about 600 KB of heart-rate rows). */
const FILTERED_PAGE_ITEMS = 1_000;

/**
 * The only code that builds DynamoDB commands for measurements. Writes never read first:
 * `stats:` rows are an unconditional PutItem whose ALL_OLD tells inserted from updated; samples
 * are a PutItem conditioned on the key not existing, whose ALL_OLD-on-failure names the
 * existing row. A soft-deleted `stats:` row comes back on re-post (the put replaces the whole
 * item, `deletedAt` included); a soft-deleted sample stays deleted (the condition still fails).
 *
 * The row API reads by key (GetItem) or through the list indexes (Query, never Scan), and changes
 * a row with one conditional UpdateItem that also records its writer (`edit` / `delete`) and the
 * request id. A soft delete turns the row into its tombstone (model/tombstone.ts): the index
 * attributes go with its data, so the row leaves every sparse index.
 *
 * Hand-entered readings are written with a transaction (TransactWriteItems): per reading a
 * PutItem of the row and a PutItem of its uniqueness marker, each conditioned on its key not
 * existing, so a repeated reading fails on its marker and nothing at all is written. Moving a
 * reading to another instant updates the row, deletes the old marker and puts the new one in one
 * transaction too.
 */
export class MeasurementRepository implements MeasurementWriter, MeasurementRowStore {
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

  async writeMeasurement(
    request: WriteRequest,
    options: { abortSignal?: AbortSignal } = {},
  ): Promise<WriteOutcome> {
    try {
      return request.measurement.kind === 'stats'
        ? await this.putStats(request, options.abortSignal)
        : await this.putSample(request, options.abortSignal);
    } catch (error) {
      return { status: 'failed', reason: writeFailureReason(error, options.abortSignal) };
    }
  }

  private async putStats(request: WriteRequest, abortSignal?: AbortSignal): Promise<WriteOutcome> {
    const { Attributes } = await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: toMeasurementItem(request),
        ReturnValues: 'ALL_OLD',
      }),
      { abortSignal },
    );
    return Attributes ? { status: 'updated' } : { status: 'inserted' };
  }

  private async putSample(request: WriteRequest, abortSignal?: AbortSignal): Promise<WriteOutcome> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toMeasurementItem(request),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': partitionKey },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
        { abortSignal },
      );
      return { status: 'inserted' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The document client leaves `Item` marshalled on this exception.
      const existing = error.Item ? unmarshall(error.Item as Record<string, AttributeValue>) : undefined;
      return {
        status: 'duplicate',
        id: typeof existing?.id === 'string' ? existing.id : request.measurement.id,
      };
    }
  }

  async createManualReadings(
    readings: readonly NewManualReading[],
    by: RowChange,
  ): Promise<CreateReadingsOutcome> {
    const items = readings.map((reading) => toManualItem(reading, by));
    // Per reading: [row, marker]. The marker is the odd position, which is how a cancellation
    // reason is told apart below.
    const transactItems = items.flatMap((item) => [
      { Put: { TableName: this.tableName, Item: item, ...keyMustNotExist } },
      {
        Put: {
          TableName: this.tableName,
          Item: toReadingMarkerItem(item.userId, item, item.pk, by.at),
          ...keyMustNotExist,
        },
      },
    ]);
    const reasons = await this.transact(transactItems);
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
    const rowKey = measurementKey(ref.userId, ref.type, ref.externalId);
    const { assignments, removals } = editAssignments(change, by);
    const update = liveRowUpdate(assignments, removals);
    // The move was planned from `current`: its instant names the marker to delete, and any other
    // write in between (which sets a new requestId and updatedAt) makes the move stale rather than wrong.
    conditionOnVersion(update, current);
    update.ConditionExpression += ' AND #measuredAt = :expectedMeasuredAt';
    Object.assign(update.ExpressionAttributeNames, { '#measuredAt': 'measuredAt' });
    Object.assign(update.ExpressionAttributeValues, { ':expectedMeasuredAt': current.measuredAt });
    const reasons = await this.transact([
      { Update: { TableName: this.tableName, Key: { [partitionKey]: rowKey }, ...update } },
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
          Item: toReadingMarkerItem(ref.userId, { ...current, measuredAt: change.measuredAt }, rowKey, by.at),
          ...keyMustNotExist,
        },
      },
    ]);
    if (reasons === 'committed') return { status: 'edited', item: applyEdit(current, assignments, removals) };
    if (reasons[0] === 'ConditionalCheckFailed') return { status: 'stale' };
    if (reasons[2] === 'ConditionalCheckFailed') return { status: 'duplicate' };
    throw new Error(`The reading was not moved: ${reasons.join(', ')}`);
  }

  /**
   * One TransactWriteItems: `committed`, or the cancellation reason of each item in order
   * (`None` for those that were fine). Two requests writing the same marker at the same moment
   * cancel each other with `TransactionConflict` (the SDK does not retry a cancellation): the
   * transaction is retried briefly, until one has committed and the other sees its marker.
   */
  private async transact(
    transactItems: NonNullable<TransactWriteCommandInput['TransactItems']>,
  ): Promise<'committed' | string[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: transactItems }));
        return 'committed';
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
        const conflictOnly =
          reasons.includes('TransactionConflict') &&
          reasons.every((code) => code === 'TransactionConflict' || code === 'None');
        if (!conflictOnly || attempt >= TRANSACTION_ATTEMPTS) return reasons;
        await sleep(Math.random() * TRANSACTION_BACKOFF_MS * 2 ** attempt);
      }
    }
  }

  async getMeasurement(ref: MeasurementRef): Promise<StoredMeasurement | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keyOf(ref),
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
  private async queryIndex(request: {
    userId: string;
    type?: string;
    from?: string;
    to?: string;
    source?: string;
    limit?: number;
    newestFirst: boolean;
    startKey?: Record<string, unknown>;
  }): Promise<{ items: StoredMeasurement[]; lastEvaluatedKey?: Record<string, unknown>; itemsRead: number }> {
    const { from, to, source, limit } = request;
    const { index, partitionValue } = listIndexFor(request.userId, request.type);
    const names: Record<string, string> = { '#partition': index.partitionKey };
    const values: Record<string, unknown> = { ':partition': partitionValue };
    let condition = '#partition = :partition';
    // measuredAt is stored as `toISOString()`, so string order is time order.
    if (from !== undefined || to !== undefined) names['#measuredAt'] = index.sortKey;
    if (from !== undefined) values[':from'] = from;
    if (to !== undefined) values[':to'] = to;
    if (from !== undefined && to !== undefined) condition += ' AND #measuredAt BETWEEN :from AND :to';
    else if (from !== undefined) condition += ' AND #measuredAt >= :from';
    else if (to !== undefined) condition += ' AND #measuredAt <= :to';
    if (source !== undefined) {
      names['#source'] = 'source';
      values[':source'] = source;
    }

    const filtered = source !== undefined;
    const maxEvaluated = this.options.maxFilteredItemsRead ?? MAX_FILTERED_ITEMS_READ;
    const items: StoredMeasurement[] = [];
    let evaluated = 0;
    let startKey = request.startKey;
    do {
      const {
        Items = [],
        LastEvaluatedKey,
        ScannedCount = 0,
      } = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index.indexName,
          KeyConditionExpression: condition,
          ...(filtered ? { FilterExpression: '#source = :source' } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: !request.newestFirst,
          ...(filtered
            ? { Limit: Math.min(FILTERED_PAGE_ITEMS, maxEvaluated) }
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
      if (filtered && evaluated >= maxEvaluated) break;
    } while (startKey);
    return { items, itemsRead: evaluated, ...(startKey ? { lastEvaluatedKey: startKey } : {}) };
  }

  async editMeasurement(
    ref: MeasurementRef,
    change: MeasurementEditChange,
    by: RowChange,
    expected?: StoredMeasurement,
  ): Promise<StoredMeasurement | undefined> {
    const { assignments, removals } = editAssignments(change, by);
    const update = liveRowUpdate(assignments, removals);
    if (expected) conditionOnVersion(update, expected);
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(ref),
          ...update,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes as StoredMeasurement;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
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
    const update = liveRowUpdate(set, remove);
    if (scope.onlyHealthKitRows) {
      update.ConditionExpression += ' AND #source = :healthKitSource AND #kind <> :manualKind';
      Object.assign(update.ExpressionAttributeNames, { '#source': 'source', '#kind': 'kind' });
      Object.assign(update.ExpressionAttributeValues, {
        ':healthKitSource': 'APPLE_HEALTH',
        ':manualKind': 'manual',
      });
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(ref),
          ...update,
          // Tells an already-deleted row (the app retrying a delete) from a missing one, without a read first.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'deleted';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The document client leaves `Item` marshalled on this exception.
      const existing = error.Item ? unmarshall(error.Item as Record<string, AttributeValue>) : undefined;
      return existing?.deletedAt !== undefined ? 'already_deleted' : 'not_found';
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
        KeyConditionExpression: '#partition = :partition',
        ExpressionAttributeNames: { '#partition': index.partitionKey },
        ExpressionAttributeValues: { ':partition': `${userId}#${externalId}` },
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

/** The index key of a row, as DynamoDB would hand it back as LastEvaluatedKey after that row. */
function startKeyOf(
  item: StoredMeasurement,
  index: MeasurementsIndex & { sortKey: string },
): Record<string, unknown> {
  const attributes = item as unknown as Record<string, unknown>;
  return {
    [partitionKey]: attributes[partitionKey],
    [index.partitionKey]: attributes[index.partitionKey],
    [index.sortKey]: attributes[index.sortKey],
  };
}

/** A transaction cancelled only by conflicts is retried this often, with jittered exponential backoff. */
const TRANSACTION_ATTEMPTS = 6;
const TRANSACTION_BACKOFF_MS = 10;

const keyMustNotExist = {
  ConditionExpression: 'attribute_not_exists(#pk)',
  ExpressionAttributeNames: { '#pk': partitionKey },
};

/** What an edit sets and removes: the change, plus who wrote it and when. */
function editAssignments(
  change: MeasurementEditChange,
  by: RowChange,
): { assignments: Record<string, unknown>; removals: string[] } {
  const writer: Writer = 'edit';
  const assignments: Record<string, unknown> = { updatedAt: by.at, writer, requestId: by.requestId };
  const removals: string[] = [];
  if (change.value !== undefined) {
    // A spread summarises the heart-rate bucket the phone measured; a value set by hand has none.
    Object.assign(assignments, { value: change.value, valueMin: null, valueMax: null });
  }
  if (change.measuredAt !== undefined) assignments.measuredAt = change.measuredAt;
  // No note is no attribute, so a row without one compares equal before and after in the audit.
  if (change.notes === null) removals.push('notes');
  else if (change.notes !== undefined) assignments.notes = change.notes;
  return { assignments, removals };
}

/** The item after an update that was conditioned on `current` being the stored version. */
function applyEdit(
  current: StoredMeasurement,
  assignments: Record<string, unknown>,
  removals: readonly string[],
): StoredMeasurement {
  const edited: Record<string, unknown> = { ...current, ...assignments };
  for (const attribute of removals) delete edited[attribute];
  return edited as unknown as StoredMeasurement;
}

/**
 * Adds "the row is still the version that was read" to an update's condition. Every write of a
 * row sets `requestId` (the writing request's own id) and `updatedAt`, so the pair names one
 * write: any other write in between changes it, and the update is refused instead of applied to
 * a row it was not planned for (docs/row-api.md, "Edits and deletes on the item").
 */
function conditionOnVersion(update: ReturnType<typeof liveRowUpdate>, expected: StoredMeasurement): void {
  const names = update.ExpressionAttributeNames;
  const values = update.ExpressionAttributeValues;
  names['#versionRequestId'] = 'requestId';
  names['#versionUpdatedAt'] = 'updatedAt';
  const clause = (name: string, value: unknown, placeholder: string) => {
    if (value === undefined) return `attribute_not_exists(${name})`;
    values[placeholder] = value;
    return `${name} = ${placeholder}`;
  };
  update.ConditionExpression +=
    ` AND ${clause('#versionRequestId', expected.requestId, ':expectedRequestId')}` +
    ` AND ${clause('#versionUpdatedAt', expected.updatedAt, ':expectedUpdatedAt')}`;
}

function keyOf(ref: MeasurementRef): Record<string, string> {
  return { [partitionKey]: measurementKey(ref.userId, ref.type, ref.externalId) };
}

/**
 * An UpdateItem that only applies to a live row: one that exists (an update would otherwise
 * create it) and is not soft-deleted. A failed condition is how a missing row shows.
 */
function liveRowUpdate(set: Record<string, unknown>, remove: readonly string[] = []) {
  const names: Record<string, string> = { '#pk': partitionKey, '#deletedAt': 'deletedAt' };
  const values: Record<string, unknown> = {};
  const setClauses = Object.entries(set).map(([attribute, value]) => {
    names[`#${attribute}`] = attribute;
    values[`:${attribute}`] = value;
    return `#${attribute} = :${attribute}`;
  });
  const removeClauses = remove.map((attribute) => {
    names[`#${attribute}`] = attribute;
    return `#${attribute}`;
  });
  return {
    UpdateExpression:
      `SET ${setClauses.join(', ')}` +
      (removeClauses.length > 0 ? ` REMOVE ${removeClauses.join(', ')}` : ''),
    ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#deletedAt)',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
