import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { measurementId } from '../../functions/measurements/model/measurement-id';
import { batchClient, entry, stepsDay, type BatchAnswer } from '../support/batch-client';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import { createLocalTable, type LocalTable } from '../support/local-table';
import { mixedSamplesExample } from '../support/contract-examples';
import { expectValidBatchAnswer } from '../support/batch-invariants';

const STEPS = 'stats:HKQuantityTypeIdentifierStepCount:2026-05-24';

let table: LocalTable;
let post: ReturnType<typeof batchClient>;
let logs: CapturedLogs;

beforeAll(async () => {
  table = await createLocalTable();
  post = batchClient({ documentClient: table.documentClient, tableName: table.tableName });
});
afterAll(async () => table.drop());
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

/** Each test uses its own user, so tests never see each other's rows. */
let userSeq = 0;
const newUser = () => `user-${++userSeq}-${Date.now()}`;

async function itemsOf(userId: string) {
  return (await table.items()).filter((item) => item.userId === userId);
}

describe('contract example 01: a stats re-post overwrites the stored day total and answers updated', () => {
  it('stores 300, then the evening re-post of 5300 answers updated with the same id and the item holds 5300', async () => {
    const userId = newUser();
    const morning = await post({
      userId,
      body: {
        entries: [
          {
            ...stepsDay('2026-05-24', 300),
            startDate: '2026-05-23T22:00:00Z',
            endDate: '2026-05-23T22:00:00Z',
          },
        ],
      },
    });
    expect(morning.body.data.entries).toEqual([{ index: 0, status: 'inserted', id: expect.any(String) }]);

    const evening = await post({
      userId,
      body: {
        entries: [
          {
            hkIdentifier: 'HKQuantityTypeIdentifierStepCount',
            value: 5300,
            unit: 'steps',
            startDate: '2026-05-23T22:00:00Z',
            endDate: '2026-05-23T22:00:00Z',
            externalId: STEPS,
          },
        ],
        syncTrigger: 'foreground',
      },
    });
    expectValidBatchAnswer(evening, 1);
    expect(evening.body).toEqual({
      data: {
        processed: 1,
        inserted: 0,
        updated: 1,
        duplicates: 0,
        failed: 0,
        skipped: [],
        entries: [{ index: 0, status: 'updated', id: morning.body.data.entries[0].id }],
      },
      error: null,
    });
    const stored = await table.item(userId, 'ACTIVITY_STEPS', STEPS);
    expect(stored).toMatchObject({
      value: 5300,
      kind: 'stats',
      type: 'ACTIVITY_STEPS',
      unit: 'steps',
      measuredAt: '2026-05-23T22:00:00.000Z',
      writer: 'batch',
    });
  });
});

describe('the seed scenario: day totals follow the phone, samples stay write-once', () => {
  it('300 → 5300 answers updated and stores 5300; re-posting 5300 again still answers updated', async () => {
    const userId = newUser();
    const first = await post({ userId, body: { entries: [stepsDay('2026-05-24', 300)] } });
    const second = await post({ userId, body: { entries: [stepsDay('2026-05-24', 5300)] } });
    const third = await post({ userId, body: { entries: [stepsDay('2026-05-24', 5300)] } });
    expect(first.body.data.entries[0]).toMatchObject({ status: 'inserted' });
    expect(second.body.data.entries[0]).toEqual({
      index: 0,
      status: 'updated',
      id: first.body.data.entries[0].id,
    });
    expect(third.body.data.entries[0]).toEqual({
      index: 0,
      status: 'updated',
      id: first.body.data.entries[0].id,
    });
    expect((await table.item(userId, 'ACTIVITY_STEPS', STEPS))?.value).toBe(5300);
    expect(await itemsOf(userId)).toHaveLength(1);
  });

  it('a sample re-posted with another value answers duplicate with the id the insert returned, and keeps its value', async () => {
    const userId = newUser();
    const inserted = await post({ userId, body: { entries: [entry({ value: 64 })] } });
    const repost = await post({ userId, body: { entries: [entry({ value: 99 })] } });
    expect(inserted.body.data.entries[0]).toEqual({ index: 0, status: 'inserted', id: expect.any(String) });
    expect(repost.body.data).toMatchObject({ inserted: 0, duplicates: 1 });
    expect(repost.body.data.entries[0]).toEqual({
      index: 0,
      status: 'duplicate',
      id: inserted.body.data.entries[0].id,
    });
    expect((await table.item(userId, 'PULSE', 'C0FFEE00-0000-4000-8000-000000000000'))?.value).toBe(64);
  });

  it('the same externalIds of two users are two rows: neither user sees or overwrites the other', async () => {
    const [alice, bob] = [newUser(), newUser()];
    await post({ userId: alice, body: { entries: [stepsDay('2026-05-24', 100), entry({ value: 60 })] } });
    const bobAnswer = await post({
      userId: bob,
      body: { entries: [stepsDay('2026-05-24', 200), entry({ value: 70 })] },
    });
    expect(bobAnswer.body.data).toMatchObject({ inserted: 2, updated: 0, duplicates: 0 });
    expect((await table.item(alice, 'ACTIVITY_STEPS', STEPS))?.value).toBe(100);
    expect((await table.item(bob, 'ACTIVITY_STEPS', STEPS))?.value).toBe(200);
    expect((await table.item(alice, 'PULSE', 'C0FFEE00-0000-4000-8000-000000000000'))?.value).toBe(60);
  });

  it('the user comes from the token only: a userId in the body is ignored', async () => {
    const userId = newUser();
    await post({ userId, body: { userId: 'someone-else', entries: [entry({ userId: 'someone-else' })] } });
    expect(await itemsOf(userId)).toHaveLength(1);
    expect(await itemsOf('someone-else')).toHaveLength(0);
  });
});

describe('contract example 02: mixed samples', () => {
  it('inserts the new weight, answers the stored pulse as duplicate, skips the unmappable and the implausible', async () => {
    const userId = newUser();
    const given = await post({
      userId,
      body: {
        entries: [entry({ value: 64, startDate: '2026-08-14T05:59:00Z', endDate: '2026-08-14T05:59:00Z' })],
      },
    });
    const answer = await post({
      userId,
      body: {
        entries: [...mixedSamplesExample.entries],
      },
    });
    expectValidBatchAnswer(answer, 4);
    const weightId = answer.body.data.entries[0].id;
    // The whole body, key order included, with the example's `<id>` placeholders on the real ids…
    const withPlaceholders = {
      ...answer.body.data,
      entries: answer.body.data.entries.map((e: { id?: string }) => (e.id ? { ...e, id: '<id>' } : e)),
    };
    expect(JSON.stringify({ data: withPlaceholders, error: answer.body.error })).toBe(
      JSON.stringify({ data: mixedSamplesExample.response, error: null }),
    );
    // …and the ids that name rows: the duplicate names the row stored before, the insert a new one.
    expect(answer.body.data.entries[1].id).toBe(given.body.data.entries[0].id);
    expect(weightId).not.toBe(given.body.data.entries[0].id);
    expect((await table.item(userId, 'PULSE', 'C0FFEE00-0000-4000-8000-000000000000'))?.value).toBe(64);
    expect(await table.item(userId, 'WEIGHT', '8AD2A9CB-3F0C-4E4D-9C1E-4B7E2A1D6F30')).toMatchObject({
      value: 72.4,
      unit: 'kg',
      clientUnit: 'kg',
      kind: 'sample',
      externalSourceVersion: 'iPhone15,2',
      deviceType: 'scale',
      source: 'APPLE_HEALTH',
      valueMin: null,
      valueMax: null,
    });
    expect(await itemsOf(userId)).toHaveLength(2);
  });
});

describe('contract example 03: superseded in batch, heart-rate buckets and their spread', () => {
  it('writes only the last copy of a bucket, answers earlier ones superseded_in_batch, and keeps only consistent spreads', async () => {
    const userId = newUser();
    const bucket = (start: string, end: string, value: number, valueMin: number, valueMax: number) => ({
      hkIdentifier: 'HKQuantityTypeIdentifierHeartRate',
      value,
      valueMin,
      valueMax,
      unit: 'count/min',
      startDate: start,
      endDate: end,
      externalId: `stats:HKQuantityTypeIdentifierHeartRate:${start.replace('Z', '.000Z')}`,
    });
    const answer = await post({
      userId,
      body: {
        entries: [
          bucket('2026-08-14T07:30:00Z', '2026-08-14T07:40:00Z', 70, 58, 90),
          bucket('2026-08-14T07:30:00Z', '2026-08-14T07:40:00Z', 78, 58, 110),
          bucket('2026-08-14T07:40:00Z', '2026-08-14T07:50:00Z', 72, 80, 96),
        ],
      },
    });
    expectValidBatchAnswer(answer, 3);
    const [first, second, third] = answer.body.data.entries;
    expect(answer.body.data).toEqual({
      processed: 3,
      inserted: 2,
      updated: 0,
      duplicates: 1,
      failed: 0,
      skipped: [],
      entries: [
        { index: 0, status: 'duplicate', reason: 'superseded_in_batch', id: second.id },
        { index: 1, status: 'inserted', id: expect.any(String) },
        { index: 2, status: 'inserted', id: expect.any(String) },
      ],
    });
    expect(first.id).toBe(second.id);
    expect(third.id).not.toBe(second.id);
    expect(
      await table.item(userId, 'PULSE', 'stats:HKQuantityTypeIdentifierHeartRate:2026-08-14T07:30:00.000Z'),
    ).toMatchObject({ value: 78, valueMin: 58, valueMax: 110 });
    expect(
      await table.item(userId, 'PULSE', 'stats:HKQuantityTypeIdentifierHeartRate:2026-08-14T07:40:00.000Z'),
    ).toMatchObject({ value: 72, valueMin: null, valueMax: null });
    expect(await itemsOf(userId)).toHaveLength(2);
  });
});

describe('whole-request errors answer in the envelope and write nothing', () => {
  const good = () => ({ entries: [entry({ externalId: `sample-${Math.random()}` })] });

  async function expectRejected(answer: BatchAnswer, userId: string, status: number, error: string | RegExp) {
    expect(answer.status).toBe(status);
    expect(answer.body.data).toBeNull();
    expect(answer.body.error).toEqual(typeof error === 'string' ? error : expect.stringMatching(error));
    expect(answer.rawBody).not.toMatch(/at .*\.ts:\d+|stack/i);
    expect(await itemsOf(userId)).toHaveLength(0);
  }

  it('contract example 04: a 422 names exactly the bad entries (entries.1.startDate, entries.2.value) and writes nothing', async () => {
    const userId = newUser();
    const answer = await post({
      userId,
      body: {
        entries: [
          entry({ externalId: 'uuid-0' }),
          entry({ externalId: 'uuid-1', startDate: 'yesterday' }),
          entry({ externalId: 'uuid-2', value: '64' }),
        ],
      },
    });
    await expectRejected(answer, userId, 422, answer.body.details?.issues?.[0]?.message);
    expect(answer.body.meta).toEqual({ errorCode: 'measurement.batch.invalid' });
    expect(answer.body.details.issues).toEqual([
      { path: 'entries.1.startDate', code: expect.any(String), message: expect.any(String) },
      { path: 'entries.2.value', code: expect.any(String), message: expect.any(String) },
    ]);
  });

  it('a batch mixing good and bad entries names every bad entry and no good one', async () => {
    const userId = newUser();
    const entries = Array.from({ length: 40 }, (_, i) => entry({ externalId: `mixed-${i}` }));
    const badIndexes = [3, 17, 18, 39];
    entries[3] = entry({ externalId: 'mixed-3', endDate: '2026-08-14T06:00:00z' });
    entries[17] = entry({ externalId: '' });
    entries[18] = entry({ externalId: 'mixed-18', value: null });
    entries[39] = { ...entry({ externalId: 'mixed-39' }), hkIdentifier: undefined };
    const answer = await post({ userId, body: { entries } });
    await expectRejected(answer, userId, 422, /.+/);
    const named = new Set(
      answer.body.details.issues.map((issue: { path: string }) => Number(issue.path.split('.')[1])),
    );
    expect([...named].sort((a, b) => Number(a) - Number(b))).toEqual(badIndexes);
  });

  it.each([
    ['a body that is not an object', [1, 2, 3], ''],
    ['an empty entries array', { entries: [] }, 'entries'],
    ['entries that is not an array', { entries: { 0: {} } }, 'entries'],
    ['an unknown syncTrigger', { entries: [entry()], syncTrigger: 'cron' }, 'syncTrigger'],
  ])('%s is measurement.batch.invalid with the envelope path', async (_name, body, path) => {
    const userId = newUser();
    const answer = await post({ userId, body });
    await expectRejected(answer, userId, 422, /.+/);
    expect(answer.body.meta).toEqual({ errorCode: 'measurement.batch.invalid' });
    expect(answer.body.details.issues.map((issue: { path: string }) => issue.path)).toContain(path);
  });

  it('more than 500 entries is measurement.batch.too_large, checked before the schema', async () => {
    const userId = newUser();
    const entries = Array.from({ length: 501 }, () => ({ nonsense: true }));
    const answer = await post({ userId, body: { entries } });
    await expectRejected(answer, userId, 422, 'Batch exceeds the 500-entry limit');
    expect(answer.body.meta).toEqual({ errorCode: 'measurement.batch.too_large' });
  });

  it('a body that is not JSON is 400 Invalid JSON body', async () => {
    const userId = newUser();
    await expectRejected(await post({ userId, rawBody: '{"entries": [' }), userId, 400, 'Invalid JSON body');
  });

  it('a body over 4 MiB is 413, before it is parsed', async () => {
    const userId = newUser();
    const rawBody = `{"entries": [], "padding": "${'x'.repeat(4 * 1024 * 1024)}"}`;
    await expectRejected(await post({ userId, rawBody }), userId, 413, 'Request body exceeds 4194304 bytes');
  });

  it('a content type without application/json is 415, even with a valid body', async () => {
    const userId = newUser();
    const answer = await post({ userId, body: good(), headers: { 'content-type': 'text/plain' } });
    await expectRejected(answer, userId, 415, 'Content-Type must be application/json');
  });

  it('no user in the verified token is 401 Not authenticated', async () => {
    const answer = await post({ userId: null, body: good() });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ data: null, error: 'Not authenticated' });
    expect(
      (await table.items()).filter((item) => String(item.externalId).startsWith('sample-')),
    ).toHaveLength(0);
  });

  it('each refusal logs measurement.batch.rejected with its status and errorCode, never the body', async () => {
    const userId = newUser();
    await post({ userId, rawBody: '{"entries": [', requestId: 'req-rejected' });
    expect(logs.events('measurement.batch.rejected')).toEqual([
      expect.objectContaining({
        userId,
        requestId: 'req-rejected',
        status: 400,
        errorCode: 'request.invalid_json',
      }),
    ]);
    expect(JSON.stringify(logs.lines)).not.toContain('{"entries": [');
  });
});

describe('transport details the phone relies on', () => {
  it('a base64-encoded body is decoded', async () => {
    const userId = newUser();
    const answer = await post({
      userId,
      body: { entries: [entry()] },
      base64Body: true,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(answer.body.data.inserted).toBe(1);
  });

  it('x-request-id is echoed back when present', async () => {
    const answer = await post({
      userId: newUser(),
      body: { entries: [entry()] },
      headers: { 'X-Request-Id': 'abc-123' },
    });
    expect(answer.headers['x-request-id']).toBe('abc-123');
  });

  it('a fully successful answer carries no no-store header', async () => {
    const answer = await post({ userId: newUser(), body: { entries: [entry()] } });
    expect(answer.headers['cache-control']).toBeUndefined();
  });

  it('each accepted request logs one measurement.batch.ingest summary with the contract fields', async () => {
    const userId = newUser();
    await post({
      userId,
      requestId: 'req-summary',
      body: {
        entries: [
          entry(),
          entry({ hkIdentifier: 'HKQuantityTypeIdentifierHeight' }),
          entry({ externalId: '0xdeadbeef' }),
        ],
        syncTrigger: 'background',
      },
    });
    const [summary, ...others] = logs.events('measurement.batch.ingest');
    expect(others).toHaveLength(0);
    expect(summary).toMatchObject({
      level: 'INFO',
      service: 'measurement-ingest',
      userId,
      requestId: 'req-summary',
      processed: 3,
      inserted: 1,
      updated: 0,
      duplicates: 0,
      skipped: 2,
      failed: 0,
      skippedByReason: { unmappable_identifier: 1, unstable_external_id: 1 },
      syncTrigger: 'background',
      durationMs: expect.any(Number),
    });
    expect(summary!.failedByReason).toEqual({});
    expect(JSON.stringify(logs.lines)).not.toMatch(/HKQuantityTypeIdentifierHeight|count\/min/);
  });

  it('every stored item records its writer, kind, request id and the fields the row API and audit need', async () => {
    const userId = newUser();
    await post({ userId, requestId: 'req-fields', body: { entries: [stepsDay('2026-05-24', 4200)] } });
    const [item] = await itemsOf(userId);
    expect(item).toEqual({
      pk: `${userId}#ACTIVITY_STEPS#${STEPS}`,
      id: measurementId('ACTIVITY_STEPS', STEPS),
      userId,
      kind: 'stats',
      type: 'ACTIVITY_STEPS',
      externalId: STEPS,
      hkIdentifier: 'HKQuantityTypeIdentifierStepCount',
      value: 4200,
      valueMin: null,
      valueMax: null,
      unit: 'steps',
      clientUnit: 'steps',
      measuredAt: '2026-05-23T22:00:00.000Z',
      startDate: '2026-05-23T22:00:00.000Z',
      sleepStage: null,
      rhythmClassification: null,
      source: 'APPLE_HEALTH',
      deviceType: null,
      externalSourceVersion: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      requestId: 'req-fields',
      writer: 'batch',
      gsiUser: userId,
      gsiUserType: `${userId}#ACTIVITY_STEPS`,
      gsiUserExternalId: `${userId}#${STEPS}`,
    });
  });
});

describe('a 500-entry batch answers every index exactly once', () => {
  it('produces every status and keeps inserted + updated + duplicates + failed + skipped = processed', async () => {
    const userId = newUser();
    await post({
      userId,
      body: { entries: [stepsDay('2026-01-01', 1), entry({ externalId: 'already-there' })] },
    });
    const entries: Record<string, unknown>[] = [
      stepsDay('2026-01-01', 2),
      entry({ externalId: 'already-there' }),
    ];
    entries.push(stepsDay('2026-01-02', 5), stepsDay('2026-01-02', 6)); // superseded
    entries.push(entry({ hkIdentifier: 'HKQuantityTypeIdentifierHeight' })); // unmappable
    entries.push(entry({ externalId: 'out-of-range', value: 400 }));
    entries.push(entry({ externalId: 'future', endDate: '2999-01-01T00:00:00Z' }));
    entries.push(entry({ externalId: '<HKHealthConceptIdentifier: 0x12568db80>' }));
    entries.push(entry({ externalId: 'stats:HKQuantityTypeIdentifierHeartRate:2026-08-14T07:35:00.000Z' }));
    while (entries.length < 500) entries.push(entry({ externalId: `bulk-${entries.length}` }));

    const answer = await post({ userId, body: { entries } });
    expectValidBatchAnswer(answer, 500);
    const data = answer.body.data;
    expect(data.entries.map((e: { index: number }) => e.index)).toEqual(
      Array.from({ length: 500 }, (_, i) => i),
    );
    expect(data.inserted + data.updated + data.duplicates + data.failed + data.skipped.length).toBe(
      data.processed,
    );
    expect(data.processed).toBe(500);
    expect(new Set(data.entries.map((e: { status: string }) => e.status))).toEqual(
      new Set(['inserted', 'updated', 'duplicate', 'skipped']),
    );
    expect(data.skipped.map((s: { reason: string }) => s.reason).sort()).toEqual([
      'implausible_timestamp',
      'malformed_hr_bucket_id',
      'unmappable_identifier',
      'unstable_external_id',
      'value_out_of_range',
    ]);
    expect(data).toMatchObject({ updated: 1, duplicates: 2, inserted: 492 });
    // The updated row is one of the two given; every insert is one more item.
    expect(await itemsOf(userId)).toHaveLength(2 + 492);
  });
});

describe('write failures: one entry failing never loses another', () => {
  /** Throttles every attempt for the chosen externalIds, below the SDK's retry loop. */
  function throttleWrites(repositoryClient: LocalTable['documentClient'], externalIds: Set<string>) {
    let attempts = 0;
    repositoryClient.middlewareStack.add(
      (next, context) => async (args) => {
        const input = (args as { input?: { Item?: Record<string, { S?: string }> } }).input;
        const externalId = input?.Item?.externalId?.S;
        if (context.commandName === 'PutItemCommand' && externalId && externalIds.has(externalId)) {
          attempts++;
          throw new ProvisionedThroughputExceededException({
            message: 'Rate exceeded',
            $metadata: { httpStatusCode: 400 },
          });
        }
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'injectThrottling' },
    );
    return { attempts: () => attempts };
  }

  it('with throttling on some writes, exactly those entries are failed, the rest are stored, and the answer is no-store', async () => {
    const faulty = await createLocalTable();
    try {
      const throttled = new Set(['bulk-7', 'bulk-100', 'stats:HKQuantityTypeIdentifierStepCount:2026-03-03']);
      const injected = throttleWrites(faulty.documentClient, throttled);
      const postFaulty = batchClient({ documentClient: faulty.documentClient, tableName: faulty.tableName });
      const entries = Array.from({ length: 200 }, (_, i) => entry({ externalId: `bulk-${i}` }));
      entries[150] = stepsDay('2026-03-03', 1234);
      const answer = await postFaulty({ userId: 'user-throttled', body: { entries } });
      expectValidBatchAnswer(answer, 200);
      const failed = answer.body.data.entries.filter((e: { status: string }) => e.status === 'failed');
      expect(failed).toEqual([
        { index: 7, status: 'failed', reason: 'ProvisionedThroughputExceededException' },
        { index: 100, status: 'failed', reason: 'ProvisionedThroughputExceededException' },
        { index: 150, status: 'failed', reason: 'ProvisionedThroughputExceededException' },
      ]);
      expect(answer.body.data).toMatchObject({ inserted: 197, failed: 3 });
      expect(answer.headers['cache-control']).toBe('private, no-store');
      const stored = new Set((await faulty.items()).map((item) => item.externalId));
      expect(stored.size).toBe(197);
      for (const id of throttled) expect(stored.has(id)).toBe(false);
      // The SDK's own retries ran (maxAttempts 3) before the entry was given up.
      expect(injected.attempts()).toBe(3 * throttled.size);
    } finally {
      await faulty.drop();
    }
  });

  it('entries not started before the deadline are failed / deadline_exceeded and nothing is claimed stored', async () => {
    const userId = newUser();
    const answer = await post({
      userId,
      body: { entries: [entry(), stepsDay('2026-05-24', 1)] },
      remainingTimeMs: 1000,
    });
    expectValidBatchAnswer(answer, 2);
    expect(answer.body.data.entries).toEqual([
      { index: 0, status: 'failed', reason: 'deadline_exceeded' },
      { index: 1, status: 'failed', reason: 'deadline_exceeded' },
    ]);
    expect(answer.headers['cache-control']).toBe('private, no-store');
    expect(await itemsOf(userId)).toHaveLength(0);
  });

  it('an unexpected error answers 500 Internal server error without a stack trace, and logs the error', async () => {
    const post500 = batchClient({
      documentClient: table.documentClient,
      tableName: table.tableName,
      clock: () => {
        throw new TypeError('boom at secret place');
      },
    });
    const userId = newUser();
    const answer = await post500({ userId, body: { entries: [entry()] } });
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({ data: null, error: 'Internal server error' });
    expect(answer.rawBody).not.toContain('boom');
    expect(logs.events('measurement.batch.error')).toHaveLength(1);
    expect(await itemsOf(userId)).toHaveLength(0);
  });
});
