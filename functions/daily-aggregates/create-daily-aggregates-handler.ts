import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { readItemChange } from '../commons/item-change';
import type { DailyAggregateStore } from '../measurements/aggregates/aggregate-store';
import { recomputeDays, type RowChange } from '../measurements/aggregates/recompute-days';

export interface DailyAggregatesHandlerDependencies {
  readonly logger: Logger;
  readonly store: DailyAggregateStore;
  /** Days recomputed at once. */
  readonly concurrency: number;
}

export type DailyAggregatesHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/**
 * The measurements table's stream → daily aggregates. A batch's records are read, the days they
 * touch are recomputed once each, and the records of a day whose recompute failed are reported in
 * `batchItemFailures` (Lambda retries from the earliest of them; recomputing a day again is
 * harmless). A record that cannot be read is reported the same way. One log line per batch.
 */
export function createDailyAggregatesHandler(
  deps: DailyAggregatesHandlerDependencies,
): DailyAggregatesHandler {
  const { logger } = deps;
  return async (event) => {
    const startedAt = Date.now();
    const failed = new Set<string>();
    const changes: RowChange[] = [];
    for (const record of event.Records) {
      const id = record.dynamodb?.SequenceNumber ?? record.eventID ?? '';
      try {
        const change = readItemChange(record);
        changes.push({ id, oldImage: change.oldImage, newImage: change.newImage });
      } catch (error) {
        logger.error('measurement.aggregate.record-failed', {
          eventId: record.eventID ?? null,
          sequenceNumber: record.dynamodb?.SequenceNumber ?? null,
          reason: error instanceof Error ? error.message : String(error),
        });
        failed.add(id);
      }
    }
    const outcomes = await recomputeDays(changes, { store: deps.store, concurrency: deps.concurrency });
    for (const outcome of outcomes) {
      if (outcome.result !== 'failed') continue;
      logger.error('measurement.aggregate.recompute-failed', {
        userId: outcome.day.userId,
        type: outcome.day.type,
        day: outcome.day.day,
        error: outcome.error as Error,
      });
      for (const id of outcome.changeIds) failed.add(id);
    }
    logger.info('measurement.aggregate.batch', {
      records: event.Records.length,
      days: outcomes.length,
      written: outcomes.filter((outcome) => outcome.result === 'written').length,
      superseded: outcomes.filter((outcome) => outcome.result === 'superseded').length,
      failed: outcomes.filter((outcome) => outcome.result === 'failed').length,
      durationMs: Date.now() - startedAt,
    });
    return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
