/**
 * Points and stats of the `raw`, `pairs` and `dense` series shapes (contract/measurements-api.md,
 * "GET /api/measurements/series"), from the rows of the window.
 */
import {
  addToBucket,
  dayPoints,
  hourOf,
  hourPoints,
  type BucketPoint,
  type BucketTotals,
} from './bucket-points';
import { epochMsOf, isoOf, localDateOf } from './local-time';
import type { SeriesKindSpec } from './series-kinds';
import { foldValues, finishStats, type SeriesStats } from './series-stats';
import { keepHighestSourcePerGroup } from './source-ladder';
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

/** A row with its parsed instant (and its source on top, for the ladder). */
export interface TimedSeriesRow {
  readonly source: string;
  readonly row: SeriesRow;
  readonly at: number;
}

const compareText = (a: string, b: string) => (a === b ? 0 : a < b ? -1 : 1);

function timed(rows: readonly SeriesRow[]): TimedSeriesRow[] {
  return rows.map((row) => ({ source: row.source, row, at: epochMsOf(row.measuredAt) }));
}

/** Oldest first; rows of the same instant by id, so the order never depends on how they were read. */
function oldestFirst(rows: TimedSeriesRow[]): TimedSeriesRow[] {
  return rows.sort((a, b) => a.at - b.at || compareText(a.row.id, b.row.id));
}

/**
 * The ladder of the raw rule, per UTC day: when a day has rows from several sources only the
 * highest stays (unless the kind keeps every source). It filters rows before any shaping, so raw
 * points, hourly and daily buckets, stored aggregates and stats all summarise the same rows.
 */
export function keptSeriesRows(
  rows: readonly SeriesRow[],
  spec: Pick<SeriesKindSpec, 'keepsEverySource'>,
): TimedSeriesRow[] {
  const all = timed(rows);
  return spec.keepsEverySource
    ? all
    : keepHighestSourcePerGroup(all, (entry) => Math.floor(entry.at / DAY_MS));
}

const statsOfRows = (rows: readonly TimedSeriesRow[]) =>
  finishStats(foldValues(rows.map((entry) => entry.row.value)));

function rawPointOf(entry: TimedSeriesRow, carriesSpread: boolean): RawPoint {
  const { row } = entry;
  const point = { id: row.id, at: isoOf(entry.at), value: row.value, secondary: null };
  return carriesSpread ? { ...point, valueMin: row.valueMin, valueMax: row.valueMax } : point;
}

/** `raw`: one point per kept row. Steps are not summed: the phone's day totals are already one row a day. */
export function rawSeries(
  rows: readonly SeriesRow[],
  spec: Pick<SeriesKindSpec, 'keepsEverySource' | 'carriesSpread'>,
): ShapedSeries<RawPoint> {
  const kept = oldestFirst(keptSeriesRows(rows, spec));
  return { points: kept.map((entry) => rawPointOf(entry, spec.carriesSpread)), stats: statsOfRows(kept) };
}

/** Systolic and diastolic within this distance (inclusive) are one reading. */
export const PAIR_WINDOW_MS = 5 * 60 * 1000;

/** The diastolic nearest `at` within the window in `sorted` (ascending); on a tie the earlier. */
function nearestDiastolic(sorted: readonly TimedSeriesRow[], at: number): TimedSeriesRow | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.at < at) lo = mid + 1;
    else hi = mid;
  }
  const earlier = sorted[lo - 1];
  const later = sorted[lo];
  const distance = (entry: TimedSeriesRow | undefined) => (entry ? Math.abs(entry.at - at) : Infinity);
  const nearest = distance(earlier) <= distance(later) ? earlier : later;
  return distance(nearest) <= PAIR_WINDOW_MS ? nearest : undefined;
}

/**
 * `pairs`: each systolic row with the nearest diastolic of the same source. A diastolic may serve
 * two systolic rows (the contract pairs per systolic, it does not consume), and no source ladder
 * applies (the contract gives none for pairs). Stats over the systolic values.
 */
export function pairSeries(
  systolic: readonly SeriesRow[],
  diastolic: readonly SeriesRow[],
): ShapedSeries<PairPoint> {
  const diastolicBySource = new Map<string, TimedSeriesRow[]>();
  for (const entry of oldestFirst(timed(diastolic))) {
    const sameSource = diastolicBySource.get(entry.source);
    if (sameSource) sameSource.push(entry);
    else diastolicBySource.set(entry.source, [entry]);
  }
  const readings = oldestFirst(timed(systolic));
  return {
    points: readings.map((entry) => ({
      id: entry.row.id,
      at: isoOf(entry.at),
      value: entry.row.value,
      secondary: nearestDiastolic(diastolicBySource.get(entry.source) ?? [], entry.at)?.row.value ?? null,
    })),
    stats: statsOfRows(readings),
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

function addRow<Key>(buckets: Map<Key, BucketTotals>, key: Key, row: SeriesRow): void {
  addToBucket(buckets, key, 1, row.value, row.valueMin ?? row.value, row.valueMax ?? row.value);
}

function hourBucketsFromRows(rows: readonly TimedSeriesRow[], carriesSpread: boolean): BucketPoint[] {
  const buckets = new Map<number, BucketTotals>();
  for (const entry of rows) addRow(buckets, hourOf(entry.at), entry.row);
  return hourPoints(buckets, carriesSpread);
}

function dayBucketsFromRows(
  rows: readonly TimedSeriesRow[],
  zone: string,
  carriesSpread: boolean,
): BucketPoint[] {
  const buckets = new Map<string, BucketTotals>();
  for (const entry of rows) addRow(buckets, localDateOf(entry.at, zone), entry.row);
  return dayPoints(buckets, zone, carriesSpread);
}

/**
 * Hourly buckets are UTC hours; daily buckets are the user's local days, each at its local
 * midnight, a row going to the local date of its own instant.
 */
const densePointsBy: Readonly<
  Record<DenseResolution, (kept: TimedSeriesRow[], zone: string, carriesSpread: boolean) => DensePoint[]>
> = {
  raw: (kept, _zone, carriesSpread) => oldestFirst(kept).map((entry) => rawPointOf(entry, carriesSpread)),
  hour: (kept, _zone, carriesSpread) => hourBucketsFromRows(kept, carriesSpread),
  day: (kept, zone, carriesSpread) => dayBucketsFromRows(kept, zone, carriesSpread),
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
    stats: statsOfRows(kept),
  };
}
