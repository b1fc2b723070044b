import { isMeasurementType } from '../model/measurement-types';
import type { StoredMeasurement } from '../model/measurement';
import { measurementId, parseMeasurementId } from '../model/measurement-id';
import type { MeasurementRef } from './row-store';

/**
 * The row as the API returns it (docs/row-api.md): exactly the contract's fields,
 * nothing of the storage (no key, user, index attributes, writer or request id).
 */
export interface MeasurementRow {
  readonly id: string;
  readonly type: string;
  readonly value: number;
  readonly valueMin: number | null;
  readonly valueMax: number | null;
  readonly unit: string;
  readonly source: string;
  readonly measuredAt: string;
  readonly startDate: string;
  readonly externalId: string;
  readonly externalSourceVersion: string | null;
  readonly hkIdentifier: string;
  readonly sleepStage: string | null;
  readonly rhythmClassification: string | null;
  readonly deviceType: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function toMeasurementRow(item: StoredMeasurement): MeasurementRow {
  return {
    id: item.id ?? measurementId(item.type, item.externalId),
    type: item.type,
    value: item.value,
    valueMin: item.valueMin ?? null,
    valueMax: item.valueMax ?? null,
    unit: item.unit,
    source: item.source,
    measuredAt: item.measuredAt,
    startDate: item.startDate,
    externalId: item.externalId,
    externalSourceVersion: item.externalSourceVersion ?? null,
    hkIdentifier: item.hkIdentifier,
    sleepStage: item.sleepStage ?? null,
    rhythmClassification: item.rhythmClassification ?? null,
    deviceType: item.deviceType ?? null,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

/** A row the caller may see: theirs and not soft-deleted. */
export function isLiveRowOf(item: StoredMeasurement | undefined, userId: string): item is StoredMeasurement {
  return item !== undefined && item.userId === userId && item.deletedAt === undefined;
}

/**
 * The row an id names for this caller. Ids carry no user: the key is always the caller's own, so
 * another user's id resolves to a missing row. Ids that do not decode, or name no known type,
 * resolve to nothing without a database call.
 */
export function resolveMeasurementId(userId: string, id: string): MeasurementRef | undefined {
  const decoded = parseMeasurementId(id);
  if (!decoded || !isMeasurementType(decoded.type)) return undefined;
  return { userId, type: decoded.type, externalId: decoded.externalId };
}
