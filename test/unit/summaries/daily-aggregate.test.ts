import {
  accumulatorOfAggregates,
  aggregateDay,
  aggregateDays,
  dayBucketsFromAggregates,
  hourBucketsFromAggregates,
} from '../../../functions/measurements/summaries/daily-aggregate';
import { seriesKinds } from '../../../functions/measurements/summaries/series-kinds';
import { denseSeries } from '../../../functions/measurements/summaries/series-points';
import { finishStats, foldValues } from '../../../functions/measurements/summaries/series-stats';
import type { SummaryRow } from '../../../functions/measurements/summaries/summary-row';
import { row, seededRandom } from './rows';

const pulse = (measuredAt: string, value: number, spread: { valueMin?: number; valueMax?: number } = {}) =>
  row({ type: 'PULSE', value, measuredAt, ...spread });

describe('aggregateDay: one UTC day of one type as an accumulator, a spread and 30-minute UTC slots', () => {
  it('the aggregate of a few rows', () => {
    const rows = [
      pulse('2026-05-01T00:10:00Z', 60, { valueMin: 50, valueMax: 70 }),
      pulse('2026-05-01T00:20:00Z', 64),
      pulse('2026-05-01T13:45:00Z', 80, { valueMin: 72, valueMax: 118 }),
    ];
    expect(aggregateDay(rows, seriesKinds.pulse)).toEqual({
      day: '2026-05-01',
      count: 3,
      sum: 204,
      sumOfSquares: 60 * 60 + 64 * 64 + 80 * 80,
      min: 60,
      max: 80,
      low: 50,
      high: 118,
      slots: [
        [0, 2, 124, 50, 70],
        [27, 1, 80, 72, 118],
      ],
    });
  });

  it.each([
    ['00:00:00.000', 0],
    ['00:29:59.999', 0],
    ['00:30:00.000', 1],
    ['12:00:00.000', 24],
    ['23:59:59.999', 47],
  ])('a row at %sZ is in slot %i', (time, slot) => {
    expect(
      aggregateDay([pulse(`2026-05-01T${time}Z`, 70)], seriesKinds.pulse)!.slots.map(([s]) => s),
    ).toEqual([slot]);
  });

  it('the day is the UTC date, whatever zone the user is in', () => {
    expect(aggregateDay([pulse('2026-05-01T23:30:00Z', 70)], seriesKinds.pulse)!.day).toBe('2026-05-01');
  });

  it('no rows left: null (the stored aggregate goes)', () => {
    expect(aggregateDay([], seriesKinds.pulse)).toBeNull();
  });

  it('rows of two UTC days are refused', () => {
    const rows = [pulse('2026-05-01T23:59:59.999Z', 70), pulse('2026-05-02T00:00:00Z', 70)];
    expect(() => aggregateDay(rows, seriesKinds.pulse)).toThrow(RangeError);
  });

  it('the same rows read in any order give the same aggregate', () => {
    const random = seededRandom(5);
    const rows = Array.from({ length: 144 }, (_, i) =>
      row({
        type: 'OXYGEN_SATURATION',
        value: 90 + Math.round(random() * 99) / 10,
        measuredAt: minutesAfter('2026-05-01', i * 10),
      }),
    );
    expect(aggregateDay([...rows].reverse(), seriesKinds.oxygenSaturation)).toEqual(
      aggregateDay(rows, seriesKinds.oxygenSaturation),
    );
  });

  it('the series ladder applies within the day (APPLE_HEALTH over MANUAL); glucose keeps every source', () => {
    const rows = (type: string) => [
      row({ type, value: 100, source: 'APPLE_HEALTH', measuredAt: '2026-05-01T08:00:00Z' }),
      row({ type, value: 140, source: 'MANUAL', measuredAt: '2026-05-01T09:00:00Z' }),
    ];
    expect(aggregateDay(rows('PULSE'), seriesKinds.pulse)).toMatchObject({ count: 1, sum: 100 });
    expect(aggregateDay(rows('BLOOD_GLUCOSE'), seriesKinds.glucose)).toMatchObject({ count: 2, sum: 240 });
  });

  it('a full day of 144 heart-rate buckets serialises under 2 KB (measured: 955 bytes of JSON)', () => {
    const random = seededRandom(1);
    const rows = Array.from({ length: 144 }, (_, i) => {
      const value = 55 + Math.round(random() * 50);
      return pulse(minutesAfter('2026-05-01', i * 10), value, {
        valueMin: value - Math.round(random() * 10),
        valueMax: value + Math.round(random() * 25),
      });
    });
    const bytes = Buffer.byteLength(JSON.stringify(aggregateDay(rows, seriesKinds.pulse)));
    expect(bytes).toBe(955);
    expect(bytes).toBeLessThan(2048);
  });
});

function minutesAfter(day: string, minutes: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + minutes * 60_000).toISOString();
}

/**
 * Rows every 75 s over 10 days around a DST switch (11,520 rows, so a 30-day window answers hourly
 * buckets), from two sources, with and without a spread. Integer values for pulse; one-decimal
 * values (binary noise in every sum) for oxygen.
 */
function windowRows(type: 'PULSE' | 'OXYGEN_SATURATION', firstDay: string, seed: number): SummaryRow[] {
  const random = seededRandom(seed);
  return Array.from({ length: 11_520 }, (_, i) => {
    const value = type === 'PULSE' ? 45 + Math.floor(random() * 80) : 88 + Math.floor(random() * 120) / 10;
    const spread =
      random() < 0.5
        ? { valueMin: value - Math.floor(random() * 9), valueMax: value + Math.floor(random() * 30) }
        : {};
    const source = random() < 0.02 ? 'MANUAL' : 'APPLE_HEALTH';
    return row({
      type,
      value,
      source,
      measuredAt: new Date(Date.parse(`${firstDay}T00:00:00Z`) + i * 75_000).toISOString(),
      ...spread,
    });
  });
}

describe('the aggregate path answers the same points and stats as the raw-row path, for whole-hour and 30-minute zones', () => {
  const cases = [
    ['pulse', 'PULSE', 'Europe/Berlin', '2026-03-24'],
    ['pulse', 'PULSE', 'America/New_York', '2026-10-28'],
    ['pulse', 'PULSE', 'Asia/Kolkata', '2026-05-01'],
    ['oxygenSaturation', 'OXYGEN_SATURATION', 'Europe/Berlin', '2026-10-21'],
    ['oxygenSaturation', 'OXYGEN_SATURATION', 'Asia/Kolkata', '2026-05-01'],
  ] as const;

  it.each(cases)('%s in %s from %s: daily buckets (days > 90) and stats', (kind, type, zone, firstDay) => {
    const spec = seriesKinds[kind];
    const rows = windowRows(type, firstDay, 11);
    const raw = denseSeries(rows, spec, { days: 120, zone });
    const aggregates = aggregateDays(rows, spec);

    expect(raw.points.length).toBeGreaterThanOrEqual(10);
    expect(dayBucketsFromAggregates(aggregates, zone, spec)).toEqual(raw.points);
    expect(finishStats(accumulatorOfAggregates(aggregates))).toEqual(raw.stats);
  });

  it.each(cases)('%s in %s from %s: hourly buckets (more than 10,000 rows)', (kind, type, zone, firstDay) => {
    const spec = seriesKinds[kind];
    const rows = windowRows(type, firstDay, 12);
    const raw = denseSeries(rows, spec, { days: 30, zone });

    expect(raw.points[0]!.id).toMatch(/^hour:/);
    expect(hourBucketsFromAggregates(aggregateDays(rows, spec), spec)).toEqual(raw.points);
  });

  it('a window cut mid-day: stored whole-day aggregates with the raw edge rows folded in give the raw stats', () => {
    const spec = seriesKinds.pulse;
    const zone = 'Europe/Berlin';
    const rows = windowRows('PULSE', '2026-05-01', 13).filter(
      (r) =>
        r.source === 'APPLE_HEALTH' &&
        r.measuredAt >= '2026-05-01T09:17' &&
        r.measuredAt < '2026-05-08T15:02',
    );
    const isEdge = (r: SummaryRow) => r.measuredAt < '2026-05-02' || r.measuredAt >= '2026-05-08';
    const stored = aggregateDays(
      rows.filter((r) => !isEdge(r)),
      spec,
    );
    const edgeRows = rows.filter(isEdge);
    const raw = denseSeries(rows, spec, { days: 120, zone });

    expect(
      finishStats(
        foldValues(
          edgeRows.map((r) => r.value),
          accumulatorOfAggregates(stored),
        ),
      ),
    ).toEqual(raw.stats);
    // Edge rows made into aggregates of their own join the stored ones for the buckets.
    expect(dayBucketsFromAggregates([...aggregateDays(edgeRows, spec), ...stored], zone, spec)).toEqual(
      raw.points,
    );
  });
});

describe('in the three 45-minute zones a slot goes to the local day its start falls in', () => {
  it('Asia/Kathmandu (+5:45): a row at 00:05 local (18:20Z) counts in the day before, with the slot that began at 23:45', () => {
    const rows = [pulse('2026-05-01T18:05:00Z', 60), pulse('2026-05-01T18:20:00Z', 100)];
    const zone = 'Asia/Kathmandu';
    expect(dayBucketsFromAggregates(aggregateDays(rows, seriesKinds.pulse), zone, seriesKinds.pulse)).toEqual(
      [
        {
          id: 'day:2026-05-01',
          at: '2026-04-30T18:15:00.000Z',
          value: 80,
          secondary: null,
          valueMin: 60,
          valueMax: 100,
        },
      ],
    );
    // The raw path, reading each row's own instant, splits them; only the slot path rounds to slots.
    expect(denseSeries(rows, seriesKinds.pulse, { days: 120, zone }).points.map((p) => p.id)).toEqual([
      'day:2026-05-01',
      'day:2026-05-02',
    ]);
  });
});
