/**
 * The request-guards table, described once: the CDK stack, the local runtime's table creation,
 * the Powertools idempotency persistence layer and the rate-limit counter all read it from here.
 *
 * It holds two kinds of short-lived item, told apart by the prefix of their key, and every key
 * names its user right after the prefix, so that erasing a user finds them (`userScopedKeyPrefixes`):
 * - `measurements-batch#<userId>#<hash>` (the batch) and `measurements-rows#<userId>#<hash>` (the
 *   row API's creates and bulk deletes): a Powertools idempotency record of one (user, route,
 *   Idempotency-Key), kept for 24 h. The Idempotency-Key itself is only in the hash.
 * - `ratelimit#<userId>#<window start>` (batches), `writelimit#<userId>#<window start>` (the
 *   row API's writes) and `deletelimit#<userId>#<window start>` (by-external-ids): the request
 *   counter of one user's 60-second window.
 *
 * Both expire through DynamoDB TTL on `expiration` (epoch seconds). TTL deletes lazily (often
 * hours late), so neither reader relies on it: Powertools compares `expiration` itself, and a
 * counter is only ever read through the key of the current window.
 */
export const requestGuardsTable = {
  /** Powertools' default key attribute, named here so the stack and the code cannot disagree. */
  partitionKey: 'id',
  timeToLiveAttribute: 'expiration',
  /** Attribute names of the Powertools idempotency records (its defaults, stated explicitly). */
  idempotencyAttributes: {
    status: 'status',
    data: 'data',
    validation: 'validation',
    inProgressExpiration: 'in_progress_expiration',
  },
  /** The rate-limit counter's attribute. */
  counterAttribute: 'count',
  /** Prefix of every idempotency record's key (Powertools' `keyPrefix`), per guarded function. */
  idempotencyKeyPrefix: 'measurements-batch',
  rowWriteIdempotencyKeyPrefix: 'measurements-rows',
  /** Prefix of the counters: the batch's limit and the row API's shared write limit count apart. */
  rateLimitKeyPrefix: 'ratelimit',
  writeLimitKeyPrefix: 'writelimit',
  /** The phone's HealthKit deletions (`DELETE /api/measurements/by-external-ids`), counted apart. */
  healthKitDeleteLimitKeyPrefix: 'deletelimit',
  /** The stack output that names the table, read by the operator tools' `--stack`. */
  outputName: 'RequestGuardsTableName',
} as const;

/**
 * Every key prefix of the table: each item's key is `<prefix>#<userId>#…`, so `<prefix>#<userId>#`
 * for each of these finds every item of one user (what `npm run erase-user` deletes).
 */
export const userScopedKeyPrefixes = {
  idempotencyRecords: [
    requestGuardsTable.idempotencyKeyPrefix,
    requestGuardsTable.rowWriteIdempotencyKeyPrefix,
  ],
  rateLimitCounters: [
    requestGuardsTable.rateLimitKeyPrefix,
    requestGuardsTable.writeLimitKeyPrefix,
    requestGuardsTable.healthKitDeleteLimitKeyPrefix,
  ],
} as const;

/** The beginning of every key of one user's items under `prefix`. */
export function userKeyPrefix(prefix: string, userId: string): string {
  return `${prefix}#${userId}#`;
}
