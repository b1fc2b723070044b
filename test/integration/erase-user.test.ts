import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { DailyAggregates } from '../../functions/measurements/storage/daily-aggregates';
import { UserItems } from '../../functions/measurements/storage/user-items';
import { RequestGuardRecords } from '../../functions/request-guards/request-guards-repository';
import { eraseUser } from '../../functions/user-data/erase-user';
import { createStreamsClient, latestStreamArn, readStreamRecords } from '../../local/dynamodb-stream';
import { batchClient, entry } from '../support/batch-client';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import { localAggregates, type LocalAggregates } from '../support/daily-aggregates';
import { measurementsApiClient } from '../support/measurements-api-client';
import { storedItem } from '../support/stored-items';
import { runTool, startTool } from '../support/operator-tool';
import { createUserDataTables, type UserDataTables } from '../support/user-data-tables';

/**
 * `npm run erase-user` (docs/data-lifecycle.md, "Erasure") through its CLI on DynamoDB Local:
 * a dry run deletes nothing, an erasure killed halfway finishes on a second run, and writes that
 * race the erasure are caught by its verification pass (exit 1, named).
 */

let tables: UserDataTables;
let aggregates: LocalAggregates;
let logs: CapturedLogs;
let streams: ReturnType<typeof createStreamsClient>;

beforeAll(async () => {
  tables = await createUserDataTables();
  aggregates = await localAggregates(tables.table);
  streams = createStreamsClient(tables.table.endpoint);
});
afterAll(async () => {
  aggregates.close();
  streams.destroy();
  await tables.drop();
});
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

let userSeq = 0;
const newUser = () => `erase-user-${++userSeq}-${Date.now()}`;
const MINUTE = 60_000;

/** `samples` heart-rate samples through the guarded batch, three hand-entered readings, their aggregates and audit key. */
async function populate(userId: string, samples: number): Promise<void> {
  const post = batchClient({
    documentClient: tables.table.documentClient,
    tableName: tables.table.tableName,
    guards: tables.guards.guards(),
  });
  const start = Date.parse('2026-10-01T00:00:00.000Z');
  for (let first = 0; first < samples; first += 500) {
    const entries = Array.from({ length: Math.min(500, samples - first) }, (_, i) => {
      const at = new Date(start + (first + i) * 7 * MINUTE).toISOString();
      return entry({
        value: 60 + ((first + i) % 30),
        startDate: at,
        endDate: at,
        externalId: `hr-${first + i}`,
      });
    });
    const answer = await post({
      userId,
      body: { entries },
      headers: { 'Idempotency-Key': `fill-${userId}-${first}` },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data.failed).toBe(0);
  }
  const api = measurementsApiClient({
    documentClient: tables.table.documentClient,
    tableName: tables.table.tableName,
  });
  for (const [type, value, day] of [
    ['WEIGHT', 80.5, '2026-10-02'],
    ['BLOOD_GLUCOSE', 99, '2026-10-03'],
    ['PULSE', 64, '2026-10-04'],
  ] as const) {
    const answer = await api.create(userId, {
      type,
      value,
      measuredAt: `${day}T07:00:00Z`,
      notes: 'a note',
      ...(type === 'BLOOD_GLUCOSE' ? { glucoseContext: 'FASTING' } : {}),
    });
    expect(answer.status).toBe(201);
  }
  await aggregates.runAggregator(userId);
  await tables.auditKeys.getOrCreateKey(userId);
}

async function everythingOf(userId: string) {
  const all = await tables.scanAll();
  return {
    measurements: all.measurements.filter((item) => String(item.pk).startsWith(`${userId}#`)),
    dailyAggregates: all.dailyAggregates.filter((item) => String(item.pk).startsWith(`${userId}#`)),
    requestGuards: all.requestGuards.filter((item) => String(item.id).includes(`#${userId}#`)),
    auditKeys: all.auditKeys.filter((item) => item.userId === userId),
  };
}

async function streamRecords(): Promise<DynamoDBRecord[]> {
  return readStreamRecords(streams, await latestStreamArn(tables.table.client, tables.table.tableName));
}

const nothing = { measurements: [], dailyAggregates: [], requestGuards: [], auditKeys: [] };

describe('erase-user --dry-run', () => {
  test('counts what an erasure would delete, table by table, and deletes nothing', async () => {
    const userId = newUser();
    await populate(userId, 120);
    const before = await everythingOf(userId);
    const recordsBefore = (await streamRecords()).length;

    const run = await runTool('erase-user', [...tables.tableArgs, '--user', userId, '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.summary()).toEqual({
      userId,
      dryRun: true,
      deleted: {
        measurements: { rows: 123, deletedRows: 0, readingMarkers: 3, interruptedItems: 0, otherItems: 0 },
        dailyAggregates: { days: before.dailyAggregates.length },
        requestGuards: { idempotencyRecords: 1, rateLimitCounters: 1 },
        auditKeys: { keys: 1 },
      },
      changedDuringErasure: 0,
      announced: false,
      remaining: null,
      erased: false,
    });
    expect(before.measurements).toHaveLength(126);
    expect(await everythingOf(userId)).toEqual(before);
    expect((await streamRecords()).length).toBe(recordsBefore);
  }, 120_000);
});

describe('erase-user: resumable', () => {
  test('an erasure killed halfway finishes on a second run, which counts what the first left marked', async () => {
    const userId = newUser();
    await populate(userId, 1000);
    const total = (await everythingOf(userId)).measurements.length;

    // Killed as soon as it reports its first batch (one at a time, so most of the work is left).
    const first = startTool('erase-user', [...tables.tableArgs, '--user', userId, '--concurrency', '1'], {
      onStderr: (stderr) => {
        if (stderr.includes('items of the measurements table erased')) first.kill();
      },
    });
    const killed = await first.done;
    expect(killed).toMatchObject({ code: null, signal: 'SIGKILL' });
    const half = await everythingOf(userId);
    expect(half.measurements.length).toBeGreaterThan(0);
    expect(half.measurements.length).toBeLessThan(total);
    // Left as the erasure's bare items, still owned: the index finds them again.
    expect(half.measurements.filter((item) => item.kind === 'erasing')).not.toEqual([]);
    for (const item of half.measurements.filter((one) => one.kind === 'erasing'))
      expect(item).toEqual({ pk: item.pk, userId, kind: 'erasing' });
    expect(half.auditKeys).toHaveLength(1);

    const second = await runTool('erase-user', [...tables.tableArgs, '--user', userId]);
    expect(second.code).toBe(0);
    const summary = second.summary();
    expect(summary.erased).toBe(true);
    expect(summary.deleted.measurements.interruptedItems).toBe(
      half.measurements.filter((item) => item.kind === 'erasing').length,
    );
    expect(summary.deleted.auditKeys).toEqual({ keys: 1 });
    expect(await everythingOf(userId)).toEqual(nothing);
    // A third run finds nothing to do, announces nothing, and still verifies.
    const third = await runTool('erase-user', [...tables.tableArgs, '--user', userId]);
    expect(third.code).toBe(0);
    expect(third.summary()).toMatchObject({ erased: true, announced: false });
  }, 300_000);
});

describe('erase-user: writes racing the erasure are caught by the verification pass', () => {
  test('a phone still syncing during the erasure: exit 1, the rows it wrote named; a run after it stopped finishes', async () => {
    const userId = newUser();
    await populate(userId, 1000);
    const post = batchClient({
      documentClient: tables.table.documentClient,
      tableName: tables.table.tableName,
    });
    const run = startTool('erase-user', [...tables.tableArgs, '--user', userId, '--concurrency', '2']);
    let syncing = true;
    let n = 0;
    const phone = (async () => {
      while (syncing) {
        const at = new Date(Date.parse('2026-11-01T00:00:00.000Z') + n * MINUTE).toISOString();
        await post({
          userId,
          body: { entries: [entry({ startDate: at, endDate: at, externalId: `late-${n++}` })] },
        });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const raced = await run.done;
    syncing = false;
    await phone;
    expect(raced.code).toBe(1);
    const summary = raced.summary();
    expect(summary.erased).toBe(false);
    expect(summary.remaining.measurements.count).toBeGreaterThan(0);
    expect(summary.remaining.measurements.keys[0]).toMatch(new RegExp(`^${userId}#PULSE#late-\\d+$`));
    expect(raced.stderr).toMatch(new RegExp(`left in measurements: \\d+ \\(${userId}#PULSE#late-`));
    // Keys, never values: no remaining entry carries more than the item's key.
    expect(JSON.stringify(summary.remaining)).not.toMatch(/"value"|"notes"/);

    const again = await runTool('erase-user', [...tables.tableArgs, '--user', userId]);
    expect(again.code).toBe(0);
    expect(await everythingOf(userId)).toEqual(nothing);
  }, 300_000);

  test('a write between an item’s two steps is left as written, counted and named (the conditional delete)', async () => {
    const userId = newUser();
    await populate(userId, 20);
    const documents = tables.table.documentClient;
    const items = new UserItems(documents, tables.table.tableName);
    const rewritten = storedItem({
      userId,
      externalId: 'hr-3',
      value: 99,
      updatedAt: new Date().toISOString(),
    });
    let rewrote = false;
    // The phone re-posts one row right after the erasure marked it.
    const racingItems = Object.assign(Object.create(items) as UserItems, {
      async markErasing(owner: string, keys: readonly string[]) {
        await items.markErasing(owner, keys);
        if (!rewrote && keys.includes(rewritten.pk)) {
          rewrote = true;
          await documents.send(new PutCommand({ TableName: tables.table.tableName, Item: rewritten }));
        }
      },
    });
    const summary = await eraseUser(
      {
        items: racingItems,
        announcer: items,
        aggregates: new DailyAggregates(documents, {
          measurements: tables.table.tableName,
          aggregates: tables.table.aggregatesTableName,
        }),
        guards: new RequestGuardRecords(tables.table.client, tables.guards.tableName),
        auditKeys: tables.auditKeys,
      },
      { userId },
    );
    expect(rewrote).toBe(true);
    expect(summary).toMatchObject({
      erased: false,
      changedDuringErasure: 1,
      remaining: { measurements: { count: 1, keys: [rewritten.pk] } },
    });
    expect((await everythingOf(userId)).measurements).toEqual([rewritten]);
  }, 120_000);
});

describe('erase-user: reading markers written before markers carried their owner', () => {
  test('found from their reading (a hand-entered tombstone keeps its instant for that); one whose reading names none only with --scan', async () => {
    const userId = newUser();
    await populate(userId, 5);
    const put = (Item: Record<string, unknown>) =>
      tables.table.documentClient.send(new PutCommand({ TableName: tables.table.tableName, Item }));
    // Two ownerless markers: one whose reading names its instant, and one whose row does not (put
    // by hand here: no soft delete strips a hand-entered row's instant).
    const reading = (uuid: string) => `${userId}#WEIGHT#manual:${uuid}`;
    const marker = (at: string) => `${userId}#@reading#WEIGHT#${at}#MANUAL`;
    const kept = '00000000-0000-4000-8000-0000000000a1';
    const stripped = '00000000-0000-4000-8000-0000000000a2';
    const id = (uuid: string) => Buffer.from(`WEIGHT#manual:${uuid}`).toString('base64url');
    await put({
      ...storedItem({ userId, type: 'WEIGHT', externalId: 'x' }),
      pk: reading(kept),
      id: id(kept),
      kind: 'manual',
      externalId: null,
      measuredAt: '2026-09-01T07:00:00.000Z',
      source: 'MANUAL',
    });
    await put({
      pk: marker('2026-09-01T07:00:00.000Z'),
      kind: 'reading-marker',
      row: reading(kept),
      createdAt: 'x',
    });
    await put({
      pk: reading(stripped),
      userId,
      id: id(stripped),
      kind: 'manual',
      type: 'WEIGHT',
      externalId: null,
      deletedAt: '2026-09-03T07:00:00.000Z',
      updatedAt: '2026-09-03T07:00:00.000Z',
      writer: 'delete',
      requestId: 'req-delete',
    });
    await put({
      pk: marker('2026-09-02T07:00:00.000Z'),
      kind: 'reading-marker',
      row: reading(stripped),
      createdAt: 'x',
    });

    // Through the index: the first is found from its reading; the second is in no index, and the
    // verification (which reads the same index) cannot see it.
    const indexed = await runTool('erase-user', [...tables.tableArgs, '--user', userId]);
    expect(indexed.code).toBe(0);
    expect(indexed.summary().deleted.measurements.readingMarkers).toBe(3 + 1);
    expect((await everythingOf(userId)).measurements.map((item) => item.pk)).toEqual([
      marker('2026-09-02T07:00:00.000Z'),
    ]);

    // With --scan: found, deleted, and verified by a Scan too.
    const scanned = await runTool('erase-user', [...tables.tableArgs, '--user', userId, '--scan']);
    expect(scanned.code).toBe(0);
    expect(scanned.summary()).toMatchObject({
      erased: true,
      deleted: { measurements: { readingMarkers: 1 } },
    });
    expect(await everythingOf(userId)).toEqual(nothing);
  }, 120_000);
});

describe('erase-user: a user the audit trail never named', () => {
  test('is erased all the same; its user.erased item names a userRef under a key nobody keeps, and no user id', async () => {
    const userId = newUser();
    await populate(userId, 10);
    await tables.auditKeys.deleteKey(userId);
    const seen = new Set((await streamRecords()).map((record) => record.eventID));
    const run = await runTool('erase-user', [...tables.tableArgs, '--user', userId]);
    expect(run.code).toBe(0);
    expect(run.summary()).toMatchObject({
      erased: true,
      announced: true,
      deleted: { auditKeys: { keys: 0 } },
    });
    const lifecycle = (await streamRecords()).filter(
      (record) => !seen.has(record.eventID) && record.dynamodb?.Keys?.pk?.S?.startsWith('@lifecycle#'),
    );
    expect(lifecycle.map((record) => record.eventName)).toEqual(['INSERT', 'REMOVE']);
    const image = lifecycle[0]!.dynamodb!.NewImage!;
    expect(Object.keys(image).sort()).toEqual([
      'counts',
      'endedAt',
      'event',
      'kind',
      'pk',
      'startedAt',
      'userRef',
    ]);
    expect(image.event).toEqual({ S: 'user.erased' });
    expect(image.userRef!.S).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(JSON.stringify(image)).not.toContain(userId);
    expect(await tables.auditKeys.getKey(userId)).toBeUndefined();
  }, 120_000);
});
