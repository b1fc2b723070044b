import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type {
  SettingValues,
  deleteConcurrencySetting,
  dynamoDbClientSettings,
  writeConcurrencySetting,
} from '../../definitions/function-settings';

/**
 * One document client per process, created at cold start and reused across invocations.
 * Connections are kept alive (a 500-entry batch is hundreds of calls), sockets are sized for
 * the write concurrency, and retries are the SDK's own with a deliberate attempt count.
 */
export function createDocumentClient(
  config: DynamoDbClientConfig,
  connection: ConnectionOptions = {},
): DynamoDBDocumentClient {
  return documentClientOver(createDynamoDbClient(config, connection));
}

export interface ConnectionOptions {
  /**
   * How long a call may take to get a connected socket (1 s unless told). NodeHttpHandler starts
   * this clock when the call is made, so it also counts the wait for a free socket. A Lambda
   * instance never waits (one request at a time, sockets sized for its concurrency); a client
   * shared by many simultaneous requests can (the local runtime under a burst, and the test
   * client of test/support/local-table.ts's `loadedEngine`, which sets this).
   */
  readonly connectionTimeoutMs?: number;
}

/** The document client over a plain client, sharing its connections and settings. */
export function documentClientOver(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/**
 * The client's settings (definitions/function-settings.ts, `dynamoDbClientSettings`), and the
 * concurrency settings of the function, if it has any: sockets are sized for the most calls one
 * request keeps in flight.
 */
export type DynamoDbClientConfig = SettingValues<ReturnType<typeof dynamoDbClientSettings>> &
  Partial<
    SettingValues<ReturnType<typeof writeConcurrencySetting> & ReturnType<typeof deleteConcurrencySetting>>
  >;

/** The plain client under the document client, for libraries that build their own commands (Powertools). */
export function createDynamoDbClient(
  config: DynamoDbClientConfig,
  connection: ConnectionOptions = {},
): DynamoDBClient {
  const maxSockets = Math.max(50, config.WRITE_CONCURRENCY ?? 0, config.DELETE_CONCURRENCY ?? 0);
  const agentOptions = { keepAlive: true, maxSockets };
  const client = new DynamoDBClient({
    maxAttempts: config.DYNAMODB_MAX_ATTEMPTS,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      connectionTimeout: connection.connectionTimeoutMs ?? 1000,
      requestTimeout: config.DYNAMODB_REQUEST_TIMEOUT_MS,
      // Without it NodeHttpHandler only logs a warning when requestTimeout passes and keeps
      // waiting: a call DynamoDB never answers would hang until the function's deadline instead
      // of being abandoned and retried (test/integration/fault-injection.test.ts).
      throwOnRequestTimeout: true,
    }),
  });
  return client;
}
