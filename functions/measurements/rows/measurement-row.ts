import { measurementTypeRules } from './healthkit-types';
import type { ListQuery } from './list-query';
import { measurementId, parseMeasurementId } from './measurement-key';
import type { MeasurementItem } from './measurement-repository';
import type { MeasurementRow } from './measurements-api-schema';

/** One stored row, addressed the way its key is built: the caller, the type, the externalId. */
export interface MeasurementRef {
  readonly userId: string;
  readonly type: string;
  readonly externalId: string;
}

/** Who changes a row and when: recorded on the item, so the audit function can tell an edit or a delete. */
export interface RowChange {
  readonly requestId: string;
  /** ISO instant; becomes `updatedAt` (and `deletedAt` for a delete). */
  readonly at: string;
}

export interface MeasurementEditChange {
  readonly value?: number;
  /** Stored form (`toISOString()`). */
  readonly measuredAt?: string;
}

export interface MeasurementPageItems {
  readonly items: readonly MeasurementItem[];
  /** Set when DynamoDB stopped before the end of the partition. */
  readonly lastEvaluatedKey?: Readonly<Record<string, unknown>>;
}

/** The port the row API use cases read and change rows through (the repository implements it). */
export interface MeasurementRowStore {
  /** The item under that key (strongly consistent), deleted or not; `undefined` when there is none. */
  getMeasurement(ref: MeasurementRef): Promise<MeasurementItem | undefined>;
  listMeasurements(query: ListQuery): Promise<MeasurementPageItems>;
  /** The edited item, or `undefined` when no live row has that key. */
  editMeasurement(
    ref: MeasurementRef,
    change: MeasurementEditChange,
    by: RowChange,
  ): Promise<MeasurementItem | undefined>;
  /** `true` when a live row was deleted now; `false` when none was (missing or already deleted). */
  softDeleteMeasurement(ref: MeasurementRef, by: RowChange): Promise<boolean>;
  /** Every row of the user with that externalId, whatever its type (eventually consistent). */
  findMeasurementsByExternalId(userId: string, externalId: string): Promise<MeasurementRef[]>;
}

/**
 * A stored item as the client sees it: exactly the contract's row, nothing of the storage
 * (no key, user, index attributes, writer or request id).
 */
export function toMeasurementRow(item: MeasurementItem): MeasurementRow {
  return {
    id: item.id ?? measurementId(item.type, item.externalId),
    type: item.type,
    value: item.value,
    valueMin: item.valueMin ?? null,
    valueMax: item.valueMax ?? null,
    unit: item.unit,
    source: item.source as MeasurementRow['source'],
    measuredAt: item.measuredAt,
    startDate: item.startDate,
    externalId: item.externalId,
    externalSourceVersion: item.externalSourceVersion ?? null,
    hkIdentifier: item.hkIdentifier,
    sleepStage: item.sleepStage ?? null,
    rhythmClassification: item.rhythmClassification ?? null,
    deviceType: (item.deviceType ?? null) as MeasurementRow['deviceType'],
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

/** A row the caller may see: theirs and not soft-deleted. */
export function isLiveRowOf(item: MeasurementItem | undefined, userId: string): item is MeasurementItem {
  return item !== undefined && item.userId === userId && item.deletedAt === undefined;
}

/**
 * The row an id names for this caller. Ids carry no user: the key is always the caller's own, so
 * another user's id resolves to a missing row. Ids that do not decode, or name no known type,
 * resolve to nothing without a database call.
 */
export function resolveMeasurementId(userId: string, id: string): MeasurementRef | undefined {
  const decoded = parseMeasurementId(id);
  if (!decoded || !measurementTypeRules.has(decoded.type)) return undefined;
  return { userId, type: decoded.type, externalId: decoded.externalId };
}
