import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../functions/commons/dynamodb-client';
import { measurementKey } from '../../functions/measurements/storage/measurement-key';
import {
  auditKeysCreateTableInput,
  dailyAggregatesCreateTableInput,
  ensureTable,
  measurementsCreateTableInput,
} from '../../local/create-tables';

/** A fresh measurements table on the run's DynamoDB Local, built from the stack's definition. */
export interface LocalTable {
  readonly tableName: string;
  /** Its daily-aggregates table (created with it, dropped with it). */
  readonly aggregatesTableName: string;
  /** Its audit-keys table, the audit function's (created with it, dropped with it). */
  readonly auditKeysTableName: string;
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly documentClient: DynamoDBDocumentClient;
  /** Every item, for assertions ("nothing was written"). Tests only; the service never scans. */
  items(): Promise<Record<string, unknown>[]>;
  item(userId: string, type: string, externalId: string): Promise<Record<string, unknown> | undefined>;
  drop(): Promise<void>;
}

export function dynamoDbLocalEndpoint(): string {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint)
    throw new Error('DYNAMODB_ENDPOINT is not set: run integration tests through jest (globalSetup)');
  return endpoint;
}

export interface LocalTableOptions {
  /**
   * Whether the table has its stream, as the stack's does. Off unless a test reads the stream:
   * DynamoDB Local keeps every stream record of the engine's life in one store whose write cost
   * grows with everything it ever held, deleted tables included (45,000 writes to stream tables
   * made a later table's 5,000 writes 14 times slower), so one heavy file would slow every file
   * after it.
   */
  readonly stream?: boolean;
  /**
   * Whether the suite loads the engine on purpose (many batches at once on a stream table, as many
   * Lambda instances would send them): its client then waits 30 s for a connection and for each
   * call instead of the service's 1 s and the suites' 5 s. On a busy two-core machine DynamoDB
   * Local can take seconds per call there, and the one client all the batches share keeps most
   * of their calls waiting for one of its sockets — time NodeHttpHandler counts against the
   * connection timeout, which starts when the call is made. A call abandoned that way would test
   * the client's timeouts (test/integration/fault-injection.test.ts tests those on their own),
   * not the suite's invariants.
   */
  readonly loadedEngine?: boolean;
}

/** How long a `loadedEngine` table's client waits for a connection and for a call. */
const PATIENT_TIMEOUT_MS = 30_000;

export async function createLocalTable(options: LocalTableOptions = {}): Promise<LocalTable> {
  const endpoint = dynamoDbLocalEndpoint();
  const tableName = `measurements-${randomUUID()}`;
  const aggregatesTableName = `daily-aggregates-${randomUUID()}`;
  const auditKeysTableName = `audit-keys-${randomUUID()}`;
  const client = new DynamoDBClient({ endpoint });
  const { StreamSpecification, ...withoutStream } = measurementsCreateTableInput(tableName);
  await ensureTable(
    client,
    options.stream === true ? { ...withoutStream, StreamSpecification } : withoutStream,
  );
  await ensureTable(client, dailyAggregatesCreateTableInput(aggregatesTableName));
  await ensureTable(client, auditKeysCreateTableInput(auditKeysTableName));
  const timeoutMs = options.loadedEngine ? PATIENT_TIMEOUT_MS : 5000;
  const documentClient = createDocumentClient(
    {
      DYNAMODB_ENDPOINT: endpoint,
      DYNAMODB_MAX_ATTEMPTS: 3,
      DYNAMODB_REQUEST_TIMEOUT_MS: timeoutMs,
      WRITE_CONCURRENCY: 16,
    },
    options.loadedEngine ? { connectionTimeoutMs: timeoutMs } : {},
  );
  return {
    tableName,
    aggregatesTableName,
    auditKeysTableName,
    endpoint,
    client,
    documentClient,
    async items() {
      const { Items = [] } = await documentClient.send(
        new ScanCommand({ TableName: tableName, ConsistentRead: true }),
      );
      return Items;
    },
    async item(userId, type, externalId) {
      const { Item } = await documentClient.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: measurementKey(userId, type, externalId) },
          ConsistentRead: true,
        }),
      );
      return Item;
    },
    async drop() {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      await client.send(new DeleteTableCommand({ TableName: aggregatesTableName }));
      await client.send(new DeleteTableCommand({ TableName: auditKeysTableName }));
      documentClient.destroy();
      client.destroy();
    },
  };
}
