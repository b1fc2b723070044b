/**
 * The request-guards table, described once: the CDK stack, the local runtime's table creation,
 * the Powertools idempotency persistence layer and the rate-limit counter all read it from here.
 *
 * It holds two kinds of short-lived item, told apart by the prefix of their key:
 * - `measurements-batch#<hash>` (the batch) and `measurements-rows#<hash>` (the row API's creates
 *   and bulk deletes): a Powertools idempotency record of one (user, route, Idempotency-Key), kept
 *   for 24 h. The key is a hash, so the table never shows which user sent which key.
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
} as const;
