import { INDEX_SETTLE_MS } from '../../definitions/aggregate-settle';
import type { StoredMeasurement } from '../../functions/measurements/model/measurement';
import { recomputeDays, type RowChange } from '../../functions/measurements/aggregates/recompute-days';
import {
  settleDays,
  settleRequests,
  type DeliveredSettle,
} from '../../functions/measurements/aggregates/settle-days';
import { storedItem } from '../support/stored-items';
import { MemoryAggregateStore } from './memory-aggregate-store';

const DAY = '2026-10-31';
const T0 = '2026-11-01T06:00:00.000Z';
const T1 = '2026-11-01T07:00:00.000Z';
const at = (iso: string, plusMs: number) => () => new Date(Date.parse(iso) + plusMs);

function pulseRow(externalId: string, hour: number, value: number): StoredMeasurement {
  return storedItem({
    userId: 'u1',
    externalId,
    measuredAt: `${DAY}T${String(hour).padStart(2, '0')}:00:00.000Z`,
    value,
    updatedAt: T0,
    createdAt: T0,
  });
}

const deleted = (row: StoredMeasurement, when = T1): StoredMeasurement => ({
  ...row,
  deletedAt: when,
  updatedAt: when,
  writer: 'delete',
});
const change = (before: StoredMeasurement, after: StoredMeasurement, id: string): RowChange => ({
  id,
  oldImage: before as never,
  newImage: after as never,
});
const delivered = (id: string, version: string, day = DAY, userId = 'u1'): DeliveredSettle => ({
  id,
  request: { day: { userId, type: 'PULSE', day }, version },
});

describe('settleRequests: every day the stream recomputed is settled once more', () => {
  it('one request per recomputed day with the version its aggregate claimed; a failed day is retried from its records instead', async () => {
    const store = new MemoryAggregateStore();
    const a = pulseRow('a', 8, 60);
    const b = pulseRow('b', 9, 70);
    const elsewhere = { ...pulseRow('c', 8, 80), measuredAt: '2026-11-02T08:00:00.000Z' };
    store.indexed = [a, b, elsewhere];
    store.failReadsOf = '2026-11-02';
    const outcomes = await recomputeDays(
      [
        { id: 's1', newImage: a as never },
        { id: 's2', newImage: b as never },
        { id: 's3', newImage: elsewhere as never },
      ],
      { store, concurrency: 2 },
    );
    expect(settleRequests(outcomes)).toEqual([
      { day: { userId: 'u1', type: 'PULSE', day: DAY }, version: `${T0}#000002` },
    ]);
  });
});

describe('settleDays: a day recomputed from the settled index alone', () => {
  it('two recomputes that tied on a lagging index leave the less complete aggregate; the settle recompute replaces it', async () => {
    const store = new MemoryAggregateStore();
    const a = pulseRow('a', 8, 60);
    const b = pulseRow('b', 9, 70);
    const c = pulseRow('c', 10, 80);
    // One request deletes a and b; their records arrive on two shards.
    const shard1 = [change(a, deleted(a), 's1')];
    const shard2 = [change(b, deleted(b), 's2')];

    // Shard 2's recompute reads an index that has dropped both rows: right (c alone).
    store.indexed = [c];
    const [right] = await recomputeDays(shard2, { store, concurrency: 1 });
    // Shard 1's recompute read the index before it dropped b, and lands last: the same version.
    store.indexed = [a, b, c];
    const [wrong] = await recomputeDays(shard1, { store, concurrency: 1 });
    expect(right).toMatchObject({ result: 'written', version: `${T1}#000001` });
    expect(wrong).toMatchObject({ result: 'written', version: `${T1}#000001` });
    expect(store.storedOf('u1', DAY)?.aggregate).toMatchObject({ count: 2, sum: 150 });

    // Once the index has settled (here: at once; the floor is below every write).
    store.indexed = [deleted(a), deleted(b), c];
    const outcomes = await settleDays(
      settleRequests([right!, wrong!]).map((request, i) => ({ id: `m${i}`, request })),
      { store, concurrency: 2, now: at(T1, 1000) },
    );
    expect(outcomes).toEqual([
      { day: { userId: 'u1', type: 'PULSE', day: DAY }, result: 'written', messageIds: ['m0', 'm1'] },
    ]);
    expect(store.storedOf('u1', DAY)).toMatchObject({
      aggregate: { count: 1, sum: 80 },
      version: `${T1}#000001`,
    });
    // The two recomputes' reads, and one settle read for both messages.
    expect(store.reads).toHaveLength(3);
  });

  it('claims every write older than the settle time: replaces a stored aggregate whose latest write is older, whatever the message says', async () => {
    const store = new MemoryAggregateStore();
    const c = pulseRow('c', 10, 80);
    store.indexed = [c];
    await store.writeAggregate(
      { userId: 'u1', type: 'PULSE', day: DAY },
      { day: DAY, count: 9, sum: 900, sumOfSquares: 1, min: 1, max: 1, low: 1, high: 1, slots: [] },
      `${T1}#000003`,
    );
    const now = at(T1, INDEX_SETTLE_MS + 1);
    const [outcome] = await settleDays([delivered('m1', `${T0}#000001`)], { store, concurrency: 1, now });
    expect(outcome!.result).toBe('written');
    expect(store.storedOf('u1', DAY)).toEqual({
      aggregate: expect.objectContaining({ count: 1, sum: 80 }),
      version: `${new Date(now().getTime() - INDEX_SETTLE_MS).toISOString()}#000000`,
    });
  });

  it('never replaces an aggregate computed after a later write (that write’s own settle follows)', async () => {
    const store = new MemoryAggregateStore();
    store.indexed = [pulseRow('c', 10, 80)];
    const later = '2026-11-01T07:00:30.000Z';
    await store.writeAggregate(
      { userId: 'u1', type: 'PULSE', day: DAY },
      { day: DAY, count: 2, sum: 170, sumOfSquares: 1, min: 80, max: 90, low: 80, high: 90, slots: [] },
      `${later}#000001`,
    );
    const [outcome] = await settleDays([delivered('m1', `${T1}#000001`)], {
      store,
      concurrency: 1,
      now: at(T1, INDEX_SETTLE_MS + 1000),
    });
    expect(outcome!.result).toBe('superseded');
    expect(store.storedOf('u1', DAY)?.aggregate).toMatchObject({ count: 2, sum: 170 });
  });

  it('several messages for one day: one recompute claiming the highest version; other days apart', async () => {
    const store = new MemoryAggregateStore();
    const c = pulseRow('c', 10, 80);
    store.indexed = [c, { ...c, userId: 'u2' }, { ...c, measuredAt: '2026-11-02T10:00:00.000Z' }];
    const outcomes = await settleDays(
      [
        delivered('m1', `${T0}#000004`),
        delivered('m2', `${T1}#000001`, '2026-11-02'),
        delivered('m3', `${T1}#000002`),
        delivered('m4', `${T0}#000001`, DAY, 'u2'),
      ],
      { store, concurrency: 2, now: at(T1, 0) },
    );
    expect(outcomes.map(({ day, result, messageIds }) => [day.userId, day.day, result, messageIds])).toEqual([
      ['u1', DAY, 'written', ['m1', 'm3']],
      ['u1', '2026-11-02', 'written', ['m2']],
      ['u2', DAY, 'written', ['m4']],
    ]);
    expect(store.storedOf('u1', DAY)?.version).toBe(`${T1}#000002`);
    expect(store.storedOf('u1', '2026-11-02')?.version).toBe(`${T1}#000001`);
    // Its message's version is older than the settle floor: the floor is claimed.
    expect(store.storedOf('u2', DAY)?.version).toBe('2026-11-01T06:59:00.000Z#000000');
  });

  it('a day without rows: an aggregate stored is cleared, none is created (a settle after an erasure recreates nothing)', async () => {
    const store = new MemoryAggregateStore();
    await store.writeAggregate(
      { userId: 'u1', type: 'PULSE', day: DAY },
      { day: DAY, count: 1, sum: 60, sumOfSquares: 3600, min: 60, max: 60, low: 60, high: 60, slots: [] },
      `${T0}#000001`,
    );
    const outcomes = await settleDays(
      [delivered('m1', `${T1}#000001`), delivered('m2', `${T1}#000001`, DAY, 'erased')],
      { store, concurrency: 1, now: at(T1, 0) },
    );
    expect(outcomes.map(({ day, result }) => [day.userId, result])).toEqual([
      ['u1', 'written'],
      ['erased', 'superseded'],
    ]);
    expect(store.storedOf('u1', DAY)).toEqual({ aggregate: null, version: `${T1}#000001` });
    expect(store.storedOf('erased', DAY)).toBeUndefined();
  });

  it('a day whose read fails names its messages; the other days are still settled', async () => {
    const store = new MemoryAggregateStore();
    store.indexed = [pulseRow('c', 10, 80)];
    store.failReadsOf = '2026-11-02';
    const outcomes = await settleDays(
      [delivered('m1', `${T1}#000001`, '2026-11-02'), delivered('m2', `${T1}#000001`)],
      { store, concurrency: 2, now: at(T1, 0) },
    );
    expect(outcomes.map(({ day, result, messageIds }) => [day.day, result, messageIds])).toEqual([
      ['2026-11-02', 'failed', ['m1']],
      [DAY, 'written', ['m2']],
    ]);
  });
});
