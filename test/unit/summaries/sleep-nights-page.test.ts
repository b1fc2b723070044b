import {
  sleepNights,
  sleepNightsPage,
  type SleepNightRow,
} from '../../../functions/measurements/summaries/sleep-nights';
import type { SummaryRow } from '../../../functions/measurements/summaries/summary-row';
import { HOUR_MS, segment, seededRandom, type Writer } from './rows';

/**
 * The sleep list reads segments newest first and stops at a budget (docs/read-api.md,
 * "type=SLEEP_DURATION"): a page answers only the wake days no unread segment can change, and the
 * next page continues before them. Paging through a history must answer exactly the nights that
 * reading every segment answers.
 */

const BERLIN = 'Europe/Berlin';
const WATCH: Writer = { source: 'APPLE_HEALTH', deviceType: 'Watch' };
const PHONE: Writer = { source: 'APPLE_HEALTH', deviceType: 'iPhone' };
const MAT: Writer = { source: 'WITHINGS', deviceType: 'Sleep Analyzer' };
const STAGES = ['CORE', 'DEEP', 'REM', 'AWAKE', 'CORE', 'ASLEEP'];
const MINUTE_MS = 60_000;

/**
 * `days` nights from 2026-01-01 in Berlin, some with naps, a second writer, an in-bed-only day, and
 * segments that overlap: the shapes that make sessions and wake days.
 */
function history(days: number, seed: number): SummaryRow[] {
  const random = seededRandom(seed);
  const rows: SummaryRow[] = [];
  const at = (ms: number) => new Date(ms).toISOString();
  for (let day = 0; day < days; day++) {
    const bedtime =
      Date.parse('2026-01-01T21:00:00Z') + day * 24 * HOUR_MS + Math.floor(random() * 180) * MINUTE_MS;
    if (random() < 0.1) {
      rows.push(segment('IN_BED', at(bedtime), at(bedtime + 6 * HOUR_MS), PHONE));
      continue;
    }
    let start = bedtime;
    const count = 5 + Math.floor(random() * 30);
    for (let i = 0; i < count; i++) {
      const minutes = 5 + Math.floor(random() * 40);
      rows.push(
        segment(
          STAGES[Math.floor(random() * STAGES.length)]!,
          at(start),
          at(start + minutes * MINUTE_MS),
          WATCH,
        ),
      );
      start += minutes * MINUTE_MS;
    }
    if (random() < 0.3)
      rows.push(segment('IN_BED', at(bedtime - 20 * MINUTE_MS), at(start + 5 * MINUTE_MS), PHONE));
    if (random() < 0.2) rows.push(segment('ASLEEP', at(bedtime + HOUR_MS), at(start - HOUR_MS), MAT));
    if (random() < 0.3) {
      const nap = start + (5 + Math.floor(random() * 5)) * HOUR_MS;
      rows.push(segment('CORE', at(nap), at(nap + 40 * MINUTE_MS), WATCH));
    }
  }
  return rows;
}

/** Newest `measuredAt` first, as the index hands segments out (equal instants in a fixed order). */
const newestFirst = (rows: readonly SummaryRow[]) =>
  [...rows].sort((a, b) =>
    a.measuredAt === b.measuredAt ? a.id.localeCompare(b.id) : a.measuredAt < b.measuredAt ? 1 : -1,
  );

/**
 * What the list does, without DynamoDB: per page, read the segments ending before the cursor,
 * newest first, in growing slices up to `budget`, until `limit` complete nights are found.
 */
function pageThrough(rows: readonly SummaryRow[], limit: number, budget: number) {
  const sorted = newestFirst(rows);
  const pages: { nights: SleepNightRow[]; read: number }[] = [];
  let before = Infinity;
  for (let guard = 0; guard < 10_000; guard++) {
    const range = sorted.filter((row) => Date.parse(row.measuredAt) < before);
    let read = Math.min(budget, 3);
    for (;;) {
      const more = read < range.length;
      const page = sleepNightsPage({
        rows: range.slice(0, read),
        zone: BERLIN,
        limit,
        ...(more ? { unreadEndAtOrBefore: Date.parse(range[read - 1]!.measuredAt) } : {}),
      });
      const enough = page.nights.length >= limit && !page.nights.some((night) => night.partial);
      if (!more || enough || read >= budget) {
        pages.push({ nights: page.nights, read: Math.min(read, range.length) });
        if (page.continueBefore === undefined) return pages;
        expect(page.continueBefore).toBeLessThan(before);
        before = page.continueBefore;
        break;
      }
      read = Math.min(budget, read * 2);
    }
  }
  throw new Error('paging did not end');
}

describe('paging a sleep history answers exactly the nights of reading it all', () => {
  test.each([
    [1, 1_000],
    [7, 1_000],
    [50, 200],
    [400, 60],
    [3, 80],
  ])('limit %i, budget %i segments', (limit, budget) => {
    for (const seed of [1, 2, 3]) {
      const rows = history(120, seed);
      const pages = pageThrough(rows, limit, budget);
      const answered = pages.flatMap((page) => page.nights);
      expect(answered).toEqual(sleepNights(rows, BERLIN));
      for (const page of pages) {
        expect(page.nights.length).toBeLessThanOrEqual(limit);
        expect(page.read).toBeLessThanOrEqual(budget);
      }
    }
  });

  test('the first page of a history that fits the budget is today’s answer: the newest limit nights', () => {
    const rows = history(60, 7);
    const [first] = pageThrough(rows, 7, 10_000);
    expect(first!.nights).toEqual(sleepNights(rows, BERLIN).slice(0, 7));
  });
});

test('a session longer than the whole budget (no real night) is answered in parts, marked partial, and paging ends', () => {
  const start = Date.parse('2026-05-01T00:00:00Z');
  const endless = Array.from({ length: 60 }, (_, i) =>
    segment(
      'CORE',
      new Date(start + i * HOUR_MS).toISOString(),
      new Date(start + (i + 1) * HOUR_MS).toISOString(),
    ),
  );
  const pages = pageThrough(endless, 5, 20);
  expect(pages.length).toBeGreaterThan(1);
  for (const page of pages) expect(page.read).toBeLessThanOrEqual(20);
  // Every page but the last (which read the rest) cut the session short.
  for (const page of pages.slice(0, -1)) expect(page.nights.every((night) => night.partial)).toBe(true);
  expect(pages.flatMap((page) => page.nights).reduce((sum, night) => sum + night.value, 0)).toBe(60 * 60);
});

describe('a wake day is answered only when no unread segment can change it', () => {
  const night = [
    segment('CORE', '2026-05-01T22:00:00Z', '2026-05-02T01:00:00Z'),
    segment('DEEP', '2026-05-02T01:00:00Z', '2026-05-02T03:00:00Z'),
    segment('REM', '2026-05-02T03:00:00Z', '2026-05-02T05:00:00Z'),
  ];

  test('a session starting within 3 hours after the oldest segment read may still grow: not answered', () => {
    const page = sleepNightsPage({
      rows: night,
      zone: BERLIN,
      limit: 5,
      unreadEndAtOrBefore: Date.parse('2026-05-01T19:00:00Z'),
    });
    expect(page.nights).toEqual([{ ...sleepNights(night, BERLIN)[0], partial: true }]);
  });

  test('one starting more than 3 hours after it cannot: answered, and the next page ends before it', () => {
    const page = sleepNightsPage({
      rows: night,
      zone: BERLIN,
      limit: 5,
      unreadEndAtOrBefore: Date.parse('2026-05-01T18:59:59.999Z'),
    });
    expect(page.nights).toEqual(sleepNights(night, BERLIN));
    expect(page.continueBefore).toBe(Date.parse('2026-05-02T01:00:00Z'));
  });

  test('everything read and fewer nights than limit: no next page', () => {
    expect(sleepNightsPage({ rows: night, zone: BERLIN, limit: 5 })).toEqual({
      nights: sleepNights(night, BERLIN),
    });
  });
});
