import {
  cumulativeTypes,
  isCumulativeType,
  type CumulativeType,
} from '../../../definitions/cumulative-types';
import { dayTotals, type DayTotalInputRow } from '../../../functions/measurements/summaries/day-totals';
import { row } from './rows';

const BERLIN = 'Europe/Berlin';

function steps(measuredAt: string, value: number, source = 'APPLE_HEALTH', type = 'ACTIVITY_STEPS') {
  return row({ type, value, unit: 'steps', source, measuredAt });
}

function totals(
  rows: readonly DayTotalInputRow[],
  options: { type?: CumulativeType; zone?: string; hitLimit?: boolean } = {},
) {
  const { type = 'ACTIVITY_STEPS', zone = BERLIN, hitLimit = false } = options;
  return dayTotals({ rows, type, zone, hitLimit });
}

const dayValues = (result: ReturnType<typeof totals>) =>
  result.days.map((day) => [day.dayKey, day.value, day.source, day.sampleCount]);

describe('groupBy=day applies to the cumulative types only', () => {
  it.each([
    'ACTIVITY_STEPS',
    'ACTIVE_ENERGY_BURNED',
    'FLIGHTS_CLIMBED',
    'WALKING_RUNNING_DISTANCE',
    'TIME_IN_DAYLIGHT',
    'FALL_COUNT',
  ])('%s is cumulative', (type) => {
    expect(isCumulativeType(type)).toBe(true);
  });

  it.each(['WEIGHT', 'SLEEP_DURATION', 'PULSE', 'toString', 'constructor', ''])('%j is not', (type) => {
    expect(isCumulativeType(type)).toBe(false);
  });

  it('the table holds exactly the six cumulative types of measurement-types.md', () => {
    expect(cumulativeTypes).toHaveLength(6);
  });
});

describe("step 2: rows are bucketed by the user's local day of measuredAt", () => {
  it('in Europe/Berlin, 21:30Z is still 1 May but 22:30Z is already 2 May (CEST, +2)', () => {
    const result = totals([steps('2026-05-01T22:30:00Z', 100), steps('2026-05-01T21:30:00Z', 10)]);
    expect(dayValues(result)).toEqual([
      ['2026-05-02', 100, 'APPLE_HEALTH', 1],
      ['2026-05-01', 10, 'APPLE_HEALTH', 1],
    ]);
  });

  it('in America/New_York, 03:00Z is the evening before and 05:00Z the same day; each day is dated at its noon (EDT, 16:00Z)', () => {
    const result = totals([steps('2026-05-02T05:00:00Z', 200), steps('2026-05-02T03:00:00Z', 20)], {
      zone: 'America/New_York',
    });
    expect(result.days.map((day) => [day.dayKey, day.value, day.measuredAt])).toEqual([
      ['2026-05-02', 200, '2026-05-02T16:00:00.000Z'],
      ['2026-05-01', 20, '2026-05-01T16:00:00.000Z'],
    ]);
  });

  it('in Asia/Kolkata (+5:30), the day turns at 18:30Z and noon is 06:30Z', () => {
    const result = totals([steps('2026-05-01T18:30:00Z', 300), steps('2026-05-01T18:29:59.999Z', 30)], {
      zone: 'Asia/Kolkata',
    });
    expect(result.days.map((day) => [day.dayKey, day.value, day.measuredAt])).toEqual([
      ['2026-05-02', 300, '2026-05-02T06:30:00.000Z'],
      ['2026-05-01', 30, '2026-05-01T06:30:00.000Z'],
    ]);
  });

  it('the 23-hour day 2026-03-29 in Berlin holds 00:00 CET to 23:59 CEST, dated at 12:00 CEST', () => {
    const result = totals([
      steps('2026-03-29T22:00:00Z', 7),
      steps('2026-03-29T21:59:00Z', 5),
      steps('2026-03-28T23:00:00Z', 3),
      steps('2026-03-28T22:59:00Z', 1),
    ]);
    expect(result.days.map((day) => [day.dayKey, day.value, day.measuredAt])).toEqual([
      ['2026-03-30', 7, '2026-03-30T10:00:00.000Z'],
      ['2026-03-29', 8, '2026-03-29T10:00:00.000Z'],
      ['2026-03-28', 1, '2026-03-28T11:00:00.000Z'],
    ]);
  });

  it('the 25-hour day 2026-11-01 in New York holds 04:00Z to 04:59Z the next day, dated at 12:00 EST', () => {
    const result = totals(
      [steps('2026-11-02T05:00:00Z', 9), steps('2026-11-02T04:59:00Z', 5), steps('2026-11-01T04:00:00Z', 3)],
      { zone: 'America/New_York' },
    );
    expect(result.days.map((day) => [day.dayKey, day.value, day.measuredAt])).toEqual([
      ['2026-11-02', 9, '2026-11-02T17:00:00.000Z'],
      ['2026-11-01', 8, '2026-11-01T17:00:00.000Z'],
    ]);
  });
});

describe('step 3: within a day only the highest source of APPLE_HEALTH > WITHINGS > MANUAL is kept', () => {
  it('a MANUAL row is dropped in favour of APPLE_HEALTH on the same day', () => {
    const result = totals([
      steps('2026-05-01T18:00:00Z', 500, 'MANUAL'),
      steps('2026-05-01T08:00:00Z', 8000),
    ]);
    expect(dayValues(result)).toEqual([['2026-05-01', 8000, 'APPLE_HEALTH', 1]]);
    expect(result.droppedDuplicates).toBe(1);
  });

  it.each([
    ['WITHINGS', 'MANUAL', 'WITHINGS'],
    ['APPLE_HEALTH', 'WITHINGS', 'APPLE_HEALTH'],
    ['MANUAL', 'WHOOP', 'MANUAL'],
    ['COMPUTED', 'IMPORT', 'COMPUTED'],
  ])('%s and %s on one day keep %s', (first, second, kept) => {
    const result = totals([
      steps('2026-05-01T10:00:00Z', 1, first),
      steps('2026-05-01T09:00:00Z', 2, second),
    ]);
    expect(result.days.map((day) => day.source)).toEqual([kept]);
    expect(result.droppedDuplicates).toBe(1);
  });

  it('off-ladder sources rank below MANUAL and, among themselves, by name: exactly one is kept, whichever was read first', () => {
    const oura = steps('2026-05-01T10:00:00Z', 4000, 'OURA');
    const whoop = steps('2026-05-01T11:00:00Z', 4100, 'WHOOP');
    expect(dayValues(totals([whoop, oura]))).toEqual([['2026-05-01', 4000, 'OURA', 1]]);
    expect(dayValues(totals([oura, whoop]))).toEqual([['2026-05-01', 4000, 'OURA', 1]]);
  });

  it('the ladder is per local day: a MANUAL-only day keeps its MANUAL rows', () => {
    const result = totals([
      steps('2026-05-02T10:00:00Z', 600, 'MANUAL'),
      steps('2026-05-01T10:00:00Z', 700, 'MANUAL'),
      steps('2026-05-01T09:00:00Z', 7000),
    ]);
    expect(dayValues(result)).toEqual([
      ['2026-05-02', 600, 'MANUAL', 1],
      ['2026-05-01', 7000, 'APPLE_HEALTH', 1],
    ]);
  });

  it.each(['TIME_IN_DAYLIGHT', 'FALL_COUNT'] as const)('%s keeps every source', (type) => {
    const result = totals(
      [
        steps('2026-05-01T12:00:00Z', 1, 'MANUAL', type),
        steps('2026-05-01T11:00:00Z', 2, 'WITHINGS', type),
        steps('2026-05-01T10:00:00Z', 4, 'APPLE_HEALTH', type),
      ],
      { type },
    );
    expect(dayValues(result)).toEqual([['2026-05-01', 7, 'MANUAL', 3]]);
    expect(result.droppedDuplicates).toBe(0);
  });
});

describe('step 4: one row per day, newest day first', () => {
  it('a day row: id day:<TYPE>:<date>, the sum, unit and source of the newest kept row, 12:00 local as measuredAt, notes null, dayKey, sampleCount', () => {
    const result = totals([
      steps('2026-05-01T19:00:00Z', 50, 'MANUAL'),
      row({ type: 'ACTIVITY_STEPS', value: 1200, unit: 'count', measuredAt: '2026-05-01T17:00:00Z' }),
      steps('2026-05-01T07:00:00Z', 3000),
    ]);
    expect(result.days).toEqual([
      {
        id: 'day:ACTIVITY_STEPS:2026-05-01',
        type: 'ACTIVITY_STEPS',
        value: 4200,
        unit: 'count',
        source: 'APPLE_HEALTH',
        measuredAt: '2026-05-01T10:00:00.000Z',
        notes: null,
        dayKey: '2026-05-01',
        sampleCount: 2,
      },
    ]);
  });

  it('the newest kept row names unit and source even when rows arrive out of order', () => {
    const type = 'FALL_COUNT';
    const result = totals(
      [
        steps('2026-05-01T09:00:00Z', 1, 'APPLE_HEALTH', type),
        steps('2026-05-01T10:00:00Z', 1, 'WITHINGS', type),
      ],
      { type },
    );
    expect(result.days.map((day) => day.source)).toEqual(['WITHINGS']);
  });

  it('the sum is rounded to 12 significant digits, so binary noise does not show (0.1 + 0.2 km is 0.3)', () => {
    const type = 'WALKING_RUNNING_DISTANCE';
    const result = totals(
      [
        steps('2026-05-01T10:00:00Z', 0.1, 'APPLE_HEALTH', type),
        steps('2026-05-01T09:00:00Z', 0.2, 'APPLE_HEALTH', type),
      ],
      { type },
    );
    expect(result.days.map((day) => day.value)).toEqual([0.3]);
  });

  it('days come newest first whatever the order of the rows', () => {
    const result = totals([
      steps('2026-05-01T10:00:00Z', 1),
      steps('2026-05-03T10:00:00Z', 3),
      steps('2026-05-02T10:00:00Z', 2),
    ]);
    expect(result.days.map((day) => day.dayKey)).toEqual(['2026-05-03', '2026-05-02', '2026-05-01']);
  });

  it('no rows, no days', () => {
    expect(totals([], { hitLimit: true })).toEqual({ days: [], droppedDuplicates: 0 });
  });
});

describe('step 4: partial: true on the oldest day only, and only when step 1 hit limit', () => {
  const rows = [
    steps('2026-05-03T10:00:00Z', 3),
    steps('2026-05-02T10:00:00Z', 2),
    steps('2026-05-01T10:00:00Z', 1),
  ];

  it('reading hit limit: the oldest day is partial, the others carry no partial key', () => {
    const result = totals(rows, { hitLimit: true });
    expect(result.days.map((day) => [day.dayKey, 'partial' in day, day.partial])).toEqual([
      ['2026-05-03', false, undefined],
      ['2026-05-02', false, undefined],
      ['2026-05-01', true, true],
    ]);
  });

  it('reading did not hit limit: no day carries a partial key', () => {
    expect(totals(rows).days.some((day) => 'partial' in day)).toBe(false);
  });

  it('a page that continues a day the previous page ended in: that newest day is partial too', () => {
    const continued = dayTotals({
      rows,
      type: 'ACTIVITY_STEPS',
      zone: BERLIN,
      hitLimit: false,
      continuesAfter: '2026-05-03T20:00:00.000Z',
    });
    expect(continued.days.map((day) => [day.dayKey, day.partial])).toEqual([
      ['2026-05-03', true],
      ['2026-05-02', undefined],
      ['2026-05-01', undefined],
    ]);
    // The previous page ended on the 4th (Berlin): the 3rd is whole.
    const after = dayTotals({
      rows,
      type: 'ACTIVITY_STEPS',
      zone: BERLIN,
      hitLimit: false,
      continuesAfter: '2026-05-03T22:30:00.000Z',
    });
    expect(after.days.some((day) => 'partial' in day)).toBe(false);
  });
});

describe('step 5: droppedDuplicates is rows read minus rows kept', () => {
  it('counts the dropped rows of every day', () => {
    const result = totals([
      steps('2026-05-02T12:00:00Z', 1, 'MANUAL'),
      steps('2026-05-02T11:00:00Z', 1, 'WITHINGS'),
      steps('2026-05-02T10:00:00Z', 1),
      steps('2026-05-01T12:00:00Z', 1, 'MANUAL'),
      steps('2026-05-01T11:00:00Z', 1, 'WITHINGS'),
    ]);
    expect(result.droppedDuplicates).toBe(3);
    expect(result.days.reduce((sum, day) => sum + day.sampleCount, 0)).toBe(2);
  });
});
