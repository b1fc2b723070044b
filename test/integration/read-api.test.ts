import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { measurementPageSchema, seriesSchema } from '../../functions/measurements-api/read-schemas';
import { measurementTypes } from '../../functions/measurements/model/measurement-types';
import { TableRowStore } from '../../functions/measurements/storage/table-row-store';
import { batchClient, entry, heartRateBucket } from '../support/batch-client';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import { localAggregates, type LocalAggregates } from '../support/daily-aggregates';
import { createLocalTable, type LocalTable } from '../support/local-table';
import { measurementsApiClient, type MeasurementsApi } from '../support/measurements-api-client';
import { storedItem } from '../support/stored-items';

/**
 * What the app reads, through the real row-API handler on DynamoDB Local: lists as it asks for
 * them (limits, types, sourceEq, offset), day totals per user-local day, sleep nights, chart
 * series of every kind, and the daily aggregates that long chart windows read — kept by the real
 * aggregate handler from the table's stream. Every answer is parsed with the OpenAPI schemas.
 */

/** The API's clock: every window below ends here (the batch checks instants against the real clock). */
const NOW = new Date('2026-11-20T12:00:00.000Z');
const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;

let table: LocalTable;
let post: ReturnType<typeof batchClient>;
let api: MeasurementsApi;
let logs: CapturedLogs;
let aggregates: LocalAggregates;

beforeAll(async () => {
  table = await createLocalTable({ stream: true });
  post = batchClient({ documentClient: table.documentClient, tableName: table.tableName });
  api = measurementsApiClient({
    documentClient: table.documentClient,
    tableName: table.tableName,
    aggregatesTableName: table.aggregatesTableName,
    clock: () => NOW,
  });
  aggregates = await localAggregates(table);
});
afterAll(async () => {
  aggregates.close();
  await table.drop();
});
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

/** Each test uses its own users, so tests never see each other's rows. */
let userSeq = 0;
const newUser = () => `read-user-${++userSeq}-${Date.now()}`;

async function store(userId: string, entries: Record<string, unknown>[]): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < entries.length; start += 500) {
    const answer = await post({ userId, body: { entries: entries.slice(start, start + 500) } });
    expect(answer.status).toBe(200);
    expect(answer.body.data.skipped).toEqual([]);
    expect(answer.body.data.failed).toBe(0);
    ids.push(...answer.body.data.entries.map((outcome: { id: string }) => outcome.id));
  }
  return ids;
}

/** A row of a source the batch never writes (an integration's), put as the batch would store it. */
async function storeDirectly(options: Parameters<typeof storedItem>[0]): Promise<string> {
  const item = storedItem(options);
  await table.documentClient.send(new PutCommand({ TableName: table.tableName, Item: item }));
  return item.id;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A pulse sample at an instant. */
const pulse = (at: string, value: number, externalId = `pulse-${at}-${value}`, source = 'APPLE_HEALTH') =>
  entry({ value, startDate: at, endDate: at, externalId, source });

/** A day total of a cumulative type, as the phone posts it: startDate = endDate = local midnight. */
function dayTotal(identifier: string, day: string, offset: string, value: number, source = 'APPLE_HEALTH') {
  const midnight = `${day}T00:00:00${offset}`;
  return entry({
    hkIdentifier: `HKQuantityTypeIdentifier${identifier}`,
    value,
    unit: 'kcal',
    startDate: midnight,
    endDate: midnight,
    externalId:
      source === 'APPLE_HEALTH'
        ? `stats:HKQuantityTypeIdentifier${identifier}:${day}`
        : `${source}-${identifier}-${day}`,
    source,
  });
}

const SLEEP_CODES = { IN_BED: 0, ASLEEP: 1, AWAKE: 2, CORE: 3, DEEP: 4, REM: 5 } as const;

/** One sleep stage segment ending at `end` (the phone stores minutes and the segment's end). */
function sleepSegment(end: string, minutes: number, stage: keyof typeof SLEEP_CODES) {
  const endMs = Date.parse(end);
  return entry({
    hkIdentifier: 'HKCategoryTypeIdentifierSleepAnalysis',
    value: minutes,
    unit: 'min',
    startDate: iso(endMs - minutes * MINUTE),
    endDate: end,
    sleepStage: SLEEP_CODES[stage],
    externalId: `sleep-${end}-${stage}`,
  });
}

function expectIssuePaths(answer: { status: number; body: any }, paths: string[]) {
  expect(answer.status).toBe(422);
  expect(answer.body.error).toBe('Validation failed');
  expect(answer.body.details.issues.map((issue: { path: string }) => issue.path)).toEqual(paths);
}

async function listPage(userId: string, query: Record<string, string | number>, timeZone?: string) {
  const answer = await api.list(userId, query, timeZone);
  expect(answer.status).toBe(200);
  return measurementPageSchema.parse(answer.body.data);
}

async function seriesOf(userId: string, query: Record<string, string | number>, timeZone?: string) {
  const answer = await api.series(userId, query, timeZone);
  expect(answer.status).toBe(200);
  expect(answer.body.error).toBeNull();
  return seriesSchema.parse(answer.body.data);
}

describe('GET /api/measurements: lists exactly as the app asks for them', () => {
  test('limit 2000 and 5000 are accepted: 2,100 rows come back as 2,000 and a cursor, then as all 2,100', async () => {
    const userId = newUser();
    const start = Date.parse('2026-10-01T00:00:00Z');
    await store(
      userId,
      Array.from({ length: 2100 }, (_, i) => pulse(iso(start + i * MINUTE), 60 + (i % 30))),
    );
    const page2000 = await listPage(userId, { type: 'PULSE', limit: 2000 });
    expect(page2000.measurements).toHaveLength(2000);
    expect(page2000.meta).toEqual({ limit: 2000, offset: 0, nextCursor: expect.any(String) });
    const rest = await listPage(userId, { type: 'PULSE', limit: 2000, cursor: page2000.meta.nextCursor! });
    expect(rest.measurements).toHaveLength(100);
    const page5000 = await listPage(userId, { limit: 5000 });
    expect(page5000.measurements).toHaveLength(2100);
    expect(page5000.meta).toEqual({ limit: 5000, offset: 0, nextCursor: null });
    const instants = page5000.measurements.map((row) => row.measuredAt);
    expect([...instants].sort().reverse()).toEqual(instants);
  });

  test('every one of the 77 types is a valid type; one with no rows answers an empty list, never 422', async () => {
    const userId = newUser();
    expect(measurementTypes).toHaveLength(77);
    for (const type of measurementTypes) {
      const page = await listPage(userId, { type, limit: 400 });
      expect(page.measurements).toEqual([]);
    }
    expectIssuePaths(await api.list(userId, { type: 'TOTAL_BODY_FAT' }), ['type']);
  });

  test('sourceEq keeps only rows of that source; a source off the list is 422 on sourceEq', async () => {
    const userId = newUser();
    await store(userId, [
      pulse('2026-10-02T08:00:00Z', 61, 'ah-1'),
      pulse('2026-10-02T09:00:00Z', 62, 'manual-1', 'MANUAL'),
      pulse('2026-10-02T10:00:00Z', 63, 'ah-2'),
    ]);
    await storeDirectly({
      userId,
      externalId: 'withings-1',
      source: 'WITHINGS',
      measuredAt: '2026-10-02T11:00:00.000Z',
    });
    const manual = await listPage(userId, { type: 'PULSE', sourceEq: 'MANUAL' });
    expect(manual.measurements.map((row) => [row.value, row.source])).toEqual([[62, 'MANUAL']]);
    const appleHealth = await listPage(userId, { sourceEq: 'APPLE_HEALTH', limit: 1 });
    expect(appleHealth.measurements.map((row) => row.value)).toEqual([63]);
    const next = await listPage(userId, {
      sourceEq: 'APPLE_HEALTH',
      limit: 1,
      cursor: appleHealth.meta.nextCursor!,
    });
    expect(next.measurements.map((row) => row.value)).toEqual([61]);
    expect((await listPage(userId, { sourceEq: 'WITHINGS' })).measurements.map((row) => row.source)).toEqual([
      'WITHINGS',
    ]);
    expect((await listPage(userId, { sourceEq: 'OURA' })).measurements).toEqual([]);
    expectIssuePaths(await api.list(userId, { sourceEq: 'GARMIN' }), ['sourceEq']);
    expectIssuePaths(await api.list(userId, { sourceEq: 'manual' }), ['sourceEq']);
  });

  describe('sourceEq over a large partition: hand entries among 1,200 heart-rate rows', () => {
    let userId: string;
    beforeAll(async () => {
      userId = newUser();
      const start = Date.parse('2026-09-01T00:00:00Z');
      await store(userId, [
        // The oldest row is the only hand-entered one.
        pulse(iso(start), 70, 'manual-oldest', 'MANUAL'),
        ...Array.from({ length: 1200 }, (_, i) => pulse(iso(start + (i + 1) * MINUTE), 60 + (i % 30))),
      ]);
    });

    /** A row API whose repository counts its Queries (and reads at most `maxFilteredItemsRead`). */
    function countingApi(options: { maxFilteredItemsRead?: number } = {}) {
      const counted = { queries: 0 };
      const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: table.endpoint }));
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'QueryCommand') counted.queries++;
          return next(args);
        },
        { step: 'initialize' },
      );
      const repository = new TableRowStore(client, table.tableName, options);
      return { counted, api: measurementsApiClient({ store: repository, clock: () => NOW }) };
    }

    test('pages of evaluated items, not one Query per row still wanted (DynamoDB limits before it filters)', async () => {
      const { counted, api: counting } = countingApi();
      const answer = await counting.list(userId, { type: 'PULSE', sourceEq: 'MANUAL', limit: 7 });
      expect(answer.status).toBe(200);
      expect(answer.body.data.measurements.map((row: { value: number }) => row.value)).toEqual([70]);
      expect(answer.body.data.meta.nextCursor).toBeNull();
      expect(counted.queries).toBeLessThanOrEqual(2);
    });

    test('a read that reaches maxFilteredItemsRead answers what it found and a cursor to the rest', async () => {
      const { counted, api: capped } = countingApi({ maxFilteredItemsRead: 300 });
      const found: number[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const answer = await capped.list(userId, {
          type: 'PULSE',
          sourceEq: 'MANUAL',
          limit: 7,
          ...(cursor ? { cursor } : {}),
        });
        expect(answer.status).toBe(200);
        const page = measurementPageSchema.parse(answer.body.data);
        found.push(...page.measurements.map((row) => row.value));
        cursor = page.meta.nextCursor ?? undefined;
        pages++;
        // Each request evaluates at most 300 items: one Query of 300.
        expect(counted.queries).toBe(pages);
      } while (cursor);
      expect(found).toEqual([70]);
      expect(pages).toBeGreaterThanOrEqual(5);
    });
  });

  test('from/to that fall outside the years 0000–9999 in UTC are 422 on that field, never a 500 or a wrong list', async () => {
    const userId = newUser();
    await store(userId, [pulse('2026-10-02T08:00:00Z', 61)]);
    expectIssuePaths(await api.list(userId, { to: '9999-12-31T23:59:59-05:00' }), ['to']);
    expectIssuePaths(
      await api.list(userId, { from: '2026-01-01T00:00:00Z', to: '9999-12-31T23:59:59-05:00' }),
      ['to'],
    );
    expectIssuePaths(await api.list(userId, { from: '0000-01-01T00:00:00+01:00' }), ['from']);
    // The last instants that stay inside: accepted, and the row is found.
    const inside = await listPage(userId, { from: '0000-01-01T00:00:00Z', to: '9999-12-31T23:59:59Z' });
    expect(inside.measurements.map((row) => row.value)).toEqual([61]);
  });

  test('offset 0 is accepted; any other offset is 422 on offset (pages continue with cursor)', async () => {
    const userId = newUser();
    expect((await api.list(userId, { offset: 0 })).status).toBe(200);
    expectIssuePaths(await api.list(userId, { offset: 5 }), ['offset']);
    expectIssuePaths(await api.list(userId, { offset: -1 }), ['offset']);
    expectIssuePaths(await api.list(userId, { offset: 'abc' }), ['offset']);
  });

  test('rows carry notes and glucoseContext (null on batch rows)', async () => {
    const userId = newUser();
    await store(userId, [pulse('2026-10-05T08:00:00Z', 71)]);
    const created = await api.create(userId, {
      type: 'BLOOD_GLUCOSE',
      value: 104,
      measuredAt: '2026-10-05T09:00:00Z',
      glucoseContext: 'FASTING',
      notes: 'before breakfast',
    });
    expect(created.status).toBe(201);
    const page = await listPage(userId, {});
    expect(
      page.measurements.map((row) => [
        row.type,
        'notes' in row && row.notes,
        'glucoseContext' in row && row.glucoseContext,
      ]),
    ).toEqual([
      ['BLOOD_GLUCOSE', 'before breakfast', 'FASTING'],
      ['PULSE', null, null],
    ]);
  });

  test('unknown parameters are ignored; groupBy other than day is 422', async () => {
    const userId = newUser();
    await store(userId, [pulse('2026-10-03T08:00:00Z', 70)]);
    const page = await listPage(userId, { type: 'PULSE', sortBy: 'value', aggregate: 'sum', page: 3 });
    expect(page.measurements.map((row) => row.value)).toEqual([70]);
    expectIssuePaths(await api.list(userId, { groupBy: 'week' }), ['groupBy']);
  });
});

describe('GET /api/measurements?groupBy=day: one row per local day of the user for a cumulative type', () => {
  test('America/New_York: each day total lands on its local day, measuredAt at local noon', async () => {
    const userId = newUser();
    await store(userId, [
      dayTotal('ActiveEnergyBurned', '2026-07-01', '-04:00', 410.5),
      dayTotal('ActiveEnergyBurned', '2026-07-02', '-04:00', 380),
      dayTotal('ActiveEnergyBurned', '2026-07-03', '-04:00', 0.1),
    ]);
    const page = await listPage(
      userId,
      { type: 'ACTIVE_ENERGY_BURNED', groupBy: 'day', limit: 400 },
      'America/New_York',
    );
    expect(page.measurements).toEqual([
      dayRow('2026-07-03', 0.1, '2026-07-03T16:00:00.000Z'),
      dayRow('2026-07-02', 380, '2026-07-02T16:00:00.000Z'),
      dayRow('2026-07-01', 410.5, '2026-07-01T16:00:00.000Z'),
    ]);
    expect(page.meta).toEqual({
      limit: 400,
      offset: 0,
      nextCursor: null,
      groupBy: 'day',
      droppedDuplicates: 0,
    });
  });

  test('Asia/Kolkata (+05:30): the same local midnights are the right days there, and other days in Berlin', async () => {
    const userId = newUser();
    await store(userId, [
      dayTotal('ActiveEnergyBurned', '2026-07-01', '+05:30', 300),
      dayTotal('ActiveEnergyBurned', '2026-07-02', '+05:30', 320),
    ]);
    const kolkata = await listPage(userId, { type: 'ACTIVE_ENERGY_BURNED', groupBy: 'day' }, 'Asia/Kolkata');
    expect(kolkata.measurements).toEqual([
      dayRow('2026-07-02', 320, '2026-07-02T06:30:00.000Z'),
      dayRow('2026-07-01', 300, '2026-07-01T06:30:00.000Z'),
    ]);
    // 00:00 in Kolkata is 20:30 of the day before in Berlin.
    const berlin = await listPage(userId, { type: 'ACTIVE_ENERGY_BURNED', groupBy: 'day' }, 'Europe/Berlin');
    expect(berlin.measurements.map((row) => 'dayKey' in row && row.dayKey)).toEqual([
      '2026-07-01',
      '2026-06-30',
    ]);
  });

  test('a MANUAL row is dropped in favour of APPLE_HEALTH on the same day, and counted in droppedDuplicates', async () => {
    const userId = newUser();
    await store(userId, [
      dayTotal('ActiveEnergyBurned', '2026-07-01', '+02:00', 500),
      dayTotal('ActiveEnergyBurned', '2026-07-01', '+02:00', 120, 'MANUAL'),
      dayTotal('ActiveEnergyBurned', '2026-07-02', '+02:00', 90, 'MANUAL'),
    ]);
    const page = await listPage(userId, { type: 'ACTIVE_ENERGY_BURNED', groupBy: 'day' });
    expect(
      page.measurements.map((row) => [
        row.id,
        row.value,
        row.source,
        'sampleCount' in row && row.sampleCount,
      ]),
    ).toEqual([
      ['day:ACTIVE_ENERGY_BURNED:2026-07-02', 90, 'MANUAL', 1],
      ['day:ACTIVE_ENERGY_BURNED:2026-07-01', 500, 'APPLE_HEALTH', 1],
    ]);
    expect(page.meta.droppedDuplicates).toBe(1);
  });

  test('WITHINGS ranks above MANUAL; daylight keeps every source', async () => {
    const userId = newUser();
    await store(userId, [dayTotal('ActiveEnergyBurned', '2026-07-05', '+02:00', 40, 'MANUAL')]);
    await storeDirectly({
      userId,
      type: 'ACTIVE_ENERGY_BURNED',
      externalId: 'withings-energy-2026-07-05',
      source: 'WITHINGS',
      value: 75,
      unit: 'kcal',
      measuredAt: '2026-07-05T08:00:00.000Z',
    });
    const energy = await listPage(userId, { type: 'ACTIVE_ENERGY_BURNED', groupBy: 'day' });
    expect(energy.measurements.map((row) => [row.value, row.source])).toEqual([[75, 'WITHINGS']]);

    await store(userId, [
      entry({
        hkIdentifier: 'HKQuantityTypeIdentifierTimeInDaylight',
        value: 30,
        unit: 'min',
        startDate: '2026-07-05T00:00:00+02:00',
        endDate: '2026-07-05T00:00:00+02:00',
        externalId: 'stats:HKQuantityTypeIdentifierTimeInDaylight:2026-07-05',
      }),
      entry({
        hkIdentifier: 'HKQuantityTypeIdentifierTimeInDaylight',
        value: 12,
        unit: 'min',
        startDate: '2026-07-05T09:00:00+02:00',
        endDate: '2026-07-05T09:00:00+02:00',
        externalId: 'manual-daylight-1',
        source: 'MANUAL',
      }),
    ]);
    const daylight = await listPage(userId, { type: 'TIME_IN_DAYLIGHT', groupBy: 'day' });
    expect(daylight.measurements.map((row) => [row.value, 'sampleCount' in row && row.sampleCount])).toEqual([
      [42, 2],
    ]);
  });

  test('limit caps the rows read: the oldest day answered is marked partial', async () => {
    const userId = newUser();
    await store(userId, [
      dayTotal('ActiveEnergyBurned', '2026-07-01', '+02:00', 1),
      dayTotal('ActiveEnergyBurned', '2026-07-02', '+02:00', 2),
      dayTotal('ActiveEnergyBurned', '2026-07-03', '+02:00', 3),
    ]);
    const page = await listPage(userId, { type: 'ACTIVE_ENERGY_BURNED', groupBy: 'day', limit: 2 });
    expect(page.measurements).toEqual([
      dayRow('2026-07-03', 3, '2026-07-03T10:00:00.000Z'),
      { ...dayRow('2026-07-02', 2, '2026-07-02T10:00:00.000Z'), partial: true },
    ]);
  });

  test('groupBy=day with a type that is not cumulative, or without a type, answers the plain list', async () => {
    const userId = newUser();
    await store(userId, [pulse('2026-10-04T08:00:00Z', 65), pulse('2026-10-04T09:00:00Z', 66)]);
    const typed = await listPage(userId, { type: 'PULSE', groupBy: 'day' });
    expect(typed.measurements.map((row) => row.value)).toEqual([66, 65]);
    expect(typed.meta).toEqual({ limit: 100, offset: 0, nextCursor: null });
    expect((await listPage(userId, { groupBy: 'day' })).measurements).toHaveLength(2);
  });
});

/** A day row of ACTIVE_ENERGY_BURNED as the contract spells it. */
function dayRow(dayKey: string, value: number, measuredAt: string) {
  return {
    id: `day:ACTIVE_ENERGY_BURNED:${dayKey}`,
    type: 'ACTIVE_ENERGY_BURNED',
    value,
    unit: 'kcal',
    source: 'APPLE_HEALTH',
    measuredAt,
    notes: null,
    dayKey,
    sampleCount: 1,
  };
}

/** Night 1 (wake day 2026-07-02 in Berlin) with an afternoon nap, and night 2 (wake day 2026-07-03). */
const twoNights = [
  // 23:00–07:00 Berlin: in bed, then core/deep/rem with one awakening in between.
  sleepSegment('2026-07-01T21:10:00Z', 10, 'IN_BED'),
  sleepSegment('2026-07-01T23:10:00Z', 120, 'CORE'),
  sleepSegment('2026-07-02T00:40:00Z', 90, 'DEEP'),
  sleepSegment('2026-07-02T00:50:00Z', 10, 'AWAKE'),
  sleepSegment('2026-07-02T02:50:00Z', 120, 'REM'),
  sleepSegment('2026-07-02T05:00:00Z', 130, 'CORE'),
  // a nap at 14:00–14:40 Berlin the same day
  sleepSegment('2026-07-02T12:40:00Z', 40, 'CORE'),
  // the next night, 00:00–06:00 Berlin (crossing local midnight on the way)
  sleepSegment('2026-07-02T23:00:00Z', 60, 'CORE'),
  sleepSegment('2026-07-03T02:00:00Z', 180, 'DEEP'),
  sleepSegment('2026-07-03T04:00:00Z', 120, 'REM'),
];

describe('GET /api/measurements?type=SLEEP_DURATION: one row per night', () => {
  test('a night with a nap and a second night: main sessions, naps counted, newest first', async () => {
    const userId = newUser();
    await store(userId, twoNights);
    const page = await listPage(userId, {
      type: 'SLEEP_DURATION',
      limit: 60,
      sourceEq: 'MANUAL',
      groupBy: 'day',
    });
    expect(page.meta).toEqual({ limit: 60, offset: 0, nextCursor: null, groupBy: 'night' });
    expect(page.measurements).toEqual([
      {
        id: 'sleep:2026-07-03',
        type: 'SLEEP_DURATION',
        value: 360,
        unit: 'minutes',
        source: 'APPLE_HEALTH',
        measuredAt: '2026-07-03T04:00:00.000Z',
        notes: null,
        dayKey: '2026-07-03',
        sampleCount: 3,
        sleepStages: { IN_BED: 0, AWAKE: 0, ASLEEP: 0, REM: 120, CORE: 60, DEEP: 180 },
        inBedMinutes: 0,
        awakeMinutes: 0,
        napCount: 0,
        napAsleepMinutes: 0,
        awakenings: 0,
      },
      {
        id: 'sleep:2026-07-02',
        type: 'SLEEP_DURATION',
        value: 460,
        unit: 'minutes',
        source: 'APPLE_HEALTH',
        measuredAt: '2026-07-02T05:00:00.000Z',
        notes: null,
        dayKey: '2026-07-02',
        sampleCount: 6,
        sleepStages: { IN_BED: 10, AWAKE: 10, ASLEEP: 0, REM: 120, CORE: 250, DEEP: 90 },
        inBedMinutes: 10,
        awakeMinutes: 10,
        napCount: 1,
        napAsleepMinutes: 40,
        awakenings: 1,
      },
    ]);
    // limit caps nights, not segments
    expect(
      (await listPage(userId, { type: 'SLEEP_DURATION', limit: 1 })).measurements.map((row) => row.id),
    ).toEqual(['sleep:2026-07-03']);
  });
});

describe('GET /api/measurements/series: chart points and stats of every kind', () => {
  test('kind and days are validated: unknown kind, days 0, 3651 or not a whole number → 422; days defaults to 30', async () => {
    const userId = newUser();
    expectIssuePaths(await api.series(userId, { kind: 'heartRate' }), ['kind']);
    expectIssuePaths(await api.series(userId, {}), ['kind']);
    for (const days of [0, 3651, '7.5', 'week']) {
      expectIssuePaths(await api.series(userId, { kind: 'weight', days }), ['days']);
    }
    expect((await api.series(userId, { kind: 'weight', days: 3650 })).status).toBe(200);
    await store(userId, [
      entry({
        hkIdentifier: 'HKQuantityTypeIdentifierBodyMass',
        value: 80,
        unit: 'kg',
        startDate: iso(NOW.getTime() - 29 * DAY),
        endDate: iso(NOW.getTime() - 29 * DAY),
        externalId: 'w-in',
      }),
      entry({
        hkIdentifier: 'HKQuantityTypeIdentifierBodyMass',
        value: 81,
        unit: 'kg',
        startDate: iso(NOW.getTime() - 31 * DAY),
        endDate: iso(NOW.getTime() - 31 * DAY),
        externalId: 'w-out',
      }),
    ]);
    expect((await seriesOf(userId, { kind: 'weight' })).points.map((point) => point.value)).toEqual([80]);
  });

  test('an empty series has every stat 0', async () => {
    const series = await seriesOf(newUser(), { kind: 'vo2Max', days: 90 });
    expect(series).toEqual({
      kind: 'vo2Max',
      unit: 'mL/(kg·min)',
      points: [],
      stats: { mean: 0, min: 0, max: 0, stdDev: 0, count: 0 },
    });
  });

  test('stats: the population standard deviation of a known set (2, 4, 4, 4, 5, 5, 7, 9 → mean 5, stdDev 2)', async () => {
    const userId = newUser();
    const values = [2, 4, 4, 4, 5, 5, 7, 9].map((value) => value + 70);
    const ids = await store(
      userId,
      values.map((value, i) =>
        entry({
          hkIdentifier: 'HKQuantityTypeIdentifierBodyMass',
          value,
          unit: 'kg',
          startDate: iso(NOW.getTime() - (20 - i) * DAY),
          endDate: iso(NOW.getTime() - (20 - i) * DAY),
          externalId: `weight-${i}`,
        }),
      ),
    );
    const series = await seriesOf(userId, { kind: 'weight', days: 30 });
    expect(series.stats).toEqual({ mean: 75, min: 72, max: 79, stdDev: 2, count: 8 });
    expect(series.points.map((point) => [point.id, point.value, point.secondary])).toEqual(
      values.map((value, i) => [ids[i], value, null]),
    );
  });

  test('bloodPressure: a systolic pairs with a diastolic 3 minutes away, not with one 10 minutes away', async () => {
    const userId = newUser();
    const t1 = NOW.getTime() - 5 * DAY;
    const t2 = NOW.getTime() - 4 * DAY;
    const bp = (identifier: string, at: number, value: number) =>
      entry({
        hkIdentifier: `HKQuantityTypeIdentifierBloodPressure${identifier}`,
        value,
        unit: 'mmHg',
        startDate: iso(at),
        endDate: iso(at),
        externalId: `${identifier}-${at}`,
      });
    const [sys1, , sys2] = await store(userId, [
      bp('Systolic', t1, 121),
      bp('Diastolic', t1 + 3 * MINUTE, 79),
      bp('Systolic', t2, 135),
      bp('Diastolic', t2 + 10 * MINUTE, 88),
    ]);
    const series = await seriesOf(userId, { kind: 'bloodPressure', days: 30 });
    expect(series.unit).toBe('mmHg');
    expect(series.points).toEqual([
      { id: sys1, at: iso(t1), value: 121, secondary: 79 },
      { id: sys2, at: iso(t2), value: 135, secondary: null },
    ]);
    expect(series.stats).toMatchObject({ count: 2, mean: 128, min: 121, max: 135 });
  });

  test('sleep: one point per wake day in hours, naps included', async () => {
    const userId = newUser();
    const shifted = twoNights.map((segment) => {
      // the same two nights, moved to fall inside the window
      const shift = (text: string) =>
        iso(Date.parse(text) + Date.parse('2026-11-10T00:00:00Z') - Date.parse('2026-07-01T00:00:00Z'));
      return {
        ...segment,
        startDate: shift(segment.startDate as string),
        endDate: shift(segment.endDate as string),
        externalId: `${segment.externalId}-shifted`,
      };
    });
    await store(userId, shifted);
    const series = await seriesOf(userId, { kind: 'sleep', days: 30 });
    expect(series.unit).toBe('h');
    expect(series.points.map((point) => [point.id, point.value])).toEqual([
      ['sleep:2026-11-11', 8.33], // 460 + 40 minutes of nap
      ['sleep:2026-11-12', 6],
    ]);
    expect(series.points[0]!.sleepStages).toMatchObject({ CORE: 4.83, DEEP: 1.5, REM: 2 });
    expect(series.stats).toMatchObject({ count: 2, max: 8.33, min: 6 });
  });

  test('every kind answers with its unit, its own rows only, and the shape the app decodes', async () => {
    const userId = newUser();
    const at = (daysAgo: number) => iso(NOW.getTime() - daysAgo * DAY);
    const sample = (identifier: string, value: number, unit: string, daysAgo: number) =>
      entry({
        hkIdentifier: `HKQuantityTypeIdentifier${identifier}`,
        value,
        unit,
        startDate: at(daysAgo),
        endDate: at(daysAgo),
        externalId: `${identifier}-${daysAgo}`,
      });
    await store(userId, [
      sample('BodyMass', 80.5, 'kg', 3),
      sample('BodyFatPercentage', 0.22, '%', 3),
      sample('BloodGlucose', 95, 'mg/dL', 3),
      sample('OxygenSaturation', 0.97, '%', 3),
      sample('RestingHeartRate', 55, 'count/min', 3),
      sample('HeartRateVariabilitySDNN', 48, 'ms', 3),
      sample('VO2Max', 42, 'mL/(kg·min)', 3),
      sample('HeartRate', 72, 'count/min', 3),
      entry({
        hkIdentifier: 'HKQuantityTypeIdentifierStepCount',
        value: 8000,
        unit: 'count',
        startDate: at(3),
        endDate: at(3),
        externalId: 'stats:HKQuantityTypeIdentifierStepCount:x',
      }),
      sample('BloodPressureSystolic', 120, 'mmHg', 3),
    ]);
    await storeDirectly({
      userId,
      type: 'TOTAL_BODY_WATER',
      externalId: 'tbw-1',
      value: 40,
      unit: 'kg',
      source: 'MANUAL',
      measuredAt: at(2),
    });
    await storeDirectly({
      userId,
      type: 'BONE_MASS',
      externalId: 'bone-1',
      value: 3.1,
      unit: 'kg',
      source: 'MANUAL',
      measuredAt: at(2),
    });
    const expected: Record<string, [string, number[]]> = {
      weight: ['kg', [80.5]],
      bodyFat: ['%', [22]],
      glucose: ['mg/dL', [95]],
      oxygenSaturation: ['%', [97]],
      restingHeartRate: ['bpm', [55]],
      heartRateVariability: ['ms', [48]],
      vo2Max: ['mL/(kg·min)', [42]],
      pulse: ['bpm', [72]],
      steps: ['steps', [8000]],
      bloodPressure: ['mmHg', [120]],
      totalBodyWater: ['kg', [40]],
      boneMass: ['kg', [3.1]],
      sleep: ['h', []],
    };
    for (const [kind, [unit, values]] of Object.entries(expected)) {
      const series = await seriesOf(userId, { kind, days: 30 });
      expect([series.kind, series.unit, series.points.map((point) => point.value)]).toEqual([
        kind,
        unit,
        values,
      ]);
      for (const point of series.points) if (kind !== 'bloodPressure') expect(point.secondary).toBeNull();
      expect(series.stats.count).toBe(values.length);
    }
    // Another user sees none of it.
    expect((await seriesOf(newUser(), { kind: 'weight', days: 30 })).points).toEqual([]);
  });

  test('raw kinds keep the highest source of a UTC day; glucose keeps every source', async () => {
    const userId = newUser();
    const day = NOW.getTime() - 6 * DAY;
    await store(userId, [
      entry({
        hkIdentifier: 'HKQuantityTypeIdentifierBodyMass',
        value: 80,
        unit: 'kg',
        startDate: iso(day),
        endDate: iso(day),
        externalId: 'w-ah',
      }),
      entry({
        hkIdentifier: 'HKQuantityTypeIdentifierBodyMass',
        value: 79,
        unit: 'kg',
        startDate: iso(day + 60 * MINUTE),
        endDate: iso(day + 60 * MINUTE),
        externalId: 'w-manual',
        source: 'MANUAL',
      }),
      entry({
        hkIdentifier: 'HKQuantityTypeIdentifierBloodGlucose',
        value: 90,
        unit: 'mg/dL',
        startDate: iso(day),
        endDate: iso(day),
        externalId: 'g-ah',
      }),
      entry({
        hkIdentifier: 'HKQuantityTypeIdentifierBloodGlucose',
        value: 110,
        unit: 'mg/dL',
        startDate: iso(day + 60 * MINUTE),
        endDate: iso(day + 60 * MINUTE),
        externalId: 'g-manual',
        source: 'MANUAL',
      }),
    ]);
    expect((await seriesOf(userId, { kind: 'weight', days: 30 })).points.map((point) => point.value)).toEqual(
      [80],
    );
    expect(
      (await seriesOf(userId, { kind: 'glucose', days: 30 })).points.map((point) => point.value),
    ).toEqual([90, 110]);
  });
});

describe('dense kinds over long windows come from daily aggregates kept from the stream', () => {
  /** 6 heart-rate buckets a day on days 20, 19 and 18 before NOW, values 60…65 + the day index. */
  function heartRateDays(): { entries: Record<string, unknown>[]; values: number[] } {
    const entries: Record<string, unknown>[] = [];
    const values: number[] = [];
    for (const [d, daysAgo] of [20, 19, 18].entries()) {
      const midnight = Math.floor((NOW.getTime() - daysAgo * DAY) / DAY) * DAY;
      for (let b = 0; b < 6; b++) {
        const value = 60 + b + d * 10;
        values.push(value);
        const start = iso(midnight + 10 * 60 * MINUTE + b * 10 * MINUTE);
        entries.push(heartRateBucket(start, value, { valueMin: value - 5, valueMax: value + 8 }));
      }
    }
    return { entries, values };
  }

  test('pulse days=120: one point per local day (local midnight), mean and spread; stats equal the raw rows', async () => {
    const userId = newUser();
    const { entries, values } = heartRateDays();
    await store(userId, entries);
    expect(await aggregates.runAggregator(userId)).toBe(18);

    const long = await seriesOf(userId, { kind: 'pulse', days: 120 }, 'Europe/Berlin');
    const days = ['2026-10-31', '2026-11-01', '2026-11-02'];
    expect(long.points).toEqual(
      days.map((day, d) => ({
        id: `day:${day}`,
        // Summer time ended on 25 October: these midnights are +01:00.
        at: new Date(`${day}T00:00:00+01:00`).toISOString(),
        value: 62.5 + d * 10,
        secondary: null,
        valueMin: 55 + d * 10,
        valueMax: 73 + d * 10,
      })),
    );
    const raw = await seriesOf(userId, { kind: 'pulse', days: 30 }, 'Europe/Berlin');
    expect(raw.points).toHaveLength(18);
    expect(raw.points[0]).toMatchObject({ value: 60, valueMin: 55, valueMax: 68, secondary: null });
    expect(long.stats).toEqual(raw.stats);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(long.stats.mean).toBeCloseTo(mean, 2);
    expect(long.stats.count).toBe(18);
  });

  test('the long window reads one aggregate per day and the edge days’ rows, not every row', async () => {
    const userId = newUser();
    await store(userId, heartRateDays().entries);
    await aggregates.runAggregator(userId);
    await seriesOf(userId, { kind: 'pulse', days: 120 });
    const line = logs.events('measurement.api.request').find((event) => event.userId === userId);
    expect(line).toMatchObject({
      route: 'GET /api/measurements/series',
      kind: 'pulse',
      days: 120,
      itemsRead: 3,
    });
  });

  test('a redelivered stream batch does not count twice; a re-post, a delete and an edit to another day are recomputed', async () => {
    const userId = newUser();
    const { entries } = heartRateDays();
    const ids = await store(userId, entries);
    await aggregates.runAggregator(userId);
    const first = await aggregates.stored(userId, 'PULSE');
    expect(first.map((item) => [item.day, item.count, item.sum])).toEqual([
      ['2026-10-31', 6, 375],
      ['2026-11-01', 6, 435],
      ['2026-11-02', 6, 495],
    ]);
    // Every record again (a redelivery of the whole stream): the same aggregates.
    await aggregates.runAggregator(userId);
    expect(
      (await aggregates.stored(userId, 'PULSE')).map((item) => [item.day, item.count, item.sum]),
    ).toEqual(first.map((item) => [item.day, item.count, item.sum]));

    // The phone re-posts the first bucket with a new average; the row API (on the real clock, as
    // every writer is) deletes another and moves a third to the next day.
    const writes = measurementsApiClient({
      documentClient: table.documentClient,
      tableName: table.tableName,
    });
    await store(userId, [{ ...entries[0]!, value: 100, valueMin: 90, valueMax: 110 }]);
    expect((await writes.delete(userId, ids[1]!)).status).toBe(200);
    const moved = await writes.put(userId, ids[6]!, { measuredAt: '2026-11-02T08:00:00Z' });
    expect(moved.status).toBe(200);
    await aggregates.runAggregator(userId);
    expect(
      (await aggregates.stored(userId, 'PULSE')).map((item) => [item.day, item.count, item.sum]),
    ).toEqual([
      ['2026-10-31', 5, 375 - 60 + 100 - 61],
      ['2026-11-01', 5, 435 - 70],
      ['2026-11-02', 7, 495 + 70],
    ]);
  });
});

describe('synthetic ids name no stored row: 404 on GET, PUT and DELETE', () => {
  test.each([
    'day:ACTIVITY_STEPS:2026-07-01',
    'day:2026-07-01',
    'sleep:2026-07-02',
    'hour:2026-07-01T10:00:00.000Z',
  ])('%s', async (id) => {
    const userId = newUser();
    const notFound = { data: null, error: 'Measurement not found' };
    expect(await api.get(userId, id)).toMatchObject({ status: 404, body: notFound });
    expect(await api.put(userId, id, { value: 70 })).toMatchObject({ status: 404, body: notFound });
    expect(await api.delete(userId, id)).toMatchObject({ status: 404, body: notFound });
  });
});
