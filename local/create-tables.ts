import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { measurementsTable, measurementsTableStringAttributes } from '../definitions/measurements-table';
import { dailyAggregatesTable } from '../definitions/daily-aggregates-table';
import { requestGuardsTable } from '../definitions/request-guards-table';
import { auditKeysTable } from '../definitions/audit-keys-table';

/** The measurements table as a CreateTable call, derived from the definition the stack uses. */
export function measurementsCreateTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: measurementsTable.partitionKey, KeyType: 'HASH' }],
    AttributeDefinitions: measurementsTableStringAttributes.map((name) => ({
      AttributeName: name,
      AttributeType: 'S',
    })),
    GlobalSecondaryIndexes: Object.values(measurementsTable.indexes).map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        ...(index.sortKey ? [{ AttributeName: index.sortKey, KeyType: 'RANGE' as const }] : []),
      ],
      Projection: { ProjectionType: index.projection },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: measurementsTable.streamViewType },
  };
}

/** Creates the table unless it exists (data persists across local restarts). */
export async function ensureTable(client: DynamoDBClient, input: CreateTableCommandInput): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: input.TableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(new CreateTableCommand(input));
  }
}

/** The request-guards table (idempotency records, rate-limit counters) as a CreateTable call. */
export function requestGuardsCreateTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: requestGuardsTable.partitionKey, KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: requestGuardsTable.partitionKey, AttributeType: 'S' }],
  };
}

/** The daily-aggregates table (derived from the measurements table's stream) as a CreateTable call. */
export function dailyAggregatesCreateTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: dailyAggregatesTable.partitionKey, KeyType: 'HASH' },
      { AttributeName: dailyAggregatesTable.sortKey, KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: dailyAggregatesTable.partitionKey, AttributeType: 'S' },
      { AttributeName: dailyAggregatesTable.sortKey, AttributeType: 'S' },
    ],
  };
}

/** TTL is not part of CreateTable: it is switched on afterwards, once (a repeat call would fail). */
export async function ensureTimeToLive(
  client: DynamoDBClient,
  tableName: string,
  attributeName: string,
): Promise<void> {
  const { TimeToLiveDescription } = await client.send(
    new DescribeTimeToLiveCommand({ TableName: tableName }),
  );
  const status = TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: attributeName, Enabled: true },
    }),
  );
}

/** The names of the service's tables; the stack generates its own, the local runtime uses these. */
export interface TableNames {
  readonly measurements: string;
  /** What the ingest and row-API functions read from `REQUEST_GUARDS_TABLE_NAME`. */
  readonly requestGuards: string;
  /** What the row API and the aggregate function read from `DAILY_AGGREGATES_TABLE_NAME`. */
  readonly dailyAggregates: string;
  /** The audit trail's per-user keys (definitions/audit-keys-table.ts). */
  readonly auditKeys: string;
}

export const localTableNames: TableNames = {
  measurements: 'measurements',
  requestGuards: 'request-guards',
  dailyAggregates: 'daily-aggregates',
  auditKeys: 'audit-keys',
};

/**
 * Every table of the service, created unless it exists, from the definitions the stack uses:
 * what the local runtime calls at start and the integration tests call per test file.
 */
export async function createAllTables(
  client: DynamoDBClient,
  names: TableNames = localTableNames,
): Promise<void> {
  await ensureTable(client, measurementsCreateTableInput(names.measurements));
  await ensureTable(client, requestGuardsCreateTableInput(names.requestGuards));
  await ensureTimeToLive(client, names.requestGuards, requestGuardsTable.timeToLiveAttribute);
  await ensureTable(client, dailyAggregatesCreateTableInput(names.dailyAggregates));
  await ensureTable(client, auditKeysCreateTableInput(names.auditKeys));
}

/** The audit-keys table (one pseudonym key per audited user) as a CreateTable call. */
export function auditKeysCreateTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: auditKeysTable.partitionKey, KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: auditKeysTable.partitionKey, AttributeType: 'S' }],
  };
}
