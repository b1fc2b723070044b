/**
 * The daily-aggregates table, described once (stack, local runtime, repository, tests).
 *
 * One item per (user, type, UTC day) of a dense type (`aggregatedTypes`): the day's count, sum,
 * sum of squares, min, max and spread, and per 30-minute slot the bucket totals. The aggregate
 * function keeps it from the measurements table's stream, recomputing a changed day from that
 * day's rows; long chart windows read these instead of the rows (docs/read-api.md, "Daily
 * aggregates"). Derived data: `npm run rebuild-aggregates` rebuilds it from the measurements table
 * (docs/operations.md, "Rebuilding the daily aggregates").
 */
export const dailyAggregatesTable = {
  /** `userId#type` */
  partitionKey: 'pk',
  /** The UTC date, `YYYY-MM-DD`: string order is time order. */
  sortKey: 'day',
  /** The stack output that names the table, read by the operator tools' `--stack`. */
  outputName: 'DailyAggregatesTableName',
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
