import { isMeasurementType } from '../model/measurement-types';
import { measurementRowFields, type MeasurementRow, type StoredMeasurement } from '../model/measurement';
import { parseMeasurementId } from '../model/measurement-id';
import type { MeasurementRef } from './row-store';

export type { MeasurementRow } from '../model/measurement';

/** The row the API returns of a stored item: its shown attributes in order, null where it has none. */
export function toMeasurementRow(item: StoredMeasurement): MeasurementRow {
  const row: Record<string, unknown> = {};
  for (const name of measurementRowFields) row[name] = item[name] ?? null;
  return row as unknown as MeasurementRow;
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
