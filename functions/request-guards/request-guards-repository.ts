import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { IdempotencyKeyError } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import {
  requestGuardsTable,
  userKeyPrefix,
  userScopedKeyPrefixes,
} from '../../definitions/request-guards-table';
import { documentClientOver } from '../commons/dynamodb-client';
import { batchWriteAll } from '../measurements/storage/batch-requests';
import type { UserGuardRecordStore, UserGuardRecords } from '../user-data/user-data-store';
import type { RateLimitWindow } from './rate-limit';

const { partitionKey, timeToLiveAttribute, idempotencyAttributes, counterAttribute, rateLimitKeyPrefix } =
  requestGuardsTable;

/**
 * The only code that touches the request-guards table: the rate-limit counter's UpdateItem here,
 * the Powertools persistence layer (its GetItem/PutItem/UpdateItem/DeleteItem) configured with the
 * table definition's attribute names, and the erasure's Scan and deletes of one user's items.
 */
export function idempotencyPersistenceLayer(client: DynamoDBClient, tableName: string) {
  return new UserScopedPersistenceLayer({
    tableName,
    awsSdkV3Client: client,
    keyAttr: partitionKey,
    expiryAttr: timeToLiveAttribute,
    statusAttr: idempotencyAttributes.status,
    dataAttr: idempotencyAttributes.data,
    validationKeyAttr: idempotencyAttributes.validation,
    inProgressExpiryAttr: idempotencyAttributes.inProgressExpiration,
  });
}

/** What every idempotent call hands Powertools: its payload names the user the record belongs to. */
export type UserScopedPayload = {
  readonly userId: string;
};

/**
 * Powertools' DynamoDB persistence layer with the user in every record's key:
 * `<keyPrefix>#<userId>#<hash>` instead of `<keyPrefix>#<hash>`, so that erasing a user finds
 * their records (definitions/request-guards-table.ts). The user is read from the payload of each
 * call, not from the `keyPrefix` option: Powertools stores that prefix on the shared persistence
 * layer at every call, so concurrent requests of two users (the local runtime serves them in one
 * process) would name each other in their records; a wrapper per request would instead rebuild
 * the idempotent function each time.
 */
type HashedPayload = Parameters<DynamoDBPersistenceLayer['deleteRecord']>[0];

class UserScopedPersistenceLayer extends DynamoDBPersistenceLayer {
  protected override getHashedIdempotencyKey(data: HashedPayload): string {
    const hashed = super.getHashedIdempotencyKey(data);
    const userId = (data as Partial<UserScopedPayload> | null)?.userId;
    if (typeof userId !== 'string' || userId === '')
      throw new IdempotencyKeyError('An idempotent call must name its user');
    const prefix = this.idempotencyKeyPrefix;
    return `${userKeyPrefix(prefix, userId)}${hashed.slice(prefix.length + 1)}`;
  }
}

/** Kept past the window's end so a late TTL sweep never races the window it belongs to. */
const COUNTER_GRACE_SECONDS = 60;

/** The counter of one user's window; `prefix` tells the batch's limit from the row API's writes. */
export function rateLimitCounterKey(
  userId: string,
  window: RateLimitWindow,
  prefix: string = rateLimitKeyPrefix,
): string {
  return `${userKeyPrefix(prefix, userId)}${window.startsAt.toISOString()}`;
}

export class RateLimitCounter {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly keyPrefix: string = rateLimitKeyPrefix,
  ) {}

  /**
   * Counts one request in the user's window and returns the count including it: one atomic
   * `ADD` (the item is created by the first request of the window), so concurrent requests
   * can never both see the last free slot.
   */
  async increment(userId: string, window: RateLimitWindow): Promise<number> {
    const expiresAt = Math.ceil(window.resetsAt.getTime() / 1000) + COUNTER_GRACE_SECONDS;
    const { Attributes } = await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { [partitionKey]: { S: rateLimitCounterKey(userId, window, this.keyPrefix) } },
        UpdateExpression: 'ADD #count :one SET #expiration = :expiration',
        ExpressionAttributeNames: { '#count': counterAttribute, '#expiration': timeToLiveAttribute },
        ExpressionAttributeValues: { ':one': { N: '1' }, ':expiration': { N: String(expiresAt) } },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const count = Number(Attributes?.[counterAttribute]?.N);
    if (!Number.isInteger(count)) throw new Error('The rate-limit counter returned no count');
    return count;
  }
}

/**
 * One user's items in the request-guards table, for `npm run erase-user`: found by a Scan of the
 * whole table filtered on the key prefixes that name the user. The table holds a day of records
 * and a minute of counters, so a Scan is small; in `segments` parallel parts.
 */
export class RequestGuardRecords implements UserGuardRecordStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly segments = 4,
  ) {
    this.documents = documentClientOver(client);
  }

  async findUserRecords(userId: string): Promise<UserGuardRecords> {
    const groups = Object.entries(userScopedKeyPrefixes).flatMap(([group, prefixes]) =>
      prefixes.map((prefix) => ({ group, prefix: userKeyPrefix(prefix, userId) })),
    );
    const values = Object.fromEntries(groups.map(({ prefix }, i) => [`:p${i}`, prefix]));
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: this.segments }, async (_, segment) => {
        const pages = paginateScan(
          { client: this.documents },
          {
            TableName: this.tableName,
            Segment: segment,
            TotalSegments: this.segments,
            ConsistentRead: true,
            FilterExpression: Object.keys(values)
              .map((name) => `begins_with(#id, ${name})`)
              .join(' OR '),
            ProjectionExpression: '#id',
            ExpressionAttributeNames: { '#id': partitionKey },
            ExpressionAttributeValues: values,
          },
        );
        for await (const { Items = [] } of pages)
          ids.push(...Items.map((item) => item[partitionKey] as string));
      }),
    );
    const inGroup = (group: string) =>
      ids.filter((id) => groups.some((one) => one.group === group && id.startsWith(one.prefix))).sort();
    return {
      idempotencyRecords: inGroup('idempotencyRecords'),
      rateLimitCounters: inGroup('rateLimitCounters'),
    };
  }

  async deleteRecords(ids: readonly string[]): Promise<void> {
    await batchWriteAll(
      this.documents,
      this.tableName,
      ids.map((id) => ({ DeleteRequest: { Key: { [partitionKey]: id } } })),
    );
  }
}
