import { ANSWER_BYTE_BUDGET, READ_ITEM_BUDGET } from '../../definitions/answer-limits';
import { cumulativeTypes, type CumulativeType } from '../../definitions/cumulative-types';
import { bodyJsonBytes, proxyResultBytes } from '../../functions/http/answer-size';
import { readLimits } from '../../functions/measurements-api/read-schemas';
import {
  measurementSources,
  measurementTypeCatalogue,
} from '../../functions/measurements/model/measurement-types';
import type { DayTotalRow } from '../../functions/measurements/summaries/day-totals';
import type { SleepNightRow } from '../../functions/measurements/summaries/sleep-nights';
import { success } from '../../functions/http/envelope';
import { fittingCount } from '../../functions/measurements/rows/answer-budget';
import {
  decodeNightsCursor,
  decodeSeriesCursor,
  encodeNightsCursor,
  encodeSeriesCursor,
} from '../../functions/measurements/rows/position-cursors';
import { encodeListCursor } from '../../functions/measurements/storage/list-pages';

describe('sizes are counted as Lambda counts a response: the proxy result as JSON', () => {
  test('a value in the body costs its JSON escaped once more: quotes twice, a control character seven bytes', () => {
    expect(bodyJsonBytes('a')).toBe(5); // "a" in the body is \\"a\\" in the result
    expect(bodyJsonBytes('\u0001')).toBe(2 + 2 + 7);
    expect(bodyJsonBytes(null)).toBe(4);
  });

  test('a body built from parts is the sum of the parts’ costs', () => {
    const rows = [{ a: 'x"y' }, { b: '\u0001€' }, { c: 1.5 }];
    const empty = proxyResultBytes(success({ rows: [] }));
    const full = proxyResultBytes(success({ rows }));
    const parts = rows.reduce((sum, row) => sum + bodyJsonBytes(row), 0) + rows.length - 1;
    expect(full - empty).toBe(parts);
  });
});

describe('a page keeps the rows that fit its budget together with the cursor after them', () => {
  const cost = (n: number) => n;

  test('everything fits: everything is kept, with the page’s own cursor', () => {
    expect(fittingCount([10, 10, 10], 100, cost, () => 5)).toBe(3);
  });

  test('rows that would cross the budget are left, commas counted', () => {
    // 10 + 11 + 11 = 32 > 31
    expect(fittingCount([10, 10, 10], 31, cost, () => 0)).toBe(2);
  });

  test('the cursor after the last row kept must fit too', () => {
    expect(fittingCount([10, 10, 10], 32, cost, (kept) => (kept === 3 ? 0 : 20))).toBe(3);
    expect(fittingCount([10, 10, 10], 30, cost, () => 10)).toBe(1);
  });

  test('at least one row, so every page moves on; none of none', () => {
    expect(fittingCount([50], 10, cost, () => 0)).toBe(1);
    expect(fittingCount([], 10, cost, () => 0)).toBe(0);
  });
});

describe('position cursors belong to their own query', () => {
  test('a sleep list cursor names its user and an instant, and only that', () => {
    const at = Date.parse('2026-05-02T01:00:00.000Z');
    expect(decodeNightsCursor(encodeNightsCursor('alice', at), 'alice')).toBe(at);
    expect(decodeNightsCursor(encodeNightsCursor('bob', at), 'alice')).toBeUndefined();
    for (const cursor of [
      encodeSeriesCursor('alice', 'pulse', { at: '2026-05-02T01:00:00.000Z', id: 'abc' }),
      encodeListCursor({ pk: 'alice#PULSE#x', gsiUser: 'alice', measuredAt: '2026-05-02T01:00:00.000Z' }),
      Buffer.from('{"user":"alice","nightsBefore":"2026-05-02T01:00:00Z"}').toString('base64url'),
      Buffer.from('{"user":"alice","nightsBefore":"2026-05-02T01:00:00.000Z\\u0000"}').toString('base64url'),
      Buffer.from('{"user":"alice","nightsBefore":"2026-05-02T01:00:00.000Z","x":1}').toString('base64url'),
      Buffer.from('{"nightsBefore":"2026-05-02T01:00:00.000Z"}').toString('base64url'),
      'not a cursor',
    ]) {
      expect(decodeNightsCursor(cursor, 'alice')).toBeUndefined();
    }
  });

  test('a chart cursor names a point of that chart', () => {
    const after = { at: '2026-05-02T01:00:00.000Z', id: 'UFVMU0UjaGstMQ' };
    expect(decodeSeriesCursor(encodeSeriesCursor('alice', 'pulse', after), 'alice', 'pulse')).toEqual(after);
    expect(
      decodeSeriesCursor(encodeSeriesCursor('alice', 'pulse', after), 'alice', 'weight'),
    ).toBeUndefined();
    expect(decodeSeriesCursor(encodeSeriesCursor('bob', 'pulse', after), 'alice', 'pulse')).toBeUndefined();
    for (const id of ['', 'a\u0000b', 'x'.repeat(1025), 'a b']) {
      const cursor = encodeSeriesCursor('alice', 'pulse', { ...after, id });
      expect(decodeSeriesCursor(cursor, 'alice', 'pulse')).toBeUndefined();
    }
    expect(
      decodeSeriesCursor(encodeNightsCursor('alice', Date.parse(after.at)), 'alice', 'pulse'),
    ).toBeUndefined();
  });
});

describe('day totals and nights fit the answer budget by construction, so they are never cut by size', () => {
  /** A number with the longest JSON a stored one can have: negative, 17 digits, a 3-digit exponent. */
  const longest = -1e-125 / 7;
  const longestOf = (texts: readonly string[]) => [...texts].sort((a, b) => b.length - a.length)[0]!;
  const maxPage = readLimits.maxPageSize;

  /** The bytes a page of `count` copies of `row` takes, as the handler answers it. */
  function pageBytes(row: unknown, meta: Record<string, unknown>) {
    const empty = proxyResultBytes(
      success({ measurements: [], meta }, { 'x-request-id': 'r'.repeat(10_240) }),
    );
    return empty + maxPage * (bodyJsonBytes(row) + 1);
  }

  test('5,000 day totals of the widest day (at most limit days: limit caps the rows read)', () => {
    const type = longestOf(cumulativeTypes);
    const row: DayTotalRow = {
      id: `day:${type}:2026-05-24`,
      type: type as CumulativeType,
      value: longest,
      unit: longestOf(cumulativeTypes.map((t) => measurementTypeCatalogue.get(t)!.unit)),
      source: longestOf(measurementSources),
      measuredAt: '2026-05-24T10:00:00.000Z',
      notes: null,
      dayKey: '2026-05-24',
      sampleCount: maxPage,
      partial: true,
    };
    const meta = {
      limit: maxPage,
      offset: 0,
      nextCursor: 'c'.repeat(readLimits.maxCursorLength),
      groupBy: 'day',
      droppedDuplicates: maxPage,
    };
    expect(pageBytes(row, meta)).toBeLessThan(ANSWER_BYTE_BUDGET);
  });

  test('5,000 nights of the widest night (limit caps the nights)', () => {
    const stages = {
      IN_BED: longest,
      AWAKE: longest,
      ASLEEP: longest,
      REM: longest,
      CORE: longest,
      DEEP: longest,
    };
    const row: SleepNightRow = {
      id: 'sleep:2026-05-24',
      type: 'SLEEP_DURATION',
      value: longest,
      unit: 'minutes',
      source: longestOf(measurementSources),
      measuredAt: '2026-05-24T05:00:00.000Z',
      notes: null,
      dayKey: '2026-05-24',
      sampleCount: READ_ITEM_BUDGET,
      sleepStages: stages,
      inBedMinutes: longest,
      awakeMinutes: longest,
      napCount: READ_ITEM_BUDGET,
      napAsleepMinutes: longest,
      awakenings: READ_ITEM_BUDGET,
      partial: true,
    };
    const meta = {
      limit: maxPage,
      offset: 0,
      nextCursor: 'c'.repeat(readLimits.maxCursorLength),
      groupBy: 'night',
    };
    expect(pageBytes(row, meta)).toBeLessThan(ANSWER_BYTE_BUDGET);
  });
});
