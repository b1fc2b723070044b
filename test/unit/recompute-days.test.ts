import type {
  AggregateDay,
  AggregateVersion,
  DailyAggregateStore,
} from '../../functions/measurements/aggregates/aggregate-store';
import {
  aggregateVersion,
  dayRows,
  daysToRecompute,
  recomputeDays,
  type RowChange,
} from '../../functions/measurements/aggregates/recompute-days';
import type { StoredMeasurement } from '../../functions/measurements/model/measurement';
import { softDeleteOf } from '../../functions/measurements/model/tombstone';
import type { DailyAggregate } from '../../functions/measurements/summaries/daily-aggregate';
import { storedItem } from '../support/stored-items';

const T0 = '2026-11-01T06:00:00.000Z';
const T1 = '2026-11-01T07:00:00.000Z';
const T2 = '2026-11-01T08:00:00.000Z';

function pulseRow(externalId: string, measuredAt: string, value: number, updatedAt = T0): StoredMeasurement {
  return storedItem({ userId: 'u1', externalId, measuredAt, value, updatedAt, createdAt: T0 });
}

const insert = (row: StoredMeasurement, id = `seq-${row.externalId}`): RowChange => ({
  id,
  newImage: row as never,
});
const modify = (before: StoredMeasurement, after: StoredMeasurement, id: string): RowChange => ({
  id,
  oldImage: before as never,
  newImage: after as never,
});

describe('daysToRecompute: the (user, type, UTC day) aggregates a batch of stream changes touches', () => {
  it('one entry per day, however many of its rows changed, with every change that touched it', () => {
    const a = pulseRow('a', '2026-10-31T10:00:00.000Z', 60);
    const b = pulseRow('b', '2026-10-31T23:59:59.999Z', 61);
    const c = pulseRow('c', '2026-11-01T00:00:00.000Z', 62);
    const days = daysToRecompute([insert(a, 's1'), insert(b, 's2'), insert(c, 's3')]);
    expect(days.map(({ day, changeIds }) => [day.day, changeIds])).toEqual([
      ['2026-10-31', ['s1', 's2']],
      ['2026-11-01', ['s3']],
    ]);
  });

  it('an edit that moves a row to another day touches both days: on the old one the row is gone', () => {
    const before = pulseRow('a', '2026-10-31T10:00:00.000Z', 60);
    const after = {
      ...before,
      measuredAt: '2026-11-02T10:00:00.000Z',
      updatedAt: T1,
      writer: 'edit' as const,
    };
    const days = daysToRecompute([modify(before, after, 's9')]);
    expect(days.map(({ day, changed }) => [day.day, changed.get(before.pk)])).toEqual([
      ['2026-11-02', { pk: before.pk, updatedAt: T1, row: after }],
      ['2026-10-31', { pk: before.pk, updatedAt: T1, row: null }],
    ]);
  });

  it('a soft-deleted row is gone from its day; of several changes of one row the newest counts', () => {
    const row = pulseRow('a', '2026-10-31T10:00:00.000Z', 60);
    const reposted = { ...row, value: 70, updatedAt: T1 };
    const deleted = { ...reposted, deletedAt: T2, updatedAt: T2, writer: 'delete' as const };
    const [day] = daysToRecompute([
      insert(row, 's1'),
      modify(row, reposted, 's2'),
      modify(reposted, deleted, 's3'),
    ]);
    expect(day!.changed.get(row.pk)).toEqual({ pk: row.pk, updatedAt: T2, row: null });
    // Delivered out of order, the newest still wins.
    const [again] = daysToRecompute([modify(reposted, deleted, 's3'), insert(row, 's1')]);
    expect(again!.changed.get(row.pk)).toEqual({ pk: row.pk, updatedAt: T2, row: null });
  });

  it('a soft delete leaves a tombstone with no instant or value: the row is gone from the old image’s day, as of the delete', () => {
    const row = pulseRow('a', '2026-10-31T10:00:00.000Z', 60, T1);
    const { set, remove } = softDeleteOf('sample', { requestId: 'req-delete', at: T2 });
    const tombstone: Record<string, unknown> = { ...row, ...set };
    for (const attribute of remove) delete tombstone[attribute];
    expect(tombstone).not.toHaveProperty('measuredAt');
    const days = daysToRecompute([modify(row, tombstone as never, 's1')]);
    expect(days.map(({ day, changed, changeIds }) => [day, changed.get(row.pk), changeIds])).toEqual([
      [{ userId: 'u1', type: 'PULSE', day: '2026-10-31' }, { pk: row.pk, updatedAt: T2, row: null }, ['s1']],
    ]);
    // The index may still show the row at its live version: the delete, newer, removes it.
    expect(dayRows([row], days[0]!.changed)).toEqual([]);
    expect(aggregateVersion([], days[0]!.changed)).toBe(`${T2}#000001`);
  });

  it('a row brought back from its tombstone is on its day again', () => {
    const { set, remove } = softDeleteOf('stats', { requestId: 'req-delete', at: T1 });
    const back = pulseRow(
      'stats:HKQuantityTypeIdentifierHeartRate:2026-10-31T10:00:00.000Z',
      '2026-10-31T10:00:00.000Z',
      70,
      T2,
    );
    const tombstone: Record<string, unknown> = { ...back, ...set };
    for (const attribute of remove) delete tombstone[attribute];
    const [day] = daysToRecompute([modify(tombstone as never, back, 's1')]);
    expect(day!.changed.get(back.pk)).toEqual({ pk: back.pk, updatedAt: T2, row: back });
  });

  it('rows of types that are not aggregated, and items that are not rows, touch nothing', () => {
    const weight = storedItem({ userId: 'u1', type: 'WEIGHT', externalId: 'w', value: 80, unit: 'kg' });
    const marker = { pk: 'u1#@reading#PULSE#x#MANUAL', kind: 'reading-marker', type: 'PULSE' };
    expect(daysToRecompute([insert(weight), { id: 'm', newImage: marker }])).toEqual([]);
  });
});

describe('dayRows: the index’s rows, with each changed row as the change left it when the index lags', () => {
  const a = pulseRow('a', '2026-10-31T10:00:00.000Z', 60);
  const b = pulseRow('b', '2026-10-31T11:00:00.000Z', 61);

  it('a changed row the index does not show yet is added; one the index still shows after its delete is removed', () => {
    const [day] = daysToRecompute([insert(b, 's1'), modify(a, { ...a, deletedAt: T1, updatedAt: T1 }, 's2')]);
    expect(dayRows([a], day!.changed).map((row) => row.externalId)).toEqual(['b']);
  });

  it('a row the index already shows at a newer version than the change is left as the index has it', () => {
    const newer = { ...a, value: 99, updatedAt: T2 };
    const [day] = daysToRecompute([insert(a, 's1')]);
    expect(dayRows([newer, b], day!.changed)).toEqual([newer, b]);
  });
});

describe('aggregateVersion: a recompute that saw more of the latest writes sorts higher', () => {
  const a = pulseRow('a', '2026-10-31T10:00:00.000Z', 60, T1);
  const b = pulseRow('b', '2026-10-31T11:00:00.000Z', 61, T1);
  const none = new Map();

  it('latest updatedAt, then how many rows carry it', () => {
    expect(aggregateVersion([a, b], none)).toBe(`${T1}#000002`);
    expect(aggregateVersion([a, { ...b, updatedAt: T0 }], none)).toBe(`${T1}#000001`);
    expect(aggregateVersion([a, b], none) > aggregateVersion([a, { ...b, updatedAt: T0 }], none)).toBe(true);
    expect(aggregateVersion([{ ...a, updatedAt: T2 }], none) > aggregateVersion([a, b], none)).toBe(true);
  });

  it('a row that left the day counts with the time it left', () => {
    const [day] = daysToRecompute([modify(b, { ...b, deletedAt: T2, updatedAt: T2 }, 's1')]);
    expect(aggregateVersion([a], day!.changed)).toBe(`${T2}#000001`);
  });
});

describe('recomputeDays: recomputed from the day’s rows, never added to', () => {
  class MemoryStore implements DailyAggregateStore {
    rows: StoredMeasurement[] = [];
    written = new Map<string, { aggregate: DailyAggregate | null; version: AggregateVersion }>();
    failOn?: string;
    async readDayRows(day: AggregateDay) {
      if (day.day === this.failOn) throw new Error('throttled');
      return this.rows.filter((row) => row.userId === day.userId && row.measuredAt.startsWith(day.day));
    }
    async writeAggregate(day: AggregateDay, aggregate: DailyAggregate | null, version: AggregateVersion) {
      const key = `${day.userId}#${day.type}#${day.day}`;
      const stored = this.written.get(key);
      if (stored && stored.version > version) return 'superseded' as const;
      this.written.set(key, { aggregate, version });
      return 'written' as const;
    }
  }

  it('the same changes delivered twice give the same aggregate', async () => {
    const store = new MemoryStore();
    const rows = [
      pulseRow('a', '2026-10-31T10:00:00.000Z', 60),
      pulseRow('b', '2026-10-31T11:00:00.000Z', 70),
    ];
    store.rows = rows;
    const changes = rows.map((row) => insert(row));
    await recomputeDays(changes, { store, concurrency: 2 });
    const once = store.written.get('u1#PULSE#2026-10-31');
    await recomputeDays(changes, { store, concurrency: 2 });
    expect(store.written.get('u1#PULSE#2026-10-31')).toEqual(once);
    expect(once?.aggregate).toMatchObject({ count: 2, sum: 130, min: 60, max: 70 });
  });

  it('a day with no rows left stores an empty aggregate (null)', async () => {
    const store = new MemoryStore();
    const row = pulseRow('a', '2026-10-31T10:00:00.000Z', 60);
    await recomputeDays([modify(row, { ...row, deletedAt: T1, updatedAt: T1 }, 's1')], {
      store,
      concurrency: 1,
    });
    expect(store.written.get('u1#PULSE#2026-10-31')).toEqual({ aggregate: null, version: `${T1}#000001` });
  });

  it('a day whose recompute fails names its changes; the other days are still written', async () => {
    const store = new MemoryStore();
    store.failOn = '2026-10-31';
    const outcomes = await recomputeDays(
      [
        insert(pulseRow('a', '2026-10-31T10:00:00.000Z', 60), 's1'),
        insert(pulseRow('b', '2026-11-01T10:00:00.000Z', 61), 's2'),
      ],
      { store, concurrency: 2 },
    );
    expect(outcomes.map(({ day, result, changeIds }) => [day.day, result, changeIds])).toEqual([
      ['2026-10-31', 'failed', ['s1']],
      ['2026-11-01', 'written', ['s2']],
    ]);
  });
});
