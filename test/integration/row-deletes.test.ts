import { measurementId } from '../../functions/measurements/model/measurement-id';
import { entry, stepsDay } from '../support/batch-client';
import { type ApiAnswer } from '../support/measurements-api-client';
import { NOT_FOUND_BODY, rowApiSuite } from '../support/row-api-suite';

/**
 * The deletes of the row API (docs/row-api.md: DELETE, bulk-delete,
 * by-external-ids): the real handler and repository on DynamoDB Local.
 */
const suite = rowApiSuite('delete-user');

/** A heart-rate sample from HealthKit (source APPLE_HEALTH unless given). */
const pulse = (externalId: string, overrides: Record<string, unknown> = {}) =>
  entry({ externalId, startDate: '2026-08-14T06:00:00Z', endDate: '2026-08-14T06:00:00Z', ...overrides });

async function store(userId: string, entries: Record<string, unknown>[]): Promise<string[]> {
  const answer = await suite.post({ userId, body: { entries } });
  expect(answer.body.data.failed).toBe(0);
  expect(answer.body.data.skipped).toEqual([]);
  return answer.body.data.entries.map((outcome: { id: string }) => outcome.id);
}

async function handEntered(userId: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const answer = await suite.api.create(userId, {
    type: 'WEIGHT',
    value: 72.4,
    measuredAt: '2026-08-14T06:30:00Z',
    ...overrides,
  });
  expect(answer.status).toBe(201);
  return answer.body.data.id;
}

const liveIds = async (userId: string) =>
  (await suite.api.list(userId)).body.data.measurements.map((row: { id: string }) => row.id).sort();

function expectInvalid(answer: ApiAnswer, paths: string[]) {
  expect(answer.status).toBe(422);
  expect(answer.body).toEqual({
    data: null,
    error: 'Validation failed',
    details: { issues: expect.any(Array) },
  });
  expect(answer.body.details.issues.map((issue: { path: string }) => issue.path)).toEqual(paths);
}

describe('DELETE /api/measurements/{id}: deleting one’s own row again answers 200 again', () => {
  test('a batch row and a hand-entered row: 200 {deleted: true} twice, the first delete’s record kept', async () => {
    const userId = suite.newUser();
    const [sampleId] = await store(userId, [pulse('double-delete')]);
    const manualId = await handEntered(userId);
    for (const id of [sampleId!, manualId]) {
      const first = await suite.api.delete(userId, id, `req-first-${id}`);
      const again = await suite.api.delete(userId, id, `req-again-${id}`);
      expect(first.rawBody).toBe('{"data":{"deleted":true},"error":null}');
      expect(again.status).toBe(200);
      expect(again.rawBody).toBe(first.rawBody);
      expect((await suite.api.get(userId, id)).rawBody).toBe(NOT_FOUND_BODY);
    }
    const sample = await suite.table.item(userId, 'PULSE', 'double-delete');
    expect(sample).toMatchObject({ writer: 'delete', requestId: `req-first-${sampleId}` });
  });

  test('an unknown, foreign or synthetic id is 404, and nothing is created', async () => {
    const [alice, bob] = [suite.newUser(), suite.newUser()];
    const [id] = await store(alice, [pulse('foreign-delete')]);
    for (const [userId, target] of [
      [alice, measurementId('PULSE', 'never-stored')],
      [bob, id!],
      [alice, 'day:PULSE:2026-08-14'],
      [alice, 'sleep:2026-08-14'],
      [alice, 'hour:2026-08-14T06:00:00.000Z'],
      [alice, 'not-an-id'],
    ] as const) {
      const answer = await suite.api.delete(userId, target);
      expect(answer.status).toBe(404);
      expect(answer.rawBody).toBe(NOT_FOUND_BODY);
    }
    expect(await suite.table.item(bob, 'PULSE', 'foreign-delete')).toBeUndefined();
    expect(await suite.table.item(alice, 'PULSE', 'never-stored')).toBeUndefined();
    expect((await suite.api.get(alice, id!)).status).toBe(200);
  });
});

describe('POST /api/measurements/bulk-delete {ids}: counts only the rows this call deleted', () => {
  test('unknown, foreign, already-deleted, synthetic and repeated ids are skipped silently', async () => {
    const [alice, bob] = [suite.newUser(), suite.newUser()];
    const [a, b, gone] = await store(alice, [
      pulse('bulk-a'),
      stepsDay('2026-08-14', 4000),
      pulse('bulk-gone'),
    ]);
    const manual = await handEntered(alice);
    const [bobs] = await store(bob, [pulse('bulk-bob')]);
    await suite.api.delete(alice, gone!);

    const answer = await suite.api.bulkDelete(alice, {
      ids: [a, b, manual, a, gone, bobs, measurementId('PULSE', 'never'), 'day:PULSE:2026-08-14', 'x'],
    });
    expect(answer.status).toBe(200);
    expect(answer.rawBody).toBe('{"data":{"deleted":3},"error":null}');
    expect(await liveIds(alice)).toEqual([]);
    expect(await liveIds(bob)).toEqual([bobs]);

    const again = await suite.api.bulkDelete(alice, { ids: [a, b, manual] });
    expect(again.body.data).toEqual({ deleted: 0 });
  });

  test('200 ids are fine', async () => {
    const userId = suite.newUser();
    const ids = await store(
      userId,
      Array.from({ length: 200 }, (_, i) =>
        pulse(`bulk-${i}`, { startDate: new Date(Date.UTC(2026, 7, 14, 6, i)).toISOString() }),
      ),
    );
    const answer = await suite.api.bulkDelete(userId, { ids });
    expect(answer.body.data).toEqual({ deleted: 200 });
  });

  test.each([
    ['unknown keys', { ids: ['a'], force: true }, ['']],
    ['ids missing', {}, ['ids']],
    ['an empty list', { ids: [] }, ['ids']],
    ['201 ids', { ids: Array.from({ length: 201 }, (_, i) => `id-${i}`) }, ['ids']],
    ['an empty id', { ids: ['a', ''] }, ['ids.1']],
    ['an id that is not a string', { ids: [7] }, ['ids.0']],
    ['a list instead of the object', ['a'], ['']],
  ])('the body is strict: %s is 422 and nothing is deleted', async (_name, body, paths) => {
    const userId = suite.newUser();
    const [id] = await store(userId, [pulse('strict-bulk')]);
    expectInvalid(await suite.api.bulkDelete(userId, body), paths);
    expect(await liveIds(userId)).toEqual([id]);
  });
});

describe('DELETE /api/measurements/by-external-ids: only the caller’s HealthKit rows', () => {
  test('an empty list answers {deletedCount: 0}', async () => {
    const answer = await suite.api.deleteByExternalIds(suite.newUser(), { externalIds: [] });
    expect(answer.status).toBe(200);
    expect(answer.rawBody).toBe('{"data":{"deletedCount":0},"error":null}');
  });

  test('rows of several types with that externalId all go; repeats count once', async () => {
    const userId = suite.newUser();
    await store(userId, [
      pulse('same-uuid'),
      pulse('same-uuid', {
        hkIdentifier: 'HKQuantityTypeIdentifierBodyMass',
        value: 70,
        unit: 'kg',
      }),
      pulse('other-uuid'),
    ]);
    const answer = await suite.api.deleteByExternalIds(userId, { externalIds: ['same-uuid', 'same-uuid'] });
    expect(answer.body.data).toEqual({ deletedCount: 2 });
    expect(
      (await suite.api.list(userId)).body.data.measurements.map(
        (row: { externalId: string }) => row.externalId,
      ),
    ).toEqual(['other-uuid']);
  });

  test('a hand-entered row and a MANUAL-source batch row are left alone', async () => {
    const userId = suite.newUser();
    // The app posts the externalId it also gave the reading in HealthKit; the row does not keep it.
    const manual = await handEntered(userId, { externalId: 'app-uuid', source: 'APPLE_HEALTH' });
    const [byHand] = await store(userId, [pulse('typed-uuid', { source: 'MANUAL' })]);
    const [synced] = await store(userId, [pulse('synced-uuid', { startDate: '2026-08-14T07:00:00Z' })]);
    const manualSlot = (await suite.table.items()).find((item) => item.id === manual)!.pk as string;

    const answer = await suite.api.deleteByExternalIds(userId, {
      externalIds: ['app-uuid', 'typed-uuid', 'synced-uuid', manualSlot.split('#')[2]!],
    });
    expect(answer.body.data).toEqual({ deletedCount: 1 });
    expect(await liveIds(userId)).toEqual([manual, byHand].sort());
    expect((await suite.api.get(userId, synced!)).status).toBe(404);
    expect((await suite.api.get(userId, manual)).status).toBe(200);
  });

  test('another user’s rows with the same externalIds stay', async () => {
    const [alice, bob] = [suite.newUser(), suite.newUser()];
    await store(alice, [pulse('shared-1')]);
    const [bobs] = await store(bob, [pulse('shared-1')]);
    expect((await suite.api.deleteByExternalIds(alice, { externalIds: ['shared-1'] })).body.data).toEqual({
      deletedCount: 1,
    });
    expect(await liveIds(bob)).toEqual([bobs]);
  });

  test('more than 500: 422 "Batch exceeds the 500-entry limit", measurement.delete.too_large, before the schema', async () => {
    const answer = await suite.api.deleteByExternalIds(suite.newUser(), {
      externalIds: Array.from({ length: 501 }, () => 7),
    });
    expect(answer.status).toBe(422);
    expect(answer.body).toEqual({
      data: null,
      error: 'Batch exceeds the 500-entry limit',
      meta: { errorCode: 'measurement.delete.too_large' },
    });
    const fiveHundred = await suite.api.deleteByExternalIds(suite.newUser(), {
      externalIds: Array.from({ length: 500 }, (_, i) => `${'x'.repeat(100)}-${i}`),
    });
    expect(fiveHundred.body.data).toEqual({ deletedCount: 0 });
  });

  test('the body is strict: other keys, a missing list, bad strings are 422; over 256 KiB is 413', async () => {
    const userId = suite.newUser();
    expectInvalid(await suite.api.deleteByExternalIds(userId, { externalIds: ['a'], all: true }), ['']);
    expectInvalid(await suite.api.deleteByExternalIds(userId, {}), ['externalIds']);
    expectInvalid(await suite.api.deleteByExternalIds(userId, { externalIds: 'hk-1' }), ['externalIds']);
    expectInvalid(await suite.api.deleteByExternalIds(userId, { externalIds: ['ok', 5, ''] }), [
      'externalIds.1',
      'externalIds.2',
    ]);
    expectInvalid(await suite.api.deleteByExternalIds(userId, { externalIds: ['x'.repeat(121)] }), [
      'externalIds.0',
    ]);
    const large = await suite.api.deleteByExternalIds(userId, { externalIds: ['x'.repeat(300 * 1024)] });
    expect(large.status).toBe(413);
  });
});

describe('deletes log counts, never ids or values', () => {
  test('bulk-delete and by-external-ids log how many were asked and deleted', async () => {
    const userId = suite.newUser();
    const [id] = await store(userId, [pulse('logged-delete')]);
    await suite.api.bulkDelete(userId, { ids: [id, 'x'] });
    await suite.api.deleteByExternalIds(userId, { externalIds: ['logged-delete'] });
    const lines = suite.logs.events('measurement.api.request').filter((line) => line.userId === userId);
    expect(lines.map((line) => [line.route, line.requested, line.deleted ?? line.deletedCount])).toEqual([
      ['POST /api/measurements/bulk-delete', 2, 1],
      ['DELETE /api/measurements/by-external-ids', 1, 0],
    ]);
    expect(JSON.stringify(lines)).not.toContain('logged-delete');
  });
});
