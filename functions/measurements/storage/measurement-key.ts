import { measurementsTable } from '../../../definitions/measurements-table';
import { attributeNotExists } from './expressions';

/**
 * The table key of a stored measurement: `userId#type#externalId` (a hand-entered row has
 * `manual:<uuid>` in the externalId's place). `userId` and `type` never contain `#` (user ids with
 * one are refused as no user; types are a fixed list), an externalId may, so a key splits on its
 * first two `#` only.
 */

export function measurementKey(userId: string, type: string, externalId: string): string {
  return `${userId}#${type}#${externalId}`;
}

export function parseMeasurementKey(
  key: string,
): { userId: string; type: string; externalId: string } | undefined {
  const first = key.indexOf('#');
  const second = first < 0 ? -1 : key.indexOf('#', first + 1);
  if (first <= 0 || second <= first + 1) return undefined;
  return {
    userId: key.slice(0, first),
    type: key.slice(first + 1, second),
    externalId: key.slice(second + 1),
  };
}

/**
 * The key of the marker that makes a hand-entered reading unique:
 * `userId#@reading#type#measuredAt#source`. Its second segment is not a measurement type, so it
 * can never be a row's key, and no id resolves to it. `measuredAt` is the stored
 * `toISOString()` form: two writings of the same millisecond are one marker.
 */
export function readingMarkerKey(userId: string, type: string, measuredAt: string, source: string): string {
  return `${userId}#${measurementsTable.readingMarker.typeSegment}#${type}#${measuredAt}#${source}`;
}

/** The key of the item a row reference names. */
export function measurementItemKey(ref: {
  readonly userId: string;
  readonly type: string;
  readonly externalId: string;
}): Record<string, string> {
  return { [measurementsTable.partitionKey]: measurementKey(ref.userId, ref.type, ref.externalId) };
}

/** The condition of a write that creates an item: nothing is stored under its key yet. */
export const keyIsFree = attributeNotExists(measurementsTable.partitionKey);
