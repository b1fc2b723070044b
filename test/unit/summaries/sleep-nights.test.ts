import {
  sleepNights,
  sleepSeriesPoints,
  sleepSessions,
} from '../../../functions/measurements/summaries/sleep-nights';
import { segment, type Writer } from './rows';

const BERLIN = 'Europe/Berlin';
const IPHONE: Writer = { source: 'APPLE_HEALTH', deviceType: 'iPhone' };
const WITHINGS_MAT: Writer = { source: 'WITHINGS', deviceType: 'Sleep Analyzer' };
const MANUAL: Writer = { source: 'MANUAL', deviceType: null };

/**
 * A staged night in Berlin (CEST, +2) crossing local midnight: in bed 23:00–07:00 local on
 * 1→2 May, asleep from 23:15 (core 120, deep 60, awake 5, core 100, rem 90, awake 10, core 70 = 440
 * minutes asleep), two awakenings inside, awake again at the end.
 */
function stagedNight(writer: Writer = { source: 'APPLE_HEALTH', deviceType: 'Watch' }) {
  return [
    segment('IN_BED', '2026-05-01T21:00:00Z', '2026-05-02T05:00:00Z', writer),
    segment('AWAKE', '2026-05-01T21:00:00Z', '2026-05-01T21:15:00Z', writer),
    segment('CORE', '2026-05-01T21:15:00Z', '2026-05-01T23:15:00Z', writer),
    segment('DEEP', '2026-05-01T23:15:00Z', '2026-05-02T00:15:00Z', writer),
    segment('AWAKE', '2026-05-02T00:15:00Z', '2026-05-02T00:20:00Z', writer),
    segment('CORE', '2026-05-02T00:20:00Z', '2026-05-02T02:00:00Z', writer),
    segment('REM', '2026-05-02T02:00:00Z', '2026-05-02T03:30:00Z', writer),
    segment('AWAKE', '2026-05-02T03:30:00Z', '2026-05-02T03:40:00Z', writer),
    segment('CORE', '2026-05-02T03:40:00Z', '2026-05-02T04:50:00Z', writer),
    segment('AWAKE', '2026-05-02T04:50:00Z', '2026-05-02T05:00:00Z', writer),
  ];
}

const session = (rows: ReturnType<typeof stagedNight>, zone = BERLIN) => {
  const sessions = sleepSessions(rows, zone);
  expect(sessions).toHaveLength(1);
  return sessions[0]!;
};

describe('rule 1: a new session begins when a segment starts more than 3 hours after the latest end so far', () => {
  it('a gap of exactly 3 hours stays one session', () => {
    const rows = [
      segment('CORE', '2026-05-01T21:00:00Z', '2026-05-01T23:00:00Z'),
      segment('CORE', '2026-05-02T02:00:00Z', '2026-05-02T04:00:00Z'),
    ];
    expect(sleepSessions(rows, BERLIN).map((s) => s.asleepMinutes)).toEqual([240]);
  });

  it('a gap of 3 hours and 1 minute starts a second session', () => {
    const rows = [
      segment('CORE', '2026-05-01T21:00:00Z', '2026-05-01T23:00:00Z'),
      segment('CORE', '2026-05-02T02:01:00Z', '2026-05-02T04:00:00Z'),
    ];
    expect(sleepSessions(rows, BERLIN).map((s) => s.asleepMinutes)).toEqual([120, 119]);
  });

  it('the gap is measured from the latest end so far, not from the previous segment', () => {
    const rows = [
      segment('IN_BED', '2026-05-01T20:00:00Z', '2026-05-02T05:00:00Z'),
      segment('CORE', '2026-05-01T20:30:00Z', '2026-05-01T21:00:00Z'),
      segment('CORE', '2026-05-02T04:00:00Z', '2026-05-02T04:30:00Z'),
    ];
    expect(sleepSessions(rows, BERLIN).map((s) => s.asleepMinutes)).toEqual([60]);
  });

  it('segments are taken by start, whatever order they were read in', () => {
    const rows = stagedNight();
    expect(sleepSessions([...rows].reverse(), BERLIN)).toEqual(sleepSessions(rows, BERLIN));
  });
});

describe('rule 2: of several writers (source + deviceType) of one session, one is kept', () => {
  const onlyCore = (writer: Writer, minutes: number) => [
    segment(
      'CORE',
      '2026-05-01T21:00:00Z',
      new Date(Date.parse('2026-05-01T21:00:00Z') + minutes * 60_000).toISOString(),
      writer,
    ),
  ];

  it('first, the most distinct detailed stages (CORE, DEEP, REM): the staged watch over a longer core-only writer', () => {
    const rows = [...stagedNight(), ...onlyCore(IPHONE, 600)];
    expect(session(rows)).toMatchObject({ source: 'APPLE_HEALTH', deviceType: 'Watch', asleepMinutes: 440 });
  });

  it('then APPLE_HEALTH over others: an Apple writer over a Withings one with as many stages and more sleep', () => {
    const rows = [...onlyCore(IPHONE, 300), ...onlyCore(WITHINGS_MAT, 400)];
    expect(session(rows)).toMatchObject({ source: 'APPLE_HEALTH', deviceType: 'iPhone', asleepMinutes: 300 });
  });

  it('then the most asleep minutes: of two Apple writers with as many stages, the one with more sleep', () => {
    const rows = [
      ...onlyCore({ source: 'APPLE_HEALTH', deviceType: 'Watch' }, 300),
      ...onlyCore(IPHONE, 420),
    ];
    expect(session(rows)).toMatchObject({ deviceType: 'iPhone', asleepMinutes: 420 });
  });

  it('then, on a full tie, the source ladder (WITHINGS over MANUAL), whichever was read first', () => {
    const rows = [...onlyCore(MANUAL, 400), ...onlyCore(WITHINGS_MAT, 400)];
    expect(session(rows).source).toBe('WITHINGS');
    expect(session([...rows].reverse()).source).toBe('WITHINGS');
  });

  it('then deviceType in code-unit order, a writer without one first, whichever was read first', () => {
    const noDevice: Writer = { source: 'APPLE_HEALTH', deviceType: null };
    const rows = [
      ...onlyCore(IPHONE, 400),
      ...onlyCore({ source: 'APPLE_HEALTH', deviceType: 'Watch' }, 400),
    ];
    expect(session(rows).deviceType).toBe('Watch');
    expect(session([...rows].reverse()).deviceType).toBe('Watch');
    expect(session([...rows, ...onlyCore(noDevice, 400)]).deviceType).toBeNull();
  });

  it('asleep minutes that differ only by binary noise are a tie (0.1 + 0.2 minutes against 0.3)', () => {
    const rows = [
      segment('CORE', '2026-05-01T21:00:00Z', '2026-05-01T21:00:06Z', MANUAL),
      segment('CORE', '2026-05-01T21:00:06Z', '2026-05-01T21:00:18Z', MANUAL),
      segment('CORE', '2026-05-01T21:00:00Z', '2026-05-01T21:00:18Z', WITHINGS_MAT),
    ];
    expect(session(rows).source).toBe('WITHINGS');
  });

  it("the night row is the kept writer's alone: its source, its segments, its minutes", () => {
    const [night] = sleepNights([...onlyCore(IPHONE, 600), ...stagedNight()], BERLIN);
    expect(night).toMatchObject({ source: 'APPLE_HEALTH', sampleCount: 10, value: 440 });
    expect(night!.sleepStages.CORE).toBe(290);
  });
});

describe('rule 3: asleep minutes are CORE + DEEP + REM; plain ASLEEP counts only without detailed stages; IN_BED and AWAKE never', () => {
  it('with detailed stages, ASLEEP, IN_BED and AWAKE do not count', () => {
    const rows = [
      segment('IN_BED', '2026-05-01T21:00:00Z', '2026-05-02T05:00:00Z'),
      segment('ASLEEP', '2026-05-01T21:00:00Z', '2026-05-02T04:00:00Z'),
      segment('CORE', '2026-05-01T21:00:00Z', '2026-05-01T23:00:00Z'),
      segment('DEEP', '2026-05-01T23:00:00Z', '2026-05-02T00:00:00Z'),
      segment('AWAKE', '2026-05-02T00:00:00Z', '2026-05-02T00:10:00Z'),
      segment('REM', '2026-05-02T00:10:00Z', '2026-05-02T01:40:00Z'),
    ];
    expect(session(rows).asleepMinutes).toBe(120 + 60 + 90);
  });

  it('without detailed stages, ASLEEP counts (IN_BED and AWAKE still do not)', () => {
    const rows = [
      segment('IN_BED', '2026-05-01T21:00:00Z', '2026-05-02T05:00:00Z', MANUAL),
      segment('ASLEEP', '2026-05-01T21:30:00Z', '2026-05-02T04:30:00Z', MANUAL),
      segment('AWAKE', '2026-05-02T04:30:00Z', '2026-05-02T05:00:00Z', MANUAL),
    ];
    expect(session(rows).asleepMinutes).toBe(420);
  });
});

describe("rule 4: a session belongs to its wake day, the user's local date of its latest end; the main session has the most asleep minutes", () => {
  const nap = (start: string, end: string) => [segment('CORE', start, end, IPHONE)];
  const secondNight = [
    segment('CORE', '2026-05-02T21:30:00Z', '2026-05-03T01:30:00Z'),
    segment('REM', '2026-05-03T01:30:00Z', '2026-05-03T04:30:00Z'),
  ];

  it('a night crossing local midnight belongs to the morning it ends on', () => {
    expect(sleepNights(stagedNight(), BERLIN).map((night) => [night.id, night.dayKey])).toEqual([
      ['sleep:2026-05-02', '2026-05-02'],
    ]);
  });

  it('the wake day is local: a night ending 03:30Z is on the evening before in New York (23:30 EDT)', () => {
    const rows = [segment('CORE', '2026-05-01T20:00:00Z', '2026-05-02T03:30:00Z')];
    expect(sleepNights(rows, 'America/New_York').map((night) => night.dayKey)).toEqual(['2026-05-01']);
    expect(sleepNights(rows, BERLIN).map((night) => night.dayKey)).toEqual(['2026-05-02']);
  });

  it('a night with a nap and a second night: the nap is counted on its wake day, the second night is its own row', () => {
    const rows = [...stagedNight(), ...nap('2026-05-02T12:00:00Z', '2026-05-02T12:45:00Z'), ...secondNight];
    expect(
      sleepNights(rows, BERLIN).map((night) => [
        night.dayKey,
        night.value,
        night.napCount,
        night.napAsleepMinutes,
      ]),
    ).toEqual([
      ['2026-05-03', 420, 0, 0],
      ['2026-05-02', 440, 1, 45],
    ]);
  });

  it('the main session is the one with the most asleep minutes, even when it is the afternoon one', () => {
    const rows = [
      segment('CORE', '2026-05-02T02:00:00Z', '2026-05-02T04:00:00Z'),
      ...nap('2026-05-02T10:00:00Z', '2026-05-02T13:00:00Z'),
    ];
    const [night] = sleepNights(rows, BERLIN);
    expect(night).toMatchObject({
      value: 180,
      measuredAt: '2026-05-02T13:00:00.000Z',
      napCount: 1,
      napAsleepMinutes: 120,
    });
  });

  it('on equal asleep minutes, the session that ended first is the main one', () => {
    const rows = [
      ...nap('2026-05-02T10:00:00Z', '2026-05-02T12:00:00Z'),
      segment('CORE', '2026-05-02T02:00:00Z', '2026-05-02T04:00:00Z'),
    ];
    expect(sleepNights(rows, BERLIN)[0]!.measuredAt).toBe('2026-05-02T04:00:00.000Z');
  });

  it('a wake day whose sessions have no asleep minutes has no main session, so no row; such a session is no nap', () => {
    const inBedOnly = [segment('IN_BED', '2026-05-04T20:00:00Z', '2026-05-05T04:00:00Z')];
    const restless = segment('IN_BED', '2026-05-02T12:00:00Z', '2026-05-02T13:00:00Z', IPHONE);
    expect(
      sleepNights([...inBedOnly, ...stagedNight(), restless], BERLIN).map((n) => [n.dayKey, n.napCount]),
    ).toEqual([['2026-05-02', 0]]);
  });
});

describe("rule 5: one row per wake day, newest first, with the main session's stages and the day's naps", () => {
  it('the row', () => {
    expect(sleepNights(stagedNight(), BERLIN)).toEqual([
      {
        id: 'sleep:2026-05-02',
        type: 'SLEEP_DURATION',
        value: 440,
        unit: 'minutes',
        source: 'APPLE_HEALTH',
        measuredAt: '2026-05-02T05:00:00.000Z',
        notes: null,
        dayKey: '2026-05-02',
        sampleCount: 10,
        sleepStages: { IN_BED: 480, AWAKE: 40, ASLEEP: 0, REM: 90, CORE: 290, DEEP: 60 },
        inBedMinutes: 480,
        awakeMinutes: 40,
        napCount: 0,
        napAsleepMinutes: 0,
        awakenings: 2,
      },
    ]);
  });

  it('awakenings are the AWAKE segments strictly between the first and last asleep segment, not before falling asleep or after waking', () => {
    expect(session(stagedNight()).awakenings).toBe(2);
    const plainNight = [
      segment('AWAKE', '2026-05-01T21:00:00Z', '2026-05-01T21:20:00Z', MANUAL),
      segment('ASLEEP', '2026-05-01T21:20:00Z', '2026-05-02T01:00:00Z', MANUAL),
      segment('AWAKE', '2026-05-02T01:00:00Z', '2026-05-02T01:30:00Z', MANUAL),
      segment('ASLEEP', '2026-05-02T01:30:00Z', '2026-05-02T04:00:00Z', MANUAL),
      segment('AWAKE', '2026-05-02T04:00:00Z', '2026-05-02T04:30:00Z', MANUAL),
    ];
    expect(session(plainNight).awakenings).toBe(1);
  });

  it('value is the asleep minutes rounded to whole minutes', () => {
    const rows = [segment('CORE', '2026-05-01T21:00:00Z', '2026-05-02T04:00:30Z')];
    expect(sleepNights(rows, BERLIN)[0]!.value).toBe(421);
  });

  it('nights come newest first', () => {
    const rows = [
      segment('CORE', '2026-05-01T21:00:00Z', '2026-05-02T04:00:00Z'),
      segment('CORE', '2026-05-03T21:00:00Z', '2026-05-04T04:00:00Z'),
      segment('CORE', '2026-05-02T21:00:00Z', '2026-05-03T04:00:00Z'),
    ];
    expect(sleepNights(rows, BERLIN).map((night) => night.dayKey)).toEqual([
      '2026-05-04',
      '2026-05-03',
      '2026-05-02',
    ]);
  });

  it('segments without a known stage are not sleep data', () => {
    const rows = [
      ...stagedNight(),
      { ...segment('CORE', '2026-05-01T21:00:00Z', '2026-05-02T05:00:00Z'), sleepStage: null },
    ];
    expect(sleepNights(rows, BERLIN)[0]!.value).toBe(440);
  });
});

describe('series nights: every session of a wake day counts, naps included; nights without asleep minutes give no point', () => {
  const napRows = [segment('CORE', '2026-05-02T12:00:00Z', '2026-05-02T12:45:00Z', IPHONE)];

  it('a point per wake day: id sleep:<day>, at the latest segment end of that day, asleep hours and stage hours to 2 decimals', () => {
    expect(sleepSeriesPoints([...stagedNight(), ...napRows], BERLIN)).toEqual([
      {
        id: 'sleep:2026-05-02',
        at: '2026-05-02T12:45:00.000Z',
        value: 8.08,
        secondary: null,
        sleepStages: { IN_BED: 8, AWAKE: 0.67, ASLEEP: 0, REM: 1.5, CORE: 5.58, DEEP: 1 },
      },
    ]);
  });

  it('a wake day with only in-bed time gives no point; points come oldest first', () => {
    const rows = [
      segment('CORE', '2026-05-03T21:00:00Z', '2026-05-04T04:00:00Z'),
      segment('IN_BED', '2026-05-02T21:00:00Z', '2026-05-03T04:00:00Z'),
      ...stagedNight(),
    ];
    expect(sleepSeriesPoints(rows, BERLIN).map((point) => [point.id, point.value])).toEqual([
      ['sleep:2026-05-02', 7.33],
      ['sleep:2026-05-04', 7],
    ]);
  });
});
