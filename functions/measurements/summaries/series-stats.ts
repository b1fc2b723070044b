/**
 * The series' `stats` (docs/read-api.md, "GET /api/measurements/series"): mean, min,
 * max, population standard deviation and count of the values the points summarise.
 *
 * Built on a mergeable accumulator because a long window is answered from stored per-day
 * accumulators merged with the raw rows at its edges: folding values and merging accumulators
 * give the same totals, so both kinds of window share one code path to the answer.
 */
import { roundToDecimals } from './rounding';

export interface StatsAccumulator {
  readonly count: number;
  readonly sum: number;
  readonly sumOfSquares: number;
  readonly min: number;
  readonly max: number;
}

export interface SeriesStats {
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly stdDev: number;
  readonly count: number;
}

/** Nothing folded yet. Its ±Infinity never reaches storage: a stored aggregate has at least one row. */
export const EMPTY_ACCUMULATOR: StatsAccumulator = {
  count: 0,
  sum: 0,
  sumOfSquares: 0,
  min: Infinity,
  max: -Infinity,
};

/** `into` with `values` folded in (one pass, no allocation per value: it runs over whole windows). */
export function foldValues(
  values: Iterable<number>,
  into: StatsAccumulator = EMPTY_ACCUMULATOR,
): StatsAccumulator {
  let { count, sum, sumOfSquares, min, max } = into;
  for (const value of values) {
    count += 1;
    sum += value;
    sumOfSquares += value * value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return { count, sum, sumOfSquares, min, max };
}

export function mergeAccumulators(a: StatsAccumulator, b: StatsAccumulator): StatsAccumulator {
  return {
    count: a.count + b.count,
    sum: a.sum + b.sum,
    sumOfSquares: a.sumOfSquares + b.sumOfSquares,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
  };
}

/** The answer's stats; an empty series has every stat 0. */
export function finishStats(accumulator: StatsAccumulator): SeriesStats {
  const { count, sum, sumOfSquares, min, max } = accumulator;
  if (count === 0) return { mean: 0, min: 0, max: 0, stdDev: 0, count: 0 };
  const mean = sum / count;
  // E[x²] − E[x]² can come out a hair below 0 for identical values: that is rounding, not spread.
  const variance = Math.max(0, sumOfSquares / count - mean * mean);
  return {
    mean: roundToDecimals(mean, 2),
    min,
    max,
    stdDev: roundToDecimals(Math.sqrt(variance), 2),
    count,
  };
}

export function statsOf(values: Iterable<number>): SeriesStats {
  return finishStats(foldValues(values));
}
