import { createDocumentClient } from '../../functions/commons/dynamodb-client';
import { measurementId } from '../../functions/measurements/model/measurement-id';
import { entry } from '../support/batch-client';
import { startFaultyDynamoDb, type Fault, type FaultyDynamoDb } from '../support/fault-injection';
import {
  measurementsApiClient,
  type ApiAnswer,
  type MeasurementsApi,
} from '../support/measurements-api-client';
import { NOT_FOUND_BODY, ROW_KEYS, rowApiSuite } from '../support/row-api-suite';

/**
 * `POST /api/measurements` and the edits of what it creates (docs/row-api.md, "Readings
 * entered by hand", and "Edits and deletes on the item"): the real handler and repository
 * on DynamoDB Local.
 */
const suite = rowApiSuite('hand-user');

const DUPLICATE_BODY = {
  data: null,
  error: 'A measurement with this data already exists',
  meta: { errorCode: 'measurement.duplicate_timestamp' },
};

/** A weight as the app posts it: whole seconds in UTC, its own externalId (ignored), a note. */
function weight(overrides: Record<string, unknown> = {}) {
  return {
    type: 'WEIGHT',
    value: 72.4,
    measuredAt: '2026-07-18T14:30:00Z',
    source: 'MANUAL',
    externalId: 'B5E3A9F2-1C4D-4E8F-9A0B-7C6D5E4F3A2B',
    notes: 'after the morning run',
    ...overrides,
  };
}

/** Every item of the user — rows and reading markers — for "nothing was written" checks. */
async function itemsOf(userId: string) {
  return (await suite.table.items()).filter((item) => String(item.pk).startsWith(`${userId}#`));
}
const rowsOf = async (userId: string) =>
  (await itemsOf(userId)).filter((item) => item.kind !== 'reading-marker');
const markersOf = async (userId: string) =>
  (await itemsOf(userId)).filter((item) => item.kind === 'reading-marker');

async function created(userId: string, body: unknown): Promise<Record<string, any>> {
  const answer = await suite.api.create(userId, body);
  expect(answer.status).toBe(201);
  return answer.body.data;
}

function expectInvalid(answer: ApiAnswer, paths: string[]) {
  expect(answer.status).toBe(422);
  expect(answer.body).toEqual({
    data: null,
    error: 'Validation failed',
    meta: { errorCode: 'measurement.create.invalid' },
    details: { issues: expect.any(Array) },
  });
  expect(answer.body.details.issues.map((issue: { path: string }) => issue.path)).toEqual(paths);
}

describe('POST /api/measurements creates one reading: 201 with the row', () => {
  test('the type’s unit is stamped, the app’s externalId ignored, and the row has no HealthKit origin', async () => {
    const userId = suite.newUser();
    const answer = await suite.api.create(userId, weight({ unit: 'lb' }), {}, 'req-create-1');
    expect(answer.status).toBe(201);
    expect(answer.headers['cache-control']).toBe('private, no-store');
    const row = answer.body.data;
    expect(Object.keys(row)).toEqual(ROW_KEYS);
    expect(row).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]+$/),
      type: 'WEIGHT',
      value: 72.4,
      unit: 'kg',
      source: 'MANUAL',
      measuredAt: '2026-07-18T14:30:00.000Z',
      notes: 'after the morning run',
      valueMin: null,
      valueMax: null,
      externalId: null,
      externalSourceVersion: null,
      hkIdentifier: null,
      startDate: null,
      sleepStage: null,
      rhythmClassification: null,
      glucoseContext: null,
      deviceType: null,
      createdAt: expect.any(String),
      updatedAt: row.createdAt,
    });
    expect(answer.rawBody).not.toContain('B5E3A9F2');
    expect(answer.rawBody).not.toContain(userId);

    expect((await suite.api.get(userId, row.id)).body.data).toEqual(row);
    expect((await suite.api.list(userId, { type: 'WEIGHT' })).body.data.measurements).toEqual([row]);
  });

  test('stored as a manual row written by create with the request id, plus its uniqueness marker', async () => {
    const userId = suite.newUser();
    const row = await suite.api
      .create(userId, weight(), {}, 'req-create-2')
      .then((answer) => answer.body.data);
    const [item] = await rowsOf(userId);
    expect(item).toMatchObject({
      kind: 'manual',
      writer: 'create',
      requestId: 'req-create-2',
      id: row.id,
      externalId: null,
      gsiUser: userId,
      gsiUserType: `${userId}#WEIGHT`,
    });
    expect(String(item!.pk)).toMatch(new RegExp(`^${userId}#WEIGHT#manual:[0-9a-f-]{36}$`));
    expect(item).not.toHaveProperty('gsiUserExternalId');
    expect(await markersOf(userId)).toEqual([
      {
        pk: `${userId}#@reading#WEIGHT#2026-07-18T14:30:00.000Z#MANUAL`,
        // Its owner puts it in the byOwner index, where export and erasure find every item of a user.
        userId,
        kind: 'reading-marker',
        row: item!.pk,
        createdAt: item!.createdAt,
      },
    ]);
  });

  test('source defaults to MANUAL; APPLE_HEALTH may be named; an empty note is no note', async () => {
    const userId = suite.newUser();
    const { notes: _notes, source: _source, ...bare } = weight();
    expect(await created(userId, bare)).toMatchObject({ source: 'MANUAL', notes: null });
    expect(
      await created(
        userId,
        weight({ source: 'APPLE_HEALTH', notes: '', measuredAt: '2026-07-18T15:00:00Z' }),
      ),
    ).toMatchObject({ source: 'APPLE_HEALTH', notes: null });
    expect(
      await created(userId, weight({ source: null, notes: null, measuredAt: '2026-07-18T16:00:00Z' })),
    ).toMatchObject({ source: 'MANUAL', notes: null });
    expect((await rowsOf(userId)).every((item) => !('notes' in item))).toBe(true);
  });

  test('a glucose reading carries its context; a device type is kept', async () => {
    const userId = suite.newUser();
    const row = await created(userId, {
      type: 'BLOOD_GLUCOSE',
      value: 98,
      measuredAt: '2026-07-18T07:00:00+02:00',
      glucoseContext: 'FASTING',
      deviceType: 'Contour Next One',
    });
    expect(row).toMatchObject({
      unit: 'mg/dL',
      glucoseContext: 'FASTING',
      deviceType: 'Contour Next One',
      measuredAt: '2026-07-18T05:00:00.000Z',
    });
  });
});

describe('an array of 1–5 readings is created all together or not at all', () => {
  test('201 with the rows in request order, each with its own id and the type’s unit', async () => {
    const userId = suite.newUser();
    const at = '2026-07-18T08:00:00Z';
    const answer = await suite.api.create(userId, [
      { type: 'BLOOD_PRESSURE_SYS', value: 124, measuredAt: at },
      { type: 'BLOOD_PRESSURE_DIA', value: 82, measuredAt: at },
      { type: 'PULSE', value: 64, measuredAt: at },
    ]);
    expect(answer.status).toBe(201);
    expect(answer.body.data.map((row: Record<string, unknown>) => [row.type, row.value, row.unit])).toEqual([
      ['BLOOD_PRESSURE_SYS', 124, 'mmHg'],
      ['BLOOD_PRESSURE_DIA', 82, 'mmHg'],
      ['PULSE', 64, 'bpm'],
    ]);
    expect(new Set(answer.body.data.map((row: { id: string }) => row.id)).size).toBe(3);
    expect(answer.body.data.every((row: Record<string, unknown>) => row.externalId === null)).toBe(true);
    expect(await rowsOf(userId)).toHaveLength(3);
    expect(await markersOf(userId)).toHaveLength(3);
  });

  test('an array of one answers an array of one', async () => {
    const answer = await suite.api.create(suite.newUser(), [weight()]);
    expect(answer.status).toBe(201);
    expect(answer.body.data).toEqual([expect.objectContaining({ type: 'WEIGHT' })]);
  });

  test('one invalid reading: 422 naming it by its index, and nothing of the array is written', async () => {
    const userId = suite.newUser();
    const answer = await suite.api.create(userId, [
      weight(),
      weight({ type: 'PULSE', value: 500, measuredAt: '2026-07-18T14:31:00Z' }),
      weight({ type: 'BODY_FAT', value: 20, measuredAt: 'yesterday' }),
    ]);
    expectInvalid(answer, ['1', '2.measuredAt']);
    expect(answer.body.details.issues[0]).toEqual({
      path: '1',
      code: 'custom',
      message: 'Value out of plausible range',
    });
    expect(await itemsOf(userId)).toEqual([]);
  });

  test('one reading repeating an earlier one: 409, and nothing of the array is written', async () => {
    const userId = suite.newUser();
    await created(userId, weight());
    const answer = await suite.api.create(userId, [
      weight({ type: 'BODY_FAT', value: 21 }),
      weight({ value: 80 }),
    ]);
    expect(answer.status).toBe(409);
    expect(answer.body).toEqual(DUPLICATE_BODY);
    expect(await rowsOf(userId)).toHaveLength(1);
    expect(await markersOf(userId)).toHaveLength(1);
  });

  test('two equal readings inside one array: 409 before anything is written', async () => {
    const userId = suite.newUser();
    const answer = await suite.api.create(userId, [
      weight(),
      weight({ value: 73, measuredAt: '2026-07-18T16:30:00+02:00' }),
    ]);
    expect(answer.status).toBe(409);
    expect(answer.body).toEqual(DUPLICATE_BODY);
    expect(await itemsOf(userId)).toEqual([]);
  });
});

describe('blood pressure arrives as two posts', () => {
  test('systolic, then diastolic at the same instant: two rows, two ids, and the pair reads back', async () => {
    const userId = suite.newUser();
    const at = '2026-07-18T14:30:00Z';
    const systolic = await suite.api.create(
      userId,
      { type: 'BLOOD_PRESSURE_SYS', value: 128, measuredAt: at, notes: 'left arm', externalId: 'bp-1' },
      { 'Idempotency-Key': '0b6f6c2e-3f1a-4c55-9f0e-6a1c0d2b7e11' },
    );
    const diastolic = await suite.api.create(
      userId,
      { type: 'BLOOD_PRESSURE_DIA', value: 84, measuredAt: at, externalId: 'bp-1' },
      { 'Idempotency-Key': '0b6f6c2e-3f1a-4c55-9f0e-6a1c0d2b7e11:p1' },
    );
    expect([systolic.status, diastolic.status]).toEqual([201, 201]);
    expect(systolic.body.data.id).not.toBe(diastolic.body.data.id);
    const sys = await suite.api.list(userId, { type: 'BLOOD_PRESSURE_SYS' });
    const dia = await suite.api.list(userId, { type: 'BLOOD_PRESSURE_DIA' });
    expect(sys.body.data.measurements).toEqual([systolic.body.data]);
    expect(dia.body.data.measurements).toEqual([diastolic.body.data]);
    expect(sys.body.data.measurements[0].measuredAt).toBe(dia.body.data.measurements[0].measuredAt);
  });
});

describe('a hand-entered reading is unique per (user, type, measuredAt, source), deleted ones included', () => {
  test('the same reading again: 409 measurement.duplicate_timestamp and nothing written', async () => {
    const userId = suite.newUser();
    await created(userId, weight());
    const before = await itemsOf(userId);
    const again = await suite.api.create(userId, weight({ value: 99, notes: 'typo fixed' }));
    expect(again.status).toBe(409);
    expect(again.body).toEqual(DUPLICATE_BODY);
    expect(await itemsOf(userId)).toEqual(before);
  });

  test('the same millisecond written in another zone is the same reading', async () => {
    const userId = suite.newUser();
    await created(userId, weight({ measuredAt: '2026-07-18T14:30:00.250Z' }));
    expect(
      (await suite.api.create(userId, weight({ measuredAt: '2026-07-18T16:30:00.25+02:00' }))).status,
    ).toBe(409);
    expect((await suite.api.create(userId, weight({ measuredAt: '2026-07-18T14:30:00.251Z' }))).status).toBe(
      201,
    );
  });

  test('a deleted reading still counts: 409, and nothing written', async () => {
    const userId = suite.newUser();
    const row = await created(userId, weight());
    expect((await suite.api.delete(userId, row.id)).status).toBe(200);
    const again = await suite.api.create(userId, weight());
    expect(again.status).toBe(409);
    expect(await rowsOf(userId)).toHaveLength(1);
  });

  test('another type, another source or another user at the same instant is another reading', async () => {
    const userId = suite.newUser();
    await created(userId, weight());
    expect((await suite.api.create(userId, weight({ type: 'BODY_FAT', value: 20 }))).status).toBe(201);
    expect((await suite.api.create(userId, weight({ source: 'APPLE_HEALTH' }))).status).toBe(201);
    expect((await suite.api.create(suite.newUser(), weight())).status).toBe(201);
  });

  test('batch rows and hand-entered rows never collide: the same type and instant from HealthKit is its own row', async () => {
    const userId = suite.newUser();
    const batch = await suite.post({
      userId,
      body: {
        entries: [
          entry({
            hkIdentifier: 'HKQuantityTypeIdentifierBodyMass',
            value: 72.4,
            unit: 'kg',
            startDate: '2026-07-18T14:30:00Z',
            endDate: '2026-07-18T14:30:00Z',
            externalId: 'B5E3A9F2-1C4D-4E8F-9A0B-7C6D5E4F3A2B',
          }),
        ],
      },
    });
    expect(batch.body.data.inserted).toBe(1);
    const row = await created(userId, weight({ source: 'APPLE_HEALTH' }));
    expect(row.id).not.toBe(batch.body.data.entries[0].id);
    const repost = await suite.post({
      userId,
      body: {
        entries: [
          entry({
            hkIdentifier: 'HKQuantityTypeIdentifierBodyMass',
            value: 90,
            unit: 'kg',
            startDate: '2026-07-18T14:30:00Z',
            endDate: '2026-07-18T14:30:00Z',
            externalId: 'B5E3A9F2-1C4D-4E8F-9A0B-7C6D5E4F3A2B',
          }),
        ],
      },
    });
    expect(repost.body.data.duplicates).toBe(1);
    expect((await suite.api.get(userId, row.id)).body.data.value).toBe(72.4);
  });

  test('two concurrent creates of the same reading: exactly one 201 and one 409', async () => {
    for (let round = 0; round < 5; round++) {
      const userId = suite.newUser();
      const answers = await Promise.all([
        suite.api.create(userId, weight()),
        suite.api.create(userId, weight()),
      ]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
      expect(await rowsOf(userId)).toHaveLength(1);
      expect(await markersOf(userId)).toHaveLength(1);
    }
  });

  test('ten concurrent creates of the same reading: exactly one row', async () => {
    const userId = suite.newUser();
    const answers = await Promise.all(Array.from({ length: 10 }, () => suite.api.create(userId, weight())));
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(9);
    expect(await rowsOf(userId)).toHaveLength(1);
  });
});

describe('two writes of one marker at the same moment: the cancelled transaction is retried', () => {
  let faulty: FaultyDynamoDb;
  let viaFaulty: MeasurementsApi;

  beforeAll(async () => {
    faulty = await startFaultyDynamoDb(suite.table.endpoint);
    const client = createDocumentClient({
      DYNAMODB_ENDPOINT: faulty.endpoint,
      DYNAMODB_MAX_ATTEMPTS: 3,
      DYNAMODB_REQUEST_TIMEOUT_MS: 3000,
      WRITE_CONCURRENCY: 16,
    });
    viaFaulty = measurementsApiClient({ documentClient: client, tableName: suite.table.tableName });
  });
  afterAll(async () => faulty.close());
  afterEach(() => faulty.setPlan(undefined));

  /** What DynamoDB answers when another transaction holds one of the items. */
  const conflict = (reasons: string[]): Fault => ({
    kind: 'error',
    name: 'TransactionCanceledException',
    status: 400,
    applied: false,
    details: { CancellationReasons: reasons.map((Code) => ({ Code })) },
  });

  test('a create cancelled twice by TransactionConflict still answers 201, written once', async () => {
    const userId = suite.newUser();
    faulty.setPlan((call) =>
      call.operation === 'TransactWriteItems' && call.attempt <= 2
        ? conflict(['None', 'TransactionConflict'])
        : undefined,
    );
    const answer = await viaFaulty.create(userId, weight());
    expect(answer.status).toBe(201);
    expect(faulty.injected).toHaveLength(2);
    expect(await rowsOf(userId)).toHaveLength(1);
  });

  test('a move cancelled by TransactionConflict is retried too', async () => {
    const userId = suite.newUser();
    const row = await created(userId, weight());
    faulty.setPlan((call) =>
      call.operation === 'TransactWriteItems' && call.attempt === 1
        ? conflict(['None', 'None', 'TransactionConflict'])
        : undefined,
    );
    const answer = await viaFaulty.put(userId, row.id, { measuredAt: '2026-07-18T15:00:00Z' });
    expect(answer.status).toBe(200);
    expect((await markersOf(userId)).map((marker) => marker.pk)).toEqual([
      `${userId}#@reading#WEIGHT#2026-07-18T15:00:00.000Z#MANUAL`,
    ]);
  });

  test('a conflict that never clears ends in 500 after a few attempts, nothing written', async () => {
    const userId = suite.newUser();
    faulty.setPlan((call) =>
      call.operation === 'TransactWriteItems' ? conflict(['TransactionConflict', 'None']) : undefined,
    );
    const answer = await viaFaulty.create(userId, weight());
    expect(answer.status).toBe(500);
    expect(answer.rawBody).toBe('{"data":null,"error":"Internal server error"}');
    expect(faulty.injected.length).toBeGreaterThan(1);
    expect(await itemsOf(userId)).toEqual([]);
  });
});

describe('every rule of the create table: 422 measurement.create.invalid naming the path', () => {
  const later = () => new Date(Date.now() + 6 * 60 * 1000).toISOString();
  const cases: [string, () => unknown, string[]][] = [
    ['type missing', () => ({ value: 70, measuredAt: '2026-07-18T14:30:00Z' }), ['type']],
    ['type not one of the 77', () => weight({ type: 'STEPS' }), ['type']],
    ['value missing', () => weight({ value: undefined }), ['value']],
    ['value a string', () => weight({ value: '72.4' }), ['value']],
    ['value null', () => weight({ value: null }), ['value']],
    ['value below the type’s range', () => weight({ value: 0.5 }), ['']],
    ['value above the type’s range', () => weight({ value: 501 }), ['']],
    ['measuredAt missing', () => weight({ measuredAt: undefined }), ['measuredAt']],
    ['measuredAt without a zone', () => weight({ measuredAt: '2026-07-18T14:30:00' }), ['measuredAt']],
    ['measuredAt more than 5 minutes ahead', () => weight({ measuredAt: later() }), ['measuredAt']],
    ['measuredAt before 1900', () => weight({ measuredAt: '1899-12-31T23:59:59Z' }), ['measuredAt']],
    ['notes of 201 characters', () => weight({ notes: 'n'.repeat(201) }), ['notes']],
    ['notes not a string', () => weight({ notes: 7 }), ['notes']],
    ['source another than MANUAL or APPLE_HEALTH', () => weight({ source: 'WITHINGS' }), ['source']],
    ['glucose without its context', () => weight({ type: 'BLOOD_GLUCOSE', value: 98 }), ['glucoseContext']],
    [
      'the app’s BEFORE_MEAL (not the contract’s vocabulary)',
      () => weight({ type: 'BLOOD_GLUCOSE', value: 98, glucoseContext: 'BEFORE_MEAL' }),
      ['glucoseContext'],
    ],
    ['a context on another type', () => weight({ glucoseContext: 'FASTING' }), ['glucoseContext']],
    ['deviceType empty', () => weight({ deviceType: '' }), ['deviceType']],
    ['deviceType of 33 characters', () => weight({ deviceType: 'd'.repeat(33) }), ['deviceType']],
    ['an empty array', () => [], ['']],
    ['an array of 6', () => Array.from({ length: 6 }, (_, i) => weight({ value: 70 + i })), ['']],
    ['not an object', () => 'WEIGHT 72.4', ['']],
    ['null', () => null, ['']],
    [
      'several problems at once, each named',
      () => ({ type: 'WEIGHT', value: 'heavy', measuredAt: 'now', source: 'X' }),
      ['value', 'measuredAt', 'source'],
    ],
    ['in an array, prefixed with the index', () => [weight(), weight({ source: 'X' })], ['1.source']],
  ];

  test.each(cases)('%s', async (_name, body, paths) => {
    const userId = suite.newUser();
    expectInvalid(await suite.api.create(userId, body()), paths);
    expect(await itemsOf(userId)).toEqual([]);
  });

  test('the limits themselves are fine: 200 characters of notes (emoji count as one), 32 of deviceType, the range’s ends', async () => {
    const userId = suite.newUser();
    const notes = '🏃'.repeat(200);
    expect(await created(userId, weight({ notes, deviceType: 'd'.repeat(32), value: 1 }))).toMatchObject({
      notes,
      value: 1,
    });
    expect(await created(userId, weight({ value: 500, measuredAt: '2026-07-18T14:31:00Z' }))).toMatchObject({
      value: 500,
    });
    expect(
      await created(userId, weight({ measuredAt: new Date(Date.now() + 4 * 60 * 1000).toISOString() })),
    ).toMatchObject({ type: 'WEIGHT' });
  });

  test('not JSON is 400, another content type 415, over 64 KiB 413: nothing written', async () => {
    const userId = suite.newUser();
    const route = '/api/measurements';
    const invalid = await suite.api.call({ method: 'POST', route, userId, rawBody: '{"type":' });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual({ data: null, error: 'Invalid JSON body' });
    const text = await suite.api.call({
      method: 'POST',
      route,
      userId,
      body: weight(),
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    const large = await suite.api.create(userId, weight({ padding: 'x'.repeat(64 * 1024) }));
    expect(large.status).toBe(413);
    expect(await itemsOf(userId)).toEqual([]);
  });
});

describe('PUT and PATCH: notes, and the row found before the body is read', () => {
  test('a note is set, cleared with null, set again and cleared with ""', async () => {
    const userId = suite.newUser();
    const row = await created(userId, weight({ notes: undefined }));
    const set = await suite.api.put(userId, row.id, { notes: 'felt light' });
    expect(set.status).toBe(200);
    expect(set.body.data).toMatchObject({ id: row.id, notes: 'felt light', value: 72.4 });
    expect((await suite.api.put(userId, row.id, { notes: null })).body.data.notes).toBeNull();
    expect((await rowsOf(userId))[0]).not.toHaveProperty('notes');
    expect((await suite.api.patch(userId, row.id, { notes: 'again' })).body.data.notes).toBe('again');
    expect((await suite.api.put(userId, row.id, { notes: '' })).body.data.notes).toBeNull();
    expect((await suite.api.get(userId, row.id)).body.data.notes).toBeNull();
  });

  test('a note on a batch row is kept until the phone re-posts it', async () => {
    const userId = suite.newUser();
    const batch = await suite.post({ userId, body: { entries: [entry({ externalId: 'note-sample' })] } });
    const id = batch.body.data.entries[0].id;
    expect((await suite.api.put(userId, id, { notes: 'resting' })).body.data).toMatchObject({
      notes: 'resting',
    });
    expect((await suite.api.get(userId, id)).body.data.notes).toBe('resting');
  });

  test('a note of more than 200 characters: 422 "Note cannot exceed 200 characters" on notes, nothing changed', async () => {
    const userId = suite.newUser();
    const row = await created(userId, weight());
    const answer = await suite.api.put(userId, row.id, { notes: 'n'.repeat(201) });
    expect(answer.status).toBe(422);
    expect(answer.body).toEqual({
      data: null,
      error: 'Validation failed',
      details: {
        issues: [{ path: 'notes', code: 'custom', message: 'Note cannot exceed 200 characters' }],
      },
    });
    expect((await suite.api.get(userId, row.id)).body.data.notes).toBe('after the morning run');
  });

  test('an empty body changes nothing and answers the row', async () => {
    const userId = suite.newUser();
    const row = await created(userId, weight());
    const answer = await suite.api.put(userId, row.id, {});
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual(row);
    expect((await rowsOf(userId))[0]).toMatchObject({ writer: 'create', updatedAt: row.updatedAt });
    expect((await suite.api.patch(userId, row.id, { unit: 'lb', type: 'PULSE' })).body.data).toEqual(row);
  });

  test('an unknown, foreign, deleted or synthetic id is 404 even with a bad body', async () => {
    const [alice, bob] = [suite.newUser(), suite.newUser()];
    const row = await created(alice, weight());
    const deleted = await created(alice, weight({ measuredAt: '2026-07-18T15:00:00Z' }));
    await suite.api.delete(alice, deleted.id);
    for (const [userId, id] of [
      [alice, measurementId('WEIGHT', 'manual:00000000-0000-4000-8000-000000000000')],
      [bob, row.id],
      [alice, deleted.id],
      [alice, 'day:WEIGHT:2026-07-18'],
      [alice, 'sleep:2026-07-18'],
      [alice, 'hour:2026-07-18T14:00:00.000Z'],
    ] as const) {
      for (const body of [{ value: 'not a number' }, { notes: 'n'.repeat(500) }, [1, 2, 3]]) {
        const answer = await suite.api.put(userId, id, body);
        expect(answer.status).toBe(404);
        expect(answer.rawBody).toBe(NOT_FOUND_BODY);
      }
      const notJson = await suite.api.call({
        method: 'PATCH',
        route: '/api/measurements/{id}',
        userId,
        id,
        rawBody: '{"value":',
      });
      expect(notJson.status).toBe(404);
    }
  });

  test('a value edit is held to the type’s range; the edit keeps the id', async () => {
    const userId = suite.newUser();
    const row = await created(userId, weight());
    const answer = await suite.api.put(userId, row.id, { value: 501 });
    expect(answer.status).toBe(422);
    expect(answer.body.details.issues).toEqual([
      { path: 'value', code: 'value_out_of_range', message: 'Expected a value from 1 to 500 kg' },
    ]);
    expect((await suite.api.put(userId, row.id, { value: 71.9 })).body.data).toMatchObject({
      id: row.id,
      value: 71.9,
    });
  });
});

describe('editing measuredAt of a hand-entered reading keeps its id and can collide', () => {
  test('the id stays, the marker moves: the old instant is free again, the new one taken', async () => {
    const userId = suite.newUser();
    const row = await created(userId, weight());
    const moved = await suite.api.patch(
      userId,
      row.id,
      { measuredAt: '2026-07-18T17:00:00+02:00' },
      'req-move',
    );
    expect(moved.status).toBe(200);
    expect(moved.body.data).toMatchObject({
      id: row.id,
      measuredAt: '2026-07-18T15:00:00.000Z',
      value: 72.4,
    });
    expect((await suite.api.get(userId, row.id)).body.data).toEqual(moved.body.data);
    expect((await rowsOf(userId))[0]).toMatchObject({ writer: 'edit', requestId: 'req-move' });
    expect((await markersOf(userId)).map((marker) => marker.pk)).toEqual([
      `${userId}#@reading#WEIGHT#2026-07-18T15:00:00.000Z#MANUAL`,
    ]);

    expect((await suite.api.create(userId, weight())).status).toBe(201);
    expect((await suite.api.create(userId, weight({ measuredAt: '2026-07-18T15:00:00Z' }))).status).toBe(409);
  });

  test('onto another hand-entered reading of the same type and source: 409, nothing changed', async () => {
    const userId = suite.newUser();
    const first = await created(userId, weight());
    const second = await created(userId, weight({ value: 73, measuredAt: '2026-07-18T18:00:00Z' }));
    const before = await itemsOf(userId);
    const answer = await suite.api.put(userId, second.id, { measuredAt: '2026-07-18T14:30:00Z', value: 74 });
    expect(answer.status).toBe(409);
    expect(answer.body).toEqual(DUPLICATE_BODY);
    expect(await itemsOf(userId)).toEqual(before);
    expect((await suite.api.get(userId, first.id)).body.data.value).toBe(72.4);
  });

  test('onto a deleted reading’s instant: 409 too', async () => {
    const userId = suite.newUser();
    const gone = await created(userId, weight());
    await suite.api.delete(userId, gone.id);
    const other = await created(userId, weight({ measuredAt: '2026-07-18T18:00:00Z' }));
    expect((await suite.api.put(userId, other.id, { measuredAt: '2026-07-18T14:30:00Z' })).status).toBe(409);
  });

  test('onto a reading of another source or type, or a batch row’s instant: allowed', async () => {
    const userId = suite.newUser();
    await created(userId, weight({ source: 'APPLE_HEALTH' }));
    await created(userId, weight({ type: 'BODY_FAT', value: 20 }));
    const row = await created(userId, weight({ measuredAt: '2026-07-18T18:00:00Z' }));
    expect((await suite.api.put(userId, row.id, { measuredAt: '2026-07-18T14:30:00Z' })).status).toBe(200);
  });

  test('the same instant written another way is no move', async () => {
    const userId = suite.newUser();
    const row = await created(userId, weight());
    const answer = await suite.api.put(userId, row.id, {
      measuredAt: '2026-07-18T16:30:00+02:00',
      value: 72,
    });
    expect(answer.status).toBe(200);
    expect(await markersOf(userId)).toHaveLength(1);
  });

  test('a batch row’s measuredAt moves freely: batch rows have no marker', async () => {
    const userId = suite.newUser();
    const batch = await suite.post({ userId, body: { entries: [entry({ externalId: 'move-sample' })] } });
    const id = batch.body.data.entries[0].id;
    const answer = await suite.api.put(userId, id, { measuredAt: '2026-07-18T14:30:00Z' });
    expect(answer.body.data).toMatchObject({ id, measuredAt: '2026-07-18T14:30:00.000Z' });
    expect(await markersOf(userId)).toEqual([]);
  });
});

describe('a note’s text never reaches a log line', () => {
  test('create and edit: no captured line contains a note’s text', async () => {
    const userId = suite.newUser();
    const secret = 'chest pain after stairs, call Dr. Weber';
    const row = await created(userId, weight({ notes: secret }));
    await suite.api.put(userId, row.id, { notes: `${secret} (update)` });
    await suite.api.put(userId, row.id, { notes: 'n'.repeat(201) });
    await suite.api.create(userId, weight({ notes: secret }));
    expect(suite.logs.events('measurement.api.request').length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(suite.logs.lines)).not.toContain('chest pain');
    expect(JSON.stringify(suite.logs.lines)).not.toContain('nnnnnnnn');
  });
});
