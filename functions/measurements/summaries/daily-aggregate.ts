/**
 * Daily aggregates of dense types, so a long window never reads its rows. Ten years of 10-minute
 * heart-rate buckets are ~525,000 rows; a 3650-day pulse series reads ~3650 aggregates instead.
 * A stream consumer keeps ONE aggregate per (user, type, UTC day), recomputed from all of that
 * day's live rows whenever one of them changes: recomputing (never incrementing) makes a replayed
 * or reordered stream record harmless. These are the pure parts: build one, and turn many into the
 * same points and stats the raw-row path answers.
 */
import {
  bucketFiller,
  dayPoints,
  hourOf,
  hourPoints,
  type BucketPoint,
  type BucketTotals,
} from './bucket-points';
import { localDateOf, utcDateOf, utcMidnightOf } from './local-time';
import { withoutBinaryNoise } from './rounding';
import type { SeriesKindSpec } from './series-kinds';
import { keptSeriesRows, oldestFirst, type KeptSeriesRows, type SeriesRow } from './series-points';
import { EMPTY_ACCUMULATOR, foldValues, mergeAccumulators, type StatsAccumulator } from './series-stats';

/**
 * Slots are UTC half-hours. Every zone's offset is a whole number of half-hours except
 * Asia/Kathmandu (+5:45), Pacific/Chatham (+12:45/+13:45) and Australia/Eucla (+8:45), so a slot
 * lies inside one local day and local-day buckets built from slots are exact. In those three
 * zones a slot goes to the local day its start falls in: the 15 minutes after local midnight
 * are counted in the day before.
 */
export const SLOT_MS = 30 * 60 * 1000;

/** One 30-minute UTC slot of a day: index 0–47 (0 = 00:00–00:30 UTC), then its bucket totals. */
export type SlotSummary = readonly [slot: number, count: number, sum: number, low: number, high: number];

/**
 * One type's rows of one UTC day, after the series' source ladder. `count`…`max` are a stats
 * accumulator (`mergeAccumulators` takes the aggregate as is); `low`/`high` are the day's spread
 * (min of `valueMin ?? value`, max of `valueMax ?? value`).
 *
 * Stored size, measured for a full day of 144 ten-minute rows (48 slots of 3): 955 bytes of JSON
 * for heart rate with spreads (pinned in test/unit/summaries/daily-aggregate.test.ts), 1,203 for
 * one-decimal oxygen saturation; by DynamoDB's item-size rules about 1.1 KB plus the keys, so a
 * recompute costs 2 write units. Slots are a sparse list of 5-number tuples, and sums are stored
 * without binary noise (291.9, not 291.90000000000003), which keeps them short.
 */
export interface DailyAggregate extends StatsAccumulator {
  /** The UTC date, `YYYY-MM-DD`. */
  readonly day: string;
  readonly low: number;
  readonly high: number;
  /** Only slots with rows, by slot index. */
  readonly slots: readonly SlotSummary[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The aggregate of one UTC day's kept rows, `indices` in time order. */
function aggregateOf(
  dayNumber: number,
  { rows, at }: KeptSeriesRows,
  indices: readonly number[],
): DailyAggregate {
  const dayStart = dayNumber * DAY_MS;
  const slots = bucketFiller<number>();
  let low = Infinity;
  let high = -Infinity;
  for (const i of indices) {
    const row = rows[i]!;
    const rowLow = row.valueMin ?? row.value;
    const rowHigh = row.valueMax ?? row.value;
    slots.add(Math.floor((at[i]! - dayStart) / SLOT_MS), 1, row.value, rowLow, rowHigh);
    low = Math.min(low, rowLow);
    high = Math.max(high, rowHigh);
  }
  const stats = foldValues(indices.map((i) => rows[i]!.value));
  return {
    day: utcDateOf(dayStart),
    count: stats.count,
    sum: withoutBinaryNoise(stats.sum),
    sumOfSquares: withoutBinaryNoise(stats.sumOfSquares),
    min: stats.min,
    max: stats.max,
    low,
    high,
    slots: [...slots.buckets]
      .sort(([a], [b]) => a - b)
      .map(([slot, t]): SlotSummary => [slot, t.count, withoutBinaryNoise(t.sum), t.low, t.high]),
  };
}

/** Kept rows' indices per UTC day number, days and rows in time order. */
function byUtcDay(window: KeptSeriesRows): Map<number, number[]> {
  const days = new Map<number, number[]>();
  // Time order, so a day's sums are added in the same order however its rows were read.
  for (const i of oldestFirst(window)) {
    const day = Math.floor(window.at[i]! / DAY_MS);
    const rowsOfDay = days.get(day);
    if (rowsOfDay) rowsOfDay.push(i);
    else days.set(day, [i]);
  }
  return days;
}

/**
 * The aggregate of one UTC day's live rows of one type; `null` when none is left (the stored
 * aggregate is then deleted). Rows of more than one UTC day are a caller's mistake: RangeError.
 */
export function aggregateDay(
  rows: readonly SeriesRow[],
  spec: Pick<SeriesKindSpec, 'keepsEverySource'>,
): DailyAggregate | null {
  const window = keptSeriesRows(rows, spec);
  const days = [...byUtcDay(window)];
  if (days.length > 1) throw new RangeError(`rows span ${days.length} UTC days; an aggregate is one day`);
  const [only] = days;
  return only ? aggregateOf(only[0], window, only[1]) : null;
}

/** One aggregate per UTC day of `rows`, oldest first: what the stream keeps, or a window's edge days. */
export function aggregateDays(
  rows: readonly SeriesRow[],
  spec: Pick<SeriesKindSpec, 'keepsEverySource'>,
): DailyAggregate[] {
  const window = keptSeriesRows(rows, spec);
  return [...byUtcDay(window)].map(([day, indices]) => aggregateOf(day, window, indices));
}

/**
 * All of the aggregates' values as one accumulator. A window's partial edge days join as
 * aggregates of their own (`aggregateDays` of the edge rows, which applies the same ladder), or,
 * for single-source rows, by folding their values in with `foldValues`.
 */
export function accumulatorOfAggregates(aggregates: readonly DailyAggregate[]): StatsAccumulator {
  return aggregates.reduce<StatsAccumulator>(mergeAccumulators, EMPTY_ACCUMULATOR);
}

function slotsInto<Key>(
  aggregates: readonly DailyAggregate[],
  keyOfSlotStart: (slotStart: number) => Key,
): ReadonlyMap<Key, BucketTotals> {
  const filler = bucketFiller<Key>();
  for (const aggregate of aggregates) {
    const dayStart = utcMidnightOf(aggregate.day);
    for (const [slot, count, sum, low, high] of aggregate.slots) {
      filler.add(keyOfSlotStart(dayStart + slot * SLOT_MS), count, sum, low, high);
    }
  }
  return filler.buckets;
}

/** One point per user-local day, identical to the raw-row path's daily buckets (see SLOT_MS). */
export function dayBucketsFromAggregates(
  aggregates: readonly DailyAggregate[],
  zone: string,
  spec: Pick<SeriesKindSpec, 'carriesSpread'>,
): BucketPoint[] {
  return dayPoints(
    slotsInto(aggregates, (slotStart) => localDateOf(slotStart, zone)),
    zone,
    spec.carriesSpread,
  );
}

/** One point per UTC hour (two slots each), identical to the raw-row path's hourly buckets. */
export function hourBucketsFromAggregates(
  aggregates: readonly DailyAggregate[],
  spec: Pick<SeriesKindSpec, 'carriesSpread'>,
): BucketPoint[] {
  return hourPoints(slotsInto(aggregates, hourOf), spec.carriesSpread);
}
