import { INDEX_SETTLE_MS } from '../../../definitions/aggregate-settle';
import { aggregatedTypes } from '../../../definitions/daily-aggregates-table';
import { mapWithConcurrency } from '../../commons/bounded-concurrency';
import type { StoredMeasurement } from '../model/measurement';
import { utcDateOf } from '../summaries/local-time';
import type {
  AggregateDay,
  AggregatedSeries,
  AggregateRebuildSource,
  DailyAggregateStore,
} from './aggregate-store';
import { storeDayAggregate, versionAsOf } from './recompute-days';

/**
 * Rebuilding the daily aggregates from the rows: what an operator runs once after deploying the
 * aggregate function onto a table that already holds dense history (the stream only recomputes
 * days whose rows change, and settles only the days it recomputed), or whenever a day's aggregate
 * is in doubt. Each series (user ×
 * aggregated type) is read once, oldest row first, and every UTC day it has is computed from all
 * of that day's rows by the same step the stream's recompute uses, under the same rule: an
 * aggregate computed from more complete rows is never replaced.
 *
 * A read that starts at T holds every write made before T − INDEX_SETTLE_MS, so its aggregates
 * claim at least that version (the settle recompute's rule too): they replace any stored
 * aggregate whose latest write is older, and never one the stream computed after
 * a write of the last minute, which may be missing from this read. So a rebuild can run while the
 * service takes writes, and running it twice changes nothing.
 *
 * It only writes days that have rows: an aggregate left for a day whose rows are all gone is not
 * found this way (the stream's recompute clears those as the rows go).
 */

/** The rows of one UTC day, in the order they were read. */
export interface RowsOfDay {
  readonly day: string;
  readonly rows: readonly StoredMeasurement[];
}

/**
 * Groups rows read oldest first (pages of a Query in `measuredAt` order) into UTC days, yielding a
 * day once its last row has been read. Rows out of that order would split a day into two partial
 * aggregates, so they are refused (RangeError) rather than grouped.
 */
export async function* rowsByUtcDay(
  pages: AsyncIterable<readonly StoredMeasurement[]>,
): AsyncGenerator<RowsOfDay> {
  let current: { day: string; rows: StoredMeasurement[] } | undefined;
  for await (const page of pages) {
    for (const row of page) {
      const day = utcDateOf(Date.parse(row.measuredAt));
      if (current && day === current.day) {
        current.rows.push(row);
        continue;
      }
      if (current && day < current.day) {
        throw new RangeError(`rows are not oldest first: ${day} after ${current.day}`);
      }
      if (current) yield current;
      current = { day, rows: [row] };
    }
  }
  if (current) yield current;
}

export interface RebuildOptions {
  /** Only these users' series (each aggregated type), without reading the whole index; all users when absent. */
  readonly userIds?: readonly string[];
  /** Parts of the parallel scan that finds the series (all users only). */
  readonly segments: number;
  /** Series rebuilt at once. */
  readonly concurrency: number;
  /** Told after each series, for progress output. */
  readonly onSeriesDone?: (done: number, total: number) => void;
  readonly now?: () => Date;
}

export interface DayFailure {
  readonly day: AggregateDay;
  readonly error: unknown;
}

export interface SeriesFailure {
  readonly series: AggregatedSeries;
  readonly error: unknown;
}

export interface RebuildSummary {
  readonly series: number;
  readonly days: number;
  /** Days stored from the rows read now. */
  readonly written: number;
  /** Days whose stored aggregate came from more complete rows (a write after this read); kept. */
  readonly superseded: number;
  /** Days whose write failed after the SDK's retries; the rest of their series went on. */
  readonly failedDays: readonly DayFailure[];
  /** Series whose rows could not be read to the end; days stored before the failure stay. */
  readonly failedSeries: readonly SeriesFailure[];
}

export async function rebuildDailyAggregates(
  deps: {
    readonly source: AggregateRebuildSource;
    readonly store: Pick<DailyAggregateStore, 'writeAggregate'>;
  },
  options: RebuildOptions,
): Promise<RebuildSummary> {
  const series: readonly AggregatedSeries[] = options.userIds
    ? [...new Set(options.userIds)].flatMap((userId) => aggregatedTypes.map((type) => ({ userId, type })))
    : await deps.source.listSeriesWithRows({ segments: options.segments });

  let days = 0;
  let written = 0;
  let superseded = 0;
  let done = 0;
  const failedDays: DayFailure[] = [];
  const failedSeries: SeriesFailure[] = [];
  const now = options.now ?? (() => new Date());
  await mapWithConcurrency(series, options.concurrency, async (one) => {
    // Every write older than this had reached the index before the series' first page was read.
    const versionFloor = versionAsOf(new Date(now().getTime() - INDEX_SETTLE_MS));
    try {
      for await (const { day, rows } of rowsByUtcDay(deps.source.seriesRowsOldestFirst(one))) {
        const aggregateDay: AggregateDay = { userId: one.userId, type: one.type, day };
        days++;
        try {
          const { result } = await storeDayAggregate(deps.store, aggregateDay, rows, { versionFloor });
          if (result === 'written') written++;
          else superseded++;
        } catch (error) {
          failedDays.push({ day: aggregateDay, error });
        }
      }
    } catch (error) {
      failedSeries.push({ series: one, error });
    }
    options.onSeriesDone?.(++done, series.length);
  });
  return { series: series.length, days, written, superseded, failedDays, failedSeries };
}
