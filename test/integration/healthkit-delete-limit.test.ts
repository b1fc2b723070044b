import { healthKitDeleteLimit } from '../../definitions/rate-limits';
import { batchClient, entry } from '../support/batch-client';
import { createLocalRequestGuardsTable, type LocalRequestGuardsTable } from '../support/local-request-guards';
import { createLocalTable, type LocalTable } from '../support/local-table';
import { measurementsApiClient, type MeasurementsApi } from '../support/measurements-api-client';

/**
 * `DELETE /api/measurements/by-external-ids` counts against a per-user limit of its own
 * (definitions/rate-limits.ts, docs/request-guards.md): beyond it, 429 with the usual headers, and
 * nothing is deleted. The real handler, repository and guards on DynamoDB Local.
 */
let table: LocalTable;
let guardsTable: LocalRequestGuardsTable;
let api: MeasurementsApi;
let post: ReturnType<typeof batchClient>;
/**
 * The guards' clock: 10 s into a minute a few minutes ahead of the real clock, so DynamoDB
 * Local's TTL (the counter expires a minute after its window) cannot sweep a counter mid-test.
 */
const WINDOW_START = Math.floor(Date.now() / 60_000) * 60_000 + 5 * 60_000;
let now = new Date(WINDOW_START + 10_000);

beforeAll(async () => {
  [table, guardsTable] = await Promise.all([createLocalTable(), createLocalRequestGuardsTable()]);
  const target = { documentClient: table.documentClient, tableName: table.tableName };
  post = batchClient(target);
  api = measurementsApiClient({
    ...target,
    clock: () => now,
    guards: guardsTable.rowWriteGuards({ clock: () => now }),
  });
});
afterAll(async () => Promise.all([table.drop(), guardsTable.drop()]));

let seq = 0;
const newUser = () => `delete-limit-user-${++seq}-${Date.now()}`;
const deleteByExternalIds = (userId: string, externalIds: string[]) =>
  api.deleteByExternalIds(userId, { externalIds });

describe('by-external-ids beyond its per-user limit', () => {
  test(`request ${healthKitDeleteLimit.limit + 1} of a window is 429 with the usual headers and deletes nothing`, async () => {
    const userId = newUser();
    const stored = await post({ userId, body: { entries: [entry({ externalId: 'HK-LIMIT-1' })] } });
    expect(stored.body.data.entries[0]).toMatchObject({ status: 'inserted' });
    const id = stored.body.data.entries[0].id;

    for (let request = 1; request <= healthKitDeleteLimit.limit; request++) {
      const answer = await deleteByExternalIds(userId, [`HK-ABSENT-${request}`]);
      expect(answer.status).toBe(200);
      expect(answer.headers['x-ratelimit-limit']).toBe(String(healthKitDeleteLimit.limit));
      expect(answer.headers['x-ratelimit-remaining']).toBe(String(healthKitDeleteLimit.limit - request));
    }

    const refused = await deleteByExternalIds(userId, ['HK-LIMIT-1']);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      data: null,
      error: 'Too many deletions, try again later',
      meta: { errorCode: 'measurement.delete.rate_limited' },
    });
    expect(refused.headers).toMatchObject({
      'retry-after': '50',
      'x-ratelimit-limit': String(healthKitDeleteLimit.limit),
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': new Date(WINDOW_START + 60_000).toISOString(),
    });
    // Nothing deleted: the row is still there.
    expect((await api.get(userId, id)).status).toBe(200);

    // The user's own writes count apart and still pass.
    const created = await api.create(userId, {
      type: 'WEIGHT',
      value: 72.4,
      measuredAt: '2026-07-18T10:00:00Z',
    });
    expect(created.status).toBe(201);

    // The next window deletes it.
    const previous = now;
    now = new Date(WINDOW_START + 60_000);
    try {
      const next = await deleteByExternalIds(userId, ['HK-LIMIT-1']);
      expect(next.status).toBe(200);
      expect(next.body.data).toEqual({ deletedCount: 1 });
    } finally {
      now = previous;
    }
    expect((await api.get(userId, id)).status).toBe(404);
  }, 30_000);

  test('the limit is per user: another user is not refused', async () => {
    const [alice, bob] = [newUser(), newUser()];
    for (let request = 0; request <= healthKitDeleteLimit.limit; request++) {
      await deleteByExternalIds(alice, ['HK-ABSENT']);
    }
    expect((await deleteByExternalIds(alice, ['HK-ABSENT'])).status).toBe(429);
    expect((await deleteByExternalIds(bob, ['HK-ABSENT'])).status).toBe(200);
  }, 30_000);
});
