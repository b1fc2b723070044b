import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { aggregateEvents } from '../../definitions/log-events';
import { readItemChange } from '../commons/item-change';
import type { AggregateSettleQueue, DailyAggregateStore } from '../measurements/aggregates/aggregate-store';
import { aggregateDayKey, recomputeDays, type RowChange } from '../measurements/aggregates/recompute-days';
import { settleDays, settleRequests, type DeliveredSettle } from '../measurements/aggregates/settle-days';
import { parseSettleMessage } from './settle-queue';

export interface DailyAggregatesHandlerDependencies {
  readonly logger: Logger;
  readonly store: DailyAggregateStore;
  /** Where each recomputed day is queued to be recomputed once more after the index has settled. */
  readonly settleQueue: AggregateSettleQueue;
  /** Days recomputed at once. */
  readonly concurrency: number;
  readonly now?: () => Date;
}

/** Its two event sources: the measurements table's stream, and the settle queue. */
export type DailyAggregatesEvent = DynamoDBStreamEvent | SQSEvent;

/** Both sources take the same partial-failure answer (`DynamoDBBatchResponse` is this shape too). */
export type DailyAggregatesHandler = (event: DailyAggregatesEvent) => Promise<SQSBatchResponse>;

const isSettleEvent = (event: DailyAggregatesEvent): event is SQSEvent =>
  event.Records[0]?.eventSource === 'aws:sqs';

/**
 * The daily aggregates, from two sources (docs/read-api.md, "Daily aggregates"):
 * - the measurements table's stream: a batch's records are read, the days they touch are
 *   recomputed once each and queued for a settle recompute, and the records of a day whose
 *   recompute or queuing failed are reported in `batchItemFailures` (Lambda retries from the
 *   earliest of them; recomputing a day again is harmless). A record that cannot be read is
 *   reported the same way;
 * - the settle queue: each day its messages name is recomputed once from the settled index, and
 *   the messages of a day that failed (or that cannot be read) are reported for redelivery.
 * One log line per batch.
 */
export function createDailyAggregatesHandler(
  deps: DailyAggregatesHandlerDependencies,
): DailyAggregatesHandler {
  const { logger } = deps;
  const now = deps.now ?? (() => new Date());

  async function streamBatch(event: DynamoDBStreamEvent): Promise<SQSBatchResponse> {
    const startedAt = Date.now();
    const failed = new Set<string>();
    const changes: RowChange[] = [];
    for (const record of event.Records) {
      const id = record.dynamodb?.SequenceNumber ?? record.eventID ?? '';
      try {
        const change = readItemChange(record);
        changes.push({ id, oldImage: change.oldImage, newImage: change.newImage });
      } catch (error) {
        logger.error(aggregateEvents.recordFailed, {
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
      logger.error(aggregateEvents.recomputeFailed, {
        userId: outcome.day.userId,
        type: outcome.day.type,
        day: outcome.day.day,
        error: outcome.error as Error,
      });
      for (const id of outcome.changeIds) failed.add(id);
    }
    const requests = settleRequests(outcomes);
    const unqueued = requests.length > 0 ? await deps.settleQueue.schedule(requests) : [];
    if (unqueued.length > 0) {
      logger.error(aggregateEvents.settleQueueFailed, {
        days: unqueued.length,
        reason: unqueued[0]!.reason,
      });
      // Retrying the records recomputes those days again and queues them again.
      const unqueuedDays = new Set(unqueued.map(({ request }) => aggregateDayKey(request.day)));
      for (const outcome of outcomes) {
        if (unqueuedDays.has(aggregateDayKey(outcome.day)))
          for (const id of outcome.changeIds) failed.add(id);
      }
    }
    logger.info(aggregateEvents.batch, {
      records: event.Records.length,
      days: outcomes.length,
      written: outcomes.filter((outcome) => outcome.result === 'written').length,
      superseded: outcomes.filter((outcome) => outcome.result === 'superseded').length,
      failed: outcomes.filter((outcome) => outcome.result === 'failed').length,
      settleQueued: requests.length - unqueued.length,
      durationMs: Date.now() - startedAt,
    });
    return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
  }

  async function settleBatch(event: SQSEvent): Promise<SQSBatchResponse> {
    const startedAt = Date.now();
    const failed = new Set<string>();
    const messages: DeliveredSettle[] = [];
    for (const record of event.Records) {
      const request = parseSettleMessage(record.body);
      if (request) {
        messages.push({ id: record.messageId, request });
        continue;
      }
      logger.error(aggregateEvents.settleMessageFailed, {
        messageId: record.messageId,
        receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 0),
      });
      failed.add(record.messageId);
    }
    const outcomes = await settleDays(messages, { store: deps.store, concurrency: deps.concurrency, now });
    for (const outcome of outcomes) {
      if (outcome.result !== 'failed') continue;
      logger.error(aggregateEvents.settleFailed, {
        userId: outcome.day.userId,
        type: outcome.day.type,
        day: outcome.day.day,
        error: outcome.error as Error,
      });
      for (const id of outcome.messageIds) failed.add(id);
    }
    logger.info(aggregateEvents.settleBatch, {
      messages: event.Records.length,
      days: outcomes.length,
      written: outcomes.filter((outcome) => outcome.result === 'written').length,
      superseded: outcomes.filter((outcome) => outcome.result === 'superseded').length,
      failed: outcomes.filter((outcome) => outcome.result === 'failed').length,
      durationMs: Date.now() - startedAt,
    });
    return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
  }

  return (event) => (isSettleEvent(event) ? settleBatch(event) : streamBatch(event));
}
