import type { measurementsTable } from '../../../definitions/measurements-table';

/**
 * Row ids and kinds. The id handed to clients is derived from (type, externalId) alone:
 * deterministic, URL-safe, and free of the user id — it only resolves together with the caller's
 * own identity. A `stats:` externalId names an aggregate the phone re-posts as it grows; any other
 * externalId names a write-once sample. A reading entered by hand has no externalId: its key and
 * id hold `manual:<random UUID>` in that place, fixed at creation, so its id never changes.
 */

/**
 * `stats:` rows are aggregates the phone re-posts as they grow; samples are write-once readings;
 * `manual` rows were entered by hand through the row API and have no HealthKit origin.
 */
export type MeasurementKind = (typeof measurementsTable.rowKinds)[number];

/** The kinds the batch writes, told apart by the externalId. */
export type SyncedKind = Exclude<MeasurementKind, 'manual'>;

export const STATS_PREFIX = 'stats:';
export const MANUAL_PREFIX = 'manual:';

/** What stands in a hand-entered row's key (and id) where a batch row has its externalId. */
export function manualKeySlot(uuid: string): string {
  return `${MANUAL_PREFIX}${uuid}`;
}

export function kindOfExternalId(externalId: string): SyncedKind {
  return externalId.startsWith(STATS_PREFIX) ? 'stats' : 'sample';
}

/** The kind of the row whose key holds `slot` where the externalId goes (`manual:<uuid>`: entered by hand). */
export function kindOfKeySlot(slot: string): MeasurementKind {
  return slot.startsWith(MANUAL_PREFIX) ? 'manual' : kindOfExternalId(slot);
}

export function measurementId(type: string, externalId: string): string {
  return Buffer.from(`${type}#${externalId}`, 'utf8').toString('base64url');
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
/**
 * Longest id of a real row: base64url of `type#externalId` with an externalId of up to 120 UTF-16
 * units, i.e. up to 360 UTF-8 bytes (≈ 520 chars with the longest type); anything longer is junk.
 */
export const MAX_ID_LENGTH = 1024;

export function parseMeasurementId(id: string): { type: string; externalId: string } | undefined {
  if (!BASE64URL.test(id) || id.length > MAX_ID_LENGTH) return undefined;
  const decoded = Buffer.from(id, 'base64url').toString('utf8');
  // Only the canonical encoding resolves, so one row never has two ids.
  if (Buffer.from(decoded, 'utf8').toString('base64url') !== id) return undefined;
  const separator = decoded.indexOf('#');
  if (separator <= 0 || separator === decoded.length - 1) return undefined;
  return { type: decoded.slice(0, separator), externalId: decoded.slice(separator + 1) };
}
