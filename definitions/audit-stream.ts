import { measurementsTable } from './measurements-table';
import { userLifecycle } from './user-lifecycle';

/**
 * How the audit function reads the measurements table's stream, described once: the CDK event
 * source mapping and the local runtime's stream reader both apply exactly these settings.
 */

/** A Lambda event filter pattern (the subset used here: exact string matches, OR-ed per array). */
export interface FilterPattern {
  readonly [key: string]: readonly string[] | FilterPattern;
}

/**
 * Only records the audit function turns into events reach it (patterns are OR-ed):
 * - a reading entered by hand (INSERT of a `manual` row written by `create`) — `measurement.created`;
 * - a batch re-post of a `stats:` row (MODIFY written by the batch) — an overwrite, a
 *   resurrection, or an unchanged re-post the handler logs at DEBUG only;
 * - an edit or a soft delete through the row API (MODIFY written by `edit` / `delete`);
 * - a row removed outright (REMOVE of an item of a row kind);
 * - an import or erasure announcing itself (INSERT of a lifecycle item) — `user.imported` /
 *   `user.erased`.
 * Batch INSERTs (new rows, counted by the ingest summary), the reading markers (no `writer`,
 * kind `reading-marker`; one is removed when its reading moves), whatever the import writes
 * (`writer: import`, summed up by its one `user.imported`), the erasure's bare items (kind
 * `erasing`: no per-row event may copy the values being erased into the trail) and the removal of
 * a lifecycle item never invoke the function.
 * `stats:` sits in the middle of the key, so the patterns select on the dedicated `kind` and
 * `writer` attributes instead.
 */
export const auditFilterPatterns: readonly FilterPattern[] = [
  { eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: ['manual'] }, writer: { S: ['create'] } } } },
  { eventName: ['MODIFY'], dynamodb: { NewImage: { kind: { S: ['stats'] }, writer: { S: ['batch'] } } } },
  { eventName: ['MODIFY'], dynamodb: { NewImage: { writer: { S: ['edit', 'delete'] } } } },
  { eventName: ['REMOVE'], dynamodb: { OldImage: { kind: { S: measurementsTable.rowKinds } } } },
  { eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: [userLifecycle.lifecycleItem.kind] } } } },
];

export const auditStreamSource = {
  /** Nothing is skipped on first deploy or after a pause: the audit trail starts at the oldest record. */
  startingPosition: 'TRIM_HORIZON',
  /**
   * Records are tiny and the handler only logs, so a large batch amortises invocations; the
   * 1 s window keeps an overwrite's event within seconds of the write (the local runtime
   * promises 2 s).
   */
  batchSize: 100,
  maxBatchingWindowSeconds: 1,
  bisectBatchOnError: true,
  reportBatchItemFailures: true,
  /** Finite: a poison record must not block its shard for the stream's 24 h retention. */
  retryAttempts: 5,
  maxRecordAgeSeconds: 6 * 60 * 60,
  /** One batch per shard at a time keeps a row's events in stream order. */
  parallelizationFactor: 1,
  filterPatterns: auditFilterPatterns,
} as const;
