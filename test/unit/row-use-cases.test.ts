import {
  deleteMeasurement,
  deleteMeasurementsByExternalIds,
} from '../../functions/measurements/rows/delete-measurements';
import { editMeasurement } from '../../functions/measurements/rows/edit-measurement';
import { measurementId } from '../../functions/measurements/model/measurement-id';
import type { StoredMeasurement } from '../../functions/measurements/model/measurement';
import type { MeasurementRef, MeasurementRowStore } from '../../functions/measurements/rows/row-store';
import { getMeasurement } from '../../functions/measurements/rows/read-measurements';
import { storedItem, type StoredItemOptions } from '../support/stored-items';

const NOW = new Date('2026-08-14T08:00:00Z');

function item(overrides: StoredItemOptions = {}): StoredMeasurement {
  return storedItem(overrides);
}

/** A store whose every method is a jest mock; tests set only what they use. */
function fakeStore(overrides: Partial<MeasurementRowStore> = {}): jest.Mocked<MeasurementRowStore> {
  return {
    getMeasurement: jest.fn(async () => undefined),
    listMeasurements: jest.fn(async () => ({ items: [] })),
    editMeasurement: jest.fn(async () => undefined),
    softDeleteMeasurement: jest.fn(async () => false),
    findMeasurementsByExternalId: jest.fn(async () => []),
    ...overrides,
  } as jest.Mocked<MeasurementRowStore>;
}

const pulseId = measurementId('PULSE', 'hk-1');
const edit = (id: string, change: { value?: number; measuredAt?: string }, store: MeasurementRowStore) =>
  editMeasurement({ userId: 'alice', id, edit: change, requestId: 'req-edit', now: NOW }, store);

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
      measurementId('NOT_A_TYPE', 'x'),
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

  test('a soft-deleted item is not found', async () => {
    const store = fakeStore({ getMeasurement: jest.fn(async () => item({ deletedAt: NOW.toISOString() })) });
    expect(await getMeasurement({ userId: 'alice', id: pulseId }, store)).toEqual({ status: 'not_found' });
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
    expect(await edit(hrv, { value: 200 }, fakeStore())).toEqual({ status: 'not_found' });
    expect(await edit(hrv, { value: 250 }, fakeStore())).toEqual({
      status: 'invalid',
      issues: [{ path: 'value', code: 'value_out_of_range', message: 'Expected a value from 1 to 200 ms' }],
    });
  });

  test('an event’s value can only stay 1', async () => {
    const id = measurementId('HIGH_HEART_RATE_EVENT', 'event-1');
    expect(await edit(id, { value: 0 }, fakeStore())).toMatchObject({ status: 'invalid' });
    expect(await edit(id, { value: 1 }, fakeStore())).toEqual({ status: 'not_found' });
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

  test('the store gets the instant in stored UTC form, and the request id and time of the edit', async () => {
    const store = fakeStore({ editMeasurement: jest.fn(async () => item()) });
    await edit(pulseId, { measuredAt: '2026-08-14T09:30:00+02:00' }, store);
    expect(store.editMeasurement).toHaveBeenCalledWith(
      { userId: 'alice', type: 'PULSE', externalId: 'hk-1' },
      { value: undefined, measuredAt: '2026-08-14T07:30:00.000Z' },
      { requestId: 'req-edit', at: NOW.toISOString() },
    );
  });
});

describe('delete by externalIds', () => {
  const ref = (type: string, externalId: string): MeasurementRef => ({ userId: 'alice', type, externalId });

  test('looks each distinct externalId up once, deletes every row found, counts only deletes that happened', async () => {
    const found: Record<string, MeasurementRef[]> = {
      a: [ref('PULSE', 'a'), ref('WEIGHT', 'a')],
      b: [ref('PULSE', 'b')],
    };
    const store = fakeStore({
      findMeasurementsByExternalId: jest.fn(
        async (_user: string, externalId: string) => found[externalId] ?? [],
      ),
      // The weight row was deleted by someone else in between: its conditional delete fails.
      softDeleteMeasurement: jest.fn(async (target: MeasurementRef) => target.type !== 'WEIGHT'),
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
    expect(store.softDeleteMeasurement).toHaveBeenCalledWith(ref('PULSE', 'b'), {
      requestId: 'req-del',
      at: NOW.toISOString(),
    });
  });

  test('a row of another user the store might return is never deleted', async () => {
    const store = fakeStore({
      findMeasurementsByExternalId: jest.fn(async () => [{ userId: 'bob', type: 'PULSE', externalId: 'a' }]),
      softDeleteMeasurement: jest.fn(async () => true),
    });
    const result = await deleteMeasurementsByExternalIds(
      { userId: 'alice', externalIds: ['a'], requestId: 'r', now: NOW },
      { store, concurrency: 4 },
    );
    expect(result).toEqual({ deletedCount: 0 });
    expect(store.softDeleteMeasurement).not.toHaveBeenCalled();
  });
});
