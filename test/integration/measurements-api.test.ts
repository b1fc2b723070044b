import { measurementId } from '../../functions/measurements/model/measurement-id';
import { encodeListCursor } from '../../functions/measurements/storage/list-pages';
import { entry, stepsDay } from '../support/batch-client';
import { measurementsApiClient, type ApiAnswer } from '../support/measurements-api-client';
import { NOT_FOUND_BODY, ROW_KEYS, rowApiSuite } from '../support/row-api-suite';

const suite = rowApiSuite('api-user');

/** A pulse sample at an instant; its externalId is derived from the instant unless given. */
function pulseAt(instant: string, value = 60, externalId = `pulse-${instant}`) {
  return entry({ value, startDate: instant, endDate: instant, externalId });
}

async function store(userId: string, entries: Record<string, unknown>[]): Promise<string[]> {
  const answer = await suite.post({ userId, body: { entries } });
  expect(answer.status).toBe(200);
  expect(answer.body.data.failed).toBe(0);
  expect(answer.body.data.skipped).toEqual([]);
  return answer.body.data.entries.map((outcome: { id: string }) => outcome.id);
}

function expectValidationFailed(answer: ApiAnswer, paths: string[]) {
  expect(answer.status).toBe(422);
  expect(answer.body).toEqual({
    data: null,
    error: 'Validation failed',
    details: { issues: expect.any(Array) },
  });
  for (const issue of answer.body.details.issues) {
    expect(issue).toEqual({
      path: expect.any(String),
      code: expect.any(String),
      message: expect.any(String),
    });
  }
  expect(answer.body.details.issues.map((issue: { path: string }) => issue.path)).toEqual(paths);
}

const measuredAts = (answer: ApiAnswer) =>
  answer.body.data.measurements.map((row: { measuredAt: string }) => row.measuredAt);

describe('GET /api/measurements lists the caller’s rows, newest first', () => {
  let userId: string;
  let pulseIds: string[];

  beforeAll(async () => {
    userId = suite.newUser();
    pulseIds = await store(userId, [
      pulseAt('2026-08-14T07:00:00Z', 61),
      pulseAt('2026-08-14T09:00:00Z', 63),
      pulseAt('2026-08-14T08:00:00Z', 62),
      stepsDay('2026-08-13', 4000),
      stepsDay('2026-08-14', 5000),
      {
        hkIdentifier: 'HKQuantityTypeIdentifierBodyMass',
        value: 72.4,
        unit: 'kg',
        startDate: '2026-08-14T06:00:00Z',
        endDate: '2026-08-14T06:00:00Z',
        externalId: 'weight-1',
        externalSourceVersion: 'iPhone15,2',
        deviceType: 'scale',
      },
    ]);
  });

  test('with type: only rows of that type, newest first, each exactly the contract’s row', async () => {
    const answer = await suite.api.list(userId, { type: 'PULSE' });
    expect(answer.status).toBe(200);
    expect(answer.body.error).toBeNull();
    expect(measuredAts(answer)).toEqual([
      '2026-08-14T09:00:00.000Z',
      '2026-08-14T08:00:00.000Z',
      '2026-08-14T07:00:00.000Z',
    ]);
    expect(answer.body.data.meta).toEqual({ limit: 100, offset: 0, nextCursor: null });
    for (const row of answer.body.data.measurements) expect(Object.keys(row)).toEqual(ROW_KEYS);
    expect(answer.body.data.measurements[0]).toEqual({
      id: pulseIds[1],
      type: 'PULSE',
      value: 63,
      valueMin: null,
      valueMax: null,
      unit: 'bpm',
      source: 'APPLE_HEALTH',
      measuredAt: '2026-08-14T09:00:00.000Z',
      notes: null,
      startDate: '2026-08-14T09:00:00.000Z',
      externalId: 'pulse-2026-08-14T09:00:00Z',
      externalSourceVersion: null,
      hkIdentifier: 'HKQuantityTypeIdentifierHeartRate',
      sleepStage: null,
      rhythmClassification: null,
      glucoseContext: null,
      deviceType: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  test('never exposes the storage attributes (key, user, index keys, writer, request id)', async () => {
    const answer = await suite.api.list(userId);
    expect(answer.rawBody).not.toContain(userId);
    expect(answer.rawBody).not.toMatch(
      /"(pk|userId|gsiUser|gsiUserType|gsiUserExternalId|writer|requestId|kind)"/,
    );
  });

  test('without type: rows of every type, newest first', async () => {
    const answer = await suite.api.list(userId);
    expect(answer.body.data.measurements.map((row: { type: string }) => row.type)).toEqual([
      'PULSE',
      'PULSE',
      'PULSE',
      'WEIGHT',
      'ACTIVITY_STEPS',
      'ACTIVITY_STEPS',
    ]);
    const instants = measuredAts(answer);
    expect(instants).toEqual([...instants].sort().reverse());
  });

  test('from and to bound measuredAt inclusively, whatever offset they are written in', async () => {
    const both = await suite.api.list(userId, {
      type: 'PULSE',
      from: '2026-08-14T09:00:00+02:00',
      to: '2026-08-14T08:00:00Z',
    });
    expect(measuredAts(both)).toEqual(['2026-08-14T08:00:00.000Z', '2026-08-14T07:00:00.000Z']);

    const fromOnly = await suite.api.list(userId, { type: 'PULSE', from: '2026-08-14T08:00:00Z' });
    expect(measuredAts(fromOnly)).toEqual(['2026-08-14T09:00:00.000Z', '2026-08-14T08:00:00.000Z']);

    const toOnly = await suite.api.list(userId, { to: '2026-08-14T03:30:00-03:30' });
    expect(measuredAts(toOnly)).toEqual([
      '2026-08-14T07:00:00.000Z',
      '2026-08-14T06:00:00.000Z',
      '2026-08-13T22:00:00.000Z',
      '2026-08-12T22:00:00.000Z',
    ]);

    const empty = await suite.api.list(userId, { from: '2030-01-01T00:00:00Z' });
    expect(empty.body.data).toEqual({ measurements: [], meta: { limit: 100, offset: 0, nextCursor: null } });
  });

  test('limit caps the page and the answer echoes it', async () => {
    const answer = await suite.api.list(userId, { limit: 2 });
    expect(answer.body.data.measurements).toHaveLength(2);
    expect(answer.body.data.meta).toEqual({ limit: 2, offset: 0, nextCursor: expect.any(String) });
  });

  test('answers are never stored by a cache', async () => {
    expect((await suite.api.list(userId)).headers['cache-control']).toBe('private, no-store');
  });
});

describe('paging with the opaque cursor', () => {
  test('250 rows with limit=100 come back in 3 pages, each row exactly once, the last nextCursor null', async () => {
    const userId = suite.newUser();
    const start = Date.UTC(2026, 6, 1);
    const entries = Array.from({ length: 250 }, (_, i) =>
      pulseAt(new Date(start + i * 60_000).toISOString(), 50 + (i % 100)),
    );
    const ids = await store(userId, entries);

    const pages: ApiAnswer[] = [];
    let cursor: string | undefined;
    do {
      const page = await suite.api.list(userId, { type: 'PULSE', limit: 100, ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      pages.push(page);
      cursor = page.body.data.meta.nextCursor ?? undefined;
    } while (cursor && pages.length < 10);

    expect(pages.map((page) => page.body.data.measurements.length)).toEqual([100, 100, 50]);
    expect(pages[2]!.body.data.meta.nextCursor).toBeNull();
    const listed = pages.flatMap((page) => page.body.data.measurements.map((row: { id: string }) => row.id));
    expect(new Set(listed).size).toBe(250);
    expect([...listed].sort()).toEqual([...ids].sort());
    const instants = pages.flatMap(measuredAts);
    expect(instants).toEqual([...instants].sort().reverse());
  });

  test('the same holds without type and within from/to', async () => {
    const userId = suite.newUser();
    await store(userId, [
      ...Array.from({ length: 5 }, (_, i) => pulseAt(`2026-07-0${i + 1}T12:00:00Z`)),
      ...Array.from({ length: 5 }, (_, i) => stepsDay(`2026-07-0${i + 1}`, 1000 + i)),
    ]);
    const query = { from: '2026-07-02T00:00:00Z', to: '2026-07-05T00:00:00Z', limit: 3 };
    const first = await suite.api.list(userId, query);
    const second = await suite.api.list(userId, { ...query, cursor: first.body.data.meta.nextCursor });
    const third = await suite.api.list(userId, { ...query, cursor: second.body.data.meta.nextCursor });
    // Pulses at noon on the 2nd–4th, day totals at 22:00Z on the 2nd–4th (local midnight at +02:00).
    const instants = [first, second, third].flatMap(measuredAts);
    expect(instants).toHaveLength(6);
    // DynamoDB cannot know a full page was the last one: the page after it is empty, and final.
    expect(third.body.data).toEqual({ measurements: [], meta: { limit: 3, offset: 0, nextCursor: null } });
    expect(instants).toEqual([...instants].sort().reverse());
    expect(instants.every((at: string) => at >= '2026-07-02' && at <= '2026-07-05T00:00:00.000Z')).toBe(true);
  });
});

describe('a forged cursor is 422 and never shows anyone else’s rows', () => {
  let alice: string;
  let bob: string;
  let aliceCursor: string;
  let aliceUntypedCursor: string;

  const expectCursorRejected = (answer: ApiAnswer) => {
    expectValidationFailed(answer, ['cursor']);
    expect(answer.body.details.issues[0].code).toBe('invalid_cursor');
    expect(answer.rawBody).not.toContain('measurements');
  };
  const decode = (cursor: string) => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));

  beforeAll(async () => {
    [alice, bob] = [suite.newUser(), suite.newUser()];
    const four = (prefix: string) =>
      Array.from({ length: 4 }, (_, i) => pulseAt(`2026-06-0${i + 1}T10:00:00Z`, 70, `${prefix}-${i}`));
    await store(alice, [...four('shared'), stepsDay('2026-06-01', 10)]);
    await store(bob, four('shared'));
    aliceCursor = (await suite.api.list(alice, { type: 'PULSE', limit: 2 })).body.data.meta.nextCursor;
    aliceUntypedCursor = (await suite.api.list(alice, { limit: 2 })).body.data.meta.nextCursor;
    expect(typeof aliceCursor).toBe('string');
    expect(typeof aliceUntypedCursor).toBe('string');
  });

  test('random text, broken base64 and base64 of something else', async () => {
    for (const cursor of [
      'not-a-cursor',
      '!!!',
      Buffer.from('{"pk":').toString('base64url'),
      Buffer.from('[1,2,3]').toString('base64url'),
      Buffer.from('null').toString('base64url'),
      `${aliceCursor}A`,
    ]) {
      expectCursorRejected(await suite.api.list(alice, { type: 'PULSE', cursor }));
    }
    expectValidationFailed(await suite.api.list(alice, { cursor: 'x'.repeat(5000) }), ['cursor']);
  });

  test('another user’s cursor', async () => {
    expectCursorRejected(await suite.api.list(bob, { type: 'PULSE', cursor: aliceCursor }));
    expectCursorRejected(await suite.api.list(bob, { cursor: aliceUntypedCursor }));
  });

  test('a cursor edited to point into another user’s partition', async () => {
    const key = decode(aliceCursor);
    const retargeted = encodeListCursor({
      ...key,
      pk: key.pk.replace(alice, bob),
      gsiUserType: key.gsiUserType.replace(alice, bob),
    });
    expectCursorRejected(await suite.api.list(alice, { type: 'PULSE', cursor: retargeted }));
    expectCursorRejected(
      await suite.api.list(bob, {
        type: 'PULSE',
        cursor: encodeListCursor({ ...key, pk: key.pk.replace(alice, bob) }),
      }),
    );
    // Bob's own partition but Alice's item key: still not a cursor Bob could have been given.
    expectCursorRejected(
      await suite.api.list(bob, {
        type: 'PULSE',
        cursor: encodeListCursor({ ...key, gsiUserType: key.gsiUserType.replace(alice, bob) }),
      }),
    );
  });

  test('a cursor with extra, missing or non-string attributes', async () => {
    const key = decode(aliceCursor);
    const { measuredAt: _dropped, ...missing } = key;
    for (const forged of [
      { ...key, gsiUser: alice },
      missing,
      { ...key, measuredAt: 20260601 },
      { ...key, pk: { S: key.pk } },
      { ...key, measuredAt: '2026-06-01' },
    ]) {
      expectCursorRejected(await suite.api.list(alice, { type: 'PULSE', cursor: encodeListCursor(forged) }));
    }
  });

  test('a cursor of another list: another type, the untyped list, or outside from/to', async () => {
    expectCursorRejected(await suite.api.list(alice, { type: 'ACTIVITY_STEPS', cursor: aliceCursor }));
    expectCursorRejected(await suite.api.list(alice, { cursor: aliceCursor }));
    expectCursorRejected(await suite.api.list(alice, { type: 'PULSE', cursor: aliceUntypedCursor }));
    expectCursorRejected(
      await suite.api.list(alice, { type: 'PULSE', from: '2026-06-04T00:00:00Z', cursor: aliceCursor }),
    );
  });

  test('the genuine cursor still works for its owner', async () => {
    const next = await suite.api.list(alice, { type: 'PULSE', limit: 2, cursor: aliceCursor });
    expect(next.status).toBe(200);
    expect(measuredAts(next)).toEqual(['2026-06-02T10:00:00.000Z', '2026-06-01T10:00:00.000Z']);
  });
});

describe('query parameters are validated: 422 with the offending parameter named', () => {
  test.each([
    [{ type: 'STEPS' }, ['type']],
    [{ limit: 0 }, ['limit']],
    [{ limit: 5001 }, ['limit']],
    [{ limit: 'ten' }, ['limit']],
    [{ limit: '5.5' }, ['limit']],
    [{ limit: '1e2' }, ['limit']],
    [{ from: '2026-08-14T06:00:00' }, ['from']],
    [{ to: '2026-02-30T00:00:00Z' }, ['to']],
    [{ from: '2026-08-14T06:00:00+0200' }, ['from']],
    [{ from: '2026-08-15T00:00:00Z', to: '2026-08-14T00:00:00Z' }, ['to']],
    [{ type: 'NOPE', limit: -1 }, ['type', 'limit']],
  ])('%j', async (query, paths) => {
    expectValidationFailed(await suite.api.list(suite.newUser(), query as Record<string, string>), paths);
  });

  test('limit 1 and 5000 are fine, unknown parameters are ignored', async () => {
    expect((await suite.api.list(suite.newUser(), { limit: 1 })).status).toBe(200);
    expect((await suite.api.list(suite.newUser(), { limit: 5000, sort: 'asc' })).body.data.meta.limit).toBe(
      5000,
    );
  });
});

describe('GET /api/measurements/{id}', () => {
  test('right after a batch overwrite it returns the new value (a strongly consistent read)', async () => {
    const userId = suite.newUser();
    const [id] = await store(userId, [stepsDay('2026-05-24', 300)]);
    const overwrite = await suite.post({ userId, body: { entries: [stepsDay('2026-05-24', 5300)] } });
    expect(overwrite.body.data.entries[0]).toEqual({ index: 0, status: 'updated', id });
    const answer = await suite.api.get(userId, id!);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      data: expect.objectContaining({ id, type: 'ACTIVITY_STEPS', value: 5300, unit: 'steps' }),
      error: null,
    });
    expect(Object.keys(answer.body.data)).toEqual(ROW_KEYS);
  });

  test('missing, soft-deleted, another user’s and malformed ids all answer the very same 404', async () => {
    const [alice, bob] = [suite.newUser(), suite.newUser()];
    const [aliceId, deletedId] = await store(alice, [
      pulseAt('2026-08-14T06:00:00Z'),
      pulseAt('2026-08-14T06:10:00Z'),
    ]);
    expect((await suite.api.delete(alice, deletedId!)).status).toBe(200);

    const answers = await Promise.all([
      suite.api.get(alice, measurementId('PULSE', 'never-stored')),
      suite.api.get(alice, deletedId!),
      suite.api.get(bob, aliceId!),
      suite.api.get(alice, 'not base64!'),
      suite.api.get(alice, measurementId('NOT_A_TYPE', 'x')),
      suite.api.get(alice, `${aliceId}=`),
      suite.api.get(alice, 'A'.repeat(5000)),
      suite.api.get(alice, ''),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(answer.rawBody).toBe(NOT_FOUND_BODY);
    }
    expect((await suite.api.get(alice, aliceId!)).status).toBe(200);
  });
});

describe('PUT and PATCH /api/measurements/{id} edit one row', () => {
  test('PUT changes the value and answers the row; the item records writer edit and the request id', async () => {
    const userId = suite.newUser();
    const [id] = await store(userId, [stepsDay('2026-05-24', 300)]);
    const answer = await suite.api.put(userId, id!, { value: 4800 }, 'req-edit-put');
    expect(answer.status).toBe(200);
    expect(answer.body.error).toBeNull();
    expect(answer.body.data).toMatchObject({ id, value: 4800, measuredAt: '2026-05-23T22:00:00.000Z' });
    expect(Object.keys(answer.body.data)).toEqual(ROW_KEYS);
    expect(
      answer.body.data.updatedAt > answer.body.data.createdAt ||
        answer.body.data.updatedAt === answer.body.data.createdAt,
    ).toBe(true);

    const item = await suite.table.item(
      userId,
      'ACTIVITY_STEPS',
      'stats:HKQuantityTypeIdentifierStepCount:2026-05-24',
    );
    expect(item).toMatchObject({ value: 4800, writer: 'edit', requestId: 'req-edit-put' });
    expect((await suite.api.get(userId, id!)).body.data.value).toBe(4800);
  });

  test('PATCH means the same; measuredAt moves the row (stored in UTC) and the list follows', async () => {
    const userId = suite.newUser();
    const [early, late] = await store(userId, [
      pulseAt('2026-08-14T06:00:00Z', 60),
      pulseAt('2026-08-14T07:00:00Z', 70),
    ]);
    const answer = await suite.api.patch(
      userId,
      early!,
      { measuredAt: '2026-08-14T10:30:00+02:00' },
      'req-edit-patch',
    );
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ id: early, value: 60, measuredAt: '2026-08-14T08:30:00.000Z' });
    const listed = await suite.api.list(userId, { type: 'PULSE' });
    expect(listed.body.data.measurements.map((row: { id: string }) => row.id)).toEqual([early, late]);
    expect(await suite.table.item(userId, 'PULSE', 'pulse-2026-08-14T06:00:00Z')).toMatchObject({
      writer: 'edit',
      requestId: 'req-edit-patch',
      measuredAt: '2026-08-14T08:30:00.000Z',
    });

    const both = await suite.api.patch(userId, late!, { value: 72, measuredAt: '2026-08-14T07:05:00Z' });
    expect(both.body.data).toMatchObject({ value: 72, measuredAt: '2026-08-14T07:05:00.000Z' });
  });

  test('an out-of-range value is 422 naming value, and the row is unchanged', async () => {
    const userId = suite.newUser();
    const [id] = await store(userId, [pulseAt('2026-08-14T06:00:00Z', 64)]);
    for (const edit of [suite.api.put, suite.api.patch]) {
      for (const value of [19, 301, -5]) {
        const answer = await edit(userId, id!, { value });
        expectValidationFailed(answer, ['value']);
        expect(answer.body.details.issues[0]).toEqual({
          path: 'value',
          code: 'value_out_of_range',
          message: 'Expected a value from 20 to 300 bpm',
        });
      }
    }
    expect(await suite.table.item(userId, 'PULSE', 'pulse-2026-08-14T06:00:00Z')).toMatchObject({
      value: 64,
      writer: 'batch',
    });
  });

  test('an event keeps the value 1: only its instant can be edited', async () => {
    const userId = suite.newUser();
    const [id] = await store(userId, [
      {
        hkIdentifier: 'HKCategoryTypeIdentifierHighHeartRateEvent',
        value: 0,
        unit: 'count',
        startDate: '2026-08-14T06:00:00Z',
        endDate: '2026-08-14T06:00:00Z',
        externalId: 'event-1',
      },
    ]);
    expectValidationFailed(await suite.api.put(userId, id!, { value: 2 }), ['value']);
    expect((await suite.api.put(userId, id!, { value: 1, measuredAt: '2026-08-14T06:01:00Z' })).status).toBe(
      200,
    );
  });

  test('editing the value of a heart-rate bucket drops its spread (it no longer summarises the bucket)', async () => {
    const userId = suite.newUser();
    const bucket = 'stats:HKQuantityTypeIdentifierHeartRate:2026-08-14T06:00:00.000Z';
    const [id] = await store(userId, [entry({ externalId: bucket, value: 70, valueMin: 60, valueMax: 90 })]);
    expect((await suite.api.get(userId, id!)).body.data).toMatchObject({ valueMin: 60, valueMax: 90 });
    const answer = await suite.api.patch(userId, id!, { value: 75 });
    expect(answer.body.data).toMatchObject({ value: 75, valueMin: null, valueMax: null });
  });

  test('bad bodies are 422 with issues', async () => {
    const userId = suite.newUser();
    const [id] = await store(userId, [pulseAt('2026-08-14T06:00:00Z')]);
    expectValidationFailed(await suite.api.put(userId, id!, { value: '70' }), ['value']);
    expectValidationFailed(await suite.api.put(userId, id!, { value: null }), ['value']);
    expectValidationFailed(await suite.api.patch(userId, id!, { measuredAt: '2026-08-14 06:00' }), [
      'measuredAt',
    ]);
    expectValidationFailed(await suite.api.patch(userId, id!, { measuredAt: '2026-08-14T06:00:00z' }), [
      'measuredAt',
    ]);
    expectValidationFailed(await suite.api.patch(userId, id!, { measuredAt: '2099-01-01T00:00:00Z' }), [
      'measuredAt',
    ]);
    expectValidationFailed(await suite.api.patch(userId, id!, { measuredAt: '1899-12-31T23:59:59Z' }), [
      'measuredAt',
    ]);
    expectValidationFailed(await suite.api.patch(userId, id!, [70]), ['']);
    expectValidationFailed(await suite.api.put(userId, id!, { value: 1000, measuredAt: 'soon' }), [
      'measuredAt',
    ]);
    expect((await suite.table.item(userId, 'PULSE', 'pulse-2026-08-14T06:00:00Z'))?.writer).toBe('batch');
  });

  test('a body that is not JSON is 400, a non-JSON content type 415, with the batch’s wording', async () => {
    const userId = suite.newUser();
    const [id] = await store(userId, [pulseAt('2026-08-14T06:00:00Z')]);
    const route = '/api/measurements/{id}';
    const invalid = await suite.api.call({ method: 'PUT', route, userId, id, rawBody: '{"value": 7' });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual({ data: null, error: 'Invalid JSON body' });
    const text = await suite.api.call({
      method: 'PATCH',
      route,
      userId,
      id,
      body: { value: 70 },
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    expect(text.body).toEqual({ data: null, error: 'Content-Type must be application/json' });
  });

  test('a missing, deleted or another user’s row is 404 and nothing is created', async () => {
    const [alice, bob] = [suite.newUser(), suite.newUser()];
    const [id, deletedId] = await store(alice, [
      pulseAt('2026-08-14T06:00:00Z'),
      pulseAt('2026-08-14T07:00:00Z'),
    ]);
    await suite.api.delete(alice, deletedId!);
    for (const answer of [
      await suite.api.put(bob, id!, { value: 99 }),
      await suite.api.patch(alice, deletedId!, { value: 99 }),
      await suite.api.put(alice, measurementId('PULSE', 'never-stored'), { value: 99 }),
      await suite.api.put(alice, 'garbage', { value: 99 }),
    ]) {
      expect(answer.status).toBe(404);
      expect(answer.rawBody).toBe(NOT_FOUND_BODY);
    }
    expect(await suite.table.item(bob, 'PULSE', 'pulse-2026-08-14T06:00:00Z')).toBeUndefined();
    expect(await suite.table.item(alice, 'PULSE', 'never-stored')).toBeUndefined();
    const deleted = await suite.table.item(alice, 'PULSE', 'pulse-2026-08-14T07:00:00Z');
    expect(deleted).toMatchObject({ writer: 'delete', deletedAt: expect.any(String) });
    expect(deleted).not.toHaveProperty('value');
    expect(await suite.table.item(alice, 'PULSE', 'pulse-2026-08-14T06:00:00Z')).toMatchObject({
      value: 60,
      writer: 'batch',
    });
  });
});

describe('DELETE /api/measurements/{id} soft-deletes', () => {
  test('answers deleted and leaves a tombstone: identity, deletedAt and writer delete; no value, no index attribute', async () => {
    const userId = suite.newUser();
    const [id] = await store(userId, [pulseAt('2026-08-14T06:00:00Z', 64)]);
    const answer = await suite.api.delete(userId, id!, 'req-delete');
    expect(answer.status).toBe(200);
    expect(answer.rawBody).toBe('{"data":{"deleted":true},"error":null}');

    const item = await suite.table.item(userId, 'PULSE', 'pulse-2026-08-14T06:00:00Z');
    expect(item).toStrictEqual({
      pk: `${userId}#PULSE#pulse-2026-08-14T06:00:00Z`,
      userId,
      kind: 'sample',
      id,
      type: 'PULSE',
      externalId: 'pulse-2026-08-14T06:00:00Z',
      writer: 'delete',
      requestId: 'req-delete',
      deletedAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(item!.updatedAt).toBe(item!.deletedAt);

    // The app retries deletes after network errors: one's own deleted row answers the same.
    const again = await suite.api.delete(userId, id!);
    expect(again.status).toBe(200);
    expect(again.rawBody).toBe('{"data":{"deleted":true},"error":null}');
  });

  test('soft-deleted rows are never listed, with or without type', async () => {
    const userId = suite.newUser();
    const [kept, gone] = await store(userId, [
      pulseAt('2026-08-14T06:00:00Z'),
      pulseAt('2026-08-14T07:00:00Z'),
    ]);
    await suite.api.delete(userId, gone!);
    const queries: Record<string, string>[] = [
      {},
      { type: 'PULSE' },
      { from: '2026-08-14T00:00:00Z', to: '2026-08-15T00:00:00Z' },
    ];
    for (const query of queries) {
      const ids = (await suite.api.list(userId, query)).body.data.measurements.map(
        (row: { id: string }) => row.id,
      );
      expect(ids).toEqual([kept]);
    }
  });

  test('another user’s row is 404 and stays as it was', async () => {
    const [alice, bob] = [suite.newUser(), suite.newUser()];
    const [id] = await store(alice, [pulseAt('2026-08-14T06:00:00Z')]);
    const answer = await suite.api.delete(bob, id!);
    expect(answer.rawBody).toBe(NOT_FOUND_BODY);
    expect((await suite.api.get(alice, id!)).status).toBe(200);
    expect(await suite.table.item(bob, 'PULSE', 'pulse-2026-08-14T06:00:00Z')).toBeUndefined();
  });

  test('a deleted stats row re-posted by the batch comes back: updated, listed and readable again', async () => {
    const userId = suite.newUser();
    const [id] = await store(userId, [stepsDay('2026-05-24', 300)]);
    await suite.api.delete(userId, id!);
    const repost = await suite.post({ userId, body: { entries: [stepsDay('2026-05-24', 5300)] } });
    expect(repost.body.data).toMatchObject({ inserted: 0, updated: 1, duplicates: 0 });
    expect(repost.body.data.entries[0]).toEqual({ index: 0, status: 'updated', id });
    expect((await suite.api.get(userId, id!)).body.data).toMatchObject({ value: 5300 });
    expect((await suite.api.list(userId, { type: 'ACTIVITY_STEPS' })).body.data.measurements).toHaveLength(1);
    const item = await suite.table.item(
      userId,
      'ACTIVITY_STEPS',
      'stats:HKQuantityTypeIdentifierStepCount:2026-05-24',
    );
    expect(item).not.toHaveProperty('deletedAt');
    expect(item).toMatchObject({ writer: 'batch', gsiUser: userId });
  });

  test('a deleted sample re-posted by the batch stays deleted: duplicate with its id', async () => {
    const userId = suite.newUser();
    const [id] = await store(userId, [pulseAt('2026-08-14T06:00:00Z', 64)]);
    await suite.api.delete(userId, id!);
    const repost = await suite.post({ userId, body: { entries: [pulseAt('2026-08-14T06:00:00Z', 99)] } });
    expect(repost.body.data).toMatchObject({ inserted: 0, updated: 0, duplicates: 1 });
    expect(repost.body.data.entries[0]).toEqual({ index: 0, status: 'duplicate', id });
    expect((await suite.api.get(userId, id!)).rawBody).toBe(NOT_FOUND_BODY);
    expect((await suite.api.list(userId)).body.data.measurements).toEqual([]);
    const tombstone = await suite.table.item(userId, 'PULSE', 'pulse-2026-08-14T06:00:00Z');
    expect(tombstone).toMatchObject({ id, deletedAt: expect.any(String) });
    expect(tombstone).not.toHaveProperty('value');
  });
});

describe('authentication and failures', () => {
  test.each([
    ['GET', '/api/measurements'],
    ['POST', '/api/measurements'],
    ['GET', '/api/measurements/{id}'],
    ['PUT', '/api/measurements/{id}'],
    ['PATCH', '/api/measurements/{id}'],
    ['DELETE', '/api/measurements/{id}'],
    ['DELETE', '/api/measurements/by-external-ids'],
    ['POST', '/api/measurements/bulk-delete'],
  ] as const)('%s %s without a user in the token is 401 Not authenticated', async (method, route) => {
    const answer = await suite.api.call({ method, route, userId: null, id: 'x', body: { value: 1 } });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ data: null, error: 'Not authenticated' });
  });

  test('an unexpected storage error is 500 Internal server error, without a stack, and is logged', async () => {
    const broken = measurementsApiClient({
      documentClient: suite.table.documentClient,
      tableName: 'no-such-table',
    });
    const answer = await broken.list(suite.newUser());
    expect(answer.status).toBe(500);
    expect(answer.rawBody).toBe('{"data":null,"error":"Internal server error"}');
    expect(suite.logs.events('measurement.api.error')).toHaveLength(1);
  });

  test('each request logs one measurement.api.request line with route, status and request id, never a value', async () => {
    const userId = suite.newUser();
    const [id] = await store(userId, [pulseAt('2026-08-14T06:00:00Z', 64)]);
    await suite.api.put(userId, id!, { value: 88.25 }, 'req-log');
    const [line, ...others] = suite.logs.events('measurement.api.request');
    expect(others).toHaveLength(0);
    expect(line).toMatchObject({
      service: 'measurement-api',
      route: 'PUT /api/measurements/{id}',
      userId,
      requestId: 'req-log',
      status: 200,
      durationMs: expect.any(Number),
    });
    expect(JSON.stringify(suite.logs.lines)).not.toContain('88.25');
  });

  test('x-request-id is echoed back', async () => {
    const answer = await suite.api.call({
      method: 'GET',
      route: '/api/measurements',
      userId: suite.newUser(),
      headers: { 'X-Request-Id': 'abc-123' },
    });
    expect(answer.headers['x-request-id']).toBe('abc-123');
  });
});
