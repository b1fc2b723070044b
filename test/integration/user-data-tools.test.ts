import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { aggregateStreamSource } from '../../definitions/aggregate-stream';
import { auditStreamSource } from '../../definitions/audit-stream';
import { aggregatedTypes } from '../../definitions/daily-aggregates-table';
import { createLogger } from '../../functions/commons/logger';
import { createDailyAggregatesHandler } from '../../functions/daily-aggregates/create-daily-aggregates-handler';
import { DailyAggregates } from '../../functions/measurements/storage/daily-aggregates';
import { measurementKey, readingMarkerKey } from '../../functions/measurements/storage/measurement-key';
import { seriesKinds } from '../../functions/measurements/summaries/series-kinds';
import {
  createStreamsClient,
  latestStreamArn,
  readStreamRecords,
  toStreamEvents,
} from '../../local/dynamodb-stream';
import { batchClient, entry, heartRateBucket } from '../support/batch-client';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import { auditHandlerFor } from '../support/audit-trail';
import { localAggregates, RecordedSettleQueue, type LocalAggregates } from '../support/daily-aggregates';
import { measurementsApiClient, type MeasurementsApi } from '../support/measurements-api-client';
import { runTool } from '../support/operator-tool';
import { createUserDataTables, type UserDataTables } from '../support/user-data-tables';

/**
 * The user-data tools of docs/data-lifecycle.md through their real CLIs (spawned as an operator
 * runs them) on DynamoDB Local: a user with rows of every kind is exported, erased and imported,
 * and every read answers exactly as before; the erasure leaves nothing of the user in any table
 * and writes nothing to the audit trail or the aggregates; a second user is never touched.
 */

/** The read API's clock: the fixture's data lies in the 60 days before it. */
const NOW = new Date('2026-11-20T12:00:00.000Z');
const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;
const iso = (ms: number) => new Date(ms).toISOString();

let tables: UserDataTables;
let aggregates: LocalAggregates;
let logs: CapturedLogs;
let scratch: string;
let streams: ReturnType<typeof createStreamsClient>;

beforeAll(async () => {
  tables = await createUserDataTables();
  aggregates = await localAggregates(tables.table);
  streams = createStreamsClient(tables.table.endpoint);
  scratch = await mkdtemp(join(tmpdir(), 'user-data-tools-'));
});
afterAll(async () => {
  aggregates.close();
  streams.destroy();
  await tables.drop();
  await rm(scratch, { recursive: true, force: true });
});
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

let userSeq = 0;
const newUser = (name: string) => `${name}-${++userSeq}-${Date.now()}`;

/** The app's writes, through the real handlers with their guards (Idempotency-Key records, counters). */
const writers = () => ({
  post: batchClient({
    documentClient: tables.table.documentClient,
    tableName: tables.table.tableName,
    guards: tables.guards.guards(),
  }),
  api: measurementsApiClient({
    documentClient: tables.table.documentClient,
    tableName: tables.table.tableName,
    guards: tables.guards.rowWriteGuards(),
  }),
});
/** The app's reads, on the fixture's clock. */
const reader = (): MeasurementsApi =>
  measurementsApiClient({
    documentClient: tables.table.documentClient,
    tableName: tables.table.tableName,
    aggregatesTableName: tables.table.aggregatesTableName,
    clock: () => NOW,
  });

const SLEEP_CODES = { IN_BED: 0, ASLEEP: 1, AWAKE: 2, CORE: 3, DEEP: 4, REM: 5 } as const;
const quantity = (suffix: string, value: number, unit: string, at: string, externalId: string, more = {}) =>
  entry({
    hkIdentifier: `HKQuantityTypeIdentifier${suffix}`,
    value,
    unit,
    startDate: at,
    endDate: at,
    externalId,
    ...more,
  });

/**
 * A user with rows of every kind: dense heart-rate buckets over 40 days (aggregated), samples of
 * every HealthKit chart kind with device fields, day totals, sleep, hand-entered readings with
 * notes and a glucose context, edited rows, a moved reading, soft-deleted rows (by id, bulk, by
 * externalId), Idempotency-Key records and rate-limit counters; and one hand-entered reading
 * written before reading markers carried their owner.
 */
async function populate(userId: string): Promise<void> {
  const { post, api } = writers();
  const entries: Record<string, unknown>[] = [];
  for (let d = 40; d >= 1; d--) {
    const midnight = Math.floor((NOW.getTime() - d * DAY) / DAY) * DAY;
    for (let b = 0; b < 6; b++) {
      const start = midnight + (8 + b) * 60 * MINUTE;
      const value = 55 + ((d * 7 + b * 3) % 40);
      entries.push(
        heartRateBucket(iso(start), value, {
          valueMin: value - 6,
          valueMax: value + 9,
          deviceType: 'watch',
          externalSourceVersion: '11.2',
        }),
      );
    }
  }
  for (let d = 10; d >= 1; d--) {
    const day = iso(NOW.getTime() - d * DAY).slice(0, 10);
    entries.push(
      entry({
        hkIdentifier: 'HKQuantityTypeIdentifierStepCount',
        value: 4000 + d * 321,
        unit: 'count',
        startDate: `${day}T00:00:00+01:00`,
        endDate: `${day}T00:00:00+01:00`,
        externalId: `stats:HKQuantityTypeIdentifierStepCount:${day}`,
      }),
    );
  }
  const at = (daysAgo: number, hour: number) =>
    iso(Math.floor(NOW.getTime() / DAY) * DAY - daysAgo * DAY + hour * 3600_000);
  entries.push(
    quantity('BodyMass', 81.4, 'kg', at(3, 7), 'weight-1', { deviceType: 'scale' }),
    quantity('BodyMass', 81.1, 'kg', at(1, 7), 'weight-2'),
    quantity('BloodPressureSystolic', 128, 'mmHg', at(2, 8), 'bp-sys-1'),
    quantity('BloodPressureDiastolic', 84, 'mmHg', at(2, 8), 'bp-dia-1'),
    quantity('BodyFatPercentage', 0.21, '%', at(3, 7), 'fat-1'),
    quantity('BloodGlucose', 97, 'mg/dL', at(2, 6), 'glucose-1'),
    quantity('BloodGlucose', 142, 'mg/dL', at(2, 13), 'glucose-2'),
    quantity('OxygenSaturation', 0.97, '%', at(2, 3), 'spo2-1'),
    quantity('HeartRateVariabilitySDNN', 48, 'ms', at(2, 4), 'hrv-1'),
    quantity('RestingHeartRate', 58, 'count/min', at(2, 5), 'rhr-1'),
    quantity('VO2Max', 41.5, 'mL/(kg·min)', at(4, 18), 'vo2-1'),
    quantity('HeartRate', 71, 'count/min', at(2, 20), 'pulse-sample-1'),
    quantity('HeartRate', 74, 'count/min', at(2, 21), 'pulse-sample-2'),
  );
  for (const [end, minutes, stage] of [
    [at(2, -2), 120, 'CORE'],
    [at(2, 0), 90, 'DEEP'],
    [at(2, 2), 120, 'REM'],
    [at(1, -1), 60, 'CORE'],
    [at(1, 4), 240, 'DEEP'],
  ] as const) {
    entries.push(
      entry({
        hkIdentifier: 'HKCategoryTypeIdentifierSleepAnalysis',
        value: minutes,
        unit: 'min',
        startDate: iso(Date.parse(end) - minutes * MINUTE),
        endDate: end,
        sleepStage: SLEEP_CODES[stage],
        externalId: `sleep-${end}-${stage}`,
      }),
    );
  }
  for (let start = 0; start < entries.length; start += 200) {
    const answer = await post({
      userId,
      body: { entries: entries.slice(start, start + 200) },
      headers: { 'Idempotency-Key': `populate-${userId}-${start}` },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data.failed).toBe(0);
    expect(answer.body.data.skipped).toEqual([]);
  }
  const ids = new Map<string, string>();
  const created = async (name: string, body: Record<string, unknown>) => {
    const answer = await api.create(userId, body, { 'Idempotency-Key': `create-${name}-${userId}` });
    expect(answer.status).toBe(201);
    ids.set(name, answer.body.data.id);
  };
  await created('weight', { type: 'WEIGHT', value: 80.9, measuredAt: at(0, 6), notes: 'after the run, üñî' });
  await created('glucose', {
    type: 'BLOOD_GLUCOSE',
    value: 151,
    measuredAt: at(1, 12),
    glucoseContext: 'POSTPRANDIAL',
    notes: 'pasta',
  });
  await created('water', { type: 'TOTAL_BODY_WATER', value: 42.1, measuredAt: at(3, 7) });
  await created('bone', { type: 'BONE_MASS', value: 3.2, measuredAt: at(3, 7) });
  await created('moved', { type: 'PULSE', value: 66, measuredAt: at(4, 9), notes: 'resting' });
  await created('bulk-deleted', { type: 'WEIGHT', value: 82.5, measuredAt: at(5, 6), notes: 'wrong scale' });
  // Edits: a batch row's value, a note, a reading moved to another instant.
  const weight1 = idOf('WEIGHT', 'weight-1');
  expect((await api.patch(userId, weight1, { value: 81.2 })).status).toBe(200);
  expect((await api.patch(userId, ids.get('glucose')!, { notes: 'pasta, then a walk' })).status).toBe(200);
  expect((await api.put(userId, ids.get('moved')!, { measuredAt: at(4, 10), value: 65 })).status).toBe(200);
  // Deletes: by id, bulk (a hand-entered reading: its marker stays), by externalId.
  expect((await api.delete(userId, idOf('PULSE', 'pulse-sample-2'))).status).toBe(200);
  expect((await api.bulkDelete(userId, { ids: [ids.get('bulk-deleted')] })).status).toBe(200);
  expect((await api.deleteByExternalIds(userId, { externalIds: ['glucose-2'] })).status).toBe(200);
  // A reading entered before markers carried their owner: its marker is in no index.
  const legacyKey = measurementKey(userId, 'BODY_FAT', 'manual:00000000-0000-4000-8000-00000000beef');
  const legacy = {
    pk: legacyKey,
    userId,
    kind: 'manual',
    id: idOf('BODY_FAT', 'manual:00000000-0000-4000-8000-00000000beef'),
    type: 'BODY_FAT',
    value: 20.5,
    unit: '%',
    measuredAt: at(6, 8),
    source: 'MANUAL',
    deviceType: null,
    glucoseContext: null,
    externalId: null,
    hkIdentifier: null,
    startDate: null,
    valueMin: null,
    valueMax: null,
    sleepStage: null,
    rhythmClassification: null,
    externalSourceVersion: null,
    createdAt: at(6, 9),
    updatedAt: at(6, 9),
    requestId: 'req-legacy',
    writer: 'create',
    gsiUser: userId,
    gsiUserType: `${userId}#BODY_FAT`,
  };
  const put = (Item: Record<string, unknown>) =>
    tables.table.documentClient.send(new PutCommand({ TableName: tables.table.tableName, Item }));
  await put(legacy);
  await put({
    pk: readingMarkerKey(userId, 'BODY_FAT', legacy.measuredAt, 'MANUAL'),
    kind: 'reading-marker',
    row: legacyKey,
    createdAt: legacy.createdAt,
  });
  // The aggregate function has kept the dense days, as it does from the stream.
  await aggregates.runAggregator(userId);
  // The audit function has audited the user (it creates the key on first use).
  await tables.auditKeys.getOrCreateKey(userId);
}

function idOf(type: string, externalId: string): string {
  return Buffer.from(`${type}#${externalId}`, 'utf8').toString('base64url');
}

/**
 * Every read the app makes of the user, as raw answer bodies: lists (all rows, per type, day
 * totals, sleep nights), every chart kind over a short and a long window (the long pulse window
 * reads the daily aggregates), and GET by id of every row ever written, deleted ones included.
 */
async function everyRead(userId: string, rowIds: readonly string[]): Promise<Record<string, string>> {
  const api = reader();
  const reads: Record<string, string> = {};
  const read = async (name: string, answer: Promise<{ status: number; rawBody: string }>) => {
    const { status, rawBody } = await answer;
    reads[name] = `${status} ${rawBody}`;
  };
  await read('list', api.list(userId, { limit: 5000 }, 'Europe/Berlin'));
  for (const type of ['PULSE', 'WEIGHT', 'BLOOD_GLUCOSE', 'BODY_FAT', 'TOTAL_BODY_WATER', 'BONE_MASS'])
    await read(`list ${type}`, api.list(userId, { type, limit: 400 }, 'Europe/Berlin'));
  await read(
    'day totals',
    api.list(userId, { type: 'ACTIVITY_STEPS', groupBy: 'day', limit: 400 }, 'Europe/Berlin'),
  );
  await read('sleep nights', api.list(userId, { type: 'SLEEP_DURATION', limit: 50 }, 'Europe/Berlin'));
  for (const kind of Object.keys(seriesKinds)) {
    await read(`series ${kind} 7`, api.series(userId, { kind, days: 7 }, 'Europe/Berlin'));
    await read(`series ${kind} 120`, api.series(userId, { kind, days: 120 }, 'Europe/Berlin'));
  }
  for (const id of rowIds) await read(`get ${id}`, api.get(userId, id));
  return reads;
}

/** Everything of the user in every table (keys may name the user in the middle: guard records). */
async function everythingOf(userId: string) {
  const all = await tables.scanAll();
  return {
    measurements: all.measurements.filter(
      (item) => String(item.pk).startsWith(`${userId}#`) || item.userId === userId,
    ),
    dailyAggregates: all.dailyAggregates.filter((item) => String(item.pk).startsWith(`${userId}#`)),
    requestGuards: all.requestGuards.filter((item) => String(item.id).includes(`#${userId}#`)),
    auditKeys: all.auditKeys.filter((item) => item.userId === userId),
  };
}

/** The stream records written after `since` (their eventIDs), of the user's keys and of lifecycle items. */
async function streamRecordsSince(since: ReadonlySet<string>, userId: string): Promise<DynamoDBRecord[]> {
  const arn = await latestStreamArn(tables.table.client, tables.table.tableName);
  return (await readStreamRecords(streams, arn)).filter((record) => {
    const key = record.dynamodb?.Keys?.pk?.S ?? '';
    return !since.has(record.eventID!) && (key.startsWith(`${userId}#`) || key.startsWith('@lifecycle#'));
  });
}

async function streamPosition(): Promise<Set<string>> {
  const arn = await latestStreamArn(tables.table.client, tables.table.tableName);
  return new Set((await readStreamRecords(streams, arn)).map((record) => record.eventID!));
}

/** The audit function run over records as its mapping delivers them: what it was given and what it logged. */
async function audited(records: DynamoDBRecord[]) {
  const audit = auditHandlerFor(tables.table);
  const firstLine = logs.lines.length;
  const toAudit = toStreamEvents(records, auditStreamSource);
  for (const event of toAudit) expect((await audit(event)).batchItemFailures).toEqual([]);
  return {
    auditLines: logs.lines.slice(firstLine).filter((line) => line.service === 'measurement-audit'),
    auditDelivered: toAudit.flatMap((event) => event.Records),
  };
}

/** The audit function and the aggregate function run over records as their mappings deliver them. */
async function consumers(records: DynamoDBRecord[]) {
  const settleQueue = new RecordedSettleQueue();
  const aggregator = createDailyAggregatesHandler({
    logger: createLogger('measurement-aggregates'),
    store: new DailyAggregates(tables.table.documentClient, {
      measurements: tables.table.tableName,
      aggregates: tables.table.aggregatesTableName,
    }),
    settleQueue,
    concurrency: 4,
  });
  const audit = await audited(records);
  const toAggregate = toStreamEvents(records, aggregateStreamSource);
  for (const event of toAggregate) expect((await aggregator(event)).batchItemFailures).toEqual([]);
  // Nothing the records caused is recomputed later either.
  expect(settleQueue.requests).toEqual([]);
  return { ...audit, aggregateDelivered: toAggregate.flatMap((event) => event.Records) };
}

const rowLines = (file: string) => file.trim().split('\n').slice(1, -1);

describe('export, erase, import: the round trip through the real CLIs', () => {
  test('a user with rows of every kind comes back exactly; the erasure leaves nothing and tells nobody the values; a second user is untouched', async () => {
    const userId = newUser('alice');
    const other = newUser('bob');
    await populate(userId);
    await populate(other);
    const rowIds = (await tables.scanAll()).measurements
      .filter((item) => item.userId === userId && item.kind !== 'reading-marker')
      .map((item) => String(item.id))
      .sort();
    const before = await everyRead(userId, rowIds);
    const userBefore = await everythingOf(userId);
    const otherBefore = await everythingOf(other);
    // Idempotency records of both guarded routes, and counters of all three limits.
    expect(new Set(userBefore.requestGuards.map((item) => String(item.id).split('#')[0]))).toEqual(
      new Set(['measurements-batch', 'measurements-rows', 'ratelimit', 'writelimit', 'deletelimit']),
    );
    expect(userBefore.dailyAggregates.length).toBeGreaterThan(40);

    // Export.
    const file = join(scratch, `${userId}.ndjson`);
    const exported = await runTool('export-user', [...tables.tableArgs, '--user', userId, '--out', file]);
    expect(exported.stderr).toContain('rows exported');
    expect(exported.code).toBe(0);
    const text = await readFile(file, 'utf8');
    const lines = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines[0]).toEqual({
      format: 'health-ingest-export',
      version: 1,
      userId,
      exportedAt: expect.any(String),
      rows: rowIds.length,
      deletedRows: 3,
    });
    expect(lines.at(-1)).toEqual({ end: true, rows: rowIds.length, deletedRows: 3 });
    expect(exported.summary()).toMatchObject({ userId, rows: rowIds.length, deletedRows: 3, out: file });
    const rows = lines.slice(1, -1);
    expect(rows.map((row) => row.id).sort()).toEqual(rowIds);
    // Tombstones as tombstones, hand edits as hand edits, notes and glucose contexts kept.
    expect(rows.filter((row) => row.deletedAt !== undefined)).toHaveLength(3);
    expect(rows.find((row) => row.externalId === 'weight-1')).toMatchObject({ writer: 'edit', value: 81.2 });
    expect(rows.find((row) => row.glucoseContext === 'POSTPRANDIAL')).toMatchObject({
      notes: 'pasta, then a walk',
      writer: 'edit',
    });
    expect(rows.find((row) => row.externalId === 'weight-2')).toMatchObject({
      writer: 'batch',
      clientUnit: 'kg',
    });

    // Erase.
    const erasedUserRef = await tables.auditKeys.currentUserRef(userId);
    expect(erasedUserRef).toBeDefined();
    const beforeErasure = await streamPosition();
    const erased = await runTool('erase-user', [...tables.tableArgs, '--user', userId]);
    expect(erased.code).toBe(0);
    const erasure = erased.summary();
    expect(erasure).toMatchObject({
      userId,
      dryRun: false,
      erased: true,
      changedDuringErasure: 0,
      deleted: {
        measurements: { rows: rowIds.length - 3, deletedRows: 3, readingMarkers: 7, interruptedItems: 0 },
        dailyAggregates: { days: userBefore.dailyAggregates.length },
        requestGuards: {
          idempotencyRecords: userBefore.requestGuards.filter((item) =>
            String(item.id).startsWith('measurements-'),
          ).length,
          rateLimitCounters: userBefore.requestGuards.filter((item) => String(item.id).includes('limit#'))
            .length,
        },
        auditKeys: { keys: 1 },
      },
      remaining: {
        measurements: { count: 0, keys: [] },
        dailyAggregates: { count: 0, keys: [] },
        requestGuards: { count: 0, keys: [] },
        auditKeys: { count: 0, keys: [] },
      },
    });
    expect(erased.stdout).not.toContain('userRef');
    expect(await everythingOf(userId)).toEqual({
      measurements: [],
      dailyAggregates: [],
      requestGuards: [],
      auditKeys: [],
    });
    // What the erasure wrote to the stream, through the real consumers: no per-row event, nothing
    // that names the user or a value, no aggregate recomputed.
    const records = await streamRecordsSince(beforeErasure, userId);
    expect(records.length).toBeGreaterThan(2 * rowIds.length);
    const { auditLines, auditDelivered, aggregateDelivered } = await consumers(records);
    expect(aggregateDelivered).toEqual([]);
    for (const type of aggregatedTypes) expect(await aggregates.stored(userId, type)).toEqual([]);
    expect(auditDelivered.every((record) => record.dynamodb?.Keys?.pk?.S?.startsWith('@lifecycle#'))).toBe(
      true,
    );
    for (const line of auditLines) {
      expect(JSON.stringify(line)).not.toContain(userId);
      expect(line).not.toHaveProperty('value');
      expect(line).not.toHaveProperty('previousValue');
      expect(String(line.message)).not.toMatch(/^measurement\./);
    }

    // Import: every read answers as before.
    const beforeImport = await streamPosition();
    const imported = await runTool('import-user', [...tables.tableArgs, '--file', file]);
    expect(imported.code).toBe(0);
    expect(imported.summary()).toMatchObject({
      refused: false,
      userId,
      rows: rowIds.length - 3,
      deletedRows: 3,
      readingMarkers: 7,
      identicalRows: 0,
      conflicts: 0,
      announced: true,
    });
    expect(await everyRead(userId, rowIds)).toEqual(before);
    // The first import of the user, through the real audit function, is exactly one event:
    // `user.imported`, under a new pseudonym (the erasure deleted the old key), with counts only.
    // The rows it wrote (`writer: import`) reach the audit function not at all.
    const importRecords = await streamRecordsSince(beforeImport, userId);
    expect(importRecords.length).toBeGreaterThan(rowIds.length);
    const importAudit = await audited(importRecords);
    expect(importAudit.auditDelivered).toHaveLength(1);
    expect(importAudit.auditDelivered[0]!.dynamodb?.Keys?.pk?.S).toMatch(/^@lifecycle#/);
    const newUserRef = await tables.auditKeys.currentUserRef(userId);
    expect(newUserRef).toBeDefined();
    expect(newUserRef).not.toBe(erasedUserRef);
    expect(importAudit.auditLines).toEqual([
      expect.objectContaining({
        message: 'user.imported',
        userRef: newUserRef,
        rows: rowIds.length - 3,
        deletedRows: 3,
        readingMarkers: 7,
        identicalRows: 0,
        conflicts: 0,
      }),
    ]);
    const [importEvent] = importAudit.auditLines;
    expect(JSON.stringify(importEvent)).not.toContain(userId);
    for (const name of ['userId', 'value', 'previousValue', 'notes', 'valueMin', 'valueMax'])
      expect(importEvent).not.toHaveProperty(name);

    // A second export of the restored user is the same rows in the same order.
    const again = join(scratch, `${userId}-again.ndjson`);
    expect((await runTool('export-user', [...tables.tableArgs, '--user', userId, '--out', again])).code).toBe(
      0,
    );
    expect(rowLines(await readFile(again, 'utf8'))).toEqual(rowLines(text));

    // A second import changes nothing: no write, so no stream record and no event.
    const beforeSecond = await streamPosition();
    const second = await runTool('import-user', [...tables.tableArgs, '--file', file]);
    expect(second.code).toBe(0);
    expect(second.summary()).toMatchObject({
      rows: 0,
      deletedRows: 0,
      readingMarkers: 0,
      identicalRows: rowIds.length,
      announced: false,
    });
    const secondRecords = await streamRecordsSince(beforeSecond, userId);
    expect(secondRecords).toEqual([]);
    expect((await consumers(secondRecords)).auditLines).toEqual([]);
    expect(await everyRead(userId, rowIds)).toEqual(before);

    // The second user saw none of it.
    expect(await everythingOf(other)).toEqual(otherBefore);
  }, 600_000);
});
