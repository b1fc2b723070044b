import { aggregatedTypes } from './daily-aggregates-table';
import type { FilterPattern } from './audit-stream';

/**
 * How the daily-aggregate function reads the measurements table's stream (the stack's event
 * source mapping and the local runtime's stream reader both apply exactly these settings).
 *
 * Only changes of rows of an aggregated type reach it: a new or re-posted row, an edit (which
 * may move a row to another day) and a delete. `kind` restricts it to measurement rows.
 * A DynamoDB stream serves at most two readers per shard without throttling: this one and the
 * audit function's.
 */
const measurementKinds = ['stats', 'sample', 'manual'];
const aggregated = [...aggregatedTypes];

export const aggregateFilterPatterns: readonly FilterPattern[] = [
  { dynamodb: { NewImage: { type: { S: aggregated }, kind: { S: measurementKinds } } } },
  {
    eventName: ['REMOVE'],
    dynamodb: { OldImage: { type: { S: aggregated }, kind: { S: measurementKinds } } },
  },
];

export const aggregateStreamSource = {
  startingPosition: 'TRIM_HORIZON',
  /**
   * A batch of 144 heart-rate buckets of one day recomputes that day once: large batches and a
   * short window coalesce a sync's writes into few recomputes, and a chart sees them seconds later.
   */
  batchSize: 500,
  maxBatchingWindowSeconds: 2,
  bisectBatchOnError: true,
  reportBatchItemFailures: true,
  retryAttempts: 5,
  maxRecordAgeSeconds: 6 * 60 * 60,
  parallelizationFactor: 1,
  filterPatterns: aggregateFilterPatterns,
} as const;
