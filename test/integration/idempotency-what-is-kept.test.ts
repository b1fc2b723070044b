import { randomUUID } from 'node:crypto';
import { batchClient, entry } from '../support/batch-client';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import { createLocalRequestGuardsTable, type LocalRequestGuardsTable } from '../support/local-request-guards';
import { createLocalTable, type LocalTable } from '../support/local-table';
import { measurementsApiClient, type MeasurementsApi } from '../support/measurements-api-client';

/**
 * What an `Idempotency-Key` keeps (docs/request-guards.md, "Idempotency-Key"): only answers the
 * body alone decides. A 415 (the Content-Type header's) and a refusal that depends on the clock
 * are answered but not kept, so the corrected request under the same key gets its own answer.
 * And the Content-Type is read as a media type on every body route. The real handlers and guards
 * on DynamoDB Local.
 */
let table: LocalTable;
let guardsTable: LocalRequestGuardsTable;
let post: ReturnType<typeof batchClient>;
let api: MeasurementsApi;
let logs: CapturedLogs;
/** The row API's clock; the tests move it on. */
let now = new Date('2026-07-18T12:00:00.000Z');

beforeAll(async () => {
  [table, guardsTable] = await Promise.all([createLocalTable(), createLocalRequestGuardsTable()]);
  const target = { documentClient: table.documentClient, tableName: table.tableName };
  post = batchClient({
    ...target,
    guards: guardsTable.guards(),
  });
  api = measurementsApiClient({
    ...target,
    clock: () => now,
    guards: guardsTable.rowWriteGuards(),
  });
});
afterAll(async () => Promise.all([table.drop(), guardsTable.drop()]));
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

let seq = 0;
const newUser = () => `kept-user-${++seq}-${Date.now()}`;
const newKey = () => `key-${randomUUID()}`;

describe('a 415 is decided by a header: never kept', () => {
  test('batch: the same body under the same key with the right Content-Type runs', async () => {
    const userId = newUser();
    const key = newKey();
    const rawBody = JSON.stringify({ entries: [entry({ externalId: 'kept-415-sample' })] });
    const refused = await post({
      userId,
      rawBody,
      headers: { 'Idempotency-Key': key, 'content-type': 'text/plain' },
    });
    expect(refused.status).toBe(415);
    const corrected = await post({ userId, rawBody, headers: { 'Idempotency-Key': key } });
    expect(corrected.status).toBe(200);
    expect(corrected.headers['x-idempotent-replay']).toBeUndefined();
    expect(corrected.body.data.entries[0]).toMatchObject({ status: 'inserted' });
    // From now on the key keeps the 200.
    const replay = await post({ userId, rawBody, headers: { 'Idempotency-Key': key } });
    expect(replay.headers['x-idempotent-replay']).toBe('true');
    expect(replay.rawBody).toBe(corrected.rawBody);
  });

  test('row create: the same reading under the same key with the right Content-Type is created', async () => {
    const userId = newUser();
    const key = newKey();
    const reading = { type: 'WEIGHT', value: 72.4, measuredAt: '2026-07-18T10:00:00Z' };
    const refused = await api.call({
      method: 'POST',
      route: '/api/measurements',
      userId,
      body: reading,
      headers: { 'Idempotency-Key': key, 'content-type': 'text/plain' },
    });
    expect(refused.status).toBe(415);
    const corrected = await api.create(userId, reading, { 'Idempotency-Key': key });
    expect(corrected.status).toBe(201);
    expect(corrected.headers['x-idempotent-replay']).toBeUndefined();
  });
});

describe('an answer that depends on the clock is never kept', () => {
  test('row create: measuredAt ahead of the clock is 422; the same body later under the same key is 201', async () => {
    const userId = newUser();
    const key = newKey();
    const reading = { type: 'WEIGHT', value: 72.4, measuredAt: '2026-07-18T13:00:00Z' };
    const ahead = await api.create(userId, reading, { 'Idempotency-Key': key });
    expect(ahead.status).toBe(422);
    expect(ahead.body.details.issues.map((issue: { path: string }) => issue.path)).toEqual(['measuredAt']);
    const previous = now;
    now = new Date('2026-07-18T14:00:00.000Z');
    try {
      const later = await api.create(userId, reading, { 'Idempotency-Key': key });
      expect(later.status).toBe(201);
      expect(later.headers['x-idempotent-replay']).toBeUndefined();
    } finally {
      now = previous;
    }
  });

  test('row create: a 422 the body alone decides is still kept', async () => {
    const userId = newUser();
    const key = newKey();
    const reading = { type: 'WEIGHT', value: 72.4, measuredAt: '1899-12-31T00:00:00Z' };
    expect((await api.create(userId, reading, { 'Idempotency-Key': key })).status).toBe(422);
    const retry = await api.create(userId, reading, { 'Idempotency-Key': key });
    expect(retry.status).toBe(422);
    expect(retry.headers['x-idempotent-replay']).toBe('true');
  });

  test('batch: an entry skipped as ahead of the clock makes the answer one of the moment', async () => {
    const userId = newUser();
    const key = newKey();
    const ahead = new Date(Date.now() + 60 * 60 * 1000).toISOString();
    const body = { entries: [entry({ externalId: 'kept-ahead-sample', startDate: ahead, endDate: ahead })] };
    const first = await post({ userId, body, headers: { 'Idempotency-Key': key } });
    expect(first.body.data.skipped).toEqual([{ index: 0, reason: 'implausible_timestamp' }]);
    const retry = await post({ userId, body, headers: { 'Idempotency-Key': key } });
    expect(retry.headers['x-idempotent-replay']).toBeUndefined();
    expect(logs.events('measurement.batch.ingest').filter((line) => line.userId === userId)).toHaveLength(2);
  });
});

describe('Content-Type is read as a media type on every body route', () => {
  const jsonx = { 'content-type': 'application/jsonx' };

  test('application/jsonx is 415 on the batch, create, PUT, PATCH, bulk-delete and by-external-ids', async () => {
    const userId = newUser();
    const created = await api.create(userId, {
      type: 'WEIGHT',
      value: 72.4,
      measuredAt: '2026-07-18T09:00:00Z',
    });
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    const answers = [
      await post({ userId, body: { entries: [entry()] }, headers: jsonx }),
      await api.call({ method: 'POST', route: '/api/measurements', userId, body: {}, headers: jsonx }),
      await api.call({
        method: 'PUT',
        route: '/api/measurements/{id}',
        userId,
        id,
        body: {},
        headers: jsonx,
      }),
      await api.call({
        method: 'PATCH',
        route: '/api/measurements/{id}',
        userId,
        id,
        body: {},
        headers: jsonx,
      }),
      await api.call({
        method: 'POST',
        route: '/api/measurements/bulk-delete',
        userId,
        body: { ids: [id] },
        headers: jsonx,
      }),
      await api.call({
        method: 'DELETE',
        route: '/api/measurements/by-external-ids',
        userId,
        body: { externalIds: ['x'] },
        headers: jsonx,
      }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(415);
      expect(answer.rawBody).toBe('{"data":null,"error":"Content-Type must be application/json"}');
    }
    // Nothing was written: the reading is as created.
    expect((await api.get(userId, id)).body.data).toEqual(created.body.data);
  });

  test.each(['application/json; charset=utf-8', 'Application/JSON', ' application/json ;charset=UTF-8'])(
    '%j is JSON',
    async (contentType) => {
      const answer = await post({
        userId: newUser(),
        body: { entries: [entry()] },
        headers: { 'content-type': contentType },
      });
      expect(answer.status).toBe(200);
    },
  );

  test.each([
    'text/plain; x=application/json',
    'application/json-patch+json',
    'application/json, text/plain',
  ])('%j is not', async (contentType) => {
    const answer = await post({
      userId: newUser(),
      body: { entries: [entry()] },
      headers: { 'content-type': contentType },
    });
    expect(answer.status).toBe(415);
  });
});
