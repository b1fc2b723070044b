/**
 * The names of the structured log events operators query, count and alarm on. Each is the
 * `message` of one JSON log line; saved queries, metric filters and alarms select on these exact
 * strings, so they are defined once and never renamed casually (docs/operations.md, "The audit trail").
 */

/** Audit events the audit function writes at INFO, one per change a user can see. */
export const auditEvents = {
  /** A reading entered by hand (`POST /api/measurements`). */
  created: 'measurement.created',
  statsOverwrite: 'measurement.batch.stats-overwrite',
  valueUpdated: 'measurement.value.updated',
  deleted: 'measurement.deleted',
} as const;

/** Logged (at ERROR) by the audit function for every stream record it cannot read. */
export const auditFailureEvent = 'measurement.audit.record-failed';

/** Changes worth a DEBUG line for whoever investigates, but no audit event. */
export const debugEvents = {
  /** A `stats:` re-post that changed nothing a user sees: the healthy, frequent case. */
  statsRepostUnchanged: 'measurement.batch.stats-repost-unchanged',
  /** An edit that left every user-visible attribute as it was. */
  updateUnchanged: 'measurement.value.update-unchanged',
  /** A soft delete or removal of a row that was already soft-deleted. */
  alreadyDeleted: 'measurement.already-deleted',
} as const;

/**
 * What the HTTP functions log about a request (functions/http-pipeline/). Every line of a request
 * carries its `route`, `requestId`, then `userId` and `timeZone` once known, and the Lambda
 * context (`function_request_id`, `cold_start`, …); the line that ends the request adds `status`
 * and `durationMs`.
 */
export interface RequestEvents {
  /** The route answered: its counts, kinds and names of fields where useful. */
  readonly answered: string;
  /** A refusal (`errorCode`): the caller, a limit, a request already in progress, or the route. */
  readonly refused: string;
  /** An `Idempotency-Key` replay: the kept answer, nothing ran (`replayed: true`). */
  readonly replayed: string;
  /** ERROR: anything unexpected; the answer is 500 `Internal server error`. */
  readonly failed: string;
  /** The `errorCode` of a refusal because the same key and body are still being answered (409). */
  readonly inProgressErrorCode: string;
  /** WARN/INFO lines of the `Idempotency-Key` guard (functions/request-guards/idempotent-request.ts). */
  readonly idempotency: IdempotencyEvents;
}

export interface IdempotencyEvents {
  /** INFO: the key came again with another body; the request runs without the guard. */
  readonly keyReused: string;
  /** WARN: the record could not be written or read; the request runs without the guard. */
  readonly unavailable: string;
  /** WARN: the request ran but its record could not be settled; the key is freed. */
  readonly notSettled: string;
}

/** `POST /api/measurements/batch`: one line per request, named by how it ended. */
export const ingestEvents = {
  /** One accepted batch: its outcome counts. */
  summary: 'measurement.batch.ingest',
  /** A whole-request refusal (400/403/409/413/415/422/429). */
  rejected: 'measurement.batch.rejected',
  replayed: 'measurement.batch.replayed',
  error: 'measurement.batch.error',
  /** WARN: the rate-limit counter could not be reached; the request runs unlimited. */
  rateLimitUnavailable: 'measurement.batch.rate_limit_unavailable',
  idempotency: {
    keyReused: 'measurement.batch.idempotency_key_reused',
    unavailable: 'measurement.batch.idempotency_unavailable',
    notSettled: 'measurement.batch.idempotency_not_settled',
  },
} as const;

export const ingestRequestEvents: RequestEvents = {
  answered: ingestEvents.summary,
  refused: ingestEvents.rejected,
  replayed: ingestEvents.replayed,
  failed: ingestEvents.error,
  inProgressErrorCode: 'measurement.batch.idempotency_in_progress',
  idempotency: ingestEvents.idempotency,
};

/** The row API (`/api/measurements…` but the batch): one `measurement.api.request` per request. */
export const rowApiEvents = {
  request: 'measurement.api.request',
  error: 'measurement.api.error',
  /** WARN: the shared write limit's counter could not be reached; the write runs unlimited. */
  writeLimitUnavailable: 'measurement.api.write_limit_unavailable',
  /** WARN: the HealthKit deletions' counter could not be reached; the request runs unlimited. */
  deleteLimitUnavailable: 'measurement.api.delete_limit_unavailable',
  idempotency: {
    keyReused: 'measurement.api.idempotency_key_reused',
    unavailable: 'measurement.api.idempotency_unavailable',
    notSettled: 'measurement.api.idempotency_not_settled',
  },
} as const;

export const rowApiRequestEvents: RequestEvents = {
  answered: rowApiEvents.request,
  refused: rowApiEvents.request,
  replayed: rowApiEvents.request,
  failed: rowApiEvents.error,
  inProgressErrorCode: 'measurement.api.idempotency_in_progress',
  idempotency: rowApiEvents.idempotency,
};

/** What the HealthLog authorizer logs once per introspection (never the token or HealthLog's body). */
export const authorizerEvents = {
  /** `outcome`: authenticated | unauthenticated (INFO) or failed (ERROR: the app got a 5xx). */
  introspection: 'auth.healthlog.introspection',
} as const;

/** `user.imported` and `user.erased`, defined with the lifecycle items that announce them. */
export { lifecycleEvents } from './user-lifecycle';

/** What the daily-aggregate function logs (never a row's value or an aggregate). */
export const aggregateEvents = {
  /** One stream batch: records, days recomputed and how each ended, settle recomputes queued. */
  batch: 'measurement.aggregate.batch',
  /** ERROR: a stream record it cannot read (retried, then given up to the dead-letter queue). */
  recordFailed: 'measurement.aggregate.record-failed',
  /** ERROR: a day whose recompute failed (its records are retried). */
  recomputeFailed: 'measurement.aggregate.recompute-failed',
  /** ERROR: days whose settle recompute could not be queued (their records are retried). */
  settleQueueFailed: 'measurement.aggregate.settle-queue-failed',
  /** One batch of the settle queue: days recomputed again once the index had settled. */
  settleBatch: 'measurement.aggregate.settle-batch',
  /** ERROR: a settle message it cannot read (redelivered, then dead-lettered). */
  settleMessageFailed: 'measurement.aggregate.settle-message-failed',
  /** ERROR: a day whose settle recompute failed (its messages are redelivered). */
  settleFailed: 'measurement.aggregate.settle-failed',
} as const;
