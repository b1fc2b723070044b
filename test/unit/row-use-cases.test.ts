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
import { manualKeySlot, measurementId } from '../../functions/measurements/model/measurement-id';
import type { StoredMeasurement } from '../../functions/measurements/model/measurement';
import type {
  MeasurementRef,
  MeasurementRowStore,
  NewManualReading,
} from '../../functions/measurements/rows/row-store';
import { getMeasurement } from '../../functions/measurements/rows/read-measurements';
import { toManualItem } from '../../functions/measurements/storage/measurement-item';
import { storedItem, type StoredItemOptions } from '../support/stored-items';

const NOW = new Date('2026-08-14T08:00:00Z');

function item(overrides: StoredItemOptions = {}): StoredMeasurement {
  return storedItem(overrides);
}

/** A hand-entered weight of alice's, as the repository stores it. */
function manualItem(overrides: Partial<NewManualReading['reading']> = {}, uuid = 'u-1'): StoredMeasurement {
  const slot = manualKeySlot(uuid);
  return toManualItem(
    {
      ref: { userId: 'alice', type: 'WEIGHT', externalId: slot },
      id: measurementId('WEIGHT', slot),
      reading: {
        type: 'WEIGHT',
        value: 72.5,
        unit: 'kg',
        measuredAt: '2026-08-14T07:00:00.000Z',
        source: 'MANUAL',
        notes: null,
        glucoseContext: null,
        deviceType: null,
        ...overrides,
      },
    },
    { requestId: 'req-create', at: '2026-08-14T07:00:01.000Z' },
  );
}

/**
 * A store whose every method is a jest mock; tests set only what they use. By default an id
 * names a live row of the caller (of the id's type), which no write can find.
 */
function fakeStore(overrides: Partial<MeasurementRowStore> = {}): jest.Mocked<MeasurementRowStore> {
  return {
    getMeasurement: jest.fn(async (ref: MeasurementRef) =>
      item({ userId: ref.userId, type: ref.type, externalId: ref.externalId }),
    ),
    listMeasurements: jest.fn(async () => ({ status: 'page', items: [], nextCursor: null })),
    createManualReadings: jest.fn(async (readings: readonly NewManualReading[], by) => ({
      status: 'created' as const,
      items: readings.map((reading) => toManualItem(reading, by)),
    })),
    // The edit lands on the row as read (the id's type), unless a test says otherwise.
    editMeasurement: jest.fn(async (ref: MeasurementRef) =>
      item({ userId: ref.userId, type: ref.type, externalId: ref.externalId }),
    ),
    moveManualReading: jest.fn(async () => ({ status: 'stale' as const })),
    softDeleteMeasurement: jest.fn(async () => 'not_found' as const),
    findMeasurementsByExternalId: jest.fn(async () => []),
    ...overrides,
  } as jest.Mocked<MeasurementRowStore>;
}

const pulseId = measurementId('PULSE', 'hk-1');

/** The handler's order: find the caller's live row (404 before the body is read), then edit it. */
async function edit(id: string, change: MeasurementEdit, store: MeasurementRowStore) {
  const found = await findEditableMeasurement({ userId: 'alice', id }, store);
  if (found.status === 'not_found') return found;
  return editMeasurement(
    { userId: 'alice', target: found.target, edit: change, requestId: 'req-edit', now: NOW },
    store,
  );
}

describe('an id resolves only inside the caller’s own rows', () => {
  test('the key is built from the caller and the id’s type and externalId', async () => {
    const store = fakeStore({ getMeasurement: jest.fn(async () => item()) });
    expect(await getMeasurement({ userId: 'alice', id: pulseId }, store)).toMatchObject({ status: 'found' });
    expect(store.getMeasurement).toHaveBeenCalledWith({ userId: 'alice', type: 'PULSE', externalId: 'hk-1' });
  });

  test('ids that do not decode, or name no known type, never reach the store', async () => {
    const store = fakeStore();
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
    expect(store.getMeasurement).not.toHaveBeenCalled();
    expect(store.editMeasurement).not.toHaveBeenCalled();
    expect(store.softDeleteMeasurement).not.toHaveBeenCalled();
  });

  test('a soft-deleted item is not found, and cannot be edited', async () => {
    const store = fakeStore({ getMeasurement: jest.fn(async () => item({ deletedAt: NOW.toISOString() })) });
    expect(await getMeasurement({ userId: 'alice', id: pulseId }, store)).toEqual({ status: 'not_found' });
    expect(await edit(pulseId, { value: 70 }, store)).toEqual({ status: 'not_found' });
    expect(store.editMeasurement).not.toHaveBeenCalled();
  });
});

describe('an edit is checked before it is written', () => {
  test('the value must lie in the type’s plausible range, inclusive', async () => {
    const store = fakeStore({ editMeasurement: jest.fn(async () => item({ value: 300 })) });
    expect(await edit(pulseId, { value: 20 }, store)).toMatchObject({ status: 'edited' });
    expect(await edit(pulseId, { value: 300 }, store)).toMatchObject({ status: 'edited' });
    expect(await edit(pulseId, { value: 300.5 }, store)).toEqual({
      status: 'invalid',
      issues: [{ path: 'value', code: 'value_out_of_range', message: 'Expected a value from 20 to 300 bpm' }],
    });
    expect(store.editMeasurement).toHaveBeenCalledTimes(2);
  });

  test('the range is the type’s hand-entry range, not the HealthKit table’s (HRV: 1–200, not 1–300)', async () => {
    const hrv = measurementId('HEART_RATE_VARIABILITY', 'HRV-1');
    expect(await edit(hrv, { value: 200 }, fakeStore())).toMatchObject({ status: 'edited' });
    expect(await edit(hrv, { value: 250 }, fakeStore())).toEqual({
      status: 'invalid',
      issues: [{ path: 'value', code: 'value_out_of_range', message: 'Expected a value from 1 to 200 ms' }],
    });
  });

  test('an event’s value can only stay 1', async () => {
    const id = measurementId('HIGH_HEART_RATE_EVENT', 'event-1');
    expect(await edit(id, { value: 0 }, fakeStore())).toMatchObject({ status: 'invalid' });
    expect(await edit(id, { value: 1 }, fakeStore())).toMatchObject({ status: 'edited' });
  });

  test('measuredAt must be a plausible instant: not before 1900, at most 5 minutes ahead', async () => {
    const store = fakeStore();
    for (const measuredAt of ['1899-12-31T23:59:59Z', '2026-08-14T08:05:01Z']) {
      expect(await edit(pulseId, { measuredAt }, store)).toMatchObject({
        status: 'invalid',
        issues: [expect.objectContaining({ path: 'measuredAt', code: 'implausible_timestamp' })],
      });
    }
    expect(store.editMeasurement).not.toHaveBeenCalled();
  });

  test('both problems are named at once', async () => {
    const outcome = await edit(pulseId, { value: 1, measuredAt: '2099-01-01T00:00:00Z' }, fakeStore());
    expect(outcome.status === 'invalid' && outcome.issues.map((issue) => issue.path)).toEqual([
      'value',
      'measuredAt',
    ]);
  });

  test('the store gets only what changes, the instant in stored UTC form, and the request id and time', async () => {
    const store = fakeStore({ editMeasurement: jest.fn(async () => item()) });
    await edit(pulseId, { measuredAt: '2026-08-14T09:30:00+02:00' }, store);
    expect(store.editMeasurement).toHaveBeenCalledWith(
      { userId: 'alice', type: 'PULSE', externalId: 'hk-1' },
      { measuredAt: '2026-08-14T07:30:00.000Z' },
      { requestId: 'req-edit', at: NOW.toISOString() },
      // The version it was planned from: the write is conditioned on the row still being it.
      item(),
    );
  });

  test('a plain edit that finds the row changed since it was read plans again from a fresh read', async () => {
    const changed = item({ value: 80, requestId: 'req-other' });
    const store = fakeStore({
      getMeasurement: jest.fn().mockResolvedValueOnce(item()).mockResolvedValue(changed),
      editMeasurement: jest
        .fn()
        .mockResolvedValueOnce(undefined)
        .mockImplementationOnce(async () => ({ ...changed, value: 70 })),
    });
    expect(await edit(pulseId, { value: 70 }, store)).toMatchObject({ status: 'edited', row: { value: 70 } });
    expect(store.editMeasurement.mock.calls.map((call) => call[3])).toEqual([item(), changed]);
  });

  test('a row that keeps changing under the edit is a conflict after 5 attempts, not a 500', async () => {
    const store = fakeStore({ editMeasurement: jest.fn(async () => undefined) });
    expect(await edit(pulseId, { value: 70 }, store)).toEqual({ status: 'conflict' });
    expect(store.editMeasurement).toHaveBeenCalledTimes(5);
  });
});

describe('notes: a new note is set, null and "" clear it, an empty edit changes nothing', () => {
  test.each([
    [{ notes: 'after the run' }, { notes: 'after the run' }],
    [{ notes: null }, { notes: null }],
    [{ notes: '' }, { notes: null }],
    [
      { value: 70, notes: 'x' },
      { value: 70, notes: 'x' },
    ],
  ])('%j is stored as %j', async (change, stored) => {
    const store = fakeStore({ editMeasurement: jest.fn(async () => item()) });
    expect(await edit(pulseId, change, store)).toMatchObject({ status: 'edited' });
    expect(store.editMeasurement.mock.calls[0]![1]).toEqual(stored);
  });

  test('an empty edit writes nothing and answers the row as it is', async () => {
    const store = fakeStore({ getMeasurement: jest.fn(async () => item({ value: 66 })) });
    expect(await edit(pulseId, {}, store)).toEqual({
      status: 'edited',
      row: expect.objectContaining({ id: pulseId, value: 66 }),
    });
    expect(store.editMeasurement).not.toHaveBeenCalled();
    expect(store.moveManualReading).not.toHaveBeenCalled();
  });
});

describe('moving a hand-entered reading moves its uniqueness marker with it', () => {
  const reading = manualItem();

  test('a new instant of a manual row goes through moveManualReading, planned from the row as read', async () => {
    const moved = { ...reading, measuredAt: '2026-08-14T07:30:00.000Z' };
    const store = fakeStore({
      getMeasurement: jest.fn(async () => reading),
      moveManualReading: jest.fn(async () => ({ status: 'edited' as const, item: moved })),
    });
    const outcome = await edit(reading.id, { measuredAt: '2026-08-14T09:30:00+02:00' }, store);
    expect(outcome).toEqual({ status: 'edited', row: expect.objectContaining({ id: reading.id }) });
    expect(store.moveManualReading).toHaveBeenCalledWith(
      { userId: 'alice', type: 'WEIGHT', externalId: 'manual:u-1' },
      reading,
      { measuredAt: '2026-08-14T07:30:00.000Z' },
      { requestId: 'req-edit', at: NOW.toISOString() },
    );
    expect(store.editMeasurement).not.toHaveBeenCalled();
  });

  test('the same instant written another way, a value or a note: a plain edit, no marker involved', async () => {
    const store = fakeStore({
      getMeasurement: jest.fn(async () => reading),
      editMeasurement: jest.fn(async () => reading),
    });
    await edit(reading.id, { measuredAt: '2026-08-14T09:00:00+02:00', value: 73 }, store);
    await edit(reading.id, { notes: 'x' }, store);
    expect(store.moveManualReading).not.toHaveBeenCalled();
    expect(store.editMeasurement).toHaveBeenCalledTimes(2);
  });

  test('another hand-entered reading at the new instant: duplicate', async () => {
    const store = fakeStore({
      getMeasurement: jest.fn(async () => reading),
      moveManualReading: jest.fn(async () => ({ status: 'duplicate' as const })),
    });
    expect(await edit(reading.id, { measuredAt: '2026-08-14T06:00:00Z' }, store)).toEqual({
      status: 'duplicate',
    });
  });

  test('a stale plan is re-read and tried again; a row deleted meanwhile is not_found', async () => {
    const edited = { ...reading, value: 80, requestId: 'req-other' };
    const reads = [reading, edited];
    const store = fakeStore({
      getMeasurement: jest.fn(async () => reads.shift() ?? edited),
      moveManualReading: jest
        .fn()
        .mockResolvedValueOnce({ status: 'stale' })
        .mockImplementationOnce(async (_ref, current: StoredMeasurement) => ({
          status: 'edited',
          item: { ...current, measuredAt: '2026-08-14T06:00:00.000Z' },
        })),
    });
    expect(await edit(reading.id, { measuredAt: '2026-08-14T06:00:00Z' }, store)).toMatchObject({
      status: 'edited',
      row: { value: 80, measuredAt: '2026-08-14T06:00:00.000Z' },
    });
    expect(store.moveManualReading.mock.calls[1]![1]).toBe(edited);

    const gone = fakeStore({
      getMeasurement: jest
        .fn()
        .mockResolvedValueOnce(reading)
        .mockResolvedValueOnce({ ...reading, deletedAt: NOW.toISOString() }),
      moveManualReading: jest.fn(async () => ({ status: 'stale' as const })),
    });
    expect(await edit(reading.id, { measuredAt: '2026-08-14T06:00:00Z' }, gone)).toEqual({
      status: 'not_found',
    });
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
  const create = (readings: ReadingInput[], store: MeasurementRowStore) =>
    createMeasurements(
      { userId: 'alice', readings, requestId: 'req-create', now: NOW },
      { store, newUuid: () => `uuid-${++uuids}` },
    );

  test('gets a key of its own under manual:<uuid>, the type’s unit and the instant in stored form', async () => {
    uuids = 0;
    const store = fakeStore();
    const outcome = await create([weight({ notes: 'after the run', deviceType: 'scale' })], store);
    const [planned] = store.createManualReadings.mock.calls[0]![0];
    expect(planned).toEqual({
      ref: { userId: 'alice', type: 'WEIGHT', externalId: 'manual:uuid-1' },
      id: measurementId('WEIGHT', 'manual:uuid-1'),
      reading: {
        type: 'WEIGHT',
        value: 72.5,
        unit: 'kg',
        measuredAt: '2026-08-14T07:00:00.000Z',
        source: 'MANUAL',
        notes: 'after the run',
        glucoseContext: null,
        deviceType: 'scale',
      },
    });
    expect(outcome).toEqual({
      status: 'created',
      rows: [
        expect.objectContaining({
          id: planned!.id,
          unit: 'kg',
          notes: 'after the run',
          externalId: null,
          hkIdentifier: null,
          startDate: null,
        }),
      ],
    });
  });

  test('an empty note is no note', async () => {
    const store = fakeStore();
    await create([weight({ notes: '' })], store);
    expect(store.createManualReadings.mock.calls[0]![0][0]!.reading.notes).toBeNull();
  });

  test('several readings: one call to the store, rows in request order', async () => {
    const store = fakeStore();
    const outcome = await create(
      [
        weight({ type: 'BLOOD_PRESSURE_SYS', value: 120 }),
        weight({ type: 'BLOOD_PRESSURE_DIA', value: 80 }),
        weight({ type: 'PULSE', value: 64 }),
      ],
      store,
    );
    expect(store.createManualReadings).toHaveBeenCalledTimes(1);
    expect(outcome.status === 'created' && outcome.rows.map((row) => [row.type, row.unit])).toEqual([
      ['BLOOD_PRESSURE_SYS', 'mmHg'],
      ['BLOOD_PRESSURE_DIA', 'mmHg'],
      ['PULSE', 'bpm'],
    ]);
  });

  test('two equal readings in one request are a duplicate before anything is written', async () => {
    const store = fakeStore();
    const twice = [weight(), weight({ value: 80, measuredAt: '2026-08-14T07:00:00.000Z' })];
    expect(await create(twice, store)).toEqual({ status: 'duplicate' });
    expect(store.createManualReadings).not.toHaveBeenCalled();
  });

  test('the same instant with another type or another source is not a duplicate', async () => {
    const store = fakeStore();
    const outcome = await create(
      [weight(), weight({ type: 'BODY_FAT', value: 20 }), weight({ source: 'APPLE_HEALTH' })],
      store,
    );
    expect(outcome.status).toBe('created');
  });

  test('the store’s duplicate is the answer', async () => {
    const store = fakeStore({
      createManualReadings: jest.fn(async () => ({ status: 'duplicate' as const })),
    });
    expect(await create([weight()], store)).toEqual({ status: 'duplicate' });
  });
});

describe('deletes', () => {
  test('DELETE /{id}: a row deleted now or before is deleted; nothing of the caller’s is not_found', async () => {
    for (const [stored, answer] of [
      ['deleted', 'deleted'],
      ['already_deleted', 'deleted'],
      ['not_found', 'not_found'],
    ] as const) {
      const store = fakeStore({ softDeleteMeasurement: jest.fn(async () => stored) });
      expect(
        await deleteMeasurement({ userId: 'alice', id: pulseId, requestId: 'r', now: NOW }, store),
      ).toEqual({
        status: answer,
      });
    }
  });

  test('bulk delete counts only the rows this call deleted, each distinct id once, skipping non-ids', async () => {
    const outcomes: Record<string, 'deleted' | 'already_deleted' | 'not_found'> = {
      a: 'deleted',
      b: 'already_deleted',
      c: 'not_found',
      d: 'deleted',
    };
    const store = fakeStore({
      softDeleteMeasurement: jest.fn(async (ref: MeasurementRef) => outcomes[ref.externalId] ?? 'not_found'),
    });
    const ids = ['a', 'b', 'c', 'd', 'a'].map((externalId) => measurementId('PULSE', externalId));
    const result = await bulkDeleteMeasurements(
      { userId: 'alice', ids: [...ids, 'day:PULSE:2026-08-14', 'garbage'], requestId: 'req-bulk', now: NOW },
      { store, concurrency: 2 },
    );
    expect(result).toEqual({ deleted: 2 });
    expect(store.softDeleteMeasurement).toHaveBeenCalledTimes(4);
    expect(store.softDeleteMeasurement).toHaveBeenCalledWith(
      { userId: 'alice', type: 'PULSE', externalId: 'a' },
      { requestId: 'req-bulk', at: NOW.toISOString() },
    );
  });
});

describe('delete by externalIds', () => {
  const ref = (type: string, externalId: string): MeasurementRef => ({ userId: 'alice', type, externalId });

  test('looks each distinct externalId up once, deletes HealthKit rows found, counts only deletes that happened', async () => {
    const found: Record<string, MeasurementRef[]> = {
      a: [ref('PULSE', 'a'), ref('WEIGHT', 'a')],
      b: [ref('PULSE', 'b')],
    };
    const store = fakeStore({
      findMeasurementsByExternalId: jest.fn(
        async (_user: string, externalId: string) => found[externalId] ?? [],
      ),
      // The weight row was deleted by someone else in between: its conditional delete fails.
      softDeleteMeasurement: jest.fn(async (target: MeasurementRef) =>
        target.type !== 'WEIGHT' ? ('deleted' as const) : ('already_deleted' as const),
      ),
    });
    const result = await deleteMeasurementsByExternalIds(
      { userId: 'alice', externalIds: ['a', 'b', 'a', 'c'], requestId: 'req-del', now: NOW },
      { store, concurrency: 2 },
    );
    expect(result).toEqual({ deletedCount: 2 });
    expect(store.findMeasurementsByExternalId.mock.calls.map(([, externalId]) => externalId)).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(store.softDeleteMeasurement).toHaveBeenCalledTimes(3);
    expect(store.softDeleteMeasurement).toHaveBeenCalledWith(
      ref('PULSE', 'b'),
      { requestId: 'req-del', at: NOW.toISOString() },
      { onlyHealthKitRows: true },
    );
  });

  test('an empty list looks nothing up', async () => {
    const store = fakeStore();
    expect(
      await deleteMeasurementsByExternalIds(
        { userId: 'alice', externalIds: [], requestId: 'r', now: NOW },
        { store, concurrency: 4 },
      ),
    ).toEqual({ deletedCount: 0 });
    expect(store.findMeasurementsByExternalId).not.toHaveBeenCalled();
  });

  test('one request tries at most 500 deletes, one a sample: rows beyond are left for a repeated request', async () => {
    const externalIds = Array.from({ length: MAX_EXTERNAL_IDS_PER_DELETE }, (_, i) => `hk-${i}`);
    // Each externalId posted under two types, which the app never does.
    const store = fakeStore({
      findMeasurementsByExternalId: jest.fn(async (_user: string, externalId: string) => [
        ref('PULSE', externalId),
        ref('WEIGHT', externalId),
      ]),
      softDeleteMeasurement: jest.fn(async () => 'deleted' as const),
    });
    const result = await deleteMeasurementsByExternalIds(
      { userId: 'alice', externalIds, requestId: 'r', now: NOW },
      { store, concurrency: 16 },
    );
    expect(store.findMeasurementsByExternalId).toHaveBeenCalledTimes(MAX_EXTERNAL_IDS_PER_DELETE);
    expect(store.softDeleteMeasurement).toHaveBeenCalledTimes(MAX_EXTERNAL_IDS_PER_DELETE);
    expect(result).toEqual({ deletedCount: MAX_EXTERNAL_IDS_PER_DELETE });
  });

  test('a row of another user the store might return is never deleted', async () => {
    const store = fakeStore({
      findMeasurementsByExternalId: jest.fn(async () => [{ userId: 'bob', type: 'PULSE', externalId: 'a' }]),
      softDeleteMeasurement: jest.fn(async () => 'deleted' as const),
    });
    const result = await deleteMeasurementsByExternalIds(
      { userId: 'alice', externalIds: ['a'], requestId: 'r', now: NOW },
      { store, concurrency: 4 },
    );
    expect(result).toEqual({ deletedCount: 0 });
    expect(store.softDeleteMeasurement).not.toHaveBeenCalled();
  });
});
