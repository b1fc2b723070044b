import { setTimeout as sleep } from 'node:timers/promises';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type BatchGetCommandInput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';

/**
 * BatchGetItem and BatchWriteItem for the storage modules (the user-data tools' and the
 * request-guards table's), with what both leave to the caller:
 * requests cut to the service's limits (100 keys a read, 25 writes), and the part DynamoDB
 * returns unprocessed (when a partition is throttled) sent again with backoff until done. The
 * storage modules decide what is read and written; this is only the plumbing.
 */

/** DynamoDB's limits per call. */
export const BATCH_GET_MAX_KEYS = 100;
export const BATCH_WRITE_MAX_REQUESTS = 25;

/** Unprocessed parts are retried this often (with jittered exponential backoff) before giving up. */
const UNPROCESSED_ATTEMPTS = 12;
const BACKOFF_BASE_MS = 25;
const BACKOFF_MAX_MS = 2_000;

export class UnprocessedItemsError extends Error {
  override readonly name = 'UnprocessedItemsError';
}

const backoff = (attempt: number) =>
  sleep(Math.random() * Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt));

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/** A write request of BatchWriteItem, as the document client takes it. */
export type WriteRequest =
  | { readonly PutRequest: { readonly Item: Record<string, unknown> } }
  | { readonly DeleteRequest: { readonly Key: Record<string, unknown> } };

/**
 * Reads the items at `keys` of one table (strongly consistent unless told otherwise), every key
 * at most once per call. Answers the items found, in no particular order.
 */
export async function batchGetAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
  options: Pick<
    NonNullable<BatchGetCommandInput['RequestItems']>[string],
    'ProjectionExpression' | 'ExpressionAttributeNames' | 'ConsistentRead'
  > = {},
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (const part of chunks(keys, BATCH_GET_MAX_KEYS)) {
    let pending: Record<string, unknown>[] = part;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= UNPROCESSED_ATTEMPTS)
        throw new UnprocessedItemsError(`${pending.length} key(s) stayed unprocessed by BatchGetItem`);
      if (attempt > 0) await backoff(attempt);
      const { Responses, UnprocessedKeys } = await client.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { ConsistentRead: true, ...options, Keys: pending } },
        }),
      );
      found.push(...(Responses?.[tableName] ?? []));
      pending = UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return found;
}

/** Sends the write requests to one table, 25 a call, until every one is processed. */
export async function batchWriteAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
): Promise<void> {
  for (const part of chunks(requests, BATCH_WRITE_MAX_REQUESTS)) {
    let pending: readonly WriteRequest[] = part;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= UNPROCESSED_ATTEMPTS)
        throw new UnprocessedItemsError(`${pending.length} write(s) stayed unprocessed by BatchWriteItem`);
      if (attempt > 0) await backoff(attempt);
      const { UnprocessedItems } = await client.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: pending as WriteRequest[] } }),
      );
      pending = (UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
    }
  }
}
