import { ingestRequestEvents } from '../../definitions/log-events';
import type { ServiceLogger } from '../commons/logger';
import { success } from '../http/envelope';
import {
  createGuardedHandler,
  rejected,
  type GuardedRequest,
  type HttpHandler,
  type RouteAnswer,
} from '../http-pipeline/guarded-handler';
import {
  countFailedByReason,
  countSkippedByReason,
  ingestBatch,
  type IngestBatchDependencies,
} from '../measurements/batch/ingest-batch';
import { bodyFingerprint } from '../request-guards/idempotency-key';
import { notReplayable } from '../request-guards/replayable-response';
import type { RequestGuards } from '../request-guards/request-guards';
import { parseBatchRequest } from './parse-batch-request';

export interface IngestBatchHandlerDependencies extends IngestBatchDependencies {
  readonly logger: ServiceLogger;
  /** Kept free before the Lambda deadline to answer. */
  readonly deadlineSafetyMarginMs: number;
  /** The per-user rate limit and `Idempotency-Key` replay (docs/request-guards.md); `noGuards` in tests. */
  readonly guards: RequestGuards;
  /** The zone of a caller whose credential names none (DEFAULT_TIME_ZONE); Europe/Berlin if unset. */
  readonly defaultTimeZone?: string;
}

/**
 * `POST /api/measurements/batch`: the input is parsed, the ingest use case decides, the result is
 * shaped into the envelope; the checks before it are the HTTP pipeline's (token, the
 * shared-record header, rate limit, then the Idempotency-Key around everything else — so a
 * replay answers whatever the first request answered, refusals included). Order of checks:
 * docs/batch-api.md, "Checks, in order". One `measurement.batch.ingest` line per accepted
 * request, `measurement.batch.rejected` per refusal.
 */
export function createIngestBatchHandler(deps: IngestBatchHandlerDependencies): HttpHandler {
  const ingest = async ({
    event,
    userId,
    requestId,
    now,
    headers,
    context,
  }: GuardedRequest): Promise<RouteAnswer> => {
    const parsed = parseBatchRequest(event);
    if (!parsed.ok) return rejected(parsed.rejection, headers);
    const { entries, syncTrigger } = parsed.batch;
    const result = await ingestBatch(
      {
        userId,
        requestId,
        entries,
        now,
        deadlineAt: Date.now() + context.getRemainingTimeInMillis() - deps.deadlineSafetyMarginMs,
      },
      deps,
    );
    // A partial failure must never be served from a cache: the phone re-sends those entries.
    const answer = success(
      result,
      result.failed > 0 ? { ...headers, 'Cache-Control': 'private, no-store' } : headers,
    );
    // An entry skipped as implausible may be only ahead of the clock: the same bytes a minute
    // later must be decided afresh, not replayed (docs/request-guards.md).
    const clockDecided = result.skipped.some((skip) => skip.reason === 'implausible_timestamp');
    return {
      response: clockDecided ? notReplayable(answer) : answer,
      log: {
        processed: result.processed,
        inserted: result.inserted,
        updated: result.updated,
        duplicates: result.duplicates,
        skipped: result.skipped.length,
        failed: result.failed,
        skippedByReason: countSkippedByReason(result),
        failedByReason: countFailedByReason(result),
        syncTrigger: syncTrigger ?? null,
      },
    };
  };

  return createGuardedHandler({
    function: 'ingestBatch',
    routes: {
      'POST /api/measurements/batch': {
        handle: ingest,
        limit: { limiter: deps.guards.rateLimiter, refusal: RATE_LIMITED },
        // "The same request" is the same body, byte for byte.
        fingerprint: bodyFingerprint,
      },
    },
    idempotency: deps.guards.idempotency,
    logger: deps.logger,
    events: ingestRequestEvents,
    defaultTimeZone: deps.defaultTimeZone,
  });
}

const RATE_LIMITED = {
  error: 'Too many batch submissions, try again later',
  errorCode: 'measurement.batch.rate_limited',
  // The batch's 429 shows no errorCode (docs/request-guards.md, "Rate limit").
  exposeErrorCode: false,
};
