import { measurementId } from '../../functions/measurements/model/measurement-id';
import { readingMarkerKey } from '../../functions/measurements/storage/measurement-key';
import { entry, stepsDay } from '../support/batch-client';
import { localAggregates, type LocalAggregates } from '../support/daily-aggregates';
import { NOT_FOUND_BODY, rowApiSuite } from '../support/row-api-suite';

/**
 * data-lifecycle, "Deleted rows keep only what deletion needs": a soft delete — by id, bulk, or
 * by externalId — leaves a tombstone (functions/measurements/model/tombstone.ts) and drops the
 * row's values, notes and device fields at once. Here, on DynamoDB Local through the real
 * handlers: what each delete stores, and that every reader of a tombstone still behaves as the
 * row API and the batch contract say.
 */
const suite = rowApiSuite('tombstone-user', { stream: true });
let aggregates: LocalAggregates;
beforeAll(async () => (aggregates = await localAggregates(suite.table)));
afterAll(() => aggregates.close());

const STEPS = 'stats:HKQuantityTypeIdentifierStepCount:2026-05-24';
const PULSE = 'A11CE000-0000-4000-8000-000000000001';

/** A heart-rate sample from HealthKit on the watch, with a rhythm classification. */
const pulse = (externalId: string, value = 64, endDate = '2026-08-14T06:00:00Z') =>
  entry({
    externalId,
    value,
    startDate: endDate,
    endDate,
    deviceType: 'watch',
    rhythmClassification: 'SINUS_RHYTHM',
  });

async function store(userId: string, entries: Record<string, unknown>[]): Promise<string[]> {
  const answer = await suite.post({ userId, body: { entries } });
  expect(answer.body.data).toMatchObject({ failed: 0, skipped: [] });
  return answer.body.data.entries.map((outcome: { id: string }) => outcome.id);
}

const synced = (userId: string, type: string, externalId: string, id: string) => ({
  pk: `${userId}#${type}#${externalId}`,
  userId,
  kind: externalId.startsWith('stats:') ? 'stats' : 'sample',
  id,
  type,
  externalId,
  deletedAt: expect.any(String),
  updatedAt: expect.any(String),
  writer: 'delete',
  requestId: expect.any(String),
});

describe('what each delete stores: the tombstone, nothing else', () => {
  test('DELETE by id: a stats row and a sample keep their identity and the delete, no value or device field', async () => {
    const userId = suite.newUser();
    const [stepsId, pulseId] = await store(userId, [stepsDay('2026-05-24', 5300), pulse(PULSE)]);
    await suite.api.patch(userId, stepsId!, { value: 5400, notes: 'forgot the watch' });
    for (const id of [stepsId!, pulseId!])
      expect((await suite.api.delete(userId, id, `del-${id}`)).status).toBe(200);

    expect(await suite.table.item(userId, 'ACTIVITY_STEPS', STEPS)).toStrictEqual(
      synced(userId, 'ACTIVITY_STEPS', STEPS, stepsId!),
    );
    const sample = await suite.table.item(userId, 'PULSE', PULSE);
    expect(sample).toStrictEqual(synced(userId, 'PULSE', PULSE, pulseId!));
    expect(sample).toMatchObject({ requestId: `del-${pulseId}` });
    expect(JSON.stringify(await suite.table.items())).not.toMatch(/forgot the watch|SINUS_RHYTHM|"watch"/);
  });

  test('bulk-delete and by-external-ids leave the same tombstones', async () => {
    const userId = suite.newUser();
    const [bulkId, phoneId] = await store(userId, [pulse('BULK-1', 61), pulse('PHONE-1', 62)]);
    expect((await suite.api.bulkDelete(userId, { ids: [bulkId!] })).body.data).toEqual({ deleted: 1 });
    expect((await suite.api.deleteByExternalIds(userId, { externalIds: ['PHONE-1'] })).body.data).toEqual({
      deletedCount: 1,
    });
    expect(await suite.table.item(userId, 'PULSE', 'BULK-1')).toStrictEqual(
      synced(userId, 'PULSE', 'BULK-1', bulkId!),
    );
    expect(await suite.table.item(userId, 'PULSE', 'PHONE-1')).toStrictEqual(
      synced(userId, 'PULSE', 'PHONE-1', phoneId!),
    );
  });

  test('a hand-entered reading keeps its marker’s address (measuredAt, source) and loses its note; the marker stays', async () => {
    const userId = suite.newUser();
    const note = 'hypo after the run';
    const created = await suite.api.create(userId, {
      type: 'BLOOD_GLUCOSE',
      value: 62,
      measuredAt: '2026-08-14T06:30:00Z',
      notes: note,
      glucoseContext: 'POSTPRANDIAL',
    });
    expect(created.status).toBe(201);
    const { id } = created.body.data;
    expect((await suite.api.delete(userId, id)).status).toBe(200);

    const items = (await suite.table.items()).filter((item) => String(item.pk).startsWith(`${userId}#`));
    const row = items.find((item) => item.id === id)!;
    expect(Object.keys(row).sort()).toEqual(
      [
        'pk',
        'userId',
        'kind',
        'id',
        'type',
        'externalId',
        'measuredAt',
        'source',
        'deletedAt',
        'updatedAt',
        'writer',
        'requestId',
      ].sort(),
    );
    expect(row).toMatchObject({ kind: 'manual', externalId: null, measuredAt: '2026-08-14T06:30:00.000Z' });
    const marker = items.find((item) => item.kind === 'reading-marker')!;
    expect(marker.pk).toBe(
      readingMarkerKey(userId, 'BLOOD_GLUCOSE', row.measuredAt as string, row.source as string),
    );
    expect(JSON.stringify(items)).not.toContain(note);
    expect(JSON.stringify(items)).not.toContain('POSTPRANDIAL');
  });
});

describe('every reader of a tombstone behaves as before', () => {
  test('a deleted stats row re-posted comes back whole: updated, its fields as posted, listed and readable', async () => {
    const userId = suite.newUser();
    const [id] = await store(userId, [stepsDay('2026-05-24', 300)]);
    const before = await suite.table.item(userId, 'ACTIVITY_STEPS', STEPS);
    await suite.api.delete(userId, id!);
    const repost = await suite.post({ userId, body: { entries: [stepsDay('2026-05-24', 450)] } });
    expect(repost.body.data.entries[0]).toEqual({ index: 0, status: 'updated', id });
    const back = await suite.table.item(userId, 'ACTIVITY_STEPS', STEPS);
    const { createdAt: _c, updatedAt: _u, requestId: _r, ...unchanged } = before!;
    expect(back).toMatchObject({ ...unchanged, value: 450 });
    expect(back).not.toHaveProperty('deletedAt');
    expect((await suite.api.get(userId, id!)).body.data).toMatchObject({ id, value: 450, unit: 'steps' });
    expect((await suite.api.list(userId, { type: 'ACTIVITY_STEPS' })).body.data.measurements).toHaveLength(1);
  });

  test('a deleted sample re-posted stays deleted: duplicate with its id, and its value is not written back', async () => {
    const userId = suite.newUser();
    const [id] = await store(userId, [pulse(PULSE, 64)]);
    await suite.api.delete(userId, id!);
    const repost = await suite.post({ userId, body: { entries: [pulse(PULSE, 99)] } });
    expect(repost.body.data).toMatchObject({ inserted: 0, updated: 0, duplicates: 1 });
    expect(repost.body.data.entries[0]).toEqual({ index: 0, status: 'duplicate', id });
    expect(await suite.table.item(userId, 'PULSE', PULSE)).not.toHaveProperty('value');
  });

  test('GET, PUT and PATCH of a deleted id are 404; DELETE again is 200; bulk and by-external-ids delete nothing more', async () => {
    const userId = suite.newUser();
    const [id] = await store(userId, [pulse(PULSE)]);
    await suite.api.delete(userId, id!);
    const tombstone = await suite.table.item(userId, 'PULSE', PULSE);
    expect((await suite.api.get(userId, id!)).rawBody).toBe(NOT_FOUND_BODY);
    expect((await suite.api.put(userId, id!, { value: 70 })).rawBody).toBe(NOT_FOUND_BODY);
    expect((await suite.api.patch(userId, id!, { notes: 'x' })).rawBody).toBe(NOT_FOUND_BODY);
    const again = await suite.api.delete(userId, id!);
    expect(again.status).toBe(200);
    expect(again.rawBody).toBe('{"data":{"deleted":true},"error":null}');
    expect((await suite.api.bulkDelete(userId, { ids: [id!] })).body.data).toEqual({ deleted: 0 });
    expect((await suite.api.deleteByExternalIds(userId, { externalIds: [PULSE] })).body.data).toEqual({
      deletedCount: 0,
    });
    expect((await suite.api.list(userId)).body.data.measurements).toEqual([]);
    // Nothing of that answered 404/200 wrote anything.
    expect(await suite.table.item(userId, 'PULSE', PULSE)).toEqual(tombstone);
  });

  test('a new hand-entered reading at a deleted reading’s instant is still 409', async () => {
    const userId = suite.newUser();
    const reading = { type: 'WEIGHT', value: 72.4, measuredAt: '2026-08-14T06:30:00Z' };
    const created = await suite.api.create(userId, reading);
    await suite.api.delete(userId, created.body.data.id);
    const again = await suite.api.create(userId, { ...reading, value: 80 });
    expect(again.status).toBe(409);
    expect(again.body.meta).toMatchObject({ errorCode: 'measurement.duplicate_timestamp' });
  });

  test('the aggregate function recomputes the deleted row’s day, taking the day from the old image', async () => {
    const userId = suite.newUser();
    const [keptId, goneId] = await store(userId, [
      pulse('HR-KEPT', 60, '2026-10-05T06:00:00Z'),
      pulse('HR-GONE', 100, '2026-10-05T07:00:00Z'),
    ]);
    await aggregates.runAggregator(userId);
    expect(await aggregates.stored(userId, 'PULSE')).toEqual([
      expect.objectContaining({ day: '2026-10-05', count: 2, sum: 160, min: 60, max: 100 }),
    ]);
    await suite.api.delete(userId, goneId!);
    expect(await suite.table.item(userId, 'PULSE', 'HR-GONE')).not.toHaveProperty('measuredAt');
    await aggregates.runAggregator(userId);
    expect(await aggregates.stored(userId, 'PULSE')).toEqual([
      expect.objectContaining({ day: '2026-10-05', count: 1, sum: 60, min: 60, max: 60 }),
    ]);
    // The last row of the day gone too: the day counts nothing.
    await suite.api.delete(userId, keptId!);
    await aggregates.runAggregator(userId);
    expect(await aggregates.stored(userId, 'PULSE')).toEqual([
      expect.objectContaining({ day: '2026-10-05', count: 0 }),
    ]);
    expect(measurementId('PULSE', 'HR-GONE')).toBe(goneId);
  });
});
