/**
 * The user's local calendar (docs/read-api.md, "The user's time zone"): day-shaped answers are cut
 * at local midnight of an IANA zone. Only `Intl.DateTimeFormat` knows the zone rules, and it is
 * slow (a few µs a call), so results are memoised: per-row work is a parse and a map lookup.
 * Functions taking a zone expect a valid one (`isIanaZone`); an unknown zone throws RangeError.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/**
 * Offsets are memoised per UTC week, assuming no zone changes its offset twice within seven days
 * (DST rules are months apart): a week is one offset, or two with one switch between them, found
 * once by bisection.
 */
const WEEK_MS = 7 * DAY_MS;
/** Memo entries per zone and kind before that memo starts over: decades of days, well under 1 MB. */
const MEMO_LIMIT = 100_000;

// --- Epoch arithmetic (proleptic Gregorian, UTC), cheaper than a Date per row -------------------

/** Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** `YYYY-MM-DD` of epoch milliseconds read as UTC (H. Hinnant's civil_from_days). */
export function utcDateOf(epochMs: number): string {
  const z = Math.floor(epochMs / DAY_MS) + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/** Epoch milliseconds of 00:00 UTC of a `YYYY-MM-DD` date. */
export function utcMidnightOf(date: string): number {
  return (
    daysFromCivil(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))) * DAY_MS
  );
}

function digitsAt(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NaN;
    n = n * 10 + digit;
  }
  return n;
}

/**
 * Epoch milliseconds of a stored `measuredAt`. Rows are stored in `toISOString()` form, which is
 * read with arithmetic (10× cheaper than `Date.parse` over 500k rows); anything else falls back to
 * `Date.parse`.
 */
export function epochMsOf(isoInstant: string): number {
  if (isoInstant.length !== 24 || isoInstant[10] !== 'T' || isoInstant[23] !== 'Z') {
    return Date.parse(isoInstant);
  }
  const ms =
    daysFromCivil(digitsAt(isoInstant, 0, 4), digitsAt(isoInstant, 5, 7), digitsAt(isoInstant, 8, 10)) *
      DAY_MS +
    digitsAt(isoInstant, 11, 13) * HOUR_MS +
    digitsAt(isoInstant, 14, 16) * MINUTE_MS +
    digitsAt(isoInstant, 17, 19) * 1000 +
    digitsAt(isoInstant, 20, 23);
  return Number.isNaN(ms) ? Date.parse(isoInstant) : ms;
}

const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);
/** Years 0000–9999, where `toISOString()` has its plain 24-character form. */
const PLAIN_ISO_FROM = daysFromCivil(0, 1, 1) * DAY_MS;
const PLAIN_ISO_TO = daysFromCivil(10_000, 1, 1) * DAY_MS;

/**
 * `toISOString()` of epoch milliseconds: the form every instant of an answer takes. Built with
 * arithmetic (3× cheaper than a Date) because a 90-day hourly series has thousands of points.
 */
export function isoOf(epochMs: number): string {
  if (!(epochMs >= PLAIN_ISO_FROM && epochMs < PLAIN_ISO_TO)) return new Date(epochMs).toISOString();
  const day = Math.floor(epochMs / DAY_MS);
  const time = epochMs - day * DAY_MS;
  const hours = Math.floor(time / HOUR_MS);
  const minutes = Math.floor(time / MINUTE_MS) % 60;
  const seconds = Math.floor(time / 1000) % 60;
  return `${utcDateOf(day * DAY_MS)}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${pad3(time % 1000)}Z`;
}

// --- Zones ---------------------------------------------------------------------------------------

/** An IANA name: letters first, then name characters and slashes; never a bare `+01:00` offset. */
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/**
 * Whether `zone` is an IANA zone name this runtime knows (`Europe/Berlin`, `UTC`, `Etc/GMT+5`).
 * Offsets such as `+01:00` are refused even where `Intl` accepts them: the contract asks for a zone,
 * and an offset has no DST. Case follows `Intl` (`europe/berlin` is Europe/Berlin).
 */
export function isIanaZone(zone: string): boolean {
  if (!IANA_NAME.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** One UTC week of a zone: `before` until `switchAt`, `after` from then on (equal when no switch). */
interface WeekOffsets {
  readonly before: number;
  readonly switchAt: number;
  readonly after: number;
}

/**
 * One UTC day of a zone, when its offset is constant: the local date before and from `switchAt`
 * (the local midnight inside that UTC day). `null` for the few days whose offset changes: those
 * rows are computed one by one.
 */
type DayDates = { readonly before: string; readonly switchAt: number; readonly after: string } | null;

interface ZoneMemo {
  readonly formatter: Intl.DateTimeFormat;
  readonly weeks: Map<number, WeekOffsets>;
  readonly days: Map<number, DayDates>;
  /** `YYYY-MM-DD@minuteOfDay` → the instant of that local time. */
  readonly localTimes: Map<string, number>;
  /** Rows come sorted, so the previous row's UTC day answers most lookups without a map. */
  lastDay: number;
  lastDates: DayDates;
}

const zoneMemos = new Map<string, ZoneMemo>();

function memoOf(zone: string): ZoneMemo {
  let memo = zoneMemos.get(zone);
  if (!memo) {
    const formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    memo = {
      formatter,
      weeks: new Map(),
      days: new Map(),
      localTimes: new Map(),
      lastDay: NaN,
      lastDates: null,
    };
    zoneMemos.set(zone, memo);
  }
  return memo;
}

function remember<K, V>(map: Map<K, V>, key: K, value: V): V {
  if (map.size >= MEMO_LIMIT) map.clear();
  map.set(key, value);
  return value;
}

/** The zone's offset at an instant, straight from `Intl` (the slow path every memo is built from). */
function offsetFromIntl(memo: ZoneMemo, epochMs: number): number {
  const field: Record<string, number> = {};
  for (const part of memo.formatter.formatToParts(epochMs)) field[part.type] = Number(part.value);
  const wholeSecond = epochMs - (((epochMs % 1000) + 1000) % 1000);
  const wall =
    daysFromCivil(field.year!, field.month!, field.day!) * DAY_MS +
    field.hour! * HOUR_MS +
    field.minute! * MINUTE_MS +
    field.second! * 1000;
  return wall - wholeSecond;
}

function weekOffsets(memo: ZoneMemo, week: number): WeekOffsets {
  const known = memo.weeks.get(week);
  if (known) return known;
  let settled = week * WEEK_MS;
  let switched = settled + WEEK_MS - 1;
  const before = offsetFromIntl(memo, settled);
  const after = offsetFromIntl(memo, switched);
  if (before === after) return remember(memo.weeks, week, { before, switchAt: Infinity, after });
  while (switched - settled > 1) {
    const mid = Math.floor((settled + switched) / 2);
    if (offsetFromIntl(memo, mid) === before) settled = mid;
    else switched = mid;
  }
  return remember(memo.weeks, week, { before, switchAt: switched, after });
}

function offsetAt(memo: ZoneMemo, epochMs: number): number {
  const week = weekOffsets(memo, Math.floor(epochMs / WEEK_MS));
  return epochMs < week.switchAt ? week.before : week.after;
}

function dayDates(memo: ZoneMemo, day: number): DayDates {
  const known = memo.days.get(day);
  if (known !== undefined) return known;
  const start = day * DAY_MS;
  const offset = offsetAt(memo, start);
  if (offsetAt(memo, start + DAY_MS - 1) !== offset) return remember(memo.days, day, null);
  // Local midnight falls where instant + offset is a whole number of days.
  const switchAt = start + (((-offset % DAY_MS) + DAY_MS) % DAY_MS);
  return remember(memo.days, day, {
    before: utcDateOf(start + offset),
    switchAt,
    after: utcDateOf(switchAt + offset),
  });
}

/** The user's local calendar date (`YYYY-MM-DD`) of an instant. */
export function localDateOf(epochMs: number, zone: string): string {
  const memo = memoOf(zone);
  const day = Math.floor(epochMs / DAY_MS);
  if (day !== memo.lastDay) {
    memo.lastDates = dayDates(memo, day);
    memo.lastDay = day;
  }
  const dates = memo.lastDates;
  if (dates === null) return utcDateOf(epochMs + offsetAt(memo, epochMs));
  return epochMs < dates.switchAt ? dates.before : dates.after;
}

/**
 * The first instant whose local wall-clock time is `minuteOfDay` on `date`. Where that time
 * occurs twice (clocks set back), the earlier; where it does not exist (clocks set forward over
 * it), the instant the clocks jump, which is the first instant after it.
 */
function instantOfLocalTime(memo: ZoneMemo, date: string, minuteOfDay: number): number {
  const key = `${date}@${minuteOfDay}`;
  const known = memo.localTimes.get(key);
  if (known !== undefined) return known;

  const wall = utcMidnightOf(date) + minuteOfDay * MINUTE_MS;
  // At most one switch lies near a wall time, so the offsets a day either side are the only ones
  // it can have; an instant fits when the zone really has that offset there.
  const before = offsetAt(memo, wall - DAY_MS);
  const after = offsetAt(memo, wall + DAY_MS);
  const fits = [wall - Math.max(before, after), wall - Math.min(before, after)].filter(
    (instant) => offsetAt(memo, instant) === wall - instant,
  );
  if (fits.length > 0) return remember(memo.localTimes, key, fits[0]!);

  // A gap: the wall time is skipped. Bisect for the jump between the two candidate instants.
  let skipped = wall - after;
  let jumped = wall - before;
  while (jumped - skipped > 1) {
    const mid = Math.floor((skipped + jumped) / 2);
    if (mid + offsetAt(memo, mid) < wall) skipped = mid;
    else jumped = mid;
  }
  return remember(memo.localTimes, key, jumped);
}

/** The instant local `date` begins in `zone` (00:00, or the first instant of the day if 00:00 is skipped). */
export function localMidnight(date: string, zone: string): number {
  return instantOfLocalTime(memoOf(zone), date, 0);
}

/** The instant of 12:00 local time on `date` in `zone`. */
export function localNoon(date: string, zone: string): number {
  return instantOfLocalTime(memoOf(zone), date, 12 * 60);
}
