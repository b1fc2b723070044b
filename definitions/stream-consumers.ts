import { aggregateStreamSource } from './aggregate-stream';
import { auditStreamSource } from './audit-stream';
import type { ServiceFunctionName } from './service-functions';

/**
 * The functions the measurements table's stream feeds, with their event source mapping settings:
 * the stack builds one mapping per entry, the local runtime one stream reader per entry.
 * DynamoDB serves at most two readers per shard without throttling: keep it at two.
 */
export const streamConsumers = {
  auditStream: auditStreamSource,
  dailyAggregates: aggregateStreamSource,
} as const satisfies Partial<Record<ServiceFunctionName, unknown>>;

export type StreamConsumerName = keyof typeof streamConsumers;
