import { seriesKinds } from '../../../functions/measurements/summaries/series-kinds';
import {
  denseResolution,
  denseSeries,
  pairSeries,
  rawSeries,
} from '../../../functions/measurements/summaries/series-points';
import type { SummaryRow } from '../../../functions/measurements/summaries/summary-row';
import { row } from './rows';

const BERLIN = 'Europe/Berlin';
const at = (instant: string) => new Date(instant).toISOString();

describe('raw: one point per stored row, oldest first', () => {
  it('a point is {id: the row id, at: measuredAt, value, secondary: null}', () => {
    const newer = row({ id: 'w2', value: 71.2, measuredAt: '2026-05-02T06:00:00Z' });
    const older = row({ id: 'w1', value: 71.5, measuredAt: '2026-05-01T06:00:00Z' });
    expect(rawSeries([newer, older], seriesKinds.weight).points).toEqual([
      { id: 'w1', at: '2026-05-01T06:00:00.000Z', value: 71.5, secondary: null },
      { id: 'w2', at: '2026-05-02T06:00:00.000Z', value: 71.2, secondary: null },
    ]);
  });

  it('steps are not summed: two rows of one day are two points', () => {
    const rows = [
      row({ type: 'ACTIVITY_STEPS', value: 8000, measuredAt: '2026-05-01T12:00:00Z' }),
      row({ type: 'ACTIVITY_STEPS', value: 500, measuredAt: '2026-05-01T20:00:00Z' }),
    ];
    expect(rawSeries(rows, seriesKinds.steps).points.map((point) => point.value)).toEqual([8000, 500]);
  });

  it('stats are over the kept rows', () => {
    const rows = [70, 72, 74].map((value, i) => row({ value, measuredAt: `2026-05-0${i + 1}T06:00:00Z` }));
    expect(rawSeries(rows, seriesKinds.weight).stats).toEqual({
      mean: 72,
      min: 70,
      max: 74,
      stdDev: 1.63,
      count: 3,
    });
  });
});

describe('raw: when one UTC day has rows from more than one source, only the highest on the ladder is kept', () => {
  it('APPLE_HEALTH over MANUAL on one UTC day; a MANUAL-only day keeps its row', () => {
    const rows = [
      row({ id: 'apple', source: 'APPLE_HEALTH', value: 71, measuredAt: '2026-05-01T06:00:00Z' }),
      row({ id: 'manual', source: 'MANUAL', value: 75, measuredAt: '2026-05-01T20:00:00Z' }),
      row({ id: 'manual-alone', source: 'MANUAL', value: 72, measuredAt: '2026-05-02T20:00:00Z' }),
    ];
    const { points, stats } = rawSeries(rows, seriesKinds.weight);
    expect(points.map((point) => point.id)).toEqual(['apple', 'manual-alone']);
    expect(stats.count).toBe(2);
  });

  it('WITHINGS over MANUAL', () => {
    const rows = [
      row({ id: 'manual', source: 'MANUAL', measuredAt: '2026-05-01T06:00:00Z' }),
      row({ id: 'withings', source: 'WITHINGS', measuredAt: '2026-05-01T07:00:00Z' }),
    ];
    expect(rawSeries(rows, seriesKinds.bodyFat).points.map((point) => point.id)).toEqual(['withings']);
  });

  it('the day is the UTC day: 23:30Z and 00:30Z are two days (though one Berlin day), so both sources stay', () => {
    const rows = [
      row({ id: 'apple', source: 'APPLE_HEALTH', measuredAt: '2026-05-01T23:30:00Z' }),
      row({ id: 'manual', source: 'MANUAL', measuredAt: '2026-05-02T00:30:00Z' }),
    ];
    expect(rawSeries(rows, seriesKinds.weight).points.map((point) => point.id)).toEqual(['apple', 'manual']);
  });

  it.each(['totalBodyWater', 'boneMass'] as const)('%s keeps every source', (kind) => {
    const rows = [
      row({ id: 'apple', source: 'APPLE_HEALTH', measuredAt: '2026-05-01T06:00:00Z' }),
      row({ id: 'manual', source: 'MANUAL', measuredAt: '2026-05-01T20:00:00Z' }),
    ];
    expect(rawSeries(rows, seriesKinds[kind]).points.map((point) => point.id)).toEqual(['apple', 'manual']);
  });
});

describe('pairs: each systolic row pairs with the nearest diastolic of the same source within ±5 minutes', () => {
  const sys = (id: string, measuredAt: string, value = 120, source = 'APPLE_HEALTH') =>
    row({ id, type: 'BLOOD_PRESSURE_SYS', value, source, measuredAt });
  const dia = (measuredAt: string, value: number, source = 'APPLE_HEALTH') =>
    row({ type: 'BLOOD_PRESSURE_DIA', value, source, measuredAt });
  const secondaries = (systolic: SummaryRow[], diastolic: SummaryRow[]) =>
    pairSeries(systolic, diastolic).points.map((point) => point.secondary);

  it('3 minutes apart: paired; 10 minutes apart: secondary null', () => {
    const { points } = pairSeries(
      [sys('s1', '2026-05-01T08:00:00Z', 121), sys('s2', '2026-05-02T08:00:00Z', 131)],
      [dia('2026-05-01T08:03:00Z', 81), dia('2026-05-02T08:10:00Z', 91)],
    );
    expect(points).toEqual([
      { id: 's1', at: at('2026-05-01T08:00:00Z'), value: 121, secondary: 81 },
      { id: 's2', at: at('2026-05-02T08:00:00Z'), value: 131, secondary: null },
    ]);
  });

  it('the window is inclusive: exactly 5 minutes pairs, 5 minutes and 1 ms does not', () => {
    expect(secondaries([sys('s', '2026-05-01T08:00:00Z')], [dia('2026-05-01T07:55:00Z', 80)])).toEqual([80]);
    expect(secondaries([sys('s', '2026-05-01T08:00:00Z')], [dia('2026-05-01T08:05:00.001Z', 80)])).toEqual([
      null,
    ]);
  });

  it('the nearest diastolic wins', () => {
    const diastolic = [dia('2026-05-01T08:04:00Z', 84), dia('2026-05-01T07:59:00Z', 79)];
    expect(secondaries([sys('s', '2026-05-01T08:00:00Z')], diastolic)).toEqual([79]);
  });

  it('on a tie, the earlier diastolic', () => {
    const diastolic = [dia('2026-05-01T08:02:00Z', 82), dia('2026-05-01T07:58:00Z', 78)];
    expect(secondaries([sys('s', '2026-05-01T08:00:00Z')], diastolic)).toEqual([78]);
  });

  it('only a diastolic of the same source pairs', () => {
    const diastolic = [dia('2026-05-01T08:00:00Z', 70, 'WITHINGS'), dia('2026-05-01T08:04:00Z', 84)];
    expect(secondaries([sys('s', '2026-05-01T08:00:00Z')], diastolic)).toEqual([84]);
    expect(secondaries([sys('s', '2026-05-01T08:00:00Z', 120, 'MANUAL')], diastolic)).toEqual([null]);
  });

  it('points come oldest first, and stats are over the systolic values', () => {
    const { points, stats } = pairSeries(
      [sys('late', '2026-05-02T08:00:00Z', 140), sys('early', '2026-05-01T08:00:00Z', 120)],
      [dia('2026-05-01T08:00:00Z', 200), dia('2026-05-02T08:00:00Z', 200)],
    );
    expect(points.map((point) => point.id)).toEqual(['early', 'late']);
    expect(stats).toEqual({ mean: 130, min: 120, max: 140, stdDev: 10, count: 2 });
  });
});

describe('dense: days ≤ 90 → raw points, unless the window holds more than 10,000 rows → one point per UTC hour; days > 90 → one point per local day', () => {
  it.each([
    [30, 10_000, 'raw'],
    [90, 10_000, 'raw'],
    [90, 10_001, 'hour'],
    [1, 10_001, 'hour'],
    [91, 10, 'day'],
    [3650, 525_000, 'day'],
  ])('days %i with %i rows → %s', (days, rows, resolution) => {
    expect(denseResolution(days, rows)).toBe(resolution);
  });
});

describe("dense raw points: a pulse point carries the row's valueMin/valueMax (null when absent)", () => {
  it('pulse points carry the spread; an oxygen point does not', () => {
    const pulse = [
      row({
        id: 'b',
        type: 'PULSE',
        value: 70,
        valueMin: 55,
        valueMax: 92,
        measuredAt: '2026-05-01T08:10:00Z',
      }),
      row({ id: 'a', type: 'PULSE', value: 64, measuredAt: '2026-05-01T08:00:00Z' }),
    ];
    expect(denseSeries(pulse, seriesKinds.pulse, { days: 30, zone: BERLIN }).points).toEqual([
      { id: 'a', at: at('2026-05-01T08:00:00Z'), value: 64, secondary: null, valueMin: null, valueMax: null },
      { id: 'b', at: at('2026-05-01T08:10:00Z'), value: 70, secondary: null, valueMin: 55, valueMax: 92 },
    ]);
    const oxygen = [
      row({ id: 'o', type: 'OXYGEN_SATURATION', value: 97, measuredAt: '2026-05-01T08:00:00Z' }),
    ];
    expect(denseSeries(oxygen, seriesKinds.oxygenSaturation, { days: 30, zone: BERLIN }).points).toEqual([
      { id: 'o', at: at('2026-05-01T08:00:00Z'), value: 97, secondary: null },
    ]);
  });

  it('the ladder applies per UTC day as for raw kinds; glucose keeps every source', () => {
    const rows = (type: string) => [
      row({ id: 'apple', type, source: 'APPLE_HEALTH', measuredAt: '2026-05-01T06:00:00Z' }),
      row({ id: 'manual', type, source: 'MANUAL', measuredAt: '2026-05-01T07:00:00Z' }),
    ];
    const ids = (kind: 'pulse' | 'glucose', type: string) =>
      denseSeries(rows(type), seriesKinds[kind], { days: 30, zone: BERLIN }).points.map((point) => point.id);
    expect(ids('pulse', 'PULSE')).toEqual(['apple']);
    expect(ids('glucose', 'BLOOD_GLUCOSE')).toEqual(['apple', 'manual']);
  });
});

/** `count` pulse rows every `stepMs` from `start`, values cycling 60, 61, … 79. */
function pulseRows(start: string, count: number, stepMs: number): SummaryRow[] {
  return Array.from({ length: count }, (_, i) =>
    row({
      type: 'PULSE',
      value: 60 + (i % 20),
      measuredAt: new Date(Date.parse(start) + i * stepMs).toISOString(),
    }),
  );
}

describe('dense hourly buckets (more than 10,000 rows in up to 90 days): id hour:<hour start>, at the hour start, mean to 2 decimals', () => {
  const many = pulseRows('2026-05-01T00:00:00Z', 10_001, 60_000);

  it('10,001 rows make one point per UTC hour', () => {
    const { points } = denseSeries(many, seriesKinds.pulse, { days: 30, zone: BERLIN });
    expect(points).toHaveLength(Math.ceil(10_001 / 60));
    expect(points[0]).toEqual({
      id: 'hour:2026-05-01T00:00:00.000Z',
      at: '2026-05-01T00:00:00.000Z',
      value: 69.5, // three rounds of 60…79
      secondary: null,
      valueMin: 60,
      valueMax: 79,
    });
    // 22:00–22:40: two rounds of 60…79 and a 60, (2 × 1390 + 60) / 41
    expect(points.at(-1)).toMatchObject({ id: 'hour:2026-05-07T22:00:00.000Z', value: 69.27 });
  });

  it('a pulse bucket spreads from the min of valueMin ?? value to the max of valueMax ?? value', () => {
    const spread = [
      row({ type: 'PULSE', value: 70, valueMin: 48, valueMax: 75, measuredAt: '2026-05-01T00:20:00Z' }),
      row({ type: 'PULSE', value: 65, measuredAt: '2026-05-01T00:40:00Z' }),
      row({ type: 'PULSE', value: 90, measuredAt: '2026-05-01T00:50:00Z' }),
    ];
    const filler = pulseRows('2026-06-01T00:00:00Z', 10_000, 60_000);
    const [first] = denseSeries([...spread, ...filler], seriesKinds.pulse, { days: 90, zone: BERLIN }).points;
    expect(first).toEqual({
      id: 'hour:2026-05-01T00:00:00.000Z',
      at: '2026-05-01T00:00:00.000Z',
      value: 75,
      secondary: null,
      valueMin: 48,
      valueMax: 90,
    });
  });

  it('stats stay over the rows, not over the bucket means', () => {
    const { stats } = denseSeries(many, seriesKinds.pulse, { days: 30, zone: BERLIN });
    expect(stats.count).toBe(10_001);
    expect(stats.mean).toBe(69.5);
  });
});

describe('dense daily buckets (days > 90): id day:<local date>, at local midnight as an instant', () => {
  it('days=120: one point per Berlin day, at its local midnight, across the 23-hour day', () => {
    const rows = [
      row({ type: 'HEART_RATE_VARIABILITY', value: 40, measuredAt: '2026-03-28T22:30:00Z' }), // 23:30 CET, 28 Mar
      row({ type: 'HEART_RATE_VARIABILITY', value: 50, measuredAt: '2026-03-28T23:30:00Z' }), // 00:30 CET, 29 Mar
      row({ type: 'HEART_RATE_VARIABILITY', value: 55, measuredAt: '2026-03-29T21:30:00Z' }), // 23:30 CEST, 29 Mar
      row({ type: 'HEART_RATE_VARIABILITY', value: 60, measuredAt: '2026-03-29T22:30:00Z' }), // 00:30 CEST, 30 Mar
    ];
    expect(denseSeries(rows, seriesKinds.heartRateVariability, { days: 120, zone: BERLIN }).points).toEqual([
      { id: 'day:2026-03-28', at: '2026-03-27T23:00:00.000Z', value: 40, secondary: null },
      { id: 'day:2026-03-29', at: '2026-03-28T23:00:00.000Z', value: 52.5, secondary: null },
      { id: 'day:2026-03-30', at: '2026-03-29T22:00:00.000Z', value: 60, secondary: null },
    ]);
  });

  it('days=120, pulse: bucket mean to 2 decimals and the spread; stats over the raw rows', () => {
    const rows = [
      row({ type: 'PULSE', value: 60, valueMin: 52, valueMax: 66, measuredAt: '2026-05-01T08:00:00Z' }),
      row({ type: 'PULSE', value: 60, measuredAt: '2026-05-01T09:00:00Z' }),
      row({ type: 'PULSE', value: 91, measuredAt: '2026-05-01T10:00:00Z' }),
      row({ type: 'PULSE', value: 100, valueMin: 95, valueMax: 130, measuredAt: '2026-05-02T10:00:00Z' }),
    ];
    const { points, stats } = denseSeries(rows, seriesKinds.pulse, { days: 120, zone: 'Asia/Kolkata' });
    expect(points).toEqual([
      {
        id: 'day:2026-05-01',
        at: '2026-04-30T18:30:00.000Z',
        value: 70.33,
        secondary: null,
        valueMin: 52,
        valueMax: 91,
      },
      {
        id: 'day:2026-05-02',
        at: '2026-05-01T18:30:00.000Z',
        value: 100,
        secondary: null,
        valueMin: 95,
        valueMax: 130,
      },
    ]);
    expect(stats).toEqual({ mean: 77.75, min: 60, max: 100, stdDev: 18.03, count: 4 });
  });
});
