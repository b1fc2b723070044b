import { randomUUID } from 'node:crypto';
import {
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import type { MeasurementWriter } from '../../functions/measurements/batch/measurement-writer';
import { TableMeasurementWriter } from '../../functions/measurements/storage/table-measurement-writer';
import { auditKeysTable } from '../../definitions/audit-keys-table';
import { requestGuardsTable } from '../../definitions/request-guards-table';
import { createAllTables } from '../../local/create-tables';
import { batchClient, entry, stepsDay, type BatchAnswer } from '../support/batch-client';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import { createLocalRequestGuardsTable, type LocalRequestGuardsTable } from '../support/local-request-guards';
import { createLocalTable, dynamoDbLocalEndpoint, type LocalTable } from '../support/local-table';

/**
 * docs/request-guards.md and the 409/429 answers of docs/batch-api.md: the real handler, repository and guards
 * (Powertools idempotency, the rate-limit counter) on DynamoDB Local.
 */
const STEPS = 'stats:HKQuantityTypeIdentifierStepCount:2026-05-24';

let table: LocalTable;
let guardsTable: LocalRequestGuardsTable;
let post: ReturnType<typeof batchClient>;
let logs: CapturedLogs;

beforeAll(async () => {
  [table, guardsTable] = await Promise.all([createLocalTable(), createLocalRequestGuardsTable()]);
  post = batchClient({
    documentClient: table.documentClient,
    tableName: table.tableName,
    guards: guardsTable.guards(),
  });
});
afterAll(async () => Promise.all([table.drop(), guardsTable.drop()]));
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

/** Each test uses its own users and keys, so tests never see each other's rows, records or windows. */
let seq = 0;
const newUser = () => `user-${++seq}-${Date.now()}`;
const newKey = () => `key-${randomUUID()}`;
const withKey = (key: string, headers: Record<string, string> = {}) => ({
  'Idempotency-Key': key,
  ...headers,
});

async function itemsOf(userId: string) {
  return (await table.items()).filter((item) => item.userId === userId);
}

function ingestEventsOf(userId: string) {
  return logs.events('measurement.batch.ingest').filter((line) => line.userId === userId);
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const throttled = () =>
  new ProvisionedThroughputExceededException({
    message: 'Rate exceeded',
    $metadata: { httpStatusCode: 400 },
  });

describe('Idempotency-Key: the first completed answer is replayed for 24 h', () => {
  it('a retry with the same key and body gets the original status and byte-identical body with X-Idempotent-Replay: true, and writes nothing', async () => {
    const userId = newUser();
    const key = newKey();
    const body = { entries: [stepsDay('2026-05-24', 300), entry({ externalId: 'replay-sample-1' })] };

    const first = await post({ userId, body, headers: withKey(key), requestId: 'req-first' });
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({ inserted: 2 });
    expect(first.headers['x-idempotent-replay']).toBeUndefined();
    const storedAfterFirst = await table.item(userId, 'ACTIVITY_STEPS', STEPS);
    expect(storedAfterFirst).toMatchObject({ requestId: 'req-first', value: 300 });

    const retry = await post({
      userId,
      body,
      headers: withKey(key, { 'X-Request-Id': 'phone-retry-1' }),
      requestId: 'req-retry',
    });
    expect(retry.status).toBe(first.status);
    expect(retry.rawBody).toBe(first.rawBody);
    expect(retry.headers['x-idempotent-replay']).toBe('true');
    expect(retry.headers['content-type']).toBe(first.headers['content-type']);
    // The retry's own request id is echoed, not the first request's.
    expect(retry.headers['x-request-id']).toBe('phone-retry-1');

    // Nothing ran: the stats row still carries the first request's id and write time.
    expect(await table.item(userId, 'ACTIVITY_STEPS', STEPS)).toEqual(storedAfterFirst);
    expect(await itemsOf(userId)).toHaveLength(2);
    expect(ingestEventsOf(userId)).toHaveLength(1);
    expect(logs.events('measurement.batch.replayed')).toEqual([
      expect.objectContaining({ userId, requestId: 'req-retry', status: 200 }),
    ]);

    // Run again without the key, the same body would have been answered differently.
    const rerun = await post({ userId, body });
    expect(rerun.body.data).toMatchObject({ inserted: 0, updated: 1, duplicates: 1 });
  });

  it('the record is a Powertools record on the guards table: keyed by its user and a hash, completed, expiring in 24 h', async () => {
    const userId = newUser();
    const first = await post({ userId, body: { entries: [entry()] }, headers: withKey(newKey()) });
    const records = (await guardsTable.items()).filter(
      (item) => (item.data as { body?: string } | undefined)?.body === first.rawBody,
    );
    expect(records).toHaveLength(1);
    const record = records[0]!;
    // The user right after the prefix, so an erasure finds it; the Idempotency-Key only in the hash.
    expect(String(record.id).startsWith(`measurements-batch#${userId}#`)).toBe(true);
    expect(String(record.id).slice(`measurements-batch#${userId}#`.length)).toMatch(/^[A-Za-z0-9+/=]{44}$/);
    expect(record.status).toBe('COMPLETED');
    expect(record.validation).toEqual(expect.any(String));
    expect(record.in_progress_expiration).toEqual(expect.any(Number));
    const inADay = Date.now() / 1000 + 24 * 60 * 60;
    expect(record.expiration).toBeGreaterThan(inADay - 60);
    expect(record.expiration).toBeLessThanOrEqual(inADay + 1);
    expect(record.data).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: first.rawBody,
    });
  });

  it('keys are per user: another user sending the same key and body runs their own request', async () => {
    const key = newKey();
    const body = { entries: [entry({ externalId: 'shared-key-sample' })] };
    const alice = await post({ userId: newUser(), body, headers: withKey(key) });
    const bobId = newUser();
    const bob = await post({ userId: bobId, body, headers: withKey(key) });
    expect(alice.body.data.entries[0]).toMatchObject({ status: 'inserted' });
    expect(bob.body.data.entries[0]).toMatchObject({ status: 'inserted' });
    expect(bob.headers['x-idempotent-replay']).toBeUndefined();
    expect(await itemsOf(bobId)).toHaveLength(1);
  });

  it('requests of several users at once through one guard each keep a record under their own user', async () => {
    const users = Array.from({ length: 6 }, () => newUser());
    const answers = await Promise.all(
      users.map((userId) =>
        post({
          userId,
          body: { entries: [entry({ externalId: `own-${userId}` })] },
          headers: withKey(newKey()),
        }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(users.map(() => 200));
    const records = await guardsTable.items();
    for (const [i, userId] of users.entries()) {
      const own = records.filter((record) => String(record.id).startsWith(`measurements-batch#${userId}#`));
      expect(own).toEqual([expect.objectContaining({ status: 'COMPLETED', data: expect.anything() })]);
      expect((own[0]!.data as { body: string }).body).toBe(answers[i]!.rawBody);
    }
  });

  it.each([
    [
      '422 measurement.batch.invalid',
      { 'content-type': 'application/json' },
      JSON.stringify({ entries: [] }),
      422,
    ],
    ['400 invalid JSON', { 'content-type': 'application/json' }, '{"entries": [', 400],
  ])(
    'a whole-request refusal (%s) is replayed too: it is not in the never-cache list',
    async (_, headers, rawBody, status) => {
      const userId = newUser();
      const key = newKey();
      const first = await post({ userId, rawBody, headers: withKey(key, headers) });
      const retry = await post({ userId, rawBody, headers: withKey(key, headers) });
      expect(first.status).toBe(status);
      expect(retry.status).toBe(status);
      expect(retry.rawBody).toBe(first.rawBody);
      expect(retry.headers['x-idempotent-replay']).toBe('true');
      expect(logs.events('measurement.batch.rejected').filter((line) => line.userId === userId)).toHaveLength(
        1,
      );
    },
  );

  it.each([
    ['too short', 'abc1234'],
    ['too long', 'k'.repeat(129)],
    ['a space', 'key with spaces'],
    ['a slash', 'key/with/slash'],
    ['non-ASCII letters', 'schlüssel-123'],
    ['two keys (a repeated header arrives comma-joined)', 'key-000001,key-000001'],
  ])('a key with %s is ignored: the request runs every time', async (_, key) => {
    const userId = newUser();
    const body = { entries: [entry({ externalId: 'ignored-key-sample' })] };
    const first = await post({ userId, body, headers: withKey(key) });
    const second = await post({ userId, body, headers: withKey(key) });
    expect(first.body.data.entries[0]).toMatchObject({ status: 'inserted' });
    expect(second.body.data.entries[0]).toMatchObject({ status: 'duplicate' });
    expect(second.headers['x-idempotent-replay']).toBeUndefined();
    expect(ingestEventsOf(userId)).toHaveLength(2);
  });

  it('keys at both length bounds (8 and 128 characters) are used', async () => {
    for (const key of [`k${randomUUID().slice(0, 7)}`, `k${'a'.repeat(127)}`]) {
      const userId = newUser();
      const body = { entries: [entry()] };
      await post({ userId, body, headers: { 'idempotency-key': key } });
      const retry = await post({ userId, body, headers: { 'IDEMPOTENCY-KEY': key } });
      expect(retry.headers['x-idempotent-replay']).toBe('true');
    }
  });
});

describe('Idempotency-Key with a different body: the request runs normally, uncached', () => {
  it('runs the new body (twice: it is not cached), and the key keeps answering its first body', async () => {
    const userId = newUser();
    const key = newKey();
    const bodyA = { entries: [entry({ externalId: 'body-a' })] };
    const bodyB = { entries: [entry({ externalId: 'body-b' })] };

    const first = await post({ userId, body: bodyA, headers: withKey(key) });
    const other = await post({ userId, body: bodyB, headers: withKey(key) });
    const otherAgain = await post({ userId, body: bodyB, headers: withKey(key) });
    const original = await post({ userId, body: bodyA, headers: withKey(key) });

    expect(other.status).toBe(200);
    expect(other.body.data.entries[0]).toMatchObject({ status: 'inserted' });
    expect(other.headers['x-idempotent-replay']).toBeUndefined();
    expect(otherAgain.body.data.entries[0]).toMatchObject({ status: 'duplicate' });
    expect(otherAgain.headers['x-idempotent-replay']).toBeUndefined();
    expect(original.rawBody).toBe(first.rawBody);
    expect(original.headers['x-idempotent-replay']).toBe('true');
    expect((await itemsOf(userId)).map((item) => item.externalId).sort()).toEqual(['body-a', 'body-b']);
    expect(
      logs.events('measurement.batch.idempotency_key_reused').filter((line) => line.userId === userId),
    ).toHaveLength(2);
  });
});

describe('Idempotency-Key while the first request is still running: 409 with X-Idempotent-Replay: false', () => {
  /** A writer that holds every write until released, and says when the first one arrived. */
  function heldWriter() {
    const repository = new TableMeasurementWriter(table.documentClient, table.tableName);
    const entered = deferred();
    const release = deferred();
    const writer: MeasurementWriter = {
      async writeMeasurement(request, options) {
        entered.resolve();
        await release.promise;
        return repository.writeMeasurement(request, options);
      },
    };
    return { writer, entered: entered.promise, release: () => release.resolve() };
  }

  it('one runs, the other gets 409 and writes nothing; once the first answered, the key replays it', async () => {
    const held = heldWriter();
    const postHeld = batchClient({ writer: held.writer, guards: guardsTable.guards() });
    const userId = newUser();
    const key = newKey();
    const body = { entries: [stepsDay('2026-05-24', 4200)] };

    const running = postHeld({ userId, body, headers: withKey(key), requestId: 'req-running' });
    await held.entered;
    const concurrent = await postHeld({ userId, body, headers: withKey(key), requestId: 'req-concurrent' });
    held.release();
    const first = await running;

    expect(concurrent.status).toBe(409);
    expect(concurrent.rawBody).toBe(
      '{"data":null,"error":"A request with this Idempotency-Key is already in progress"}',
    );
    expect(concurrent.headers['x-idempotent-replay']).toBe('false');
    expect(logs.events('measurement.batch.rejected')).toEqual([
      expect.objectContaining({
        userId,
        requestId: 'req-concurrent',
        status: 409,
        errorCode: 'measurement.batch.idempotency_in_progress',
      }),
    ]);

    expect(first.status).toBe(200);
    expect(first.body.data.entries[0]).toMatchObject({ status: 'inserted' });
    expect(await table.item(userId, 'ACTIVITY_STEPS', STEPS)).toMatchObject({ requestId: 'req-running' });
    expect(ingestEventsOf(userId)).toHaveLength(1);

    const retry = await postHeld({ userId, body, headers: withKey(key) });
    expect(retry.rawBody).toBe(first.rawBody);
    expect(retry.headers['x-idempotent-replay']).toBe('true');
  });

  it('two requests sent at once with one key: exactly one runs', async () => {
    const held = heldWriter();
    const postHeld = batchClient({ writer: held.writer, guards: guardsTable.guards() });
    const userId = newUser();
    const key = newKey();
    const body = { entries: [entry({ externalId: 'simultaneous' })] };

    const sent = [
      postHeld({ userId, body, headers: withKey(key) }),
      postHeld({ userId, body, headers: withKey(key) }),
    ];
    await held.entered;
    // The one that runs is held in its write, so whichever answers first is the other one.
    const early = await Promise.race(sent);
    held.release();
    const answers = await Promise.all(sent);

    expect(early.status).toBe(409);

    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    expect(answers.find((answer) => answer.status === 409)!.headers['x-idempotent-replay']).toBe('false');
    expect(ingestEventsOf(userId)).toHaveLength(1);
  });
});

describe('never replayed: 5xx and no-store answers', () => {
  it('a batch with a failed entry (no-store) is not kept: the retry with the same key runs and stores the entry', async () => {
    const faulty = await createLocalTable();
    try {
      let throttling = true;
      faulty.documentClient.middlewareStack.add(
        (next, context) => async (args) => {
          const input = (args as { input?: { Item?: Record<string, { S?: string }> } }).input;
          if (
            throttling &&
            context.commandName === 'PutItemCommand' &&
            input?.Item?.externalId?.S === 'flaky'
          ) {
            throw throttled();
          }
          return next(args);
        },
        { step: 'finalizeRequest', priority: 'low', name: 'injectThrottling' },
      );
      const postFaulty = batchClient({
        documentClient: faulty.documentClient,
        tableName: faulty.tableName,
        guards: guardsTable.guards(),
      });
      const userId = newUser();
      const key = newKey();
      const body = { entries: [entry({ externalId: 'flaky' }), entry({ externalId: 'steady' })] };

      const first = await postFaulty({ userId, body, headers: withKey(key) });
      expect(first.status).toBe(200);
      expect(first.headers['cache-control']).toBe('private, no-store');
      expect(first.body.data.entries).toEqual([
        { index: 0, status: 'failed', reason: 'ProvisionedThroughputExceededException' },
        { index: 1, status: 'inserted', id: expect.any(String) },
      ]);

      throttling = false;
      const retry = await postFaulty({ userId, body, headers: withKey(key) });
      expect(retry.headers['x-idempotent-replay']).toBeUndefined();
      expect(retry.body.data.entries).toEqual([
        { index: 0, status: 'inserted', id: expect.any(String) },
        { index: 1, status: 'duplicate', id: first.body.data.entries[1].id },
      ]);

      // That answer is complete, so it is the one the key keeps.
      const again = await postFaulty({ userId, body, headers: withKey(key) });
      expect(again.rawBody).toBe(retry.rawBody);
      expect(again.headers['x-idempotent-replay']).toBe('true');
    } finally {
      await faulty.drop();
    }
  });

  it('a 500 is not kept: the retry with the same key runs', async () => {
    const repository = new TableMeasurementWriter(table.documentClient, table.tableName);
    let broken = true;
    const writer: MeasurementWriter = {
      writeMeasurement(request, options) {
        if (broken) throw new TypeError('boom');
        return repository.writeMeasurement(request, options);
      },
    };
    const postBroken = batchClient({ writer, guards: guardsTable.guards() });
    const userId = newUser();
    const key = newKey();
    const body = { entries: [entry({ externalId: 'after-500' })] };

    const first = await postBroken({ userId, body, headers: withKey(key) });
    expect(first.status).toBe(500);

    broken = false;
    const retry = await postBroken({ userId, body, headers: withKey(key) });
    expect(retry.status).toBe(200);
    expect(retry.headers['x-idempotent-replay']).toBeUndefined();
    expect(retry.body.data.entries[0]).toMatchObject({ status: 'inserted' });
  });
});

describe('when the idempotency records cannot be written, requests still run', () => {
  /** Throttles every attempt of the chosen command on idempotency records (not rate-limit counters). */
  function failingRecords(commandName: 'PutItemCommand' | 'UpdateItemCommand') {
    const client = guardsTable.newClient();
    let failing = true;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = (args as { input?: { Key?: { id?: { S?: string } }; Item?: { id?: { S?: string } } } })
          .input;
        const id = input?.Key?.id?.S ?? input?.Item?.id?.S ?? '';
        if (failing && context.commandName === commandName && id.startsWith('measurements-batch#')) {
          throw throttled();
        }
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'injectThrottling' },
    );
    return { guards: guardsTable.guards({ client }), heal: () => (failing = false) };
  }

  it('the in-progress record cannot be written: the request runs unguarded and a WARN is logged', async () => {
    const failing = failingRecords('PutItemCommand');
    const postUnguarded = batchClient({
      documentClient: table.documentClient,
      tableName: table.tableName,
      guards: failing.guards,
    });
    const userId = newUser();
    const key = newKey();
    const body = { entries: [entry({ externalId: 'unguarded' })] };

    const first = await postUnguarded({ userId, body, headers: withKey(key) });
    const second = await postUnguarded({ userId, body, headers: withKey(key) });
    expect(first.body.data.entries[0]).toMatchObject({ status: 'inserted' });
    expect(second.body.data.entries[0]).toMatchObject({ status: 'duplicate' });
    expect(logs.events('measurement.batch.idempotency_unavailable')).toHaveLength(2);
    expect(logs.events('measurement.batch.idempotency_unavailable')[0]).toMatchObject({
      level: 'WARN',
      userId,
    });
  });

  it('the answer cannot be saved: the fresh answer is returned and the key is released, not left locked', async () => {
    const failing = failingRecords('UpdateItemCommand');
    const postUnsaved = batchClient({
      documentClient: table.documentClient,
      tableName: table.tableName,
      guards: failing.guards,
    });
    const userId = newUser();
    const key = newKey();
    const body = { entries: [entry({ externalId: 'unsaved' })] };

    const first = await postUnsaved({ userId, body, headers: withKey(key) });
    expect(first.status).toBe(200);
    expect(first.body.data.entries[0]).toMatchObject({ status: 'inserted' });
    expect(logs.events('measurement.batch.idempotency_not_settled')).toEqual([
      expect.objectContaining({ level: 'WARN', userId }),
    ]);

    failing.heal();
    const retry = await postUnsaved({ userId, body, headers: withKey(key) });
    expect(retry.status).toBe(200);
    expect(retry.headers['x-idempotent-replay']).toBeUndefined();
    expect(retry.body.data.entries[0]).toMatchObject({ status: 'duplicate' });
  });
});

describe('rate limit: 60 batch requests per user per 60 s', () => {
  // In the future: DynamoDB Local applies TTL, and would sweep away the counter of a window that
  // lies in the past while a test is still counting in it.
  const WINDOW_START = Date.parse('2099-08-14T06:00:00.000Z');
  let now: Date;
  let postLimited: ReturnType<typeof batchClient>;

  beforeEach(() => {
    now = new Date(WINDOW_START + 10_000);
    postLimited = batchClient({
      documentClient: table.documentClient,
      tableName: table.tableName,
      guards: guardsTable.guards({ clock: () => now }),
    });
  });

  const sample = (i: number) => ({ entries: [entry({ externalId: `rl-${i}` })] });

  async function exhaust(userId: string): Promise<BatchAnswer[]> {
    const answers: BatchAnswer[] = [];
    for (let i = 1; i <= 60; i++) answers.push(await postLimited({ userId, body: sample(i) }));
    return answers;
  }

  it('60 requests pass, each told its remaining allowance; the 61st gets 429 with the rate-limit headers and writes nothing', async () => {
    const userId = newUser();
    const answers = await exhaust(userId);
    answers.forEach((answer, i) => {
      expect(answer.status).toBe(200);
      expect(answer.headers).toMatchObject({
        'x-ratelimit-limit': '60',
        'x-ratelimit-remaining': String(59 - i),
        'x-ratelimit-reset': '2099-08-14T06:01:00.000Z',
      });
      expect(answer.headers['retry-after']).toBeUndefined();
    });

    now = new Date(WINDOW_START + 40_250);
    const refused = await postLimited({ userId, body: sample(61), requestId: 'req-61' });
    expect(refused.status).toBe(429);
    expect(refused.rawBody).toBe('{"data":null,"error":"Too many batch submissions, try again later"}');
    expect(refused.headers).toMatchObject({
      'retry-after': '20',
      'x-ratelimit-limit': '60',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '2099-08-14T06:01:00.000Z',
    });
    expect(await itemsOf(userId)).toHaveLength(60);
    expect(logs.events('measurement.batch.rejected')).toEqual([
      expect.objectContaining({
        userId,
        requestId: 'req-61',
        status: 429,
        errorCode: 'measurement.batch.rate_limited',
      }),
    ]);
  });

  it('is one atomic counter: 75 requests sent at once, exactly 60 pass', async () => {
    const userId = newUser();
    const answers = await Promise.all(
      Array.from({ length: 75 }, (_, i) => postLimited({ userId, body: sample(i) })),
    );
    const passed = answers.filter((answer) => answer.status === 200);
    expect(passed).toHaveLength(60);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(15);
    expect(
      passed.map((answer) => Number(answer.headers['x-ratelimit-remaining'])).sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });

  it('is checked before the body is looked at: over the limit, a wrong content type or broken JSON still answers 429', async () => {
    const userId = newUser();
    await exhaust(userId);
    const wrongType = await postLimited({ userId, rawBody: 'x', headers: { 'content-type': 'text/plain' } });
    const brokenJson = await postLimited({ userId, rawBody: '{' });
    expect(wrongType.status).toBe(429);
    expect(brokenJson.status).toBe(429);
  });

  it('another user is not affected', async () => {
    const limitedUser = newUser();
    await exhaust(limitedUser);
    expect((await postLimited({ userId: limitedUser, body: sample(61) })).status).toBe(429);
    const other = await postLimited({ userId: newUser(), body: sample(1) });
    expect(other.status).toBe(200);
    expect(other.headers['x-ratelimit-remaining']).toBe('59');
  });

  it('the window resets: at the announced instant the user has the full allowance again', async () => {
    const userId = newUser();
    await exhaust(userId);
    const refused = await postLimited({ userId, body: sample(61) });
    expect(refused.status).toBe(429);

    now = new Date(refused.headers['x-ratelimit-reset']!);
    const next = await postLimited({ userId, body: sample(61) });
    expect(next.status).toBe(200);
    expect(next.headers).toMatchObject({
      'x-ratelimit-remaining': '59',
      'x-ratelimit-reset': '2099-08-14T06:02:00.000Z',
    });
  });

  it('Retry-After is whole seconds, rounded up, never 0', async () => {
    const userId = newUser();
    await exhaust(userId);
    now = new Date(WINDOW_START + 59_500);
    expect((await postLimited({ userId, body: sample(61) })).headers['retry-after']).toBe('1');
  });

  it('a 429 is never kept for replay, and replays count against the limit', async () => {
    const userId = newUser();
    const key = newKey();
    const body = sample(100);
    await exhaust(userId);
    const refused = await postLimited({ userId, body, headers: withKey(key) });
    expect(refused.status).toBe(429);

    now = new Date(WINDOW_START + 60_000);
    const ran = await postLimited({ userId, body, headers: withKey(key) });
    expect(ran.status).toBe(200);
    expect(ran.headers['x-idempotent-replay']).toBeUndefined();
    expect(ran.body.data.entries[0]).toMatchObject({ status: 'inserted' });

    const replay = await postLimited({ userId, body, headers: withKey(key) });
    expect(replay.headers['x-idempotent-replay']).toBe('true');
    expect(replay.headers['x-ratelimit-remaining']).toBe('58');
  });

  it('when the counter cannot be reached the request passes without rate-limit headers, and a WARN is logged', async () => {
    const client = guardsTable.newClient();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateItemCommand') throw throttled();
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'injectThrottling' },
    );
    const postFailOpen = batchClient({
      documentClient: table.documentClient,
      tableName: table.tableName,
      guards: guardsTable.guards({ client, clock: () => now }),
    });
    const userId = newUser();
    const answer = await postFailOpen({ userId, body: sample(1) });
    expect(answer.status).toBe(200);
    expect(answer.headers['x-ratelimit-limit']).toBeUndefined();
    expect(logs.events('measurement.batch.rate_limit_unavailable')).toEqual([
      expect.objectContaining({ level: 'WARN', userId }),
    ]);
  });

  it('the counter is one item per user and window, expiring by TTL after the window', async () => {
    const userId = newUser();
    await postLimited({ userId, body: sample(1) });
    await postLimited({ userId, body: sample(2) });
    const counters = (await guardsTable.items()).filter((item) => String(item.id).includes(userId));
    expect(counters).toEqual([
      {
        id: `ratelimit#${userId}#2099-08-14T06:00:00.000Z`,
        count: 2,
        expiration: Date.parse('2099-08-14T06:01:00.000Z') / 1000 + 60,
      },
    ]);
  });
});

describe('the local runtime creates every table from the same definitions', () => {
  it('createAllTables creates the measurements, request-guards and audit-keys tables, TTL on, and is safe to repeat', async () => {
    const client = new DynamoDBClient({ endpoint: dynamoDbLocalEndpoint() });
    const names = {
      measurements: `m-${randomUUID()}`,
      requestGuards: `g-${randomUUID()}`,
      dailyAggregates: `a-${randomUUID()}`,
      auditKeys: `k-${randomUUID()}`,
    };
    try {
      await createAllTables(client, names);
      await createAllTables(client, names);
      const { Table } = await client.send(new DescribeTableCommand({ TableName: names.requestGuards }));
      expect(Table?.KeySchema).toEqual([{ AttributeName: requestGuardsTable.partitionKey, KeyType: 'HASH' }]);
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      const { TimeToLiveDescription } = await client.send(
        new DescribeTimeToLiveCommand({ TableName: names.requestGuards }),
      );
      expect(TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiration' });
      await expect(
        client.send(new DescribeTableCommand({ TableName: names.measurements })),
      ).resolves.toBeDefined();
      const keys = await client.send(new DescribeTableCommand({ TableName: names.auditKeys }));
      expect(keys.Table?.KeySchema).toEqual([
        { AttributeName: auditKeysTable.partitionKey, KeyType: 'HASH' },
      ]);
    } finally {
      for (const name of Object.values(names)) {
        await client.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
      }
      client.destroy();
    }
  });
});
