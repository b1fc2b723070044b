import type { MeasurementRowStore } from '../../functions/measurements/rows/row-store';
import { TableRowStore } from '../../functions/measurements/storage/table-row-store';
import { measurementsApiClient, type ApiAnswer } from '../support/measurements-api-client';
import { rowApiSuite } from '../support/row-api-suite';

/**
 * Concurrent PUT, PATCH, DELETE and create on one hand-entered reading, through the real handler
 * and repository on DynamoDB Local (docs/row-api.md, "Edits and deletes on the item"): whatever
 * the interleaving, every row and its reading marker name the same instant, and no two
 * hand-entered readings share (type, instant, source). A lost race is a 409, never a 200 that
 * leaves the marker behind.
 */
const suite = rowApiSuite('race-user');

const T0 = '2026-07-18T14:30:00.000Z';
const T1 = '2026-07-18T15:00:00.000Z';
const T2 = '2026-07-18T15:30:00.000Z';

const weight = (measuredAt: string, value = 72.4) => ({
  type: 'WEIGHT',
  value,
  measuredAt,
  source: 'MANUAL',
});

/** Every answer of a round is one the contract allows for it; a 500 or a wrong 200 is a failure. */
function expectAllowed(answer: ApiAnswer, allowed: number[]) {
  expect(allowed).toContain(answer.status);
}

async function expectRowsAndMarkersAgree(userId: string) {
  const items = (await suite.table.items()).filter((item) => String(item.pk).startsWith(`${userId}#`));
  const rows = items.filter((item) => item.kind === 'manual');
  const markers = items.filter((item) => item.kind === 'reading-marker');
  // One marker per hand-entered row (deleted ones keep theirs), naming the row's own instant.
  const expected = rows
    .map((row) => ({
      pk: `${userId}#@reading#${String(row.type)}#${String(row.measuredAt)}#${String(row.source)}`,
      row: row.pk,
    }))
    .sort((a, b) => a.pk.localeCompare(b.pk));
  const actual = markers
    .map((marker) => ({ pk: marker.pk, row: marker.row }))
    .sort((a, b) => String(a.pk).localeCompare(String(b.pk)));
  expect(actual).toEqual(expected);
  // At most one reading per (type, instant, source), deleted ones included.
  const identities = rows.map((row) => `${String(row.type)}#${String(row.measuredAt)}#${String(row.source)}`);
  expect(new Set(identities).size).toBe(identities.length);
}

describe('edits, deletes and creates racing on one reading leave the row and its marker agreeing', () => {
  test('PUT back to its own instant racing a PATCH that moves it: the marker follows the row', async () => {
    for (let round = 0; round < 10; round++) {
      const userId = suite.newUser();
      const created = await suite.api.create(userId, weight(T0));
      expect(created.status).toBe(201);
      const id = created.body.data.id;
      const answers = await Promise.all([
        suite.api.put(userId, id, { value: 73, measuredAt: T0 }),
        suite.api.patch(userId, id, { measuredAt: T1 }),
        suite.api.put(userId, id, { value: 74, measuredAt: T0 }),
        suite.api.patch(userId, id, { measuredAt: T2 }),
      ]);
      for (const answer of answers) expectAllowed(answer, [200, 409]);
      await expectRowsAndMarkersAgree(userId);
      const row = (await suite.api.get(userId, id)).body.data;
      // The instant a fresh create finds taken is exactly the row's.
      for (const instant of [T0, T1, T2]) {
        const again = await suite.api.create(userId, weight(instant, 80));
        expect(again.status).toBe(instant === row.measuredAt ? 409 : 201);
      }
      await expectRowsAndMarkersAgree(userId);
    }
  }, 30_000);

  test('many rounds of PUT, PATCH, DELETE and create interleaved: every round ends consistent', async () => {
    for (let round = 0; round < 12; round++) {
      const userId = suite.newUser();
      const created = await suite.api.create(userId, weight(T0));
      const id = created.body.data.id;
      const edits: Array<Promise<ApiAnswer>> = [
        suite.api.put(userId, id, { value: 73, measuredAt: T0 }),
        suite.api.patch(userId, id, { measuredAt: T1 }),
        suite.api.put(userId, id, { measuredAt: T2, notes: `round ${round}` }),
        suite.api.patch(userId, id, { value: 75 }),
      ];
      const creates = [suite.api.create(userId, weight(T1, 90)), suite.api.create(userId, weight(T0, 91))];
      // Every third round also deletes the reading in the middle of it all.
      const deletes = round % 3 === 0 ? [suite.api.delete(userId, id)] : [];
      const [editAnswers, createAnswers, deleteAnswers] = await Promise.all([
        Promise.all(edits),
        Promise.all(creates),
        Promise.all(deletes),
      ]);
      for (const answer of editAnswers)
        expectAllowed(answer, deletes.length > 0 ? [200, 404, 409] : [200, 409]);
      for (const answer of createAnswers) expectAllowed(answer, [201, 409]);
      for (const answer of deleteAnswers) expectAllowed(answer, [200]);
      await expectRowsAndMarkersAgree(userId);
    }
  }, 30_000);
});

describe('a row that keeps changing under an edit', () => {
  test('409 measurement.edit_conflict after 5 attempts, and nothing of the edit is written', async () => {
    const userId = suite.newUser();
    const created = await suite.api.create(userId, weight(T0));
    const id = created.body.data.id;
    const repository = new TableRowStore(suite.table.documentClient, suite.table.tableName);
    // Another writer gets in before every attempt: each edit finds the row changed since its read.
    let interleaved = 0;
    const editMeasurement: MeasurementRowStore['editMeasurement'] = async (ref, change, by, expected) => {
      interleaved++;
      await repository.editMeasurement(
        ref,
        { notes: `other ${interleaved}` },
        { requestId: `other-${interleaved}`, at: new Date().toISOString() },
      );
      return repository.editMeasurement(ref, change, by, expected);
    };
    const store = Object.assign(Object.create(repository) as TableRowStore, { editMeasurement });
    const api = measurementsApiClient({
      store,
      documentClient: suite.table.documentClient,
      tableName: suite.table.tableName,
    });
    const answer = await api.put(userId, id, { value: 99 });
    expect(answer.status).toBe(409);
    expect(answer.body).toEqual({
      data: null,
      error: 'The measurement was changed by another request, try again',
      meta: { errorCode: 'measurement.edit_conflict' },
    });
    expect(interleaved).toBe(5);
    expect((await suite.api.get(userId, id)).body.data).toMatchObject({ value: 72.4, notes: 'other 5' });
  });
});
