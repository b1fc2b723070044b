/**
 * Which source wins when several recorded the same day (docs/read-api.md, groupBy=day
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
 * Which of `count` rows the ladder keeps: 1 where a row's source is the highest of its group (its
 * day, say), 0 elsewhere. Index-based and allocation-light because it runs over whole windows;
 * a window with a single source (the usual case) is all kept after one pass.
 */
export function highestSourceMask<Group>(
  count: number,
  sourceOf: (index: number) => string,
  groupOf: (index: number) => Group,
): Uint8Array {
  const kept = new Uint8Array(count);
  let single = true;
  for (let i = 1; i < count && single; i++) single = sourceOf(i) === sourceOf(0);
  if (single) return kept.fill(1);

  const groups = new Array<Group>(count);
  const best = new Map<Group, string>();
  for (let i = 0; i < count; i++) {
    const source = sourceOf(i);
    const group = (groups[i] = groupOf(i));
    const current = best.get(group);
    if (current === undefined || compareSources(source, current) < 0) best.set(group, source);
  }
  for (let i = 0; i < count; i++) kept[i] = best.get(groups[i]!) === sourceOf(i) ? 1 : 0;
  return kept;
}
