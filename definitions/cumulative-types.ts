/**
 * The measurement types that are day totals: the phone sends one `stats:` row per local day and
 * re-posts it as the day fills, lists sum them per day (`groupBy=day`), and a re-post that lowers
 * one deserves an operator's look (the "Decreases of cumulative totals" saved query).
 */
export const cumulativeTypes = [
  'ACTIVITY_STEPS',
  'ACTIVE_ENERGY_BURNED',
  'FLIGHTS_CLIMBED',
  'WALKING_RUNNING_DISTANCE',
  'TIME_IN_DAYLIGHT',
  'FALL_COUNT',
] as const;

export type CumulativeType = (typeof cumulativeTypes)[number];

/** Whether `groupBy=day` applies to `type`; for any other type the plain list answers. */
export function isCumulativeType(type: string): type is CumulativeType {
  return (cumulativeTypes as readonly string[]).includes(type);
}
