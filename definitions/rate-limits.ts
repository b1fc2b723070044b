/**
 * The per-user request limits, defined once: the guards count against them, the handlers answer
 * their 429s with their numbers, docs/request-guards.md explains them. Each is a fixed window of
 * `windowSeconds` with its own counter in the request-guards table
 * (definitions/request-guards-table.ts names the counters' key prefixes).
 */
export interface RateLimitPolicy {
  readonly limit: number;
  readonly windowSeconds: number;
}

/** `POST /api/measurements/batch`: 60 per user per 60 s (the batch contract's number). */
export const batchRateLimit: RateLimitPolicy = { limit: 60, windowSeconds: 60 };

/**
 * The row API's writes — hand entries, edits, deletes by id and bulk deletes — share one limit,
 * counted apart from the batch's.
 */
export const recordWriteLimit: RateLimitPolicy = { limit: 300, windowSeconds: 60 };

/**
 * `DELETE /api/measurements/by-external-ids`: the phone's propagation of HealthKit deletions,
 * counted apart from the user's own writes. The app sends one request per HealthKit deletion
 * delivery of a sample type it writes to Apple Health (12 types: weight, the two blood-pressure
 * halves, glucose, pulse, body fat, temperature, SpO2, resting pulse, HRV, VO2 max, BMI), with
 * every id of that delivery: a sync pass in which every one of those types reports deletions is
 * 12 requests. 30 per 60 s leaves room for two such passes and their retries, while one request
 * (up to 500 index lookups) can no longer be repeated fast enough to keep the table busy for a
 * user (docs/request-guards.md, "Rate limit").
 */
export const healthKitDeleteLimit: RateLimitPolicy = { limit: 30, windowSeconds: 60 };
