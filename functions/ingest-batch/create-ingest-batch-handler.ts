import { ingestEvents } from '../../definitions/log-events';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { admitCaller } from '../http/caller';
import { failure, internalServerError, success, withHeaders } from '../http/envelope';
import { bodyBytes, echoHeaders, type HttpEvent } from '../http/request';
import {
  countFailedByReason,
  countSkippedByReason,
  ingestBatch,
  type IngestBatchDependencies,
} from '../measurements/batch/ingest-batch';
import { bodyFingerprint, idempotencyKeyOf } from '../request-guards/idempotency-key';
import { unlimited } from '../request-guards/rate-limit';
import { notReplayable } from '../request-guards/replayable-response';
import type { RequestGuards } from '../request-guards/request-guards';
import { parseBatchRequest } from './parse-batch-request';

export interface IngestBatchHandlerDependencies extends IngestBatchDependencies {
  readonly logger: Logger;
  /** Kept free before the Lambda deadline to answer. */
  readonly deadlineSafetyMarginMs: number;
  /**
   * The per-user rate limit and `Idempotency-Key` replay (docs/request-guards.md). The Lambda
   * wiring always passes them; without them every request runs unguarded.
   */
  readonly guards?: RequestGuards;
  /** The zone of a caller whose credential names none (DEFAULT_TIME_ZONE); Europe/Berlin if unset. */
  readonly defaultTimeZone?: string;
}

type Handler = (
  event: HttpEvent,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * `POST /api/measurements/batch`: event → input, the ingest use case decides, the result is
 * shaped into the envelope. One `measurement.batch.ingest` line per accepted request.
 * Order of checks (docs/batch-api.md, "Checks, in order"): token, the shared-record header, rate limit, then everything
 * else — which the Idempotency-Key wraps, so a replay answers whatever the first request
 * answered, refusals included.
 */
export function createIngestBatchHandler(deps: IngestBatchHandlerDependencies): Handler {
  const { logger, guards } = deps;
  return async (event, context) => {
    const startedAt = Date.now();
    const requestId = event.requestContext.requestId;
    const headers = echoHeaders(event);
    try {
      const admission = admitCaller(event, { defaultTimeZone: deps.defaultTimeZone, headers });
      if (!admission.admitted) {
        if (admission.userId !== undefined) {
          logger.info(ingestEvents.rejected, {
            userId: admission.userId,
            requestId,
            status: admission.response.statusCode,
            errorCode: admission.errorCode,
          });
        }
        return admission.response;
      }
      const { userId } = admission.caller;

      const rateLimit = guards ? await guards.rateLimiter.admit(userId, requestId) : unlimited;
      if (!rateLimit.allowed) {
        logger.info(ingestEvents.rejected, {
          userId,
          requestId,
          status: 429,
          errorCode: 'measurement.batch.rate_limited',
        });
        return failure(429, 'Too many batch submissions, try again later', {
          headers: { ...headers, ...rateLimit.headers },
        });
      }

      const processBatch = async (): Promise<APIGatewayProxyStructuredResultV2> => {
        const parsed = parseBatchRequest(event);
        if (!parsed.ok) {
          const { status, error, errorCode, exposeErrorCode, details } = parsed.rejection;
          logger.info(ingestEvents.rejected, { userId, requestId, status, errorCode });
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
        logger.info(ingestEvents.summary, {
          userId,
          requestId,
          processed: result.processed,
          inserted: result.inserted,
          updated: result.updated,
          duplicates: result.duplicates,
          skipped: result.skipped.length,
          failed: result.failed,
          skippedByReason: countSkippedByReason(result),
          failedByReason: countFailedByReason(result),
          syncTrigger: syncTrigger ?? null,
          durationMs: Date.now() - startedAt,
        });
        // A partial failure must never be served from a cache: the phone re-sends those entries.
        const answer = success(
          result,
          result.failed > 0 ? { ...headers, 'Cache-Control': 'private, no-store' } : headers,
        );
        // An entry skipped as implausible may be only ahead of the clock: the same bytes a
        // minute later must be decided afresh, not replayed (docs/request-guards.md).
        const clockDecided = result.skipped.some((skip) => skip.reason === 'implausible_timestamp');
        return clockDecided ? notReplayable(answer) : answer;
      };

      const idempotencyKey = guards ? idempotencyKeyOf(event) : undefined;
      if (!guards || !idempotencyKey) return withHeaders(await processBatch(), rateLimit.headers);
      const outcome = await guards.idempotency.run(
        { userId, key: idempotencyKey, fingerprint: bodyFingerprint(bodyBytes(event)), requestId, context },
        processBatch,
      );
      if (outcome.kind === 'in_progress') {
        logger.info(ingestEvents.rejected, {
          userId,
          requestId,
          status: 409,
          errorCode: 'measurement.batch.idempotency_in_progress',
        });
        return failure(409, 'A request with this Idempotency-Key is already in progress', {
          headers: { ...headers, ...rateLimit.headers, 'X-Idempotent-Replay': 'false' },
        });
      }
      if (outcome.kind === 'replayed') {
        logger.info('measurement.batch.replayed', { userId, requestId, status: outcome.response.statusCode });
        return withHeaders(outcome.response, {
          ...headers,
          ...rateLimit.headers,
          'X-Idempotent-Replay': 'true',
        });
      }
      return withHeaders(outcome.response, rateLimit.headers);
    } catch (error) {
      logger.error('measurement.batch.error', { requestId, error: error as Error });
      return internalServerError(headers);
    }
  };
}
