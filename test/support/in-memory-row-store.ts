import { measurementsTable } from '../../definitions/measurements-table';
import type { StoredMeasurement } from '../../functions/measurements/model/measurement';
import { kindOfKeySlot } from '../../functions/measurements/model/measurement-id';
import { softDeleteOf } from '../../functions/measurements/model/tombstone';
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
} from '../../functions/measurements/rows/row-store';
import { startKeyOf } from '../../functions/measurements/storage/list-index-query';
import {
  decodeListCursor,
  encodeListCursor,
  listIndexFor,
} from '../../functions/measurements/storage/list-pages';
import { toManualItem, toReadingMarkerItem } from '../../functions/measurements/storage/measurement-item';
import {
  measurementKey,
  parseMeasurementKey,
  readingMarkerKey,
} from '../../functions/measurements/storage/measurement-key';
import { applied, editOf, type RowEdit } from '../../functions/measurements/storage/row-edits';

type Item = Readonly<Record<string, unknown>>;
type Method = keyof MeasurementRowStore;

const { partitionKey } = measurementsTable;
const keyOf = (ref: MeasurementRef) => measurementKey(ref.userId, ref.type, ref.externalId);

/**
 * The row-store port over a Map of items, with the table's semantics: items built by the storage
 * modules' own builders, conditional writes (a live row, the version an edit was planned from, a
 * free key), all-or-none hand entries with their reading markers, soft deletes that leave the
 * tombstone, sparse list indexes read newest first through the same cursors. For the use-case
 * tests: they set up what the table holds, run a use case, and read what it answered and what the
 * table then holds. `calls` counts the port's calls; `beforeNext` lets another writer act between
 * a use case's read and its write.
 */
export class InMemoryRowStore implements MeasurementRowStore {
  private readonly items = new Map<string, Item>();
  private readonly interleaved: { method: Method; action: () => void; times: number }[] = [];
  readonly calls: Record<Method, number> = {
    getMeasurement: 0,
    listMeasurements: 0,
    listCursorAfter: 0,
    readRows: 0,
    createManualReadings: 0,
    editMeasurement: 0,
    moveManualReading: 0,
    softDeleteMeasurement: 0,
    findMeasurementsByExternalId: 0,
  };

  constructor(items: readonly Item[] = []) {
    for (const item of items) this.put(item);
  }

  /** Stores an item as it is (a test's setup, or another writer's write). */
  put(item: Item): void {
    this.items.set(String(item[partitionKey]), structuredClone(item));
  }

  /** What the table holds under a key, or under a row's reference. */
  item(key: string | MeasurementRef): Item | undefined {
    const found = this.items.get(typeof key === 'string' ? key : keyOf(key));
    return found && structuredClone(found);
  }

  /** Every item, in key order. */
  all(): Item[] {
    return [...this.items.keys()].sort().map((key) => this.item(key)!);
  }

  /** Runs `action` right before the next `times` calls of `method` (Infinity: every call). */
  beforeNext(method: Method, action: () => void, times = 1): void {
    this.interleaved.push({ method, action, times });
  }

  private called(method: Method): void {
    this.calls[method]++;
    for (const entry of this.interleaved) {
      if (entry.method !== method || entry.times <= 0) continue;
      entry.times--;
      entry.action();
    }
  }

  async getMeasurement(ref: MeasurementRef): Promise<StoredMeasurement | undefined> {
    this.called('getMeasurement');
    return this.item(ref) as StoredMeasurement | undefined;
  }

  async listMeasurements(query: ListQuery): Promise<ListPage> {
    this.called('listMeasurements');
    const startKey = query.cursor === undefined ? undefined : decodeListCursor(query.cursor, query);
    if (query.cursor !== undefined && !startKey) return { status: 'invalid_cursor' };
    const { index } = listIndexFor(query.userId, query.type);
    const rows = this.indexed(query, true);
    const after = startKey ? rows.findIndex((row) => row[partitionKey] === startKey[partitionKey]) + 1 : 0;
    const items = rows.slice(after, after + query.limit);
    // DynamoDB hands back a LastEvaluatedKey whenever a Query stops at its Limit, rows left or not.
    const more = items.length === query.limit;
    return {
      status: 'page',
      items,
      nextCursor: more ? encodeListCursor(startKeyOf(items.at(-1)!, index), query.pageKind) : null,
      itemsRead: items.length,
      ...(startKey ? { continuesAfter: startKey[index.sortKey] } : {}),
    };
  }

  listCursorAfter(query: ListQuery, item: StoredMeasurement): string {
    this.called('listCursorAfter');
    return encodeListCursor(startKeyOf(item, listIndexFor(query.userId, query.type).index), query.pageKind);
  }

  async readRows(query: RowsQuery): Promise<RowsRead> {
    this.called('readRows');
    const rows = this.indexed(query, query.limit !== undefined);
    const items = query.limit === undefined ? rows : rows.slice(0, query.limit);
    return { items, hitLimit: items.length === query.limit, itemsRead: rows.length };
  }

  /** The rows a list index holds for the query: live ones only (the index keys go on a soft delete). */
  private indexed(
    query: Pick<ListQuery, 'userId' | 'type' | 'from' | 'to' | 'source'>,
    newestFirst: boolean,
  ): StoredMeasurement[] {
    const { index, partitionValue } = listIndexFor(query.userId, query.type);
    const sortValue = (item: Item) => String(item[index.sortKey]);
    const rows = [...this.items.values()]
      .filter((item) => item[index.partitionKey] === partitionValue)
      .filter((item) => query.from === undefined || sortValue(item) >= query.from)
      .filter((item) => query.to === undefined || sortValue(item) <= query.to)
      .filter((item) => query.source === undefined || item.source === query.source)
      .sort((a, b) => sortValue(a).localeCompare(sortValue(b)) || String(a.pk).localeCompare(String(b.pk)))
      .map((item) => structuredClone(item) as StoredMeasurement);
    return newestFirst ? rows.reverse() : rows;
  }

  async createManualReadings(
    readings: readonly NewManualReading[],
    by: RowChange,
  ): Promise<CreateReadingsOutcome> {
    this.called('createManualReadings');
    const items = readings.map((reading) => toManualItem(reading, by));
    const markers = items.map((item) => toReadingMarkerItem(item.userId, item, item.pk, by.at));
    // One transaction: every key must be free, markers included (a deleted reading keeps its marker).
    const markerKeys = markers.map((marker) => marker[partitionKey]!);
    if (markerKeys.some((key, i) => this.items.has(key) || markerKeys.indexOf(key) !== i))
      return { status: 'duplicate' };
    if (items.some((item) => this.items.has(item.pk)))
      throw new Error('The hand-entered readings were not written: ConditionalCheckFailed');
    for (const written of [...items, ...markers]) this.put(written);
    return { status: 'created', items: items.map((item) => structuredClone(item)) };
  }

  async editMeasurement(
    ref: MeasurementRef,
    change: MeasurementEditChange,
    by: RowChange,
    expected?: StoredMeasurement,
  ): Promise<StoredMeasurement | undefined> {
    this.called('editMeasurement');
    const current = this.liveRow(ref);
    if (!current || (expected && !isVersion(current, expected))) return undefined;
    return this.apply(current, editOf(change, by));
  }

  async moveManualReading(
    ref: MeasurementRef,
    current: StoredMeasurement,
    change: MeasurementEditChange & { readonly measuredAt: string },
    by: RowChange,
  ): Promise<MoveReadingOutcome> {
    this.called('moveManualReading');
    const stored = this.liveRow(ref);
    if (!stored || !isVersion(stored, current) || stored.measuredAt !== current.measuredAt)
      return { status: 'stale' };
    const marker = toReadingMarkerItem(
      ref.userId,
      { ...current, measuredAt: change.measuredAt },
      keyOf(ref),
      by.at,
    );
    if (this.items.has(marker[partitionKey]!)) return { status: 'duplicate' };
    this.items.delete(readingMarkerKey(ref.userId, current.type, current.measuredAt, current.source));
    this.put(marker);
    return { status: 'edited', item: this.apply(stored, editOf(change, by)) };
  }

  async softDeleteMeasurement(
    ref: MeasurementRef,
    by: RowChange,
    scope: SoftDeleteScope = {},
  ): Promise<SoftDeleteOutcome> {
    this.called('softDeleteMeasurement');
    const stored = this.item(ref);
    if (!stored) return 'not_found';
    if (stored.deletedAt !== undefined) return 'already_deleted';
    if (scope.onlyHealthKitRows && (stored.source !== 'APPLE_HEALTH' || stored.kind === 'manual'))
      return 'not_found';
    this.apply(stored as StoredMeasurement, softDeleteOf(kindOfKeySlot(ref.externalId), by));
    return 'deleted';
  }

  async findMeasurementsByExternalId(userId: string, externalId: string): Promise<MeasurementRef[]> {
    this.called('findMeasurementsByExternalId');
    const { partitionKey: indexKey } = measurementsTable.indexes.byUserExternalId;
    return [...this.items.values()]
      .filter((item) => item[indexKey] === `${userId}#${externalId}`)
      .map((item) => parseMeasurementKey(String(item[partitionKey]))!);
  }

  private liveRow(ref: MeasurementRef): StoredMeasurement | undefined {
    const stored = this.item(ref);
    return stored && stored.deletedAt === undefined ? (stored as StoredMeasurement) : undefined;
  }

  private apply(current: StoredMeasurement, edit: RowEdit): StoredMeasurement {
    const next = applied(current, edit);
    this.put(next);
    return structuredClone(next);
  }
}

/** The row is still the version a write was planned from: the same `requestId` and `updatedAt`. */
function isVersion(stored: StoredMeasurement, expected: StoredMeasurement): boolean {
  return stored.requestId === expected.requestId && stored.updatedAt === expected.updatedAt;
}
