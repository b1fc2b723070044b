import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { healthKitDeleteLimit } from '../../definitions/rate-limits';
import type { NewManualReading, RowChange } from '../../functions/measurements/rows/row-store';
import { TableRowStore } from '../../functions/measurements/storage/table-row-store';
import { createRowWriteGuards } from '../../functions/request-guards/request-guards';
import { batchClient, entry } from '../support/batch-client';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import { createLocalRequestGuardsTable, type LocalRequestGuardsTable } from '../support/local-request-guards';
import { createLocalTable, dynamoDbLocalEndpoint, type LocalTable } from '../support/local-table';
import {
  measurementsApiClient,
  type ApiAnswer,
  type MeasurementsApi,
} from '../support/measurements-api-client';

/**
 * The row API's write guards (docs/row-api.md, docs/request-guards.md): Idempotency-Key on
 * creates and bulk deletes with "the same body" as the same JSON value, and the shared write
 * limit of 300 per user per 60 s. The real handler, repository and guards on DynamoDB Local.
 */

let table: LocalTable;
let guardsTable: LocalRequestGuardsTable;
let api: MeasurementsApi;
let logs: CapturedLogs;

beforeAll(async () => {
  [table, guardsTable] = await Promise.all([createLocalTable(), createLocalRequestGuardsTable()]);
  api = measurementsApiClient({
    documentClient: table.documentClient,
    tableName: table.tableName,
    guards: guardsTable.rowWriteGuards(),
  });
});
afterAll(async () => Promise.all([table.drop(), guardsTable.drop()]));
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

let seq = 0;
const newUser = () => `guard-user-${++seq}-${Date.now()}`;
const newKey = () => randomUUID();
const withKey = (key: string) => ({ 'Idempotency-Key': key });

const rowsOf = async (userId: string) =>
  (await table.items()).filter((item) => item.userId === userId && item.kind !== 'reading-marker');

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('Idempotency-Key on POST /api/measurements: the same JSON value replays the first answer', () => {
  test('a retry with the keys in another order, other spacing and 72.40 for 72.4 replays the 201 and writes nothing', async () => {
    const userId = newUser();
    const key = newKey();
    const first = await api.call({
      method: 'POST',
      route: '/api/measurements',
      userId,
      headers: withKey(key),
      rawBody: '{"type":"WEIGHT","value":72.4,"measuredAt":"2026-07-18T14:30:00Z","notes":"ok"}',
    });
    const retry = await api.call({
      method: 'POST',
      route: '/api/measurements',
      userId,
      headers: withKey(key),
      rawBody: '{ "notes": "ok", "measuredAt": "2026-07-18T14:30:00Z",\n "value": 72.40, "type": "WEIGHT" }',
    });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.rawBody).toBe(first.rawBody);
    expect(retry.headers['x-idempotent-replay']).toBe('true');
    expect(first.headers['x-idempotent-replay']).toBeUndefined();
    expect(retry.headers['cache-control']).toBe('private, no-store');
    expect(await rowsOf(userId)).toHaveLength(1);
    const lines = logs.events('measurement.api.request').filter((line) => line.userId === userId);
    expect(lines.map((line) => [line.status, line.replayed ?? false])).toEqual([
      [201, false],
      [201, true],
    ]);
  });

  test('the same key with another JSON value runs normally (here: the same reading again → 409)', async () => {
    const userId = newUser();
    const key = newKey();
    const reading = { type: 'WEIGHT', value: 72.4, measuredAt: '2026-07-18T14:30:00Z' };
    expect((await api.create(userId, reading, withKey(key))).status).toBe(201);
    const other = await api.create(userId, { ...reading, value: 72.5 }, withKey(key));
    expect(other.status).toBe(409);
    expect(other.headers['x-idempotent-replay']).toBeUndefined();
    expect(logs.events('measurement.api.idempotency_key_reused')).toEqual([
      expect.objectContaining({ userId, route: 'POST /api/measurements' }),
    ]);
  });

  test('blood pressure’s two posts with key and key:p1 are two creates', async () => {
    const userId = newUser();
    const key = newKey();
    const at = '2026-07-18T14:30:00Z';
    const sys = await api.create(
      userId,
      { type: 'BLOOD_PRESSURE_SYS', value: 120, measuredAt: at },
      withKey(key),
    );
    const dia = await api.create(
      userId,
      { type: 'BLOOD_PRESSURE_DIA', value: 80, measuredAt: at },
      withKey(`${key}:p1`),
    );
    expect([sys.status, dia.status]).toEqual([201, 201]);
    expect(dia.headers['x-idempotent-replay']).toBeUndefined();
    expect(await rowsOf(userId)).toHaveLength(2);
    // Each key its own record, named by its user (an erasure finds them), the key only hashed.
    const records = (await guardsTable.items()).filter((item) =>
      String(item.id).startsWith(`measurements-rows#${userId}#`),
    );
    expect(records).toHaveLength(2);
    expect(records.map((record) => String(record.id))).not.toContainEqual(expect.stringContaining(key));
  });

  test('a key used on another route never replays this route’s answer', async () => {
    const userId = newUser();
    const key = newKey();
    const created = await api.create(
      userId,
      { type: 'WEIGHT', value: 72.4, measuredAt: '2026-07-18T14:30:00Z' },
      withKey(key),
    );
    const bulk = await api.bulkDelete(userId, { ids: [created.body.data.id] }, withKey(key));
    expect(bulk.status).toBe(200);
    expect(bulk.body.data).toEqual({ deleted: 1 });
    expect(bulk.headers['x-idempotent-replay']).toBeUndefined();
  });

  test('another user with the same key and body gets an answer of their own', async () => {
    const key = newKey();
    const reading = { type: 'WEIGHT', value: 72.4, measuredAt: '2026-07-18T14:30:00Z' };
    const [alice, bob] = [newUser(), newUser()];
    const a = await api.create(alice, reading, withKey(key));
    const b = await api.create(bob, reading, withKey(key));
    expect(b.headers['x-idempotent-replay']).toBeUndefined();
    expect(b.body.data.id).not.toBe(a.body.data.id);
  });

  test('a 422 is replayed too; keys outside the pattern are ignored', async () => {
    const userId = newUser();
    const key = newKey();
    const first = await api.create(userId, { type: 'WEIGHT' }, withKey(key));
    const retry = await api.create(userId, { type: 'WEIGHT' }, withKey(key));
    expect([first.status, retry.status]).toEqual([422, 422]);
    expect(retry.headers['x-idempotent-replay']).toBe('true');

    const reading = { type: 'WEIGHT', value: 72.4, measuredAt: '2026-07-18T15:30:00Z' };
    expect((await api.create(userId, reading, withKey('short'))).status).toBe(201);
    expect((await api.create(userId, reading, withKey('short'))).status).toBe(409);
  });

  test('while the first is still running: 409 with X-Idempotent-Replay: false; afterwards the key replays', async () => {
    const entered = deferred();
    const release = deferred();
    class HeldRepository extends TableRowStore {
      override async createManualReadings(readings: readonly NewManualReading[], by: RowChange) {
        entered.resolve();
        await release.promise;
        return super.createManualReadings(readings, by);
      }
    }
    const held = measurementsApiClient({
      store: new HeldRepository(table.documentClient, table.tableName),
      guards: guardsTable.rowWriteGuards(),
    });
    const userId = newUser();
    const key = newKey();
    const reading = { type: 'WEIGHT', value: 72.4, measuredAt: '2026-07-18T14:30:00Z' };

    const running = held.create(userId, reading, withKey(key));
    await entered.promise;
    const concurrent = await held.create(userId, reading, withKey(key));
    expect(concurrent.status).toBe(409);
    expect(concurrent.body).toEqual({
      data: null,
      error: 'A request with this Idempotency-Key is already in progress',
    });
    expect(concurrent.headers['x-idempotent-replay']).toBe('false');
    release.resolve();
    const first = await running;
    expect(first.status).toBe(201);
    const later = await held.create(userId, reading, withKey(key));
    expect(later.rawBody).toBe(first.rawBody);
    expect(later.headers['x-idempotent-replay']).toBe('true');
    expect(await rowsOf(userId)).toHaveLength(1);
  });
});

describe('Idempotency-Key on POST /api/measurements/bulk-delete', () => {
  test('a retry replays the first count instead of answering 0', async () => {
    const userId = newUser();
    const ids = [];
    for (const minute of [0, 1]) {
      const answer = await api.create(userId, {
        type: 'PULSE',
        value: 60,
        measuredAt: `2026-07-18T14:3${minute}:00Z`,
      });
      ids.push(answer.body.data.id);
    }
    const key = newKey();
    const first = await api.bulkDelete(userId, { ids }, withKey(key));
    const retry = await api.bulkDelete(userId, { ids }, withKey(key));
    expect(first.body.data).toEqual({ deleted: 2 });
    expect(retry.rawBody).toBe(first.rawBody);
    expect(retry.headers['x-idempotent-replay']).toBe('true');
    expect((await api.bulkDelete(userId, { ids })).body.data).toEqual({ deleted: 0 });
  });
});

describe('the shared write limit: 300 writes per user per 60 s', () => {
  // In the future: DynamoDB Local applies TTL and would sweep a past window's counter away.
  const WINDOW_START = Date.parse('2099-08-14T06:00:00.000Z');
  let now: Date;
  let limited: MeasurementsApi;

  beforeEach(() => {
    now = new Date(WINDOW_START + 20_000);
    limited = measurementsApiClient({
      documentClient: table.documentClient,
      tableName: table.tableName,
      guards: guardsTable.rowWriteGuards({ clock: () => now }),
    });
  });

  const missingId = 'TUlTU0lORw';

  /** `count` writes of the cheapest kind (deletes of a missing row), 20 at a time. */
  async function deletes(userId: string, count: number): Promise<ApiAnswer[]> {
    const answers: ApiAnswer[] = [];
    for (let done = 0; done < count; done += 20) {
      const chunk = Math.min(20, count - done);
      answers.push(
        ...(await Promise.all(Array.from({ length: chunk }, () => limited.delete(userId, missingId)))),
      );
    }
    return answers;
  }

  test('creates, edits, deletes and bulk deletes count together; the 301st write is 429 with the headers and writes nothing', async () => {
    const userId = newUser();
    const reading = { type: 'WEIGHT', value: 72.4, measuredAt: '2026-07-18T14:30:00Z' };
    const createdAnswer = await limited.create(userId, reading);
    expect(createdAnswer.headers).toMatchObject({
      'x-ratelimit-limit': '300',
      'x-ratelimit-remaining': '299',
      'x-ratelimit-reset': '2099-08-14T06:01:00.000Z',
    });
    const id = createdAnswer.body.data.id;
    expect((await limited.put(userId, id, { value: 73 })).headers['x-ratelimit-remaining']).toBe('298');
    expect((await limited.patch(userId, id, { notes: 'x' })).headers['x-ratelimit-remaining']).toBe('297');
    expect((await limited.bulkDelete(userId, { ids: ['x'] })).headers['x-ratelimit-remaining']).toBe('296');
    const rest = await deletes(userId, 296);
    expect(rest.every((answer) => answer.status === 404)).toBe(true);
    expect(
      rest.map((answer) => Number(answer.headers['x-ratelimit-remaining'])).sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 296 }, (_, i) => i));

    now = new Date(WINDOW_START + 40_000);
    const refused = await limited.create(userId, { ...reading, measuredAt: '2026-07-18T15:30:00Z' });
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      data: null,
      error: 'Too many writes, try again later',
      meta: { errorCode: 'record_write.rate_limited' },
    });
    expect(refused.headers).toMatchObject({
      'retry-after': '20',
      'x-ratelimit-limit': '300',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '2099-08-14T06:01:00.000Z',
    });
    expect(await rowsOf(userId)).toHaveLength(1);
    expect(logs.events('measurement.api.request').filter((line) => line.status === 429)).toEqual([
      expect.objectContaining({ userId, errorCode: 'record_write.rate_limited' }),
    ]);

    // Over the limit, the limit answers before the row lookup and before the body.
    expect((await limited.put(userId, missingId, { value: 'x' })).status).toBe(429);
    expect((await limited.delete(userId, id)).status).toBe(429);
    expect((await limited.bulkDelete(userId, 'not even an object')).status).toBe(429);

    // Reads and the phone's by-external-ids sync are not writes of the user's: the sync counts
    // against a limit of its own (test/integration/healthkit-delete-limit.test.ts).
    expect((await limited.get(userId, id)).status).toBe(200);
    const sync = await limited.deleteByExternalIds(userId, { externalIds: [] });
    expect(sync.status).toBe(200);
    expect(sync.headers['x-ratelimit-limit']).toBe(String(healthKitDeleteLimit.limit));

    now = new Date(WINDOW_START + 60_000);
    const nextWindow = await limited.delete(userId, id);
    expect(nextWindow.status).toBe(200);
    expect(nextWindow.headers['x-ratelimit-remaining']).toBe('299');
  }, 60_000);

  test('the batch’s 60 per minute is counted apart: 300 row writes leave the batch untouched', async () => {
    const userId = newUser();
    await deletes(userId, 300);
    expect((await limited.delete(userId, missingId)).status).toBe(429);
    const post = batchClient({
      documentClient: table.documentClient,
      tableName: table.tableName,
      guards: guardsTable.guards({ clock: () => now }),
    });
    const batch = await post({ userId, body: { entries: [entry({ externalId: 'after-300-writes' })] } });
    expect(batch.status).toBe(200);
    expect(batch.headers).toMatchObject({ 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '59' });
    expect((await limited.delete(userId, missingId)).status).toBe(429);
  }, 60_000);

  test('other users have their own allowance', async () => {
    const [alice, bob] = [newUser(), newUser()];
    await deletes(alice, 300);
    expect((await limited.delete(alice, missingId)).status).toBe(429);
    expect((await limited.delete(bob, missingId)).headers['x-ratelimit-remaining']).toBe('299');
  }, 60_000);

  test('when the counter cannot be reached, writes run without the headers (fail open) and a WARN is logged', async () => {
    // A guards table that does not exist: every counter update fails.
    const orphan = measurementsApiClient({
      documentClient: table.documentClient,
      tableName: table.tableName,
      guards: createRowWriteGuards({
        client: new DynamoDBClient({ endpoint: dynamoDbLocalEndpoint(), maxAttempts: 1 }),
        tableName: `missing-${randomUUID()}`,
      }),
    });
    const userId = newUser();
    const answer = await orphan.create(userId, {
      type: 'WEIGHT',
      value: 72.4,
      measuredAt: '2026-07-18T14:30:00Z',
    });
    expect(answer.status).toBe(201);
    expect(answer.headers['x-ratelimit-limit']).toBeUndefined();
    expect(logs.events('measurement.api.write_limit_unavailable')).toEqual([
      expect.objectContaining({ level: 'WARN', userId }),
    ]);
  });
});
