/**
 * The daily-aggregates table, described once (stack, local runtime, repository, tests).
 *
 * One item per (user, type, UTC day) of a dense type (`aggregatedTypes`): the day's count, sum,
 * sum of squares, min, max and spread, and per 30-minute slot the bucket totals. The aggregate
 * function keeps it from the measurements table's stream, recomputing a changed day from that
 * day's rows; long chart windows read these instead of the rows (docs/row-api.md, "Chart
 * series"). Derived data: it can be rebuilt from the measurements table at any time.
 */
export const dailyAggregatesTable = {
  /** `userId#type` */
  partitionKey: 'pk',
  /** The UTC date, `YYYY-MM-DD`: string order is time order. */
  sortKey: 'day',
} as const;

/**
 * The types whose charts are dense (a reading every few minutes): heart rate, glucose, oxygen
 * saturation and heart-rate variability. Only their rows feed daily aggregates.
 */
export const aggregatedTypes = [
  'PULSE',
  'BLOOD_GLUCOSE',
  'OXYGEN_SATURATION',
  'HEART_RATE_VARIABILITY',
] as const;
