import { readFileSync } from 'node:fs';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { functionEnvironment } from '../definitions/function-settings';
import { loadSettings } from '../functions/commons/config';
import { createDocumentClient } from '../functions/commons/dynamodb-client';
import type { BatchEntry } from '../functions/measurements/batch/batch-schema';
import { planBatch } from '../functions/measurements/batch/ingest-batch';
import { TableMeasurementWriter } from '../functions/measurements/storage/table-measurement-writer';
import {
  auditKeysCreateTableInput,
  dailyAggregatesCreateTableInput,
  ensureTable,
  ensureTimeToLive,
  measurementsCreateTableInput,
  requestGuardsCreateTableInput,
} from '../local/create-tables';
import { localCredentials, localRegion } from '../local/dynamodb-local';
import { requestGuardsTable } from '../definitions/request-guards-table';
import { serviceFunctions, type FunctionDefinition } from '../definitions/service-functions';

/** Every SDK client of the run talks to DynamoDB Local with its fixed credentials. */
export function useLocalCredentials(): void {
  process.env.AWS_REGION = localRegion;
  process.env.AWS_ACCESS_KEY_ID = localCredentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = localCredentials.secretAccessKey;
}

/** The tables one measurement uses: the service's, created from the stack's definitions. */
export interface ServiceTables {
  readonly measurements: string;
  readonly requestGuards: string;
  readonly dailyAggregates: string;
  readonly auditKeys: string;
}

/**
 * A function's environment exactly as the stack sets it (its settings, Powertools at INFO),
 * pointed at DynamoDB Local and these tables.
 */
export function deployedEnvironment(
  definition: FunctionDefinition,
  endpoint: string,
  tables: ServiceTables,
): Record<string, string> {
  return {
    ...functionEnvironment(definition, {
      measurementsTable: tables.measurements,
      requestGuardsTable: tables.requestGuards,
      dailyAggregatesTable: tables.dailyAggregates,
      auditKeysTable: tables.auditKeys,
      dynamoDbEndpoint: endpoint,
    }),
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
}

/** The ingest function's environment as the stack sets it, with another write concurrency if given. */
export function ingestEnvironment(
  endpoint: string,
  tables: ServiceTables,
  writeConcurrency?: number,
): Record<string, string> {
  return {
    ...deployedEnvironment(serviceFunctions.ingestBatch, endpoint, tables),
    ...(writeConcurrency === undefined ? {} : { WRITE_CONCURRENCY: String(writeConcurrency) }),
  };
}

/** A document client as the ingest function creates it (keep-alive, retries, timeouts). */
export function documentClientFor(endpoint: string, writeConcurrency: number): DynamoDBDocumentClient {
  return createDocumentClient(
    loadSettings(serviceFunctions.ingestBatch, {
      WRITE_CONCURRENCY: String(writeConcurrency),
      TABLE_NAME: 'unused',
      REQUEST_GUARDS_TABLE_NAME: 'unused',
      DYNAMODB_ENDPOINT: endpoint,
    }),
  );
}

/**
 * Fresh tables for one measurement, from the stack's definitions (the measurements table's key
 * and three indexes; the request-guards table with its TTL) but without the measurements
 * table's stream. In DynamoDB the stream is filled asynchronously and costs a write nothing; in
 * DynamoDB Local every write also appends to the engine's stream store, and that cost grows
 * with every record the engine has ever kept (even of dropped tables): measured here, 500 writes
 * went from 0.3 s to 2 s of engine CPU over 12,000 writes. With the stream on, a figure would
 * depend on how much was written before it.
 */
export async function createServiceTables(endpoint: string, name: string): Promise<ServiceTables> {
  const tables = {
    measurements: `${name}-measurements`,
    requestGuards: `${name}-guards`,
    dailyAggregates: `${name}-aggregates`,
    auditKeys: `${name}-audit-keys`,
  };
  const client = new DynamoDBClient({ endpoint });
  try {
    const { StreamSpecification: _stream, ...measurements } = measurementsCreateTableInput(
      tables.measurements,
    );
    await ensureTable(client, measurements);
    await ensureTable(client, requestGuardsCreateTableInput(tables.requestGuards));
    await ensureTimeToLive(client, tables.requestGuards, requestGuardsTable.timeToLiveAttribute);
    await ensureTable(client, dailyAggregatesCreateTableInput(tables.dailyAggregates));
    await ensureTable(client, auditKeysCreateTableInput(tables.auditKeys));
  } finally {
    client.destroy();
  }
  return tables;
}

/** Drops the tables, so the engine does not carry their rows into the next measurement. */
export async function dropServiceTables(endpoint: string, tables: ServiceTables): Promise<void> {
  const client = new DynamoDBClient({ endpoint });
  try {
    for (const TableName of Object.values(tables)) {
      await client.send(new DeleteTableCommand({ TableName }));
    }
  } finally {
    client.destroy();
  }
}

/** Stores what `entries` would store, untimed: the state a workload expects before its batch. */
export async function seedRows(
  client: DynamoDBDocumentClient,
  tableName: string,
  userId: string,
  entries: readonly BatchEntry[],
  now: Date,
): Promise<void> {
  if (entries.length === 0) return;
  const repository = new TableMeasurementWriter(client, tableName);
  const writes = planBatch(entries, now).flatMap((entry) =>
    entry.status === 'write' ? [entry.measurement] : [],
  );
  for (let i = 0; i < writes.length; i += 25) {
    const outcomes = await Promise.all(
      writes.slice(i, i + 25).map((measurement) =>
        repository.writeMeasurement({
          userId,
          requestId: 'bench-seed',
          writtenAt: now.toISOString(),
          measurement,
        }),
      ),
    );
    const failed = outcomes.find((outcome) => outcome.status === 'failed');
    if (failed) throw new Error(`seeding failed: ${JSON.stringify(failed)}`);
  }
}

/** CPU milliseconds (user + system) a process has used so far, from /proc (Linux); undefined elsewhere. */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // Fields 14 and 15 of stat (utime, stime) in clock ticks; 100 per second on Linux.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

type IngestHandler = (typeof import('../functions/ingest-batch/handler'))['handler'];

/**
 * The ingest function exactly as Lambda loads it: functions/ingest-batch/handler.ts evaluated
 * afresh with `environment` (its wiring reads the configuration once, at load), so the benchmark
 * measures whatever that file wires — repository, document client, request guards — and cannot
 * drift from it.
 */
export function loadIngestHandler(environment: Record<string, string>): IngestHandler {
  const modulePath = require.resolve('../functions/ingest-batch/handler');
  const saved = { ...process.env };
  Object.assign(process.env, environment);
  try {
    delete require.cache[modulePath];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh evaluation of the module is the point
    return (require(modulePath) as { handler: IngestHandler }).handler;
  } finally {
    for (const name of Object.keys(environment)) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
}
