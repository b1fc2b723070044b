import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { createDynamoDbClient } from '../../functions/commons/dynamodb-client';
import {
  createRequestGuards,
  createRowWriteGuards,
  type RequestGuards,
  type RowWriteGuards,
} from '../../functions/request-guards/request-guards';
import { requestGuardsTable } from '../../definitions/request-guards-table';
import { ensureTable, ensureTimeToLive, requestGuardsCreateTableInput } from '../../local/create-tables';
import { dynamoDbLocalEndpoint } from './local-table';

/** A fresh request-guards table on the run's DynamoDB Local, built from the stack's definition. */
export interface LocalRequestGuardsTable {
  readonly tableName: string;
  /**
   * A new client with the production settings (retries included), so a test can inject faults
   * into one set of guards without touching another's.
   */
  newClient(): DynamoDBClient;
  /** Guards on this table, each with a client of its own. */
  guards(options?: { clock?: () => Date; client?: DynamoDBClient }): RequestGuards;
  /** The row API's write guards on this table, each with a client of its own. */
  rowWriteGuards(options?: { clock?: () => Date; client?: DynamoDBClient }): RowWriteGuards;
  /** Every item, unmarshalled. Tests only. */
  items(): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

export async function createLocalRequestGuardsTable(): Promise<LocalRequestGuardsTable> {
  const endpoint = dynamoDbLocalEndpoint();
  const tableName = `request-guards-${randomUUID()}`;
  const admin = new DynamoDBClient({ endpoint });
  await ensureTable(admin, requestGuardsCreateTableInput(tableName));
  await ensureTimeToLive(admin, tableName, requestGuardsTable.timeToLiveAttribute);
  const clients: DynamoDBClient[] = [];
  const newClient = () => {
    const client = createDynamoDbClient({
      DYNAMODB_ENDPOINT: endpoint,
      DYNAMODB_MAX_ATTEMPTS: 3,
      DYNAMODB_REQUEST_TIMEOUT_MS: 5000,
      WRITE_CONCURRENCY: 16,
    });
    clients.push(client);
    return client;
  };
  return {
    tableName,
    newClient,
    guards: ({ clock, client } = {}) =>
      createRequestGuards({ client: client ?? newClient(), tableName, clock }),
    rowWriteGuards: ({ clock, client } = {}) =>
      createRowWriteGuards({ client: client ?? newClient(), tableName, clock }),
    async items() {
      const { Items = [] } = await admin.send(
        new ScanCommand({ TableName: tableName, ConsistentRead: true }),
      );
      return Items.map((item) => unmarshall(item));
    },
    async drop() {
      await admin.send(new DeleteTableCommand({ TableName: tableName }));
      for (const client of clients) client.destroy();
      admin.destroy();
    },
  };
}
