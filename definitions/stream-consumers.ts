import { aggregateStreamSource } from './aggregate-stream';
import { auditStreamSource } from './audit-stream';
import type { FilterPattern } from './audit-stream';
import type { ServiceFunctionName } from './service-functions';

/** An event source mapping's settings, as both the stack and the local stream reader apply them. */
export interface StreamConsumerSource {
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly bisectBatchOnError: boolean;
  readonly reportBatchItemFailures: boolean;
  readonly retryAttempts: number;
  readonly maxRecordAgeSeconds: number;
  readonly parallelizationFactor: number;
  readonly filterPatterns: readonly FilterPattern[];
}

/**
 * The functions the measurements table's stream feeds, with their event source mapping settings:
 * the stack builds one mapping per entry, the local runtime one stream reader per entry.
 * DynamoDB serves at most two readers per shard without throttling: keep it at two.
 */
export const streamConsumers = {
  auditStream: auditStreamSource,
  dailyAggregates: aggregateStreamSource,
} as const satisfies Partial<Record<ServiceFunctionName, StreamConsumerSource>>;

export type StreamConsumerName = keyof typeof streamConsumers;
