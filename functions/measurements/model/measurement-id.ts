/**
 * Keys and ids of stored measurements.
 *
 * The table key is `userId#type#externalId`; `userId` and `type` never contain `#`, an externalId
 * may, so a key splits on its first two `#` only. The row id handed to clients is derived from
 * (type, externalId) alone: deterministic, URL-safe, and free of the user id — it only resolves
 * together with the caller's own identity.
 */

export const STATS_PREFIX = 'stats:';

export type MeasurementKind = 'stats' | 'sample';

export function kindOfExternalId(externalId: string): MeasurementKind {
  return externalId.startsWith(STATS_PREFIX) ? 'stats' : 'sample';
}

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

export function measurementId(type: string, externalId: string): string {
  return Buffer.from(`${type}#${externalId}`, 'utf8').toString('base64url');
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
/**
 * Longest id of a real row: base64url of `type#externalId` with an externalId of up to 120 UTF-16
 * units, i.e. up to 360 UTF-8 bytes (≈ 520 chars with the longest type); anything longer is junk.
 */
const MAX_ID_LENGTH = 1024;

export function parseMeasurementId(id: string): { type: string; externalId: string } | undefined {
  if (!BASE64URL.test(id) || id.length > MAX_ID_LENGTH) return undefined;
  const decoded = Buffer.from(id, 'base64url').toString('utf8');
  // Only the canonical encoding resolves, so one row never has two ids.
  if (Buffer.from(decoded, 'utf8').toString('base64url') !== id) return undefined;
  const separator = decoded.indexOf('#');
  if (separator <= 0 || separator === decoded.length - 1) return undefined;
  return { type: decoded.slice(0, separator), externalId: decoded.slice(separator + 1) };
}

/** A user id can be part of a key only if it cannot be confused with the separator. */
export function isUsableUserId(userId: string): boolean {
  return userId.length > 0 && userId.length <= 256 && !userId.includes('#');
}
