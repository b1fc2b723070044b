import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { auditFailureEvent } from '../../definitions/log-events';
import { classifyChange, type AuditDecision } from '../audit/classify-change';
import { readItemChange } from '../commons/item-change';

export interface AuditStreamHandlerDependencies {
  readonly logger: Logger;
}

export type AuditStreamHandler = (
  event: DynamoDBStreamEvent,
  context?: Context,
) => Promise<DynamoDBBatchResponse>;

/**
 * The measurements table's stream → audit events. Each record is classified from its images and
 * logged as one JSON line; a record that cannot be read is reported in `batchItemFailures`
 * (Lambda retries from it, then hands it to the on-failure queue) while the rest of the batch
 * is still logged. When every record of a batch fails, Powertools throws instead, which makes
 * Lambda bisect the batch.
 */
export function createAuditStreamHandler({ logger }: AuditStreamHandlerDependencies): AuditStreamHandler {
  const auditRecord = async (record: DynamoDBRecord): Promise<void> => {
    let decision: AuditDecision;
    try {
      decision = classifyChange(readItemChange(record));
    } catch (error) {
      logger.error(auditFailureEvent, {
        eventId: record.eventID ?? null,
        sequenceNumber: record.dynamodb?.SequenceNumber ?? null,
        eventName: record.eventName ?? null,
        // Our errors name the unreadable part, never an attribute's value.
        reason: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
    if (decision.level === 'info') logger.info(decision.message, { ...decision.fields });
    else if (decision.level === 'debug') logger.debug(decision.message, { ...decision.fields });
  };

  return async (event, context) => {
    // A processor per invocation: outside Lambda, Powertools keeps a batch's state on the
    // processor instance, and the local runtime may hand over batches of two shards at once.
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    return processPartialResponse(event, auditRecord, processor, {
      ...(context ? { context } : {}),
      // In stream order, so a row's events appear in the order its versions were written.
      processInParallel: false,
    });
  };
}
