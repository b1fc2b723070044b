import { createMeasurements, type ReadingInput } from '../../functions/measurements/rows/create-measurements';
import {
  bulkDeleteMeasurements,
  deleteMeasurement,
  deleteMeasurementsByExternalIds,
  MAX_EXTERNAL_IDS_PER_DELETE,
} from '../../functions/measurements/rows/delete-measurements';
import {
  editMeasurement,
  findEditableMeasurement,
  type MeasurementEdit,
} from '../../functions/measurements/rows/edit-measurement';
import { measurementId } from '../../functions/measurements/model/measurement-id';
import type { StoredMeasurement } from '../../functions/measurements/model/measurement';
import type { MeasurementRef, NewManualReading } from '../../functions/measurements/rows/row-store';
import { getMeasurement } from '../../functions/measurements/rows/read-measurements';
import { toManualItem, toReadingMarkerItem } from '../../functions/measurements/storage/measurement-item';
import { readingMarkerKey } from '../../functions/measurements/storage/measurement-key';
import { InMemoryRowStore } from '../support/in-memory-row-store';
import { storedItem, type StoredItemOptions } from '../support/stored-items';
import { newManualReading } from '../support/manual-reading';

/**
 * The row API's use cases (functions/measurements/rows/) over an in-memory row store with the
 * table's semantics: each test sets up what the table holds, runs a use case, and checks what it
 * answered and what the table then holds.
 */

const NOW = new Date('2026-08-14T08:00:00Z');
const EDIT = { requestId: 'req-edit', at: NOW.toISOString() };

function item(overrides: StoredItemOptions = {}): StoredMeasurement {
  return storedItem(overrides);
}

/** A hand-entered weight of alice's, as the row store writes it. */
function manualItem(overrides: Partial<NewManualReading['reading']> = {}, uuid = 'u-1'): StoredMeasurement {
  return toManualItem(newManualReading(overrides, { uuid }), {
    requestId: 'req-create',
    at: '2026-08-14T07:00:01.000Z',
  });
}

/** A hand-entered row and the marker that holds its instant, as a create leaves them. */
function withMarker(row: StoredMeasurement): Record<string, unknown>[] {
  return [row, toReadingMarkerItem(row.userId, row, row.pk, row.createdAt)];
}

const markerOf = (row: Pick<StoredMeasurement, 'type' | 'measuredAt' | 'source'>) =>
  readingMarkerKey('alice', row.type, row.measuredAt, row.source);

const pulse = item();
const pulseId = pulse.id;
const pulseRef: MeasurementRef = { userId: 'alice', type: 'PULSE', externalId: 'hk-1' };

/** The handler's order: find the caller's live row (404 before the body is read), then edit it. */
async function edit(id: string, change: MeasurementEdit, store: InMemoryRowStore) {
  const found = await findEditableMeasurement({ userId: 'alice', id }, store);
  if (found.status === 'not_found') return found;
  return editMeasurement(
    { userId: 'alice', target: found.target, edit: change, requestId: 'req-edit', now: NOW },
    store,
  );
}

describe('an id resolves only inside the caller’s own rows', () => {
  test('the key is built from the caller and the id’s type and externalId', async () => {
    const bobs = item({ userId: 'bob', value: 99 });
    const store = new InMemoryRowStore([pulse, bobs]);
    expect(await getMeasurement({ userId: 'alice', id: pulseId }, store)).toEqual({
      status: 'found',
      row: expect.objectContaining({ id: pulseId, value: 64 }),
    });
    expect(await getMeasurement({ userId: 'carol', id: pulseId }, store)).toEqual({ status: 'not_found' });
    expect(await edit(pulseId, { value: 70 }, store)).toMatchObject({ status: 'edited' });
    expect(store.item({ ...pulseRef, userId: 'bob' })).toStrictEqual(bobs);
  });

  test('ids that do not decode, or name no known type, never reach the store', async () => {
    const store = new InMemoryRowStore([pulse, ...withMarker(manualItem())]);
    const before = store.all();
    for (const id of [
      '',
      '***',
      'day:WEIGHT:2026-08-14',
      measurementId('NOT_A_TYPE', 'x'),
      measurementId('@reading', 'WEIGHT#2026-08-14T07:00:00.000Z#MANUAL'),
      Buffer.from('PULSE').toString('base64url'),
    ]) {
      expect(await getMeasurement({ userId: 'alice', id }, store)).toEqual({ status: 'not_found' });
      expect(await edit(id, { value: 70 }, store)).toEqual({ status: 'not_found' });
      expect(await deleteMeasurement({ userId: 'alice', id, requestId: 'r', now: NOW }, store)).toEqual({
        status: 'not_found',
      });
    }
    expect(store.calls).toMatchObject({ getMeasurement: 0, editMeasurement: 0, softDeleteMeasurement: 0 });
    expect(store.all()).toStrictEqual(before);
  });

  test('a soft-deleted item is not found, and cannot be edited', async () => {
    const deleted = item({ deletedAt: NOW.toISOString() });
    const store = new InMemoryRowStore([deleted]);
    expect(await getMeasurement({ userId: 'alice', id: pulseId }, store)).toEqual({ status: 'not_found' });
    expect(await edit(pulseId, { value: 70 }, store)).toEqual({ status: 'not_found' });
    expect(store.item(pulseRef)).toStrictEqual(deleted);
  });
});

describe('an edit is checked before it is written', () => {
  test('the value must lie in the type’s plausible range, inclusive', async () => {
    const store = new InMemoryRowStore([pulse]);
    expect(await edit(pulseId, { value: 20 }, store)).toMatchObject({ status: 'edited', row: { value: 20 } });
    expect(await edit(pulseId, { value: 300 }, store)).toMatchObject({
      status: 'edited',
      row: { value: 300 },
    });
    expect(await edit(pulseId, { value: 300.5 }, store)).toEqual({
      status: 'invalid',
      issues: [{ path: 'value', code: 'value_out_of_range', message: 'Expected a value from 20 to 300 bpm' }],
    });
    expect(store.item(pulseRef)).toMatchObject({ value: 300 });
  });

  test('the range is the type’s hand-entry range, not the HealthKit table’s (HRV: 1–200, not 1–300)', async () => {
    const hrv = item({ type: 'HEART_RATE_VARIABILITY', externalId: 'HRV-1', value: 40, unit: 'ms' });
    const store = new InMemoryRowStore([hrv]);
    expect(await edit(hrv.id, { value: 200 }, store)).toMatchObject({
      status: 'edited',
      row: { value: 200 },
    });
    expect(await edit(hrv.id, { value: 250 }, store)).toEqual({
      status: 'invalid',
      issues: [{ path: 'value', code: 'value_out_of_range', message: 'Expected a value from 1 to 200 ms' }],
    });
  });

  test('an event’s value can only stay 1', async () => {
    const event = item({ type: 'HIGH_HEART_RATE_EVENT', externalId: 'event-1', value: 1, unit: 'count' });
    const store = new InMemoryRowStore([event]);
    expect(await edit(event.id, { value: 0 }, store)).toMatchObject({ status: 'invalid' });
    expect(await edit(event.id, { value: 1 }, store)).toMatchObject({ status: 'edited' });
  });

  test('measuredAt must be a plausible instant: not before 1900, at most 5 minutes ahead', async () => {
    const store = new InMemoryRowStore([pulse]);
    for (const measuredAt of ['1899-12-31T23:59:59Z', '2026-08-14T08:05:01Z']) {
      expect(await edit(pulseId, { measuredAt }, store)).toMatchObject({
        status: 'invalid',
        issues: [expect.objectContaining({ path: 'measuredAt', code: 'implausible_timestamp' })],
      });
    }
    expect(store.item(pulseRef)).toStrictEqual(pulse);
  });

  test('both problems are named at once', async () => {
    const store = new InMemoryRowStore([pulse]);
    const outcome = await edit(pulseId, { value: 1, measuredAt: '2099-01-01T00:00:00Z' }, store);
    expect(outcome.status === 'invalid' && outcome.issues.map((issue) => issue.path)).toEqual([
      'value',
      'measuredAt',
    ]);
  });

  test('only what changes is written, the instant in stored UTC form, with the request id and time', async () => {
    const store = new InMemoryRowStore([item({ valueMin: 58, valueMax: 91 })]);
    const outcome = await edit(pulseId, { measuredAt: '2026-08-14T09:30:00+02:00' }, store);
    expect(outcome).toMatchObject({ status: 'edited', row: { measuredAt: '2026-08-14T07:30:00.000Z' } });
    expect(store.item(pulseRef)).toStrictEqual({
      ...item({ valueMin: 58, valueMax: 91 }),
      measuredAt: '2026-08-14T07:30:00.000Z',
      updatedAt: EDIT.at,
      requestId: 'req-edit',
      writer: 'edit',
    });
  });

  test('a plain edit that finds the row changed since it was read plans again from a fresh read', async () => {
    const store = new InMemoryRowStore([pulse]);
    // Another request edits the row between this edit's read and its write.
    store.beforeNext('editMeasurement', () =>
      store.put({ ...pulse, valueMin: 50, requestId: 'req-other', updatedAt: '2026-08-14T07:59:00.000Z' }),
    );
    expect(await edit(pulseId, { value: 70 }, store)).toMatchObject({
      status: 'edited',
      row: { value: 70, valueMin: null },
    });
    expect(store.item(pulseRef)).toMatchObject({ value: 70, requestId: 'req-edit' });
    expect(store.calls.editMeasurement).toBe(2);
  });

  test('a row that keeps changing under the edit is a conflict after 5 attempts, not a 500', async () => {
    const store = new InMemoryRowStore([pulse]);
    let writes = 0;
    store.beforeNext(
      'editMeasurement',
      () => store.put({ ...pulse, requestId: `req-other-${++writes}` }),
      Infinity,
    );
    expect(await edit(pulseId, { value: 70 }, store)).toEqual({ status: 'conflict' });
    expect(store.calls.editMeasurement).toBe(5);
    expect(store.item(pulseRef)).toStrictEqual({ ...pulse, requestId: 'req-other-5' });
  });
});

describe('notes: a new note is set, null and "" clear it, an empty edit changes nothing', () => {
  const noted = { ...pulse, notes: 'before' };
  test.each([
    [{ notes: 'after the run' }, { notes: 'after the run' }],
    [{ notes: null }, {}],
    [{ notes: '' }, {}],
    [
      { value: 70, notes: 'x' },
      { value: 70, valueMin: null, valueMax: null, notes: 'x' },
    ],
  ])('%j leaves the row with %j', async (change, stored) => {
    const store = new InMemoryRowStore([noted]);
    expect(await edit(pulseId, change, store)).toMatchObject({ status: 'edited' });
    const { notes: _before, ...withoutNote } = noted;
    expect(store.item(pulseRef)).toStrictEqual({
      ...withoutNote,
      ...stored,
      updatedAt: EDIT.at,
      requestId: 'req-edit',
      writer: 'edit',
    });
  });

  test('an empty edit writes nothing and answers the row as it is', async () => {
    const stored = item({ value: 66 });
    const store = new InMemoryRowStore([stored]);
    expect(await edit(pulseId, {}, store)).toEqual({
      status: 'edited',
      row: expect.objectContaining({ id: pulseId, value: 66 }),
    });
    expect(store.item(pulseRef)).toStrictEqual(stored);
    expect(store.calls).toMatchObject({ editMeasurement: 0, moveManualReading: 0 });
  });
});

describe('moving a hand-entered reading moves its uniqueness marker with it', () => {
  const reading = manualItem();
  const ref: MeasurementRef = { userId: 'alice', type: 'WEIGHT', externalId: 'manual:u-1' };

  test('a new instant of a manual row: the row moves, its old marker goes, a new one holds the instant', async () => {
    const store = new InMemoryRowStore(withMarker(reading));
    const outcome = await edit(reading.id, { measuredAt: '2026-08-14T09:30:00+02:00' }, store);
    expect(outcome).toEqual({
      status: 'edited',
      row: expect.objectContaining({ id: reading.id, measuredAt: '2026-08-14T07:30:00.000Z' }),
    });
    expect(store.item(ref)).toStrictEqual({
      ...reading,
      measuredAt: '2026-08-14T07:30:00.000Z',
      updatedAt: EDIT.at,
      requestId: 'req-edit',
      writer: 'edit',
    });
    expect(store.item(markerOf(reading))).toBeUndefined();
    expect(store.item(markerOf({ ...reading, measuredAt: '2026-08-14T07:30:00.000Z' }))).toMatchObject({
      row: reading.pk,
    });
  });

  test('the same instant written another way, a value or a note: a plain edit, no marker involved', async () => {
    const store = new InMemoryRowStore(withMarker(reading));
    await edit(reading.id, { measuredAt: '2026-08-14T09:00:00+02:00', value: 73 }, store);
    await edit(reading.id, { notes: 'x' }, store);
    expect(store.item(ref)).toMatchObject({ measuredAt: reading.measuredAt, value: 73, notes: 'x' });
    expect(store.all().map((stored) => stored.pk)).toEqual([reading.pk, markerOf(reading)].sort());
    expect(store.calls.moveManualReading).toBe(0);
  });

  test('another hand-entered reading at the new instant: duplicate, and nothing moves', async () => {
    const other = manualItem({ measuredAt: '2026-08-14T06:00:00.000Z' }, 'u-2');
    const store = new InMemoryRowStore([...withMarker(reading), ...withMarker(other)]);
    const before = store.all();
    expect(await edit(reading.id, { measuredAt: '2026-08-14T06:00:00Z' }, store)).toEqual({
      status: 'duplicate',
    });
    expect(store.all()).toStrictEqual(before);
  });

  test('a stale plan is re-read and tried again from the row as it is now', async () => {
    const store = new InMemoryRowStore(withMarker(reading));
    const edited = { ...reading, value: 80, requestId: 'req-other' };
    store.beforeNext('moveManualReading', () => store.put(edited));
    expect(await edit(reading.id, { measuredAt: '2026-08-14T06:00:00Z' }, store)).toMatchObject({
      status: 'edited',
      row: { value: 80, measuredAt: '2026-08-14T06:00:00.000Z' },
    });
    expect(store.calls.moveManualReading).toBe(2);
    expect(store.item(markerOf({ ...reading, measuredAt: '2026-08-14T06:00:00.000Z' }))).toBeDefined();
  });

  test('a row deleted meanwhile is not_found', async () => {
    const store = new InMemoryRowStore(withMarker(reading));
    store.beforeNext('moveManualReading', () => store.put({ ...reading, deletedAt: NOW.toISOString() }));
    expect(await edit(reading.id, { measuredAt: '2026-08-14T06:00:00Z' }, store)).toEqual({
      status: 'not_found',
    });
    expect(store.item(markerOf(reading))).toBeDefined();
  });
});

describe('a reading entered by hand', () => {
  const weight = (overrides: Partial<ReadingInput> = {}): ReadingInput => ({
    type: 'WEIGHT',
    value: 72.5,
    measuredAt: '2026-08-14T09:00:00+02:00',
    source: 'MANUAL',
    ...overrides,
  });
  let uuids = 0;
  const create = (readings: ReadingInput[], store: InMemoryRowStore) =>
    createMeasurements(
      { userId: 'alice', readings, requestId: 'req-create', now: NOW },
      { store, newUuid: () => `uuid-${++uuids}` },
    );
  beforeEach(() => (uuids = 0));

  test('gets a key of its own under manual:<uuid>, the type’s unit and the instant in stored form', async () => {
    const store = new InMemoryRowStore();
    const outcome = await create([weight({ notes: 'after the run', deviceType: 'scale' })], store);
    const id = measurementId('WEIGHT', 'manual:uuid-1');
    const ref = { userId: 'alice', type: 'WEIGHT', externalId: 'manual:uuid-1' };
    expect(store.item(ref)).toMatchObject({
      id,
      kind: 'manual',
      type: 'WEIGHT',
      value: 72.5,
      unit: 'kg',
      measuredAt: '2026-08-14T07:00:00.000Z',
      source: 'MANUAL',
      notes: 'after the run',
      deviceType: 'scale',
      writer: 'create',
      requestId: 'req-create',
      createdAt: NOW.toISOString(),
    });
    expect(
      store.item(markerOf({ type: 'WEIGHT', measuredAt: '2026-08-14T07:00:00.000Z', source: 'MANUAL' })),
    ).toBeDefined();
    expect(outcome).toEqual({
      status: 'created',
      rows: [
        expect.objectContaining({
          id,
          unit: 'kg',
          notes: 'after the run',
          glucoseContext: null,
          externalId: null,
          hkIdentifier: null,
          startDate: null,
        }),
      ],
    });
  });

  test('an empty note is no note', async () => {
    const store = new InMemoryRowStore();
    const outcome = await create([weight({ notes: '' })], store);
    expect(outcome).toMatchObject({ status: 'created', rows: [{ notes: null }] });
    expect(store.item({ userId: 'alice', type: 'WEIGHT', externalId: 'manual:uuid-1' })).not.toHaveProperty(
      'notes',
    );
  });

  test('several readings: written together, rows in request order', async () => {
    const store = new InMemoryRowStore();
    const outcome = await create(
      [
        weight({ type: 'BLOOD_PRESSURE_SYS', value: 120 }),
        weight({ type: 'BLOOD_PRESSURE_DIA', value: 80 }),
        weight({ type: 'PULSE', value: 64 }),
      ],
      store,
    );
    expect(outcome.status === 'created' && outcome.rows.map((row) => [row.type, row.unit])).toEqual([
      ['BLOOD_PRESSURE_SYS', 'mmHg'],
      ['BLOOD_PRESSURE_DIA', 'mmHg'],
      ['PULSE', 'bpm'],
    ]);
    // Three rows and their three markers, from one all-or-none write.
    expect(store.all()).toHaveLength(6);
    expect(store.calls.createManualReadings).toBe(1);
  });

  test('two equal readings in one request are a duplicate before anything is written', async () => {
    const store = new InMemoryRowStore();
    const twice = [weight(), weight({ value: 80, measuredAt: '2026-08-14T07:00:00.000Z' })];
    expect(await create(twice, store)).toEqual({ status: 'duplicate' });
    expect(store.all()).toEqual([]);
    expect(store.calls.createManualReadings).toBe(0);
  });

  test('the same instant with another type or another source is not a duplicate', async () => {
    const store = new InMemoryRowStore();
    const outcome = await create(
      [weight(), weight({ type: 'BODY_FAT', value: 20 }), weight({ source: 'APPLE_HEALTH' })],
      store,
    );
    expect(outcome.status).toBe('created');
    expect(store.all()).toHaveLength(6);
  });

  test('a reading already entered (even one deleted since) is a duplicate, and nothing of the request is written', async () => {
    const deleted = {
      ...manualItem({ measuredAt: '2026-08-14T07:00:00.000Z' }),
      deletedAt: NOW.toISOString(),
    };
    const store = new InMemoryRowStore(withMarker(deleted));
    const before = store.all();
    expect(await create([weight({ type: 'BODY_FAT', value: 20 }), weight()], store)).toEqual({
      status: 'duplicate',
    });
    expect(store.all()).toStrictEqual(before);
  });
});

describe('deletes', () => {
  test('DELETE /{id}: a row deleted now or before is deleted, and left as its tombstone', async () => {
    const store = new InMemoryRowStore([pulse]);
    const del = () => deleteMeasurement({ userId: 'alice', id: pulseId, requestId: 'r', now: NOW }, store);
    expect(await del()).toEqual({ status: 'deleted' });
    const tombstone = store.item(pulseRef);
    expect(tombstone).toMatchObject({ id: pulseId, deletedAt: NOW.toISOString(), writer: 'delete' });
    expect(tombstone).not.toHaveProperty('value');
    expect(await del()).toEqual({ status: 'deleted' });
    expect(store.item(pulseRef)).toStrictEqual(tombstone);
  });

  test('DELETE /{id}: nothing of the caller’s under that id is not_found', async () => {
    const bobs = item({ userId: 'bob' });
    const store = new InMemoryRowStore([bobs]);
    expect(
      await deleteMeasurement({ userId: 'alice', id: pulseId, requestId: 'r', now: NOW }, store),
    ).toEqual({ status: 'not_found' });
    expect(store.all()).toStrictEqual([bobs]);
  });

  test('bulk delete counts only the rows this call deleted, each distinct id once, skipping non-ids', async () => {
    const [a, b, d] = ['a', 'b', 'd'].map((externalId) => item({ externalId }));
    const store = new InMemoryRowStore([a!, { ...b!, deletedAt: '2026-08-14T07:00:00.000Z' }, d!]);
    const ids = ['a', 'b', 'c', 'd', 'a'].map((externalId) => measurementId('PULSE', externalId));
    const result = await bulkDeleteMeasurements(
      { userId: 'alice', ids: [...ids, 'day:PULSE:2026-08-14', 'garbage'], requestId: 'req-bulk', now: NOW },
      { store, concurrency: 2 },
    );
    expect(result).toEqual({ deleted: 2 });
    expect(store.calls.softDeleteMeasurement).toBe(4);
    for (const row of [a!, d!])
      expect(store.item({ ...pulseRef, externalId: row.externalId! })).toMatchObject({
        deletedAt: NOW.toISOString(),
        requestId: 'req-bulk',
      });
    // Deleted before: its tombstone keeps who deleted it then.
    expect(store.item({ ...pulseRef, externalId: 'b' })).toMatchObject({
      deletedAt: '2026-08-14T07:00:00.000Z',
    });
  });
});

describe('delete by externalIds', () => {
  const del = (externalIds: string[], store: InMemoryRowStore, concurrency = 2) =>
    deleteMeasurementsByExternalIds(
      { userId: 'alice', externalIds, requestId: 'req-del', now: NOW },
      { store, concurrency },
    );

  test('looks each distinct externalId up once, deletes HealthKit rows found, counts only deletes that happened', async () => {
    const pulseA = item({ externalId: 'a' });
    const weightA = item({ type: 'WEIGHT', externalId: 'a', value: 70, unit: 'kg' });
    const pulseB = item({ externalId: 'b' });
    const store = new InMemoryRowStore([pulseA, weightA, pulseB]);
    // The weight row is deleted by someone else between the lookup and its delete.
    store.beforeNext('softDeleteMeasurement', () =>
      store.put({ ...weightA, deletedAt: '2026-08-14T07:59:00.000Z' }),
    );
    expect(await del(['a', 'b', 'a', 'c'], store)).toEqual({ deletedCount: 2 });
    expect(store.calls).toMatchObject({ findMeasurementsByExternalId: 3, softDeleteMeasurement: 3 });
    for (const row of [pulseA, pulseB])
      expect(store.item({ ...pulseRef, externalId: row.externalId! })).toMatchObject({
        deletedAt: NOW.toISOString(),
        requestId: 'req-del',
      });
  });

  test('a row of another source is never deleted by externalId', async () => {
    const health = item({ externalId: 'a' });
    const other = item({ type: 'WEIGHT', externalId: 'a', source: 'WITHINGS', value: 70, unit: 'kg' });
    const store = new InMemoryRowStore([health, other]);
    expect(await del(['a'], store)).toEqual({ deletedCount: 1 });
    expect(store.item({ ...pulseRef, type: 'WEIGHT', externalId: 'a' })).toStrictEqual(other);
  });

  test('an empty list looks nothing up', async () => {
    const store = new InMemoryRowStore([pulse]);
    expect(await del([], store, 4)).toEqual({ deletedCount: 0 });
    expect(store.calls.findMeasurementsByExternalId).toBe(0);
  });

  test('one request tries at most 500 deletes, one a sample: rows beyond are left for a repeated request', async () => {
    const externalIds = Array.from({ length: MAX_EXTERNAL_IDS_PER_DELETE }, (_, i) => `hk-${i}`);
    // Each externalId posted under two types, which the app never does.
    const rows = externalIds.flatMap((externalId) => [
      item({ externalId }),
      item({ type: 'WEIGHT', externalId, value: 70, unit: 'kg' }),
    ]);
    const store = new InMemoryRowStore(rows);
    expect(await del(externalIds, store, 16)).toEqual({ deletedCount: MAX_EXTERNAL_IDS_PER_DELETE });
    expect(store.calls).toMatchObject({
      findMeasurementsByExternalId: MAX_EXTERNAL_IDS_PER_DELETE,
      softDeleteMeasurement: MAX_EXTERNAL_IDS_PER_DELETE,
    });
    expect(store.all().filter((stored) => stored.deletedAt === undefined)).toHaveLength(
      MAX_EXTERNAL_IDS_PER_DELETE,
    );
  });

  test('a row of another user the store might return is never deleted', async () => {
    const bobs = item({ userId: 'bob', externalId: 'a' });
    const store = new InMemoryRowStore([bobs]);
    // A store that answers another user's row for alice's lookup.
    store.findMeasurementsByExternalId = async () => [{ userId: 'bob', type: 'PULSE', externalId: 'a' }];
    expect(await del(['a'], store, 4)).toEqual({ deletedCount: 0 });
    expect(store.item({ ...pulseRef, userId: 'bob', externalId: 'a' })).toStrictEqual(bobs);
    expect(store.calls.softDeleteMeasurement).toBe(0);
  });
});
