/**
 * Bucket points of dense series (docs/read-api.md, the dense shape): one point per UTC hour or
 * per user-local day. Raw rows and stored daily aggregates both fill the same totals and become
 * points here, so the two paths cannot drift apart in ids, instants or rounding.
 */
import { isoOf, localMidnight } from './local-time';
import { roundToDecimals } from './rounding';

const HOUR_MS = 60 * 60 * 1000;

/** Running totals of one bucket: `low`/`high` are the min of `valueMin ?? value` and the max of `valueMax ?? value`. */
export interface BucketTotals {
  count: number;
  sum: number;
  low: number;
  high: number;
}

export interface BucketPoint {
  /** `hour:<hour start ISO>` or `day:<YYYY-MM-DD>`: synthetic, never a stored row's id. */
  readonly id: string;
  readonly at: string;
  /** The mean, 2 decimals. */
  readonly value: number;
  readonly secondary: null;
  readonly valueMin?: number;
  readonly valueMax?: number;
}

export interface BucketFiller<Key> {
  readonly buckets: ReadonlyMap<Key, BucketTotals>;
  /** Adds `count` values summing to `sum`, spreading from `low` to `high`, to the bucket at `key`. */
  add(key: Key, count: number, sum: number, low: number, high: number): void;
}

/**
 * Empty buckets to fill. Input comes mostly in time order, so an add usually lands in the previous
 * add's bucket, which is kept at hand instead of looked up again.
 */
export function bucketFiller<Key>(): BucketFiller<Key> {
  const buckets = new Map<Key, BucketTotals>();
  let lastKey: Key | undefined;
  let last: BucketTotals | undefined;
  return {
    buckets,
    add(key, count, sum, low, high) {
      const bucket = last !== undefined && key === lastKey ? last : buckets.get(key);
      if (bucket) {
        bucket.count += count;
        bucket.sum += sum;
        if (low < bucket.low) bucket.low = low;
        if (high > bucket.high) bucket.high = high;
        last = bucket;
      } else {
        last = { count, sum, low, high };
        buckets.set(key, last);
      }
      lastKey = key;
    },
  };
}

function pointOf(id: string, at: string, totals: BucketTotals, carriesSpread: boolean): BucketPoint {
  const value = roundToDecimals(totals.sum / totals.count, 2);
  // Two literals, not a spread: spreading costs microseconds a point on 87,600-point series.
  return carriesSpread
    ? { id, at, value, secondary: null, valueMin: totals.low, valueMax: totals.high }
    : { id, at, value, secondary: null };
}

/** Points of buckets keyed by UTC hour (epoch ms ÷ 1 h), oldest first. */
export function hourPoints(
  buckets: ReadonlyMap<number, BucketTotals>,
  carriesSpread: boolean,
): BucketPoint[] {
  return [...buckets]
    .sort(([a], [b]) => a - b)
    .map(([hour, totals]) => {
      const at = isoOf(hour * HOUR_MS);
      return pointOf(`hour:${at}`, at, totals, carriesSpread);
    });
}

/** Points of buckets keyed by local date, at local midnight, oldest first. */
export function dayPoints(
  buckets: ReadonlyMap<string, BucketTotals>,
  zone: string,
  carriesSpread: boolean,
): BucketPoint[] {
  return [...buckets]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([date, totals]) => pointOf(`day:${date}`, isoOf(localMidnight(date, zone)), totals, carriesSpread));
}

/** The hour bucket (epoch ms ÷ 1 h) an instant falls in. */
export function hourOf(epochMs: number): number {
  return Math.floor(epochMs / HOUR_MS);
}
