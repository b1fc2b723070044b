import {
  EMPTY_ACCUMULATOR,
  finishStats,
  foldValues,
  mergeAccumulators,
  statsOf,
} from '../../../functions/measurements/summaries/series-stats';
import { roundToDecimals, withoutBinaryNoise } from '../../../functions/measurements/summaries/rounding';
import { seededRandom } from './rows';

describe('series stats: mean, min, max, population standard deviation and count of the values', () => {
  it('2, 4, 4, 4, 5, 5, 7, 9 → mean 5, stdDev 2', () => {
    expect(statsOf([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, min: 2, max: 9, stdDev: 2, count: 8 });
  });

  it('the standard deviation is the population one (1, 2 → 0.5, not the sample 0.71)', () => {
    expect(statsOf([1, 2]).stdDev).toBe(0.5);
  });

  it('mean and stdDev are rounded to 2 decimals; min and max are the values as stored', () => {
    expect(statsOf([1.234, 2, 2.0001])).toEqual({
      mean: 1.74,
      min: 1.234,
      max: 2.0001,
      stdDev: 0.36,
      count: 3,
    });
  });

  it('an empty series has every stat 0', () => {
    expect(statsOf([])).toEqual({ mean: 0, min: 0, max: 0, stdDev: 0, count: 0 });
    expect(finishStats(EMPTY_ACCUMULATOR)).toEqual({ mean: 0, min: 0, max: 0, stdDev: 0, count: 0 });
  });

  it('identical values have stdDev 0, even when E[x²] − E[x]² comes out a hair below 0', () => {
    const values = Array<number>(7).fill(96.7);
    const { sumOfSquares, sum, count } = foldValues(values);
    expect(sumOfSquares / count - (sum / count) ** 2).toBeLessThan(0);
    expect(statsOf(values)).toEqual({ mean: 96.7, min: 96.7, max: 96.7, stdDev: 0, count: 7 });
  });
});

describe('series stats: accumulators merge, so stored per-day accumulators and raw edge rows give the same stats as one fold', () => {
  const random = seededRandom(3);
  const values = Array.from({ length: 200 }, () => Math.round(random() * 1500) / 10 + 40);

  it('merging the folds of any split equals folding everything', () => {
    const whole = finishStats(foldValues(values));
    for (let cut = 0; cut <= values.length; cut += 7) {
      const merged = mergeAccumulators(foldValues(values.slice(0, cut)), foldValues(values.slice(cut)));
      expect(finishStats(merged)).toEqual(whole);
    }
  });

  it('folding more values into an accumulator continues it', () => {
    expect(foldValues(values.slice(50), foldValues(values.slice(0, 50)))).toEqual(foldValues(values));
  });

  it('the empty accumulator is neutral', () => {
    const some = foldValues(values);
    expect(mergeAccumulators(EMPTY_ACCUMULATOR, some)).toEqual(some);
    expect(mergeAccumulators(some, EMPTY_ACCUMULATOR)).toEqual(some);
  });

  it('many per-day accumulators merged equal one fold of their values', () => {
    const days = Array.from({ length: 20 }, (_, day) => values.slice(day * 10, day * 10 + 10));
    const merged = days.map((day) => foldValues(day)).reduce(mergeAccumulators, EMPTY_ACCUMULATOR);
    expect(finishStats(merged)).toEqual(statsOf(values));
  });
});

describe('rounding: decimals as a person writes them, without binary noise', () => {
  it.each([
    [0.1 + 0.2, 2, 0.3],
    [1.005, 2, 1.01],
    [2.675, 2, 2.68],
    [7.3333333, 2, 7.33],
    [420.5, 0, 421],
    [420.49999999999994, 0, 421],
    [-1.005, 2, -1.01],
    [-0.001, 2, 0],
  ])('%d to %i decimals is %d', (value, decimals, rounded) => {
    expect(roundToDecimals(value, decimals)).toBe(rounded);
  });

  it('binary noise is removed at 12 significant digits', () => {
    expect(withoutBinaryNoise(291.90000000000003)).toBe(291.9);
    expect(withoutBinaryNoise(123456.789012)).toBe(123456.789012);
    expect(withoutBinaryNoise(0)).toBe(0);
  });
});
