/**
 * Rules about the client's externalIds that decide whether an entry can be stored at all.
 */

/** A bare pointer such as `0x12568db80`: HealthKit object addresses change on every launch. */
const BARE_POINTER = /^0x[0-9a-f]+$/i;
/** An object description such as `<HKHealthConceptIdentifier: 0x12568db80>`, anywhere in the id. */
const OBJECT_DESCRIPTION = /<[^>]*0x[0-9a-f]+[^>]*>/i;

/** Ids that would be different on the next sync of the same row, so can never deduplicate. */
export function isUnstableExternalId(externalId: string): boolean {
  const trimmed = externalId.trim();
  return trimmed === '' || BARE_POINTER.test(trimmed) || OBJECT_DESCRIPTION.test(trimmed);
}

export const HEART_RATE_BUCKET_PREFIX = 'stats:HKQuantityTypeIdentifierHeartRate:';

const BUCKET_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:[0-5]0:00\.000Z$/;

export function isHeartRateBucketId(externalId: string): boolean {
  return externalId.startsWith(HEART_RATE_BUCKET_PREFIX);
}

/**
 * A bucket id must end in the canonical `toISOString()` form of a UTC instant on the 10-minute
 * grid; the round trip rejects calendar impossibilities (`02-30`) and `T24:00`.
 */
export function isCanonicalHeartRateBucketId(externalId: string): boolean {
  if (!isHeartRateBucketId(externalId)) return false;
  const instant = externalId.slice(HEART_RATE_BUCKET_PREFIX.length);
  if (!BUCKET_INSTANT.test(instant)) return false;
  const parsed = new Date(instant);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString() === instant;
}
