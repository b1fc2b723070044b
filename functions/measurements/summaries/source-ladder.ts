/**
 * Which source wins when several recorded the same day (contract/measurements-api.md, groupBy=day
 * step 3, and the series' raw points): APPLE_HEALTH > WITHINGS > MANUAL, every other source below.
 * The same measurement often reaches HealthLog twice (a Withings scale writes to Apple Health and
 * to Withings' cloud); keeping one source per day is what stops it being counted twice.
 */
export const SOURCE_LADDER: readonly string[] = ['APPLE_HEALTH', 'WITHINGS', 'MANUAL'];

const rungOf = new Map(SOURCE_LADDER.map((source, rung) => [source, rung]));
const OFF_LADDER = SOURCE_LADDER.length;

/**
 * Negative when `a` ranks above `b`, 0 for the same source. Sources off the ladder rank below
 * MANUAL and, among themselves, by name: exactly one source survives a day even when two
 * off-ladder sources (WHOOP and OURA, say) both recorded it, and which one does not depend on
 * which rows a `limit` happened to read.
 */
export function compareSources(a: string, b: string): number {
  if (a === b) return 0;
  const byRung = (rungOf.get(a) ?? OFF_LADDER) - (rungOf.get(b) ?? OFF_LADDER);
  if (byRung !== 0) return byRung;
  return a < b ? -1 : 1;
}

/**
 * The rows of the highest-ranked source within each group (`groupOf` names a row's group, e.g.
 * its day), in their input order.
 */
export function keepHighestSourcePerGroup<Row extends { readonly source: string }, Group>(
  rows: readonly Row[],
  groupOf: (row: Row) => Group,
): Row[] {
  const best = new Map<Group, string>();
  const groups = rows.map(groupOf);
  rows.forEach((row, i) => {
    const group = groups[i]!;
    const current = best.get(group);
    if (current === undefined || compareSources(row.source, current) < 0) best.set(group, row.source);
  });
  return rows.filter((row, i) => best.get(groups[i]!) === row.source);
}
