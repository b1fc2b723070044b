import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { rebuildDailyAggregates } from '../../functions/measurements/aggregates/rebuild-aggregates';
import { DailyAggregates } from '../../functions/measurements/storage/daily-aggregates';
import { seriesSchema } from '../../functions/measurements-api/read-schemas';
import { batchClient, entry, heartRateBucket } from '../support/batch-client';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import { localAggregates, type LocalAggregates } from '../support/daily-aggregates';
import { createLocalTable, type LocalTable } from '../support/local-table';
import { measurementsApiClient, type MeasurementsApi } from '../support/measurements-api-client';
import { runTool } from '../support/operator-tool';
import { storedItem } from '../support/stored-items';

/**
 * `npm run rebuild-aggregates` on DynamoDB Local: a table whose dense history was written without
 * the aggregate function (as before the aggregates existed) gets the aggregates the stream would
 * have kept — compared with a user whose identical rows went through the real aggregate function —
 * and long chart windows then answer from them.
 */

const NOW = new Date('2026-11-20T12:00:00.000Z');
const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;
const iso = (ms: number) => new Date(ms).toISOString();

/** A local table with the clients a test drives it through. */
interface Fixture {
  readonly table: LocalTable;
  readonly aggregates: LocalAggregates;
  readonly post: ReturnType<typeof batchClient>;
  /** The row API on the chart window's clock (reads). */
  readonly api: MeasurementsApi;
  /** The row API on the real clock, as every writer is (its writes are ordered with the batch's). */
  readonly writes: MeasurementsApi;
  close(): Promise<void>;
}

async function fixture(): Promise<Fixture> {
  const table = await createLocalTable({ stream: true });
  const aggregates = await localAggregates(table);
  return {
    table,
    aggregates,
    post: batchClient({ documentClient: table.documentClient, tableName: table.tableName }),
    api: measurementsApiClient({
      documentClient: table.documentClient,
      tableName: table.tableName,
      aggregatesTableName: table.aggregatesTableName,
      clock: () => NOW,
    }),
    writes: measurementsApiClient({ documentClient: table.documentClient, tableName: table.tableName }),
    async close() {
      aggregates.close();
      await table.drop();
    },
  };
}

/** Shared by the tests that only touch their own users; the whole-table test has a table of its own. */
let shared: Fixture;
let logs: CapturedLogs;

beforeAll(async () => (shared = await fixture()));
afterAll(() => shared.close());
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

let userSeq = 0;
const newUser = () => `rebuild-user-${++userSeq}-${Date.now()}`;

/**
 * Six heart-rate buckets a day on the days 20, 19 and 18 before NOW (values 60…65 + 10 per day),
 * two glucose readings on the last of them, and a weight (not a dense type).
 */
function history(): Record<string, unknown>[] {
  const entries: Record<string, unknown>[] = [];
  for (const [d, daysAgo] of [20, 19, 18].entries()) {
    const midnight = Math.floor((NOW.getTime() - daysAgo * DAY) / DAY) * DAY;
    for (let b = 0; b < 6; b++) {
      const start = midnight + 10 * 60 * MINUTE + b * 10 * MINUTE;
      const value = 60 + b + d * 10;
      entries.push(heartRateBucket(iso(start), value, { valueMin: value - 5, valueMax: value + 8 }));
    }
  }
  for (const [i, value] of [95, 140].entries()) {
    const at = iso(Date.parse('2026-11-02T07:00:00.000Z') + i * 60 * MINUTE);
    entries.push(
      entry({
        hkIdentifier: 'HKQuantityTypeIdentifierBloodGlucose',
        value,
        unit: 'mg/dL',
        startDate: at,
        endDate: at,
        externalId: `glucose-${i}`,
      }),
    );
  }
  entries.push(
    entry({
      hkIdentifier: 'HKQuantityTypeIdentifierBodyMass',
      value: 80,
      unit: 'kg',
      startDate: '2026-11-02T06:00:00Z',
      endDate: '2026-11-02T06:00:00Z',
      externalId: 'weight-1',
    }),
  );
  return entries;
}

/** Writes the history; deletes the first heart-rate bucket through the row API. */
async function storeHistory({ post, writes }: Fixture, userId: string): Promise<void> {
  const answer = await post({ userId, body: { entries: history() } });
  expect(answer.status).toBe(200);
  expect(answer.body.data.failed).toBe(0);
  expect(answer.body.data.skipped).toEqual([]);
  const firstBucket = answer.body.data.entries[0].id as string;
  expect((await writes.delete(userId, firstBucket)).status).toBe(200);
}

/** What an aggregate says about its day, without what names its user or when it was written. */
const content = (items: Record<string, any>[]) =>
  items.map(({ pk: _pk, updatedAt: _updatedAt, version: _version, ...rest }) => rest);

const rebuildCli = (args: readonly string[]) => runTool('rebuild-aggregates', args);

const tableArgs = ({ table }: Fixture) => [
  '--table',
  table.tableName,
  '--aggregates-table',
  table.aggregatesTableName,
  '--endpoint',
  table.endpoint,
];

async function longPulseChart({ api }: Fixture, userId: string) {
  const answer = await api.series(userId, { kind: 'pulse', days: 120 }, 'UTC');
  expect(answer.status).toBe(200);
  return seriesSchema.parse(answer.body.data);
}

describe('npm run rebuild-aggregates: daily aggregates for history the stream never aggregated', () => {
  test('the whole table: every user’s dense series get what the stream keeps; long charts answer from them', async () => {
    const own = await fixture();
    try {
      await wholeTable(own);
    } finally {
      await own.close();
    }
  });

  async function wholeTable(own: Fixture) {
    const { aggregates } = own;
    const viaStream = newUser();
    const viaRebuild = newUser();
    await storeHistory(own, viaStream);
    await storeHistory(own, viaRebuild);
    await aggregates.runAggregator(viaStream);

    // Before: the stream never saw this user's rows, so the long chart has nothing to show.
    expect(await aggregates.stored(viaRebuild, 'PULSE')).toEqual([]);
    expect((await longPulseChart(own, viaRebuild)).points).toEqual([]);

    const run = await rebuildCli([...tableArgs(own), '--segments', '3']);
    expect(run.stderr).toContain('4/4 series rebuilt');
    expect(run.code).toBe(0);
    // Two users × (PULSE, BLOOD_GLUCOSE); the weight is no dense type. The stream's aggregate of
    // viaStream's 2026-10-31 knows of the delete, a write later than any live row of that day: the
    // rebuild, which reads only the live rows, keeps it (and computes the same day for viaRebuild).
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toEqual({
      series: 4,
      days: 8,
      written: 7,
      superseded: 1,
      failedDays: 0,
      failedSeries: 0,
    });

    const pulse = await aggregates.stored(viaRebuild, 'PULSE');
    // 2026-10-31 lost its first bucket (60) to the delete.
    expect(
      pulse.map((item) => [item.day, item.count, item.sum, item.min, item.max, item.low, item.high]),
    ).toEqual([
      ['2026-10-31', 5, 375 - 60, 61, 65, 56, 73],
      ['2026-11-01', 6, 435, 70, 75, 65, 83],
      ['2026-11-02', 6, 495, 80, 85, 75, 93],
    ]);
    expect(content(pulse)).toEqual(content(await aggregates.stored(viaStream, 'PULSE')));
    const glucose = await aggregates.stored(viaRebuild, 'BLOOD_GLUCOSE');
    expect(glucose.map((item) => [item.day, item.count, item.sum])).toEqual([['2026-11-02', 2, 235]]);
    expect(content(glucose)).toEqual(content(await aggregates.stored(viaStream, 'BLOOD_GLUCOSE')));
    expect(await aggregates.stored(viaRebuild, 'WEIGHT')).toEqual([]);

    const chart = await longPulseChart(own, viaRebuild);
    expect(chart.points.map((point) => [point.id, point.value])).toEqual([
      ['day:2026-10-31', 63],
      ['day:2026-11-01', 72.5],
      ['day:2026-11-02', 82.5],
    ]);
    expect(chart).toEqual(await longPulseChart(own, viaStream));
  }

  test('named users only, without scanning; a second run changes no aggregate', async () => {
    const { table, aggregates } = shared;
    const named = newUser();
    const other = newUser();
    await storeHistory(shared, named);
    await storeHistory(shared, other);

    const run = await rebuildCli([...tableArgs(shared), '--user', named]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Rebuilding the daily aggregates of 1 user(s)');
    // The four aggregated types of that user, two of which have rows.
    expect(JSON.parse(run.stdout)).toMatchObject({ series: 4, days: 4, written: 4 });
    expect(await aggregates.stored(other, 'PULSE')).toEqual([]);

    const first = await aggregates.stored(named, 'PULSE');
    const store = new DailyAggregates(table.documentClient, {
      measurements: table.tableName,
      aggregates: table.aggregatesTableName,
    });
    const again = await rebuildDailyAggregates(
      { source: store, store },
      { userIds: [named], segments: 1, concurrency: 2 },
    );
    expect(again).toMatchObject({ days: 4, failedDays: [], failedSeries: [] });
    const second = await aggregates.stored(named, 'PULSE');
    expect(second.map(({ updatedAt: _u, ...rest }) => rest)).toEqual(
      first.map(({ updatedAt: _u, ...rest }) => rest),
    );
  });

  test('repairs an aggregate whose latest write has settled; keeps one from a write of the last minute', async () => {
    const { table, aggregates } = shared;
    const userId = newUser();
    const now = Date.now();
    // Rows last written ten minutes ago, two on each of two days.
    const writtenAt = iso(now - 10 * MINUTE);
    for (const [i, [measuredAt, value]] of (
      [
        ['2026-11-01T08:00:00.000Z', 60],
        ['2026-11-01T09:00:00.000Z', 70],
        ['2026-11-02T08:00:00.000Z', 80],
        ['2026-11-02T09:00:00.000Z', 90],
      ] as const
    ).entries()) {
      await table.documentClient.send(
        new PutCommand({
          TableName: table.tableName,
          Item: storedItem({ userId, externalId: `pulse-${i}`, measuredAt, value, updatedAt: writtenAt }),
        }),
      );
    }
    const store = new DailyAggregates(table.documentClient, {
      measurements: table.tableName,
      aggregates: table.aggregatesTableName,
    });
    // Both days' stored aggregates claim a later write than any live row (as when a recompute that
    // read the index before it dropped a deleted row landed last), and count a row that is gone.
    const wrong = (day: string) => ({
      day,
      count: 3,
      sum: 300,
      sumOfSquares: 30000,
      min: 100,
      max: 100,
      low: 100,
      high: 100,
      slots: [],
    });
    const settled = `${iso(now - 5 * MINUTE)}#000001`;
    const fresh = `${iso(now - 10_000)}#000001`;
    await store.writeAggregate({ userId, type: 'PULSE', day: '2026-11-01' }, wrong('2026-11-01'), settled);
    await store.writeAggregate({ userId, type: 'PULSE', day: '2026-11-02' }, wrong('2026-11-02'), fresh);

    const summary = await rebuildDailyAggregates(
      { source: store, store },
      { userIds: [userId], segments: 1, concurrency: 1 },
    );
    expect(summary).toMatchObject({ days: 2, written: 1, superseded: 1, failedDays: [] });
    const stored = await aggregates.stored(userId, 'PULSE');
    // 2026-11-01: its latest write is five minutes old, so this read holds it: repaired.
    expect(stored[0]).toMatchObject({ day: '2026-11-01', count: 2, sum: 130 });
    expect(stored[0]!.version > settled).toBe(true);
    // 2026-11-02: a write ten seconds ago may not have reached the index this read: kept.
    expect(stored[1]).toMatchObject({ day: '2026-11-02', count: 3, sum: 300, version: fresh });
  });

  test('a table it cannot read: exit 1 with the AWS error in one line, no summary', async () => {
    const { table } = shared;
    const run = await rebuildCli([
      '--table',
      'no-such-table',
      '--aggregates-table',
      table.aggregatesTableName,
      '--endpoint',
      table.endpoint,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^The rebuild-aggregates stopped: ResourceNotFoundException: /m);
    expect(run.stdout).toBe('');
  });

  test.each([
    [[], 'Say where the tables are: --local, --stack <name>, or --table, --aggregates-table.'],
    [['--local', '--table', 'x'], 'Say where the tables are one way'],
    [
      ['--table', 'a', '--aggregates-table', 'b', '--segments', '0'],
      '--segments must be a whole number from 1 to 1000',
    ],
    [['--table', 'a', '--aggregates-table', 'b', '--user', 'a#b'], '"a#b" cannot be a user id'],
    [['--table', 'a', '--aggregates-table', 'b', '--tabel', 'c'], "Unknown option '--tabel'"],
  ])('usage error %j: exit 2, the reason and the usage, nothing read', async (args, reason) => {
    const run = await rebuildCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(reason);
    expect(run.stderr).toContain('Usage: npm run rebuild-aggregates');
    expect(run.stdout).toBe('');
  });
});
