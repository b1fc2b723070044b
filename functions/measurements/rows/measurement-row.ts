import { isMeasurementType } from '../model/measurement-types';
import type { StoredMeasurement } from '../model/measurement';
import { parseMeasurementId } from '../model/measurement-id';
import type { MeasurementRef } from './row-store';

/**
 * The row as the API returns it (docs/row-api.md): exactly the contract's fields, in its order,
 * nothing of the storage (no key, user, index attributes, kind, writer or request id). A
 * hand-entered row has no HealthKit origin: `externalId`, `hkIdentifier` and `startDate` are null.
 */
export interface MeasurementRow {
  readonly id: string;
  readonly type: string;
  readonly value: number;
  readonly unit: string;
  readonly source: string;
  readonly measuredAt: string;
  readonly notes: string | null;
  readonly valueMin: number | null;
  readonly valueMax: number | null;
  readonly externalId: string | null;
  readonly externalSourceVersion: string | null;
  readonly hkIdentifier: string | null;
  readonly startDate: string | null;
  readonly sleepStage: string | null;
  readonly rhythmClassification: string | null;
  readonly glucoseContext: string | null;
  readonly deviceType: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function toMeasurementRow(item: StoredMeasurement): MeasurementRow {
  return {
    id: item.id,
    type: item.type,
    value: item.value,
    unit: item.unit,
    source: item.source,
    measuredAt: item.measuredAt,
    notes: item.notes ?? null,
    valueMin: item.valueMin ?? null,
    valueMax: item.valueMax ?? null,
    externalId: item.externalId ?? null,
    externalSourceVersion: item.externalSourceVersion ?? null,
    hkIdentifier: item.hkIdentifier ?? null,
    startDate: item.startDate ?? null,
    sleepStage: item.sleepStage ?? null,
    rhythmClassification: item.rhythmClassification ?? null,
    glucoseContext: item.glucoseContext ?? null,
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
