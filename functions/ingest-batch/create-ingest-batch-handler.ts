import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { failure, internalServerError, notAuthenticated, success } from '../http/envelope';
import { authenticatedUserId, echoHeaders, type HttpEvent } from '../http/request';
import {
  countSkippedByReason,
  ingestBatch,
  type IngestBatchDependencies,
} from '../measurements/ingest-batch';
import { parseBatchRequest } from './parse-batch-request';

export interface IngestBatchHandlerDependencies extends IngestBatchDependencies {
  readonly logger: Logger;
  /** Kept free before the Lambda deadline to answer. */
  readonly deadlineSafetyMarginMs: number;
}

type Handler = (
  event: HttpEvent,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * `POST /api/measurements/batch`: event → input, the ingest use case decides, the result is
 * shaped into the envelope. One `measurement.batch.ingest` line per accepted request.
 */
export function createIngestBatchHandler(deps: IngestBatchHandlerDependencies): Handler {
  const { logger } = deps;
  return async (event, context) => {
    const startedAt = Date.now();
    const requestId = event.requestContext.requestId;
    const headers = echoHeaders(event);
    try {
      const userId = authenticatedUserId(event);
      if (!userId) return notAuthenticated(headers);

      const parsed = parseBatchRequest(event);
      if (!parsed.ok) {
        const { status, error, errorCode, exposeErrorCode, details } = parsed.rejection;
        logger.info('measurement.batch.rejected', { userId, requestId, status, errorCode });
        return failure(status, error, {
          errorCode: exposeErrorCode ? errorCode : undefined,
          details,
          headers,
        });
      }

      const { entries, syncTrigger } = parsed.batch;
      const result = await ingestBatch(
        {
          userId,
          requestId,
          entries,
          now: new Date(),
          deadlineAt: Date.now() + context.getRemainingTimeInMillis() - deps.deadlineSafetyMarginMs,
        },
        deps,
      );
      logger.info('measurement.batch.ingest', {
        userId,
        requestId,
        processed: result.processed,
        inserted: result.inserted,
        updated: result.updated,
        duplicates: result.duplicates,
        skipped: result.skipped.length,
        failed: result.failed,
        skippedByReason: countSkippedByReason(result),
        syncTrigger: syncTrigger ?? null,
        durationMs: Date.now() - startedAt,
      });
      // A partial failure must never be served from a cache: the phone re-sends those entries.
      return success(
        result,
        result.failed > 0 ? { ...headers, 'Cache-Control': 'private, no-store' } : headers,
      );
    } catch (error) {
      logger.error('measurement.batch.error', { requestId, error: error as Error });
      return internalServerError(headers);
    }
  };
}
