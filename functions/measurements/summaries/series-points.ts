/**
 * Points and stats of the `raw`, `pairs` and `dense` series shapes (docs/read-api.md,
 * "GET /api/measurements/series"), from the rows of the window.
 */
import {
  bucketFiller,
  dayPoints,
  hourOf,
  hourPoints,
  type BucketPoint,
  type BucketTotals,
} from './bucket-points';
import { epochMsOf, isoOf, localDateOf } from './local-time';
import type { SeriesKindSpec } from './series-kinds';
import { foldValues, finishStats, type SeriesStats } from './series-stats';
import { highestSourceMask } from './source-ladder';
import type { SummaryRow } from './summary-row';

const DAY_MS = 24 * 60 * 60 * 1000;

export type SeriesRow = Pick<SummaryRow, 'id' | 'value' | 'source' | 'measuredAt' | 'valueMin' | 'valueMax'>;

export interface RawPoint {
  readonly id: string;
  readonly at: string;
  readonly value: number;
  readonly secondary: null;
  /** Only on kinds that carry a spread (pulse); null when the row has none. */
  readonly valueMin?: number | null;
  readonly valueMax?: number | null;
}

export interface PairPoint {
  readonly id: string;
  readonly at: string;
  /** Systolic. */
  readonly value: number;
  /** Diastolic, or null when no diastolic of the same source lies within 5 minutes. */
  readonly secondary: number | null;
}

export type DensePoint = RawPoint | BucketPoint;

export interface ShapedSeries<Point> {
  /** Oldest first. */
  readonly points: Point[];
  readonly stats: SeriesStats;
}

/** The window's rows, their instants, and which of them the ladder keeps. */
export interface KeptSeriesRows {
  readonly rows: readonly SeriesRow[];
  /** Epoch milliseconds of each row's measuredAt, by row index. */
  readonly at: Float64Array;
  /** Indices of the kept rows, in input order. */
  readonly kept: Uint32Array;
}

const compareText = (a: string, b: string) => (a === b ? 0 : a < b ? -1 : 1);

/**
 * The ladder of the raw rule, per UTC day: when a day has rows from several sources only the
 * highest stays (unless the kind keeps every source). It filters rows before any shaping, so raw
 * points, hourly and daily buckets, stored aggregates and stats all summarise the same rows.
 * Arrays rather than an object per row: a dense window can hold half a million rows.
 */
export function keptSeriesRows(
  rows: readonly SeriesRow[],
  spec: Pick<SeriesKindSpec, 'keepsEverySource'>,
): KeptSeriesRows {
  const at = new Float64Array(rows.length);
  rows.forEach((row, i) => (at[i] = epochMsOf(row.measuredAt)));
  const mask = spec.keepsEverySource
    ? null
    : highestSourceMask(
        rows.length,
        (i) => rows[i]!.source,
        (i) => Math.floor(at[i]! / DAY_MS),
      );
  const kept = mask ? new Uint32Array(mask.reduce((sum, bit) => sum + bit, 0)) : new Uint32Array(rows.length);
  let next = 0;
  for (let i = 0; i < rows.length; i++) if (!mask || mask[i]) kept[next++] = i;
  return { rows, at, kept };
}

/** The kept rows' indices oldest first; rows of one instant by id, so order never depends on reading. */
export function oldestFirst({ rows, at, kept }: KeptSeriesRows): Uint32Array {
  return kept.slice().sort((a, b) => at[a]! - at[b]! || compareText(rows[a]!.id, rows[b]!.id));
}

function statsOfKept({ rows, kept }: KeptSeriesRows): SeriesStats {
  return finishStats(foldValues(Array.from(kept, (i) => rows[i]!.value)));
}

function rawPointOf({ rows, at }: KeptSeriesRows, index: number, carriesSpread: boolean): RawPoint {
  const row = rows[index]!;
  const { id, value } = row;
  const instant = isoOf(at[index]!);
  return carriesSpread
    ? { id, at: instant, value, secondary: null, valueMin: row.valueMin, valueMax: row.valueMax }
    : { id, at: instant, value, secondary: null };
}

function rawPointsOf(kept: KeptSeriesRows, carriesSpread: boolean): RawPoint[] {
  return Array.from(oldestFirst(kept), (index) => rawPointOf(kept, index, carriesSpread));
}

/** `raw`: one point per kept row. Steps are not summed: the phone's day totals are already one row a day. */
export function rawSeries(
  rows: readonly SeriesRow[],
  spec: Pick<SeriesKindSpec, 'keepsEverySource' | 'carriesSpread'>,
): ShapedSeries<RawPoint> {
  const kept = keptSeriesRows(rows, spec);
  return { points: rawPointsOf(kept, spec.carriesSpread), stats: statsOfKept(kept) };
}

/** Systolic and diastolic within this distance (inclusive) are one reading. */
export const PAIR_WINDOW_MS = 5 * 60 * 1000;

/** The value of the diastolic nearest `at` within the window among `sorted` (ascending instants); on a tie the earlier. */
function nearestDiastolic(sorted: readonly { at: number; value: number }[], at: number): number | null {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.at < at) lo = mid + 1;
    else hi = mid;
  }
  const earlier = sorted[lo - 1];
  const later = sorted[lo];
  const distance = (entry: { at: number } | undefined) => (entry ? Math.abs(entry.at - at) : Infinity);
  const nearest = distance(earlier) <= distance(later) ? earlier : later;
  return nearest && distance(nearest) <= PAIR_WINDOW_MS ? nearest.value : null;
}

/** Every row, parsed: pairs have no ladder. */
const allOf = (rows: readonly SeriesRow[]) => keptSeriesRows(rows, { keepsEverySource: true });

/**
 * `pairs`: each systolic row with the nearest diastolic of the same source. A diastolic may serve
 * two systolic rows (the contract pairs per systolic, it does not consume), and no source ladder
 * applies (the contract gives none for pairs). Stats over the systolic values.
 */
export function pairSeries(
  systolic: readonly SeriesRow[],
  diastolic: readonly SeriesRow[],
): ShapedSeries<PairPoint> {
  const diastolicBySource = new Map<string, { at: number; value: number }[]>();
  const diastolicRows = allOf(diastolic);
  for (const index of oldestFirst(diastolicRows)) {
    const { source, value } = diastolic[index]!;
    const entry = { at: diastolicRows.at[index]!, value };
    const sameSource = diastolicBySource.get(source);
    if (sameSource) sameSource.push(entry);
    else diastolicBySource.set(source, [entry]);
  }
  const readings = allOf(systolic);
  return {
    points: Array.from(oldestFirst(readings), (index) => {
      const { id, value, source } = systolic[index]!;
      const at = readings.at[index]!;
      const secondary = nearestDiastolic(diastolicBySource.get(source) ?? [], at);
      return { id, at: isoOf(at), value, secondary };
    }),
    stats: statsOfKept(readings),
  };
}

/** `dense` windows up to this many days answer raw points (or hourly buckets when rows are many). */
export const DENSE_RAW_MAX_DAYS = 90;
/** More rows than this in a window of up to 90 days answer one point per UTC hour. */
export const DENSE_RAW_MAX_ROWS = 10_000;

export type DenseResolution = 'raw' | 'hour' | 'day';

/** Which points a dense window answers; `rowCount` counts the window's stored rows. */
export function denseResolution(days: number, rowCount: number): DenseResolution {
  if (days > DENSE_RAW_MAX_DAYS) return 'day';
  return rowCount > DENSE_RAW_MAX_ROWS ? 'hour' : 'raw';
}

/** The kept rows' totals per bucket. */
function bucketsOf<Key>(
  { rows, at, kept }: KeptSeriesRows,
  keyOf: (at: number) => Key,
): ReadonlyMap<Key, BucketTotals> {
  const filler = bucketFiller<Key>();
  for (const i of kept) {
    const row = rows[i]!;
    filler.add(keyOf(at[i]!), 1, row.value, row.valueMin ?? row.value, row.valueMax ?? row.value);
  }
  return filler.buckets;
}

/**
 * Hourly buckets are UTC hours; daily buckets are the user's local days, each at its local
 * midnight, a row going to the local date of its own instant.
 */
const densePointsBy: Readonly<
  Record<DenseResolution, (kept: KeptSeriesRows, zone: string, carriesSpread: boolean) => DensePoint[]>
> = {
  raw: (kept, _zone, carriesSpread) => rawPointsOf(kept, carriesSpread),
  hour: (kept, _zone, carriesSpread) => hourPoints(bucketsOf(kept, hourOf), carriesSpread),
  day: (kept, zone, carriesSpread) =>
    dayPoints(
      bucketsOf(kept, (at) => localDateOf(at, zone)),
      zone,
      carriesSpread,
    ),
};

/** `dense` from the window's raw rows; stats stay over the rows, never over bucket means. */
export function denseSeries(
  rows: readonly SeriesRow[],
  spec: Pick<SeriesKindSpec, 'keepsEverySource' | 'carriesSpread'>,
  window: { readonly days: number; readonly zone: string },
): ShapedSeries<DensePoint> {
  const kept = keptSeriesRows(rows, spec);
  const resolution = denseResolution(window.days, rows.length);
  return {
    points: densePointsBy[resolution](kept, window.zone, spec.carriesSpread),
    stats: statsOfKept(kept),
  };
}
