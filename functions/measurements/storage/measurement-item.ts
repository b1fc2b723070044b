import { measurementsTable } from '../../../definitions/measurements-table';
import { userLifecycle } from '../../../definitions/user-lifecycle';
import type { WriteRequest } from '../batch/measurement-writer';
import { noHealthKitOrigin, type StoredMeasurement } from '../model/measurement';
import type { NewManualReading, RowChange } from '../rows/row-store';
import { measurementKey, readingMarkerKey } from './measurement-key';
import { parseMeasurementId } from '../model/measurement-id';
import type { ExportRow } from '../../user-data/export-format';

const { partitionKey, ownerAttribute, indexAttributes, readingMarker } = measurementsTable;

/**
 * The item a batch write puts: the measurement, its owner and bookkeeping, and the index keys of
 * a live row (a soft delete removes them, which drops the row from every list).
 */
export function toMeasurementItem({
  userId,
  requestId,
  writtenAt,
  measurement,
}: WriteRequest): Record<string, unknown> {
  // One literal, index keys included: copying a finished item into a second object to add them
  // costs V8 about 20 times the CPU of building it, and this runs for every entry of every batch.
  return {
    pk: measurementKey(userId, measurement.type, measurement.externalId),
    userId,
    ...measurement,
    createdAt: writtenAt,
    updatedAt: writtenAt,
    requestId,
    writer: 'batch',
    // Index keys of a live row; a soft delete removes them, which drops the row from every list.
    [indexAttributes.user]: userId,
    [indexAttributes.userType]: `${userId}#${measurement.type}`,
    [indexAttributes.userExternalId]: `${userId}#${measurement.externalId}`,
  } satisfies StoredMeasurement & Record<IndexAttribute, string>;
}

type IndexAttribute = (typeof indexAttributes)[keyof typeof indexAttributes];

/**
 * The item of a reading entered by hand. No HealthKit origin (externalId null, and so every
 * attribute only a synced row has: `noHealthKitOrigin`), a note only when there is one, and the
 * two list indexes' keys — not `byUserExternalId`'s: the phone's by-external-ids deletes never
 * concern hand-entered rows, and leaving the key out saves that index a write.
 */
export function toManualItem(
  { ref, id, reading }: NewManualReading,
  by: RowChange,
): StoredMeasurement & Record<ListIndexAttribute, string> {
  const { notes, ...fields } = reading;
  return {
    pk: measurementKey(ref.userId, ref.type, ref.externalId),
    userId: ref.userId,
    kind: 'manual',
    id,
    ...fields,
    ...(notes === null ? {} : { notes }),
    externalId: null,
    ...noHealthKitOrigin,
    createdAt: by.at,
    updatedAt: by.at,
    requestId: by.requestId,
    writer: 'create',
    [indexAttributes.user]: ref.userId,
    [indexAttributes.userType]: `${ref.userId}#${ref.type}`,
  };
}

type ListIndexAttribute = typeof indexAttributes.user | typeof indexAttributes.userType;

/**
 * The marker of a hand-entered reading: its key names (user, type, instant, source), `row` the
 * key of the reading that holds it. No list index attributes (never listed), no `writer` (the
 * audit stream's filter never lets it through); its owner, which puts it in the `byOwner` index
 * (export and erasure find every item of a user there).
 */
export function toReadingMarkerItem(
  userId: string,
  reading: Pick<StoredMeasurement, 'type' | 'measuredAt' | 'source'>,
  rowKey: string,
  at: string,
): Record<string, string> {
  return {
    [partitionKey]: readingMarkerKey(userId, reading.type, reading.measuredAt, reading.source),
    [ownerAttribute]: userId,
    kind: readingMarker.kind,
    row: rowKey,
    createdAt: at,
  };
}

/**
 * The item `npm run import-user` writes for an exported row: the row's own attributes under the
 * key its id and `userId` derive, the list indexes' keys of a live row (as `toMeasurementItem` and
 * `toManualItem` set them: a hand-entered row has no externalId, so no `byUserExternalId` key),
 * none on a tombstone, and `writer: import` with the exported writer kept as `restoredWriter`.
 */
export function toRestoredItem(userId: string, row: ExportRow): StoredMeasurement & Record<string, unknown> {
  const { writer, ...fields } = row;
  const live = !('deletedAt' in row);
  return {
    [partitionKey]: restoredRowKey(userId, row),
    [ownerAttribute]: userId,
    ...fields,
    writer: 'import',
    restoredWriter: writer,
    ...(live
      ? {
          [indexAttributes.user]: userId,
          [indexAttributes.userType]: `${userId}#${row.type}`,
          ...(row.externalId === null
            ? {}
            : { [indexAttributes.userExternalId]: `${userId}#${row.externalId}` }),
        }
      : {}),
  } as StoredMeasurement & Record<string, unknown>;
}

/** The table key of an exported row, owned by `userId`: its id names the type and the key slot. */
export function restoredRowKey(userId: string, row: Pick<ExportRow, 'id'>): string {
  const slot = parseMeasurementId(row.id);
  if (!slot) throw new TypeError('An exported row has an id that names no row');
  return measurementKey(userId, slot.type, slot.externalId);
}

/**
 * What the erasure overwrites an item with before it deletes it (docs/data-lifecycle.md,
 * "Erasure"): the key, the owner (so an interrupted erasure finds it again through `byOwner`) and
 * the kind `erasing`, which no stream consumer's filter selects. Nothing else: no type, no value.
 */
export function toErasingItem(userId: string, key: string): Record<string, string> {
  return { [partitionKey]: key, [ownerAttribute]: userId, kind: userLifecycle.erasingKind };
}
