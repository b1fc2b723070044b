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

/** What the ingest function logs once per request. */
export const ingestEvents = {
  /** One accepted batch: its outcome counts. */
  summary: 'measurement.batch.ingest',
  /** A whole-request refusal (400/409/413/415/422/429). */
  rejected: 'measurement.batch.rejected',
} as const;

/** What the HealthLog authorizer logs once per introspection (never the token or HealthLog's body). */
export const authorizerEvents = {
  /** `outcome`: authenticated | unauthenticated (INFO) or failed (ERROR: the app got a 5xx). */
  introspection: 'auth.healthlog.introspection',
} as const;

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
