/**
 * When a measurement may have happened: not before 1900-01-01T00:00:00Z (older data is years of
 * history and welcome, anything earlier is a broken clock or a zero date) and not more than
 * 5 minutes after now (clock skew between phone and server). The batch skips other entries as
 * `implausible_timestamp`; the row API refuses such an edit.
 */
export const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
export const EARLIEST_INSTANT = Date.UTC(1900, 0, 1);

export function isPlausibleInstant(instant: Date, now: Date): boolean {
  const time = instant.getTime();
  return time >= EARLIEST_INSTANT && time <= now.getTime() + FUTURE_TOLERANCE_MS;
}
