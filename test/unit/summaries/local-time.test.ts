import {
  epochMsOf,
  isIanaZone,
  localDateOf,
  localMidnight,
  localNoon,
  utcDateOf,
  utcMidnightOf,
} from '../../../functions/measurements/summaries/local-time';
import { DAY_MS, HOUR_MS, iso, seededRandom } from './rows';

const dateIn = (instant: string, zone: string) => localDateOf(Date.parse(instant), zone);
const midnight = (date: string, zone: string) => new Date(localMidnight(date, zone)).toISOString();
const noon = (date: string, zone: string) => new Date(localNoon(date, zone)).toISOString();

const referenceFormatters = new Map<string, Intl.DateTimeFormat>();

/** The local date straight from Intl, one call per instant: the reference the memoised path must match. */
function referenceDate(epochMs: number, zone: string): string {
  let formatter = referenceFormatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    referenceFormatters.set(zone, formatter);
  }
  const parts = formatter.formatToParts(epochMs);
  const field = (type: string) => parts.find((part) => part.type === type)!.value;
  return `${field('year')}-${field('month')}-${field('day')}`;
}

const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'America/Havana',
  'America/Santiago',
  'UTC',
];

describe("auth.md: the user's local date of an instant (day-shaped answers are cut at local midnight)", () => {
  it.each([
    ['Europe/Berlin', '2026-03-28T22:59:59.999Z', '2026-03-28', '23:59:59.999 CET'],
    ['Europe/Berlin', '2026-03-28T23:00:00.000Z', '2026-03-29', '00:00 CET, start of the 23-hour day'],
    ['Europe/Berlin', '2026-03-29T21:59:59.999Z', '2026-03-29', '23:59:59.999 CEST, end of the 23-hour day'],
    ['Europe/Berlin', '2026-03-29T22:00:00.000Z', '2026-03-30', '00:00 CEST'],
    ['Europe/Berlin', '2026-10-24T22:00:00.000Z', '2026-10-25', '00:00 CEST, start of the 25-hour day'],
    ['Europe/Berlin', '2026-10-25T22:59:59.999Z', '2026-10-25', '23:59:59.999 CET, end of the 25-hour day'],
    ['Europe/Berlin', '2026-10-25T23:00:00.000Z', '2026-10-26', '00:00 CET'],
    ['America/New_York', '2026-03-08T04:59:59.999Z', '2026-03-07', '23:59:59.999 EST'],
    ['America/New_York', '2026-03-08T05:00:00.000Z', '2026-03-08', '00:00 EST, start of the 23-hour day'],
    ['America/New_York', '2026-03-09T03:59:59.999Z', '2026-03-08', '23:59:59.999 EDT'],
    ['America/New_York', '2026-11-01T04:00:00.000Z', '2026-11-01', '00:00 EDT, start of the 25-hour day'],
    ['America/New_York', '2026-11-02T04:59:59.999Z', '2026-11-01', '23:59:59.999 EST'],
    ['America/New_York', '2026-11-02T05:00:00.000Z', '2026-11-02', '00:00 EST'],
    ['Asia/Kolkata', '2026-05-01T18:29:59.999Z', '2026-05-01', '23:59:59.999 IST (+5:30)'],
    ['Asia/Kolkata', '2026-05-01T18:30:00.000Z', '2026-05-02', '00:00 IST'],
    ['Asia/Kathmandu', '2026-05-01T18:14:59.999Z', '2026-05-01', '23:59:59.999 NPT (+5:45)'],
    ['Asia/Kathmandu', '2026-05-01T18:15:00.000Z', '2026-05-02', '00:00 NPT'],
    ['UTC', '2026-05-01T23:59:59.999Z', '2026-05-01', 'UTC is its own zone'],
  ])('in %s, %s is on %s (%s)', (zone, instant, date) => {
    expect(dateIn(instant, zone)).toBe(date);
  });

  it.each(ZONES)('in %s it agrees with Intl at every instant tried, DST switches included', (zone) => {
    const random = seededRandom(42);
    const from = Date.parse('2025-01-01T00:00:00Z');
    // Random instants over two years, in random order (no sorted-input shortcut helps), plus the
    // minutes around every hour of the DST weeks.
    const instants = Array.from({ length: 3000 }, () => from + Math.floor(random() * 730 * DAY_MS));
    for (const week of ['2026-03-06', '2026-03-27', '2026-04-03', '2026-09-04', '2026-10-23', '2026-10-30']) {
      for (let t = Date.parse(week); t < Date.parse(week) + 4 * DAY_MS; t += 15 * 60_000) {
        instants.push(t - 1, t);
      }
    }
    const wrong = instants.filter((t) => localDateOf(t, zone) !== referenceDate(t, zone));
    expect(wrong.map((t) => new Date(t).toISOString())).toEqual([]);
  });
});

describe('the instant of local midnight: the first instant of the local date (a day has 23, 24 or 25 hours)', () => {
  it.each([
    ['Europe/Berlin', '2026-03-29', '2026-03-28T23:00:00.000Z'],
    ['Europe/Berlin', '2026-03-30', '2026-03-29T22:00:00.000Z'],
    ['Europe/Berlin', '2026-10-25', '2026-10-24T22:00:00.000Z'],
    ['Europe/Berlin', '2026-10-26', '2026-10-25T23:00:00.000Z'],
    ['America/New_York', '2026-03-08', '2026-03-08T05:00:00.000Z'],
    ['America/New_York', '2026-03-09', '2026-03-09T04:00:00.000Z'],
    ['America/New_York', '2026-11-01', '2026-11-01T04:00:00.000Z'],
    ['America/New_York', '2026-11-02', '2026-11-02T05:00:00.000Z'],
    ['Asia/Kolkata', '2026-05-02', '2026-05-01T18:30:00.000Z'],
    ['Asia/Kathmandu', '2026-05-02', '2026-05-01T18:15:00.000Z'],
  ])('in %s, %s begins at %s', (zone, date, instant) => {
    expect(midnight(date, zone)).toBe(instant);
  });

  it.each([
    ['Europe/Berlin', '2026-03-29', 23],
    ['Europe/Berlin', '2026-10-25', 25],
    ['Europe/Berlin', '2026-05-01', 24],
    ['America/New_York', '2026-03-08', 23],
    ['America/New_York', '2026-11-01', 25],
  ])('in %s, %s lasts %i hours', (zone, date, hours) => {
    const next = utcDateOf(utcMidnightOf(date) + DAY_MS);
    expect((localMidnight(next, zone) - localMidnight(date, zone)) / HOUR_MS).toBe(hours);
  });

  it.each([
    // Clocks jump from 00:00 to 01:00, so the day begins at 01:00 local.
    ['America/Sao_Paulo', '2018-11-04', '2018-11-04T03:00:00.000Z'],
    ['America/Havana', '2026-03-08', '2026-03-08T05:00:00.000Z'],
  ])(
    'where local midnight does not exist (%s, %s), the first instant of that day: %s',
    (zone, date, instant) => {
      expect(midnight(date, zone)).toBe(instant);
      expect(dateIn(instant, zone)).toBe(date);
      expect(localDateOf(Date.parse(instant) - 1, zone)).not.toBe(date);
    },
  );

  it('where local midnight occurs twice (Havana sets clocks back from 01:00 to 00:00), the earlier', () => {
    expect(midnight('2026-11-01', 'America/Havana')).toBe('2026-11-01T04:00:00.000Z');
    expect(dateIn('2026-10-31T23:59:59.999-04:00', 'America/Havana')).toBe('2026-10-31');
  });

  it.each(ZONES)('in %s, every date of two years begins where localDateOf says it does', (zone) => {
    for (let day = utcMidnightOf('2025-01-01'); day < utcMidnightOf('2027-01-01'); day += DAY_MS) {
      const date = utcDateOf(day);
      const start = localMidnight(date, zone);
      expect([date, referenceDate(start, zone), referenceDate(start - 1, zone) < date]).toEqual([
        date,
        date,
        true,
      ]);
    }
  });
});

describe('the instant of local 12:00 of a local date', () => {
  it.each([
    ['Europe/Berlin', '2026-03-29', '2026-03-29T10:00:00.000Z', 'CEST, after the switch'],
    ['Europe/Berlin', '2026-10-25', '2026-10-25T11:00:00.000Z', 'CET, after the switch'],
    ['Europe/Berlin', '2026-01-15', '2026-01-15T11:00:00.000Z', 'CET'],
    ['America/New_York', '2026-03-08', '2026-03-08T16:00:00.000Z', 'EDT'],
    ['America/New_York', '2026-11-01', '2026-11-01T17:00:00.000Z', 'EST'],
    ['Asia/Kolkata', '2026-05-01', '2026-05-01T06:30:00.000Z', 'IST'],
  ])('in %s, noon of %s is %s (%s)', (zone, date, instant) => {
    expect(noon(date, zone)).toBe(instant);
  });
});

describe('auth.md: a time zone is a valid IANA zone name', () => {
  it.each([
    'Europe/Berlin',
    'America/New_York',
    'Asia/Kolkata',
    'America/Argentina/Buenos_Aires',
    'America/Port-au-Prince',
    'Etc/GMT+5',
    'UTC',
  ])('%s is valid', (zone) => {
    expect(isIanaZone(zone)).toBe(true);
  });

  it.each([
    ['the empty string', ''],
    ['an offset', '+01:00'],
    ['an offset after UTC', 'UTC+1'],
    ['an unknown name', 'Mars/Olympus_Mons'],
    ['a trailing space', 'Europe/Berlin '],
    ['a path', '../Europe/Berlin'],
    ['a prototype key', 'constructor'],
  ])('%s (%j) is not', (_why, zone) => {
    expect(isIanaZone(zone)).toBe(false);
  });
});

describe('stored instants (toISOString form) are read exactly', () => {
  it('epochMsOf and utcDateOf agree with Date for instants from 1900 to 2100', () => {
    const random = seededRandom(7);
    const from = Date.parse('1900-01-01T00:00:00Z');
    const span = Date.parse('2100-01-01T00:00:00Z') - from;
    for (let i = 0; i < 5000; i++) {
      const instant = new Date(from + Math.floor(random() * span)).toISOString();
      expect([epochMsOf(instant), utcDateOf(Date.parse(instant))]).toEqual([
        Date.parse(instant),
        instant.slice(0, 10),
      ]);
    }
  });

  it.each(['2024-02-29T12:00:00.000Z', '1969-12-31T23:59:59.999Z', '2000-03-01T00:00:00.000Z'])(
    '%s is read exactly',
    (instant) => {
      expect(epochMsOf(instant)).toBe(Date.parse(instant));
    },
  );

  it('any other ISO form falls back to Date.parse', () => {
    expect(epochMsOf('2026-08-14T08:00:00+02:00')).toBe(Date.parse(iso('2026-08-14T06:00:00Z')));
  });
});
