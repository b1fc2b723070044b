import { performance } from 'node:perf_hooks';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createMeasurementsApiHandler } from '../functions/measurements-api/create-measurements-api-handler';
import type { StoredMeasurement } from '../functions/measurements/model/measurement';
import { measurementId } from '../functions/measurements/model/measurement-id';
import type {
  DailyAggregateReader,
  MeasurementRowStore,
  RowsQuery,
} from '../functions/measurements/rows/row-store';
import { aggregateDay } from '../functions/measurements/summaries/daily-aggregate';
import { seriesAnswer } from '../functions/measurements/summaries/series-answer';
import { seriesKinds } from '../functions/measurements/summaries/series-kinds';
import { DailyAggregates } from '../functions/measurements/storage/daily-aggregates';
import { toMeasurementItem } from '../functions/measurements/storage/measurement-item';
import { TableRowStore } from '../functions/measurements/storage/table-row-store';
import { measurementsTable as measurementsDefinition } from '../definitions/measurements-table';
import { dailyAggregatesCreateTableInput, measurementsCreateTableInput } from '../local/create-tables';
import { toHttpApiEvent } from '../local/http-api-event';
import { loadSettings } from '../functions/commons/config';
import { serviceFunctions } from '../definitions/service-functions';
import { ServiceLogger } from '../functions/commons/logger';
import { noGuards } from '../functions/request-guards/request-guards';
import { createDocumentClient } from '../functions/commons/dynamodb-client';
import { documentClientFor } from './engine';
import { summarize, type Summary } from './statistics';

/**
 * `GET /api/measurements/series?kind=pulse` for a user with years of 10-minute heart-rate buckets
 * (144 rows a day), through the real row-API handler on DynamoDB Local: latency and items read
 * for several windows, beside the raw-read alternative (every row of the window read and shaped,
 * as it would be without daily aggregates).
 */

export interface SeriesSettings {
  /** Days of history the user has (3650 in the full run: ~525,600 rows). */
  readonly historyDays: number;
  readonly windows: readonly number[];
  readonly measuredRuns: number;
}

export interface SeriesCell {
  readonly days: number;
  readonly points: number;
  /** Rows and aggregates the handler read. */
  readonly itemsRead: number;
  readonly latencyMs: Summary;
  /** The same window answered from its rows alone. */
  readonly raw: { readonly itemsRead: number; readonly latencyMs: Summary };
}

export interface SeriesResult {
  readonly historyDays: number;
  readonly rows: number;
  readonly aggregates: number;
  readonly loadSeconds: number;
  readonly cells: readonly SeriesCell[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
const BUCKET_MS = 10 * 60 * 1000;
const USER = 'bench-series-user';

/** A deterministic heart rate: a daily rhythm plus noise, with a spread around it. */
function bucketValue(time: number): { value: number; valueMin: number; valueMax: number } {
  const hour = (time % DAY_MS) / 3_600_000;
  const noise = Math.sin(time / 7_919_000) * 6;
  const value =
    Math.round((62 + 18 * Math.max(0, Math.sin(((hour - 6) / 24) * 2 * Math.PI)) + noise) * 10) / 10;
  return { value, valueMin: Math.round(value - 8), valueMax: Math.round(value + 14) };
}

/**
 * The 144 heart-rate buckets of `userId` whose instant (the bucket's end) falls on the UTC day
 * starting at `dayStart`: the chart user's rows (the lifecycle benchmark's users have the same).
 */
export function heartRateDay(userId: string, dayStart: number, writtenAt: string): StoredMeasurement[] {
  return Array.from({ length: 144 }, (_, b) => {
    const start = dayStart + (b - 1) * BUCKET_MS;
    const externalId = `stats:HKQuantityTypeIdentifierHeartRate:${new Date(start).toISOString()}`;
    const item = toMeasurementItem({
      userId,
      requestId: 'bench-load',
      writtenAt,
      measurement: {
        kind: 'stats',
        id: measurementId('PULSE', externalId),
        type: 'PULSE',
        externalId,
        hkIdentifier: 'HKQuantityTypeIdentifierHeartRate',
        ...bucketValue(start),
        unit: 'bpm',
        clientUnit: 'count/min',
        measuredAt: new Date(start + BUCKET_MS).toISOString(),
        startDate: new Date(start).toISOString(),
        sleepStage: null,
        rhythmClassification: null,
        source: 'APPLE_HEALTH',
        deviceType: 'watch',
        externalSourceVersion: 'Watch7,1',
      },
    });
    return item as unknown as StoredMeasurement;
  });
}

/** Puts the items, 25 a call, until none is left unprocessed. */
export async function batchWrite(client: DynamoDBDocumentClient, table: string, items: readonly object[]) {
  for (let start = 0; start < items.length; start += 25) {
    let requests = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const { UnprocessedItems } = await client.send(
        new BatchWriteCommand({ RequestItems: { [table]: requests } }),
      );
      requests = (UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
}

/** Counts what the use cases read through the ports. */
function counting(store: MeasurementRowStore, aggregates: DailyAggregateReader) {
  const counter = { items: 0 };
  const rows: MeasurementRowStore = Object.create(store);
  rows.readRows = async (query: RowsQuery) => {
    const read = await store.readRows(query);
    counter.items += read.items.length;
    return read;
  };
  const reader: DailyAggregateReader = {
    readAggregates: async (...args) => {
      const read = await aggregates.readAggregates(...args);
      counter.items += read.length;
      return read;
    },
  };
  return { rows, reader, counter };
}

const silentLogger = new ServiceLogger({ logLevel: 'SILENT' });

export async function measureSeries(
  endpoint: string,
  settings: SeriesSettings,
  log: (line: string) => void,
): Promise<SeriesResult> {
  const client = documentClientFor(endpoint, 16);
  // The raw-read alternative's pages deep into a 500,000-row partition can take DynamoDB Local
  // longer than the functions' 3 s request timeout; that is the engine, not the alternative.
  const rawClient = createDocumentClient(
    loadSettings(serviceFunctions.measurementsApi, {
      TABLE_NAME: 'unused',
      REQUEST_GUARDS_TABLE_NAME: 'unused',
      DAILY_AGGREGATES_TABLE_NAME: 'unused',
      DYNAMODB_ENDPOINT: endpoint,
      DYNAMODB_REQUEST_TIMEOUT_MS: '120000',
    }),
  );
  const admin = new DynamoDBClient({ endpoint });
  const suffix = Date.now();
  const tables = { measurements: `bench-series-${suffix}`, aggregates: `bench-series-aggregates-${suffix}` };
  // No stream: the aggregates are computed here from the same rows (the stream path is tested in
  // test/integration/read-api.test.ts), and DynamoDB Local slows down with every record it keeps.
  const { StreamSpecification: _stream, ...measurementsTable } = measurementsCreateTableInput(
    tables.measurements,
  );
  // Only the index charts read: the other two would only slow the loading of half a million rows.
  const chartIndex = measurementsTable.GlobalSecondaryIndexes!.filter(
    (index) => index.IndexName === measurementsDefinition.indexes.byUserType.indexName,
  );
  const keyAttributes = new Set(
    [...measurementsTable.KeySchema!, ...chartIndex.flatMap((index) => index.KeySchema!)].map(
      (key) => key.AttributeName,
    ),
  );
  await admin.send(
    new CreateTableCommand({
      ...measurementsTable,
      AttributeDefinitions: measurementsTable.AttributeDefinitions!.filter((attribute) =>
        keyAttributes.has(attribute.AttributeName),
      ),
      GlobalSecondaryIndexes: chartIndex,
    }),
  );
  await admin.send(new CreateTableCommand(dailyAggregatesCreateTableInput(tables.aggregates)));
  try {
    const now = Date.parse('2026-11-20T12:00:00.000Z');
    const today = Math.floor(now / DAY_MS) * DAY_MS;
    const store = new DailyAggregates(client, tables);
    const loadStart = performance.now();
    let rows = 0;
    const writtenAt = new Date(now).toISOString();
    const days = Array.from(
      { length: settings.historyDays },
      (_, i) => today - (settings.historyDays - 1 - i) * DAY_MS,
    );
    const loadDay = async (dayStart: number) => {
      const items = heartRateDay(USER, dayStart, writtenAt).filter(
        (row) => Date.parse(row.measuredAt) <= now,
      );
      await batchWrite(client, tables.measurements, items);
      rows += items.length;
      const aggregate = aggregateDay(items, seriesKinds.pulse);
      const day = new Date(dayStart).toISOString().slice(0, 10);
      await store.writeAggregate({ userId: USER, type: 'PULSE', day }, aggregate, `${writtenAt}#000144`);
    };
    for (let i = 0; i < days.length; i += 16) {
      await Promise.all(days.slice(i, i + 16).map(loadDay));
      if (i % 365 === 0) log(`series: loaded ${i} of ${days.length} days (${rows} rows)`);
    }
    const loadSeconds = (performance.now() - loadStart) / 1000;
    log(`series: ${rows} rows and ${days.length} aggregates in ${loadSeconds.toFixed(0)} s`);

    const repository = new TableRowStore(client, tables.measurements);
    const rawRepository = new TableRowStore(rawClient, tables.measurements);
    const cells: SeriesCell[] = [];
    for (const windowDays of settings.windows) {
      const { rows: countedRows, reader, counter } = counting(repository, store);
      const handler = createMeasurementsApiHandler({
        logger: silentLogger,
        store: countedRows,
        aggregates: reader,
        defaultTimeZone: 'Europe/Berlin',
        deleteConcurrency: 8,
        clock: () => new Date(now),
        guards: noGuards,
      });
      const event = () =>
        toHttpApiEvent({
          method: 'GET',
          rawPath: '/api/measurements/series',
          routePath: '/api/measurements/series',
          rawQueryString: `kind=pulse&days=${windowDays}`,
          claims: { sub: USER },
        });
      const latencies: number[] = [];
      let points = 0;
      let itemsRead = 0;
      for (let run = 0; run <= settings.measuredRuns; run++) {
        counter.items = 0;
        const started = performance.now();
        const result = (await handler(event())) as APIGatewayProxyStructuredResultV2;
        const elapsed = performance.now() - started;
        if (result.statusCode !== 200)
          throw new Error(`series answered ${result.statusCode}: ${result.body}`);
        points = (JSON.parse(result.body!) as { data: { points: unknown[] } }).data.points.length;
        itemsRead = counter.items;
        if (run > 0) latencies.push(elapsed); // the first run warms the connections
      }

      // Reading every row of a long window takes minutes on DynamoDB Local: measured once for the
      // long windows (the connections are warm by then), three times after a warm-up otherwise.
      const rawLatencies: number[] = [];
      let rawItems = 0;
      const rawRuns = windowDays > 365 ? 1 : Math.min(settings.measuredRuns, 3) + 1;
      for (let run = 0; run < rawRuns; run++) {
        const started = performance.now();
        const { items } = await rawRepository.readRows({
          userId: USER,
          type: 'PULSE',
          from: new Date(now - windowDays * DAY_MS).toISOString(),
          to: new Date(now).toISOString(),
        });
        seriesAnswer('pulse', { rows: items, days: windowDays, zone: 'Europe/Berlin' });
        const elapsed = performance.now() - started;
        rawItems = items.length;
        if (run > 0 || rawRuns === 1) rawLatencies.push(elapsed);
      }
      const cell: SeriesCell = {
        days: windowDays,
        points,
        itemsRead,
        latencyMs: summarize(latencies),
        raw: { itemsRead: rawItems, latencyMs: summarize(rawLatencies) },
      };
      log(
        `series: days=${windowDays} ${points} points, ${itemsRead} items in ${cell.latencyMs.median.toFixed(0)} ms ` +
          `(raw: ${rawItems} items in ${cell.raw.latencyMs.median.toFixed(0)} ms)`,
      );
      cells.push(cell);
    }
    return { historyDays: settings.historyDays, rows, aggregates: days.length, loadSeconds, cells };
  } finally {
    await admin.send(new DeleteTableCommand({ TableName: tables.measurements })).catch(() => undefined);
    await admin.send(new DeleteTableCommand({ TableName: tables.aggregates })).catch(() => undefined);
    admin.destroy();
    client.destroy();
    rawClient.destroy();
  }
}
