import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { auditFailureEvent } from '../../definitions/log-events';
import { lifecycleEvents } from '../../definitions/user-lifecycle';
import { classifyChange, type AuditDecision } from '../audit/classify-change';
import type { UserRefs } from '../audit/user-refs';
import { readItemChange } from '../commons/item-change';

export interface AuditStreamHandlerDependencies {
  readonly logger: Logger;
  /** The users' pseudonyms: every event names its user by `userRef` (audit/user-refs.ts). */
  readonly userRefs: Pick<UserRefs, 'userRefOf' | 'forget'>;
}

export type AuditStreamHandler = (
  event: DynamoDBStreamEvent,
  context?: Context,
) => Promise<DynamoDBBatchResponse>;

/**
 * The measurements table's stream → audit events. Each record is classified from its images and
 * logged as one JSON line naming the user by `userRef`; a record that cannot be read, or whose
 * user's audit key cannot be read or created, is reported in `batchItemFailures` (Lambda retries
 * from it, then hands it to the on-failure queue) while the rest of the batch is still logged.
 * When every record of a batch fails, Powertools throws instead, which makes Lambda bisect the
 * batch.
 */
export function createAuditStreamHandler({
  logger,
  userRefs,
}: AuditStreamHandlerDependencies): AuditStreamHandler {
  const fail = (record: DynamoDBRecord, reason: string) =>
    logger.error(auditFailureEvent, {
      eventId: record.eventID ?? null,
      sequenceNumber: record.dynamodb?.SequenceNumber ?? null,
      eventName: record.eventName ?? null,
      reason,
    });

  const auditRecord = async (record: DynamoDBRecord): Promise<void> => {
    let decision: AuditDecision;
    try {
      decision = classifyChange(readItemChange(record));
    } catch (error) {
      // Our errors name the unreadable part, never an attribute's value.
      fail(record, error instanceof Error ? error.message : String(error));
      throw error;
    }
    if (decision.level === 'none') return;
    // A DEBUG line that would not be printed creates no key.
    if (decision.level === 'debug' && !debugEnabled(logger)) return;
    let fields: Record<string, unknown>;
    if ('userId' in decision) {
      try {
        fields = { userRef: await userRefs.userRefOf(decision.userId), ...decision.fields };
      } catch (error) {
        // The SDK's error name says what failed (throttled, denied, unreachable); its message
        // could quote the key, which holds the user id.
        fail(record, `the user's audit key could not be read or created: ${errorName(error)}`);
        throw error;
      }
    } else {
      fields = { ...decision.fields };
    }
    if (decision.level === 'info') logger.info(decision.message, fields);
    else logger.debug(decision.message, fields);
    if (decision.message === lifecycleEvents.erased && typeof fields.userRef === 'string') {
      userRefs.forget(fields.userRef);
    }
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

function debugEnabled(logger: Logger): boolean {
  const level = logger.getLevelName();
  return level === 'DEBUG' || level === 'TRACE';
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}
