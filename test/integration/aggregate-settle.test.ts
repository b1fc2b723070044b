import type { DynamoDBRecord } from 'aws-lambda';
import { aggregateSettleQueue } from '../../definitions/aggregate-settle';
import { aggregateEvents } from '../../definitions/log-events';
import { serviceFunctions } from '../../definitions/service-functions';
import { createLogger } from '../../functions/commons/logger';
import { createSqsClient } from '../../functions/commons/sqs-client';
import { createDailyAggregatesHandler } from '../../functions/daily-aggregates/create-daily-aggregates-handler';
import { SqsSettleQueue } from '../../functions/daily-aggregates/settle-queue';
import type { DailyAggregateStore } from '../../functions/measurements/aggregates/aggregate-store';
import type { StoredMeasurement } from '../../functions/measurements/model/measurement';
import { DailyAggregates } from '../../functions/measurements/storage/daily-aggregates';
import { startDelayQueue, type DelayQueue } from '../../local/delay-queue';
import { createStreamsClient, latestStreamArn, readStreamRecords } from '../../local/dynamodb-stream';
import type { LocalFunction } from '../../local/lambda-context';
import { batchClient, heartRateBucket } from '../support/batch-client';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import { localAggregates, type LocalAggregates } from '../support/daily-aggregates';
import { createLocalTable, type LocalTable } from '../support/local-table';
import { measurementsApiClient } from '../support/measurements-api-client';

/**
 * The aggregate race of docs/read-api.md ("Daily aggregates"), reproduced on DynamoDB Local: a
 * day's changes arrive on two shards, and each shard's recompute reads an index that lags (a
 * snapshot of the index taken before the other shard's write reached it). The two recomputes tie
 * and the less complete aggregate lands last — the day is wrong. Then the settle queue (the local
 * runtime's, with a short delay) delivers the days both recomputes queued to the same function,
 * whose settle recompute reads the settled index and stores the right aggregate: no rebuild, no
 * operator.
 */

const DELAY_MS = 300;
const DAY = '2026-10-05';
const MINUTE = 60_000;

let table: LocalTable;
let aggregates: LocalAggregates;
let store: DailyAggregates;
let queue: DelayQueue;
let settleQueue: SqsSettleQueue;
let settled: number;
let logs: CapturedLogs;

beforeAll(async () => {
  table = await createLocalTable({ stream: true });
  aggregates = await localAggregates(table);
  store = new DailyAggregates(table.documentClient, {
    measurements: table.tableName,
    aggregates: table.aggregatesTableName,
  });
  queue = await startDelayQueue({
    name: 'aggregate-settle',
    settings: {
      deliveryDelayMs: DELAY_MS,
      batchSize: aggregateSettleQueue.batchSize,
      visibilityTimeoutMs: 1000,
      maxReceiveCount: aggregateSettleQueue.maxReceiveCount,
    },
    log: () => undefined,
  });
  settleQueue = new SqsSettleQueue(createSqsClient(queue.url), queue.url);
  // The settle queue's consumer: the daily-aggregate function on the real (settled) index.
  const settleHandler = aggregatesFunction(store);
  const consumer: LocalFunction = {
    name: 'dailyAggregates',
    definition: serviceFunctions.dailyAggregates,
    handler: async (event) => {
      const answer = await settleHandler(event as never);
      settled++;
      return answer;
    },
  };
  queue.attach(consumer);
});
afterAll(async () => {
  await queue.stop();
  aggregates.close();
  await table.drop();
});
beforeEach(() => {
  settled = 0;
  logs = captureLogs();
});
afterEach(() => logs.restore());

function aggregatesFunction(dayRows: DailyAggregateStore) {
  return createDailyAggregatesHandler({
    logger: createLogger('measurement-aggregates'),
    store: dayRows,
    settleQueue,
    concurrency: 2,
  });
}

/** The store, except that its index answers `snapshot`: what a lagging index still showed. */
const laggingIndex = (snapshot: readonly StoredMeasurement[]): DailyAggregateStore => ({
  readDayRows: async () => snapshot,
  writeAggregate: (day, aggregate, version, options) =>
    store.writeAggregate(day, aggregate, version, options),
});

let users = 0;
const newUser = () => `settle-user-${++users}-${Date.now()}`;

function pulse(userId: string, minute: number, value: number) {
  const start = new Date(Date.parse(`${DAY}T08:00:00.000Z`) + minute * MINUTE).toISOString();
  return heartRateBucket(start, value);
}

/** The user's stream records after the first `skip`, in order. */
async function recordsOf(userId: string, skip = 0): Promise<DynamoDBRecord[]> {
  const streams = createStreamsClient(table.endpoint);
  try {
    const records = await readStreamRecords(streams, await latestStreamArn(table.client, table.tableName));
    return records.filter((record) => record.dynamodb?.Keys?.pk?.S?.startsWith(`${userId}#`)).slice(skip);
  } finally {
    streams.destroy();
  }
}

/** The value of the row a record changed: its image after the change, or before it when the change
 * left none (a delete's tombstone keeps no value). */
const valueOf = (record: DynamoDBRecord) =>
  Number((record.dynamodb?.NewImage?.value ?? record.dynamodb?.OldImage?.value)?.N);

const stored = async (userId: string) =>
  (await aggregates.stored(userId, 'PULSE')).map(({ day, count, sum, version }) => ({
    day,
    count,
    sum,
    version,
  }));

async function untilSettled(): Promise<void> {
  const giveUp = Date.now() + 10_000;
  while (settled === 0 || queue.pending() > 0) {
    if (Date.now() > giveUp) throw new Error('no settle recompute within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('daily aggregates converge without an operator: the settle recompute after the index has settled', () => {
  test('two rows deleted by one request, their records on two shards: the tie leaves the day wrong, the settle recompute repairs it', async () => {
    const userId = newUser();
    const posted = await batchClient({ documentClient: table.documentClient, tableName: table.tableName })({
      userId,
      body: { entries: [pulse(userId, 0, 60), pulse(userId, 10, 70), pulse(userId, 20, 80)] },
    });
    expect(posted.status).toBe(200);
    const [first, second] = posted.body.data.entries.map((e: { id: string }) => e.id) as string[];
    const inserts = (await recordsOf(userId)).length;
    // The index before the deletes: all three rows.
    const before = await store.readDayRows({ userId, type: 'PULSE', day: DAY });
    expect(before).toHaveLength(3);

    const rows = measurementsApiClient({ documentClient: table.documentClient, tableName: table.tableName });
    const deleted = await rows.bulkDelete(userId, { ids: [first, second] });
    expect(deleted.status).toBe(200);
    const [shard1, shard2] = await recordsOf(userId, inserts);
    expect([shard1, shard2].map((record) => record?.eventName)).toEqual(['MODIFY', 'MODIFY']);

    // Shard 2's recompute reads an index that already dropped both rows: right.
    expect(await aggregatesFunction(store)({ Records: [shard2!] })).toEqual({ batchItemFailures: [] });
    // Shard 1's recompute read the index before it dropped the other row, and lands last.
    expect(await aggregatesFunction(laggingIndex(before))({ Records: [shard1!] })).toEqual({
      batchItemFailures: [],
    });
    // The stale read kept the row shard 2 deleted (whichever of the two it is) beside the third.
    const raced = await stored(userId);
    expect(raced).toEqual([{ day: DAY, count: 2, sum: 80 + valueOf(shard2!), version: expect.any(String) }]);

    await untilSettled();
    const repaired = await stored(userId);
    expect(repaired).toEqual([{ day: DAY, count: 1, sum: 80, version: raced[0]!.version }]);
    // Both recomputes queued the day (delivered together or one after the other).
    const settles = logs.events(aggregateEvents.settleBatch);
    expect(settles.reduce((sum, line) => sum + Number(line.messages), 0)).toBe(2);
    expect(settles.every((line) => line.failed === 0)).toBe(true);
  });

  test('two rows written by one request, each shard’s recompute missing the other’s row on the lagging index: both wrong, then right', async () => {
    const userId = newUser();
    const posted = await batchClient({ documentClient: table.documentClient, tableName: table.tableName })({
      userId,
      body: { entries: [pulse(userId, 0, 60), pulse(userId, 10, 70)] },
    });
    expect(posted.status).toBe(200);
    const [shard1, shard2] = await recordsOf(userId);
    expect([shard1, shard2].map((record) => record?.eventName)).toEqual(['INSERT', 'INSERT']);

    // Neither recompute finds the other's row on the index yet.
    await aggregatesFunction(laggingIndex([]))({ Records: [shard1!] });
    await aggregatesFunction(laggingIndex([]))({ Records: [shard2!] });
    // The later one landed last: only its own row.
    expect(await stored(userId)).toEqual([
      { day: DAY, count: 1, sum: valueOf(shard2!), version: expect.any(String) },
    ]);

    await untilSettled();
    expect(await stored(userId)).toEqual([{ day: DAY, count: 2, sum: 130, version: expect.any(String) }]);
  });

  test('a settle that arrives after the day’s rows and aggregate are gone (an erasure) recreates nothing; one left stored is cleared', async () => {
    const userId = newUser();
    const version = `${new Date().toISOString()}#000001`;
    const gone = { userId, type: 'PULSE', day: DAY };
    const cleared = { userId, type: 'PULSE', day: '2026-10-06' };
    await store.writeAggregate(
      cleared,
      {
        day: cleared.day,
        count: 1,
        sum: 60,
        sumOfSquares: 3600,
        min: 60,
        max: 60,
        low: 60,
        high: 60,
        slots: [],
      },
      version,
    );
    expect(
      await settleQueue.schedule([
        { day: gone, version },
        { day: cleared, version },
      ]),
    ).toEqual([]);
    await untilSettled();
    expect(await aggregates.stored(userId, 'PULSE')).toEqual([
      expect.objectContaining({ day: cleared.day, count: 0, version }),
    ]);
  });
});
