/**
 * Why a batch entry is not stored. The phone treats `unstable_external_id`,
 * `unmappable_identifier` and `value_out_of_range` as final and re-sends the others later, so the
 * strings never change; the ingest summary counts entries per reason (`skippedByReason`) and the
 * hourly outcome query has one column per reason.
 */
export const skipReasons = [
  'unstable_external_id',
  'unmappable_identifier',
  'value_out_of_range',
  'implausible_timestamp',
  'malformed_hr_bucket_id',
] as const;

export type SkipReason = (typeof skipReasons)[number];
