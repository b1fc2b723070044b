import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  PutCommand,
  paginateQuery,
  paginateScan,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { measurementsTable } from '../../../definitions/measurements-table';
import { userLifecycle } from '../../../definitions/user-lifecycle';
import { batchGetAll, batchWriteAll } from './batch-requests';
import { conditionFailure } from './condition-failures';
import { beginsWith, equals, expressionInput, projection } from './expressions';
import type { StoredMeasurement } from '../model/measurement';
import type { ExportRow } from '../../user-data/export-format';
import type {
  ErasableItem,
  ErasingDelete,
  LifecycleAnnouncement,
  LifecycleAnnouncer,
  RestoreTarget,
  RestoreWrite,
  StoredItem,
  UserItemStore,
} from '../../user-data/user-data-store';
import { restoredRowKey, toErasingItem, toReadingMarkerItem, toRestoredItem } from './measurement-item';
import { keyIsFree, readingMarkerKey } from './measurement-key';

const { partitionKey, ownerAttribute, readingMarker, rowKinds } = measurementsTable;
const byOwner = measurementsTable.indexes.byOwner;
const { lifecycleItem, erasingKind } = userLifecycle;
const isRowKind = (kind: unknown) => (rowKinds as readonly unknown[]).includes(kind);

/**
 * The measurements table as the user-data tools see it (functions/user-data/): every item of one
 * user through the `byOwner` index, read back by key in batches; restored rows written in batches;
 * the erasure's two steps (docs/data-lifecycle.md, "Erasure"); the lifecycle item that tells the
 * audit trail a tool ran. The only code that builds these commands.
 */
export class UserItems implements UserItemStore, LifecycleAnnouncer {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async *ownerKeys(userId: string): AsyncIterable<readonly string[]> {
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        IndexName: byOwner.indexName,
        ...expressionInput({ KeyConditionExpression: equals(byOwner.partitionKey, userId, 'owner') }),
        // `pk` order: stable from one run to the next, and the reading markers (`userId#@reading#…`)
        // come before every row (types are upper-case letters, after `@`).
        ScanIndexForward: true,
      },
    );
    for await (const { Items = [] } of pages) {
      if (Items.length > 0) yield Items.map((item) => item[partitionKey] as string);
    }
  }

  async *scanOwnerKeys(userId: string): AsyncIterable<readonly string[]> {
    const pages = paginateScan(
      { client: this.client },
      {
        TableName: this.tableName,
        // Every key of a user's item starts with the user id and `#` (rows, markers alike).
        ...expressionInput({
          FilterExpression: beginsWith(partitionKey, `${userId}#`),
          ProjectionExpression: projection([partitionKey]),
        }),
      },
    );
    for await (const { Items = [] } of pages) {
      if (Items.length > 0) yield Items.map((item) => item[partitionKey] as string);
    }
  }

  async readItems(keys: readonly string[]): Promise<readonly StoredItem[]> {
    const found = await this.readByKey(keys);
    return keys.flatMap((key) => {
      const item = found.get(key);
      return item ? [item] : [];
    });
  }

  async readRestoreTargets(userId: string, rows: readonly ExportRow[]): Promise<readonly RestoreTarget[]> {
    const rowKeys = rows.map((row) => restoredRowKey(userId, row));
    const markerKeys = rows.map((row) => restoredMarkerKey(userId, row));
    const found = await this.readByKey([
      ...rowKeys,
      ...markerKeys.filter((key): key is string => key !== undefined),
    ]);
    return rows.map((_, i) => {
      const existing = found.get(rowKeys[i]!) as StoredMeasurement | undefined;
      const markerKey = markerKeys[i];
      if (markerKey === undefined) return existing ? { existing } : {};
      const marker = found.get(markerKey);
      return {
        ...(existing ? { existing } : {}),
        marker: !marker ? 'missing' : marker.row === rowKeys[i] ? 'this-row' : 'other-row',
      };
    });
  }

  async writeRestored(
    userId: string,
    writes: { readonly rows: readonly RestoreWrite[]; readonly markers: readonly ExportRow[] },
    at: string,
  ): Promise<void> {
    await batchWriteAll(this.client, this.tableName, [
      ...writes.rows.map(({ row }) => ({ PutRequest: { Item: toRestoredItem(userId, row) } })),
      ...writes.markers.map((row) => ({
        PutRequest: {
          Item: toReadingMarkerItem(
            userId,
            row as Pick<StoredMeasurement, 'type' | 'measuredAt' | 'source'>,
            restoredRowKey(userId, row),
            at,
          ),
        },
      })),
    ]);
    // A live hand-entered row replaced by a version at another instant: its old marker goes, as
    // when the row API moves a reading (only while it still names this row).
    for (const { row, replaces } of writes.rows) {
      const oldMarker = replaces ? storedMarkerKey(replaces, userId) : undefined;
      if (oldMarker === undefined || oldMarker === restoredMarkerKey(userId, row)) continue;
      try {
        await this.client.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { [partitionKey]: oldMarker },
            ...expressionInput({ ConditionExpression: equals('row', restoredRowKey(userId, row)) }),
          }),
        );
      } catch (error) {
        if (!conditionFailure(error)) throw error;
      }
    }
  }

  async readForErasure(
    userId: string,
    keys: readonly string[],
    options: { readonly deriveMarkers: boolean },
  ): Promise<readonly ErasableItem[]> {
    const found = await this.readByKey(keys, ['kind', 'deletedAt', 'type', 'measuredAt', 'source']);
    const items: ErasableItem[] = [];
    // A marker written before markers carried their owner is in no index: only its reading's
    // type, instant and source name it. (A tombstone stripped of its instant no longer does.)
    const derived = [...found.values()]
      .map((item) => storedMarkerKey(item as Partial<StoredMeasurement>, userId))
      .filter((key): key is string => key !== undefined && !found.has(key));
    if (options.deriveMarkers && derived.length > 0) {
      const markers = await this.readByKey(derived, ['kind', ownerAttribute]);
      for (const [key, marker] of markers) {
        // One with an owner is found through the index already (markers sort first).
        if (marker.kind === readingMarker.kind && marker[ownerAttribute] === undefined)
          items.push({ key, kind: 'readingMarker' });
      }
    }
    for (const key of keys) {
      const item = found.get(key);
      if (item) items.push({ key, kind: erasableKind(item) });
    }
    return items;
  }

  async markErasing(userId: string, keys: readonly string[]): Promise<void> {
    await batchWriteAll(
      this.client,
      this.tableName,
      keys.map((key) => ({ PutRequest: { Item: toErasingItem(userId, key) } })),
    );
  }

  async deleteErasing(key: string): Promise<ErasingDelete> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { [partitionKey]: key },
          ...expressionInput({ ConditionExpression: equals('kind', erasingKind, 'erasing') }),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'deleted';
    } catch (error) {
      const failure = conditionFailure(error);
      if (!failure) throw error;
      // No item: already gone.
      return failure.item === undefined ? 'deleted' : 'changed';
    }
  }

  async announce({ event, userRef, counts, startedAt, endedAt }: LifecycleAnnouncement): Promise<void> {
    const key = `${lifecycleItem.keyPrefix}${randomUUID()}`;
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          [partitionKey]: key,
          kind: lifecycleItem.kind,
          [lifecycleItem.eventAttribute]: event,
          [lifecycleItem.userRefAttribute]: userRef,
          [lifecycleItem.countsAttribute]: counts,
          [lifecycleItem.startedAtAttribute]: startedAt,
          [lifecycleItem.endedAtAttribute]: endedAt,
        },
        ...expressionInput({ ConditionExpression: keyIsFree }),
      }),
    );
    // Only its INSERT matters (the stream carries it to the audit function); the table keeps nothing.
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { [partitionKey]: key } }));
  }

  /** The items at these keys, by key, strongly consistent; with `attributes`, only those (and the key). */
  private async readByKey(
    keys: readonly string[],
    attributes?: readonly string[],
  ): Promise<Map<string, StoredItem>> {
    const projected = attributes
      ? expressionInput({ ProjectionExpression: projection([partitionKey, ...attributes]) })
      : {};
    const unique = [...new Set(keys)];
    const items = await batchGetAll(
      this.client,
      this.tableName,
      unique.map((key) => ({ [partitionKey]: key })),
      projected,
    );
    return new Map(items.map((item) => [item[partitionKey] as string, item as StoredItem]));
  }
}

function erasableKind(item: Readonly<Record<string, unknown>>): ErasableItem['kind'] {
  if (isRowKind(item.kind)) return item.deletedAt === undefined ? 'row' : 'deletedRow';
  if (item.kind === readingMarker.kind) return 'readingMarker';
  if (item.kind === erasingKind) return 'interrupted';
  return 'other';
}

/**
 * The marker key of a hand-entered row of the file, restored for `userId`: a live one's, and a
 * soft-deleted one's while its tombstone still names the instant (the service keeps a deleted
 * reading's marker, so that instant stays taken).
 */
function restoredMarkerKey(userId: string, row: ExportRow): string | undefined {
  if (row.kind !== 'manual' || row.measuredAt === undefined || row.source === undefined) return undefined;
  return readingMarkerKey(userId, row.type, row.measuredAt, row.source);
}

/** The marker key of a stored hand-entered row of `owner` that still has its type, instant and source. */
function storedMarkerKey(item: Partial<StoredMeasurement>, owner: string): string | undefined {
  const { kind, type, measuredAt, source } = item;
  if (kind !== 'manual' || type === undefined || measuredAt === undefined || source === undefined)
    return undefined;
  return readingMarkerKey(owner, type, measuredAt, source);
}
