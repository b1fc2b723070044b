import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../functions/commons/dynamodb-client';

/**
 * The cold-start baseline: a function that only creates the service's DynamoDB client (same
 * SDK packages, same keep-alive handler) and, per event, puts the one item it is given. What the
 * ingest function costs on top of this is ours: zod, Powertools, the pipeline, the config.
 */
const client = createDocumentClient({
  DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT,
  DYNAMODB_MAX_ATTEMPTS: 3,
  DYNAMODB_REQUEST_TIMEOUT_MS: 3000,
  WRITE_CONCURRENCY: 16,
});

export const handler = async (event: { item: Record<string, unknown> }) => {
  await client.send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: event.item }));
  return { statusCode: 200 };
};
