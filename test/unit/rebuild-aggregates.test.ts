import { aggregatedTypes } from '../../definitions/daily-aggregates-table';
import type {
  AggregateDay,
  AggregatedSeries,
  AggregateRebuildSource,
  AggregateVersion,
  DailyAggregateStore,
} from '../../functions/measurements/aggregates/aggregate-store';
import {
  rebuildDailyAggregates,
  rowsByUtcDay,
  type RowsOfDay,
} from '../../functions/measurements/aggregates/rebuild-aggregates';
import type { StoredMeasurement } from '../../functions/measurements/model/measurement';
import type { DailyAggregate } from '../../functions/measurements/summaries/daily-aggregate';
import { storedItem } from '../support/stored-items';

const row = (userId: string, measuredAt: string, value: number): StoredMeasurement =>
  storedItem({ userId, externalId: `${userId}-${measuredAt}`, measuredAt, value });

async function* pagesOf(...pages: StoredMeasurement[][]): AsyncIterable<readonly StoredMeasurement[]> {
  for (const page of pages) yield page;
}

async function daysOf(pages: AsyncIterable<readonly StoredMeasurement[]>): Promise<[string, number[]][]> {
  const days: RowsOfDay[] = [];
  for await (const day of rowsByUtcDay(pages)) days.push(day);
  return days.map(({ day, rows }) => [day, rows.map((r) => r.value)]);
}

describe('rowsByUtcDay: rows read oldest first, grouped into UTC days', () => {
  it('cuts at UTC midnight, also inside a page and across page boundaries', async () => {
    const pages = pagesOf(
      [row('u', '2026-10-30T23:59:59.999Z', 1), row('u', '2026-10-31T00:00:00.000Z', 2)],
      [row('u', '2026-10-31T12:00:00.000Z', 3)],
      [],
      [row('u', '2026-10-31T23:59:59.999Z', 4), row('u', '2026-11-02T00:00:00.000Z', 5)],
    );
    expect(await daysOf(pages)).toEqual([
      ['2026-10-30', [1]],
      ['2026-10-31', [2, 3, 4]],
      ['2026-11-02', [5]],
    ]);
  });

  it('no rows: no days', async () => {
    expect(await daysOf(pagesOf())).toEqual([]);
    expect(await daysOf(pagesOf([], []))).toEqual([]);
  });

  it('refuses rows out of order rather than splitting a day into two partial aggregates', async () => {
    const pages = pagesOf(
      [row('u', '2026-10-31T10:00:00.000Z', 1)],
      [row('u', '2026-10-30T10:00:00.000Z', 2)],
    );
    await expect(daysOf(pages)).rejects.toThrow(
      new RangeError('rows are not oldest first: 2026-10-30 after 2026-10-31'),
    );
  });
});

/** Rows held in memory per series, and the aggregates written, with writes that can be made to fail. */
function inMemory(rows: StoredMeasurement[]) {
  const written = new Map<string, { aggregate: DailyAggregate | null; version: AggregateVersion }>();
  const listed: number[] = [];
  const failingDays = new Set<string>();
  const failingSeries = new Set<string>();
  const seriesKey = ({ userId, type }: AggregatedSeries) => `${userId}#${type}`;
  const source: AggregateRebuildSource = {
    async listSeriesWithRows({ segments }) {
      listed.push(segments);
      const keys = new Map(rows.map((r) => [seriesKey(r), { userId: r.userId, type: r.type }]));
      return [...keys.values()];
    },
    async *seriesRowsOldestFirst(series) {
      const own = rows
        .filter((r) => seriesKey(r) === seriesKey(series))
        .sort((a, b) => a.measuredAt.localeCompare(b.measuredAt));
      if (!failingSeries.has(seriesKey(series))) return yield own;
      // Every row but the last, then the read fails.
      yield own.slice(0, -1);
      throw new Error('ProvisionedThroughputExceededException');
    },
  };
  const store: Pick<DailyAggregateStore, 'writeAggregate'> = {
    async writeAggregate(day: AggregateDay, aggregate, version) {
      const key = `${day.userId}#${day.type}#${day.day}`;
      if (failingDays.has(key)) throw new Error('InternalServerError');
      written.set(key, { aggregate, version });
      return 'written';
    },
  };
  return { source, store, written, listed, failingDays, failingSeries };
}

describe('rebuildDailyAggregates', () => {
  const rows = [
    row('ann', '2026-10-30T08:00:00.000Z', 60),
    row('ann', '2026-10-30T09:00:00.000Z', 70),
    row('ann', '2026-10-31T08:00:00.000Z', 80),
    row('ann', '2026-11-01T08:00:00.000Z', 85),
    row('bob', '2026-10-31T08:00:00.000Z', 90),
  ];

  it('every day of every series with rows, computed from all of that day’s rows', async () => {
    const memory = inMemory(rows);
    const summary = await rebuildDailyAggregates(memory, { segments: 3, concurrency: 2 });
    expect(memory.listed).toEqual([3]);
    expect(summary).toEqual({
      series: 2,
      days: 4,
      written: 4,
      superseded: 0,
      failedDays: [],
      failedSeries: [],
    });
    expect(
      [...memory.written].map(([key, { aggregate }]) => [
        key,
        aggregate?.count,
        aggregate?.sum,
        aggregate?.min,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['ann#PULSE#2026-10-30', 2, 130, 60],
        ['ann#PULSE#2026-10-31', 1, 80, 80],
        ['ann#PULSE#2026-11-01', 1, 85, 85],
        ['bob#PULSE#2026-10-31', 1, 90, 90],
      ]),
    );
  });

  it('claims the version of its read: every write older than a minute before it started, or the rows’ own when newer', async () => {
    const memory = inMemory([
      ...rows,
      { ...row('cyd', '2026-10-31T08:00:00.000Z', 75), updatedAt: '2026-11-28T11:59:30.000Z' },
    ]);
    await rebuildDailyAggregates(memory, {
      segments: 1,
      concurrency: 1,
      now: () => new Date('2026-11-28T12:00:00.000Z'),
    });
    // The rows were last written long before: the read holds everything up to 11:59.
    expect(memory.written.get('ann#PULSE#2026-10-30')?.version).toBe('2026-11-28T11:59:00.000Z#000000');
    // A row written 30 s before the read is newer than that: its own version.
    expect(memory.written.get('cyd#PULSE#2026-10-31')?.version).toBe('2026-11-28T11:59:30.000Z#000001');
  });

  it('named users: their series of every aggregated type, without listing the whole index', async () => {
    const memory = inMemory(rows);
    const summary = await rebuildDailyAggregates(memory, {
      userIds: ['bob', 'bob'],
      segments: 4,
      concurrency: 1,
    });
    expect(memory.listed).toEqual([]);
    expect(summary.series).toBe(aggregatedTypes.length);
    expect([...memory.written.keys()]).toEqual(['bob#PULSE#2026-10-31']);
  });

  it('a failed day or series is reported; the days before it and the other series are still rebuilt', async () => {
    const memory = inMemory(rows);
    memory.failingSeries.add('ann#PULSE');
    memory.failingDays.add('bob#PULSE#2026-10-31');
    const progress: [number, number][] = [];
    const summary = await rebuildDailyAggregates(memory, {
      segments: 1,
      concurrency: 1,
      onSeriesDone: (done, total) => progress.push([done, total]),
    });
    // ann's read failed after her 10-31 row: 10-30 was complete and stays; 10-31 may have had more rows.
    expect([...memory.written.keys()]).toEqual(['ann#PULSE#2026-10-30']);
    expect(summary.failedSeries).toEqual([
      {
        series: { userId: 'ann', type: 'PULSE' },
        error: new Error('ProvisionedThroughputExceededException'),
      },
    ]);
    expect(summary.failedDays).toEqual([
      { day: { userId: 'bob', type: 'PULSE', day: '2026-10-31' }, error: new Error('InternalServerError') },
    ]);
    expect(summary).toMatchObject({ series: 2, days: 2, written: 1, superseded: 0 });
    expect(progress).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });
});
