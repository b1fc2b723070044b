import type { StoredMeasurement } from '../model/measurement';
import type { DailyAggregate } from '../summaries/daily-aggregate';

/** One user's aggregate of one type on one UTC day (`YYYY-MM-DD`). */
export interface AggregateDay {
  readonly userId: string;
  readonly type: string;
  readonly day: string;
}

/**
 * How complete the rows an aggregate was computed from were: the latest `updatedAt` among them
 * and how many rows carry it, as one string that sorts in that order. A recompute that saw more
 * of the day's latest writes sorts higher, so of two recomputes racing each other (the stream
 * delivers a day's rows on several shards, and the index they are read from lags the table by up
 * to a second) the one that read less can never replace the one that read more.
 */
export type AggregateVersion = string;

export type AggregateWrite = 'written' | 'superseded';

/** The port the recompute reads rows and writes aggregates through (storage/ implements it). */
export interface DailyAggregateStore {
  /** The live rows of that type measured on that UTC day (read from the list index: eventually consistent). */
  readDayRows(day: AggregateDay): Promise<readonly StoredMeasurement[]>;
  /**
   * Stores the day's aggregate (`null`: the day has no rows left) unless one from more complete
   * rows is already stored — or, with `replaceOnly`, unless none is stored at all (answered
   * `superseded` too: nothing was written).
   */
  writeAggregate(
    day: AggregateDay,
    aggregate: DailyAggregate | null,
    version: AggregateVersion,
    options?: { readonly replaceOnly?: boolean },
  ): Promise<AggregateWrite>;
}

/**
 * A day to recompute once more when the index has settled, with the version the recompute that
 * asked for it claimed: a read made after the settle time holds every write that recompute knew
 * of, so the settle recompute may claim at least that version (and so replace an aggregate that
 * tied with it from less complete rows).
 */
export interface SettleRequest {
  readonly day: AggregateDay;
  readonly version: AggregateVersion;
}

/** A settle request that could not be queued, and why (an SQS error: no user data). */
export interface UnqueuedSettle {
  readonly request: SettleRequest;
  readonly reason: string;
}

/** The port the stream's recompute queues settle recomputes through (an SQS queue with a delivery delay). */
export interface AggregateSettleQueue {
  /** Queues each request for delivery once the index has settled; answers those it could not queue. */
  schedule(requests: readonly SettleRequest[]): Promise<readonly UnqueuedSettle[]>;
}

/** One user's rows of one aggregated type: what a rebuild reads in one pass. */
export interface AggregatedSeries {
  readonly userId: string;
  readonly type: string;
}

/** What a rebuild reads the rows from (storage/ implements it; the writes go through `DailyAggregateStore`). */
export interface AggregateRebuildSource {
  /**
   * Every (user, aggregated type) that has at least one live row, each once. Reads the whole list
   * index (a parallel scan in `segments` parts): for an operator's one-off rebuild, never for a request.
   */
  listSeriesWithRows(options: { readonly segments: number }): Promise<readonly AggregatedSeries[]>;
  /** The live rows of one series, oldest `measuredAt` first, a page at a time. */
  seriesRowsOldestFirst(series: AggregatedSeries): AsyncIterable<readonly StoredMeasurement[]>;
}
