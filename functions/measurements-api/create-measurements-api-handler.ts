import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ANSWER_BYTE_BUDGET } from '../../definitions/answer-limits';
import { serviceFunctions, type RouteKeyOf } from '../../definitions/service-functions';
import { admitCaller } from '../http/caller';
import { bodyJsonBytes, proxyResultBytes } from '../http/answer-size';
import { failure, internalServerError, success, withHeaders, type ResponseHeaders } from '../http/envelope';
import { bodyBytes, echoHeaders, type HttpEvent } from '../http/request';
import { createMeasurements } from '../measurements/rows/create-measurements';
import {
  bulkDeleteMeasurements,
  deleteMeasurement,
  deleteMeasurementsByExternalIds,
} from '../measurements/rows/delete-measurements';
import { editMeasurement, findEditableMeasurement } from '../measurements/rows/edit-measurement';
import type { AnswerBudget } from '../measurements/rows/answer-budget';
import type { DailyAggregateReader, MeasurementRowStore } from '../measurements/rows/row-store';
import { getMeasurement, listMeasurements } from '../measurements/rows/read-measurements';
import { readSeries } from '../measurements/rows/read-series';
import { idempotencyKeyOf, jsonBodyFingerprint } from '../request-guards/idempotency-key';
import type { LambdaContextLike } from '../request-guards/idempotent-request';
import { unlimited } from '../request-guards/rate-limit';
import { notReplayable } from '../request-guards/replayable-response';
import type { RowWriteGuards } from '../request-guards/request-guards';
import { rowWriteLimits } from './measurements-api-schema';
import {
  parseBulkDeleteBody,
  parseCreateBody,
  parseDeleteByExternalIdsBody,
  parseEditBody,
  parseListQuery,
  parseSeriesQuery,
  validationFailed,
  type RequestRejection,
} from './parse-measurements-request';

export interface MeasurementsApiHandlerDependencies {
  readonly logger: Logger;
  readonly store: MeasurementRowStore;
  /** Daily aggregates of the dense types, for long chart windows. */
  readonly aggregates: DailyAggregateReader;
  /** The zone of a caller whose credential names none (DEFAULT_TIME_ZONE); Europe/Berlin if unset. */
  readonly defaultTimeZone?: string;
  /** Lookups and deletes of one by-external-ids or bulk-delete request in flight at once. */
  readonly deleteConcurrency: number;
  readonly clock?: () => Date;
  /**
   * The shared write limit and `Idempotency-Key` replay (docs/row-api.md). The Lambda wiring
   * always passes them; without them every write runs unguarded.
   */
  readonly guards?: RowWriteGuards;
}

type Handler = (event: HttpEvent, context?: LambdaContextLike) => Promise<APIGatewayProxyStructuredResultV2>;

interface RouteRequest {
  readonly event: HttpEvent;
  readonly userId: string;
  /** The caller's IANA zone: day totals, nights and daily chart buckets are cut at its midnight. */
  readonly timeZone: string;
  readonly requestId: string;
  readonly now: Date;
  readonly clock: () => Date;
  /** Per-request headers every answer carries (the `x-request-id` echo). */
  readonly headers: ResponseHeaders;
}

/** What a route answers, plus what the request's log line says about it (never a value or a note). */
interface RouteAnswer {
  readonly response: APIGatewayProxyStructuredResultV2;
  readonly log?: Record<string, unknown>;
}

interface Route {
  readonly handle: (request: RouteRequest) => Promise<RouteAnswer>;
  /** Counts against the shared write limit. */
  readonly write?: boolean;
  /** Counts against the limit of the phone's HealthKit deletions (definitions/rate-limits.ts). */
  readonly healthKitDeletes?: boolean;
  /** Honours `Idempotency-Key`; "the same body" is the same JSON value up to this size. */
  readonly idempotentUpTo?: number;
}

// Personal health data: no shared cache may keep it, and a tile must never show a stale copy.
const NO_STORE = { 'Cache-Control': 'private, no-store' };
const NOT_FOUND = 'Measurement not found';
/** Lambda always passes a context; this stands in for it elsewhere (the function's timeout). */
const NO_CONTEXT: LambdaContextLike = {
  getRemainingTimeInMillis: () => serviceFunctions.measurementsApi.timeoutSeconds * 1000,
};

function rejected(rejection: RequestRejection, headers: ResponseHeaders): RouteAnswer {
  const { status, error, errorCode, exposeErrorCode, details, dependsOnClock } = rejection;
  const response = failure(status, error, {
    errorCode: exposeErrorCode ? errorCode : undefined,
    details,
    headers,
  });
  return { response: dependsOnClock ? notReplayable(response) : response, log: { errorCode } };
}

const notFound = (headers: ResponseHeaders): RouteAnswer => ({
  response: failure(404, NOT_FOUND, { headers }),
});

const duplicateReading = (headers: ResponseHeaders): RouteAnswer => {
  const errorCode = 'measurement.duplicate_timestamp';
  return {
    response: failure(409, 'A measurement with this data already exists', { errorCode, headers }),
    log: { errorCode },
  };
};

// A row other requests kept changing while an edit was planned: nothing was written, and a retry
// plans from the row as it then is (docs/row-api.md, "Edits and deletes on the item").
const editConflict = (headers: ResponseHeaders): RouteAnswer => {
  const errorCode = 'measurement.edit_conflict';
  return {
    response: failure(409, 'The measurement was changed by another request, try again', {
      errorCode,
      headers,
    }),
    log: { errorCode },
  };
};

const pathId = (event: HttpEvent) => event.pathParameters?.id ?? '';

/**
 * Where a list or a chart stops by size: at the answer byte budget of the proxy result as Lambda
 * counts it, headers included — those the route sets and the caching header added on the way out
 * (definitions/answer-limits.ts).
 */
function answerBudget(headers: ResponseHeaders): AnswerBudget {
  return {
    maxBytes: ANSWER_BYTE_BUDGET,
    bytesOf: (data) => proxyResultBytes(withHeaders(success(data, headers), NO_STORE)),
    costOf: bodyJsonBytes,
  };
}

function routeHandlers(deps: MeasurementsApiHandlerDependencies) {
  const { store } = deps;

  // The row is looked up before the body is read: an id naming no live row of the caller's is a
  // 404 whatever the body holds.
  const edit = async ({ event, userId, requestId, now, headers }: RouteRequest): Promise<RouteAnswer> => {
    const found = await findEditableMeasurement({ userId, id: pathId(event) }, store);
    if (found.status === 'not_found') return notFound(headers);
    const parsed = parseEditBody(event);
    if (!parsed.ok) return rejected(parsed.rejection, headers);
    const outcome = await editMeasurement(
      { userId, target: found.target, edit: parsed.value, requestId, now },
      store,
    );
    if (outcome.status === 'invalid') return rejected(validationFailed(outcome.issues), headers);
    if (outcome.status === 'not_found') return notFound(headers);
    if (outcome.status === 'duplicate') return duplicateReading(headers);
    if (outcome.status === 'conflict') return editConflict(headers);
    return {
      response: success(outcome.row, headers),
      log: { changed: Object.keys(parsed.value).sort() },
    };
  };

  return {
    'GET /api/measurements': {
      handle: async ({ event, userId, timeZone, now, headers }) => {
        const parsed = parseListQuery(event);
        if (!parsed.ok) return rejected(parsed.rejection, headers);
        const query = parsed.value;
        const budget = answerBudget(headers);
        const outcome = await listMeasurements({ userId, timeZone, query, now, budget }, store);
        if (outcome.status === 'invalid') return rejected(validationFailed(outcome.issues), headers);
        return {
          response: success(outcome.page, headers),
          log: {
            returned: outcome.page.measurements.length,
            type: query.type ?? null,
            groupBy: outcome.page.meta.groupBy ?? null,
            limit: query.limit,
            itemsRead: outcome.itemsRead,
          },
        };
      },
    },
    'GET /api/measurements/series': {
      handle: async ({ event, userId, timeZone, now, headers }) => {
        const parsed = parseSeriesQuery(event);
        if (!parsed.ok) return rejected(parsed.rejection, headers);
        const outcome = await readSeries(
          { userId, timeZone, query: parsed.value, now, budget: answerBudget(headers) },
          { rows: store, aggregates: deps.aggregates },
        );
        if (outcome.status === 'invalid') return rejected(validationFailed(outcome.issues), headers);
        const { series, itemsRead } = outcome;
        return {
          response: success(series, headers),
          log: { kind: series.kind, days: parsed.value.days, points: series.points.length, itemsRead },
        };
      },
    },
    'POST /api/measurements': {
      write: true,
      idempotentUpTo: rowWriteLimits.maxBodyBytes,
      handle: async ({ event, userId, requestId, now, clock, headers }) => {
        const parsed = parseCreateBody(event, clock);
        if (!parsed.ok) return rejected(parsed.rejection, headers);
        const { readings, asArray } = parsed.value;
        const outcome = await createMeasurements({ userId, readings, requestId, now }, { store });
        if (outcome.status === 'duplicate') return duplicateReading(headers);
        return {
          response: success(asArray ? outcome.rows : outcome.rows[0], headers, 201),
          log: { created: outcome.rows.length, types: [...new Set(readings.map((reading) => reading.type))] },
        };
      },
    },
    'GET /api/measurements/{id}': {
      handle: async ({ event, userId, headers }) => {
        const outcome = await getMeasurement({ userId, id: pathId(event) }, store);
        return outcome.status === 'found' ? { response: success(outcome.row, headers) } : notFound(headers);
      },
    },
    'PUT /api/measurements/{id}': { write: true, handle: edit },
    'PATCH /api/measurements/{id}': { write: true, handle: edit },
    'DELETE /api/measurements/{id}': {
      write: true,
      handle: async ({ event, userId, requestId, now, headers }) => {
        const outcome = await deleteMeasurement({ userId, id: pathId(event), requestId, now }, store);
        return outcome.status === 'deleted'
          ? { response: success({ deleted: true }, headers) }
          : notFound(headers);
      },
    },
    'POST /api/measurements/bulk-delete': {
      write: true,
      idempotentUpTo: rowWriteLimits.maxBulkDeleteBodyBytes,
      handle: async ({ event, userId, requestId, now, headers }) => {
        const parsed = parseBulkDeleteBody(event);
        if (!parsed.ok) return rejected(parsed.rejection, headers);
        const result = await bulkDeleteMeasurements(
          { userId, ids: parsed.value.ids, requestId, now },
          { store, concurrency: deps.deleteConcurrency },
        );
        return {
          response: success(result, headers),
          log: { requested: parsed.value.ids.length, deleted: result.deleted },
        };
      },
    },
    // The phone's own sync of HealthKit deletions: not a user's write, so not counted against the
    // write limit, but against a limit of its own sized for the app (docs/request-guards.md).
    'DELETE /api/measurements/by-external-ids': {
      healthKitDeletes: true,
      handle: async ({ event, userId, requestId, now, headers }) => {
        const parsed = parseDeleteByExternalIdsBody(event);
        if (!parsed.ok) return rejected(parsed.rejection, headers);
        const result = await deleteMeasurementsByExternalIds(
          { userId, externalIds: parsed.value.externalIds, requestId, now },
          { store, concurrency: deps.deleteConcurrency },
        );
        return {
          response: success(result, headers),
          log: { requested: parsed.value.externalIds.length, deletedCount: result.deletedCount },
        };
      },
    },
  } satisfies Record<RouteKeyOf<'measurementsApi'>, Route>;
}

/**
 * The row API (docs/row-api.md) in one function: the route API Gateway matched
 * (`event.routeKey`) picks a thin route handler — parse, call the use case, shape the envelope.
 * The caller is always the verified credential's (functions/http/caller.ts, which also refuses
 * shared-record requests before anything else runs); another user's row answers exactly like a
 * missing one. Order on the write routes: caller → the shared write limit → `Idempotency-Key` (creates and
 * bulk deletes: a replay answers whatever the first request answered) → the route (an edit
 * looks its row up before its body). One `measurement.api.request` line per request.
 */
export function createMeasurementsApiHandler(deps: MeasurementsApiHandlerDependencies): Handler {
  const { logger, guards } = deps;
  const clock = deps.clock ?? (() => new Date());
  const routes = new Map<string, Route>(Object.entries(routeHandlers(deps)));
  return async (event, context = NO_CONTEXT) => {
    const startedAt = Date.now();
    const requestId = event.requestContext.requestId;
    const route = event.routeKey;
    const echoed = echoHeaders(event);
    const headers = { ...echoed, ...NO_STORE };
    try {
      const admission = admitCaller(event, { defaultTimeZone: deps.defaultTimeZone, headers });
      if (!admission.admitted) {
        if (admission.userId !== undefined) {
          logger.info('measurement.api.request', {
            route,
            userId: admission.userId,
            requestId,
            status: admission.response.statusCode,
            errorCode: admission.errorCode,
            durationMs: Date.now() - startedAt,
          });
        }
        return admission.response;
      }
      const { userId, timeZone } = admission.caller;
      const handler = routes.get(route);
      if (!handler) return failure(404, 'Not found', { headers });

      const logRequest = (status: number | undefined, fields: Record<string, unknown> = {}) =>
        logger.info('measurement.api.request', {
          route,
          userId,
          timeZone,
          requestId,
          status,
          ...fields,
          durationMs: Date.now() - startedAt,
        });

      const limiter = !guards
        ? undefined
        : handler.write
          ? guards.writeLimiter
          : handler.healthKitDeletes
            ? guards.healthKitDeleteLimiter
            : undefined;
      const limit = limiter ? await limiter.admit(userId, requestId) : unlimited;
      if (!limit.allowed) {
        const { errorCode, error } = handler.write
          ? { errorCode: 'record_write.rate_limited', error: 'Too many writes, try again later' }
          : { errorCode: 'measurement.delete.rate_limited', error: 'Too many deletions, try again later' };
        logRequest(429, { errorCode });
        return failure(429, error, { errorCode, headers: { ...headers, ...limit.headers } });
      }
      // Answers are shaped without the caching header, so the idempotency guard keeps them; it is
      // added to every answer on the way out.
      const outgoing = { ...limit.headers, ...NO_STORE };
      const request: RouteRequest = {
        event,
        userId,
        timeZone,
        requestId,
        now: clock(),
        clock,
        headers: echoed,
      };

      const key = handler.idempotentUpTo !== undefined && guards ? idempotencyKeyOf(event) : undefined;
      if (!guards || key === undefined || handler.idempotentUpTo === undefined) {
        const { response, log } = await handler.handle(request);
        logRequest(response.statusCode, log);
        return withHeaders(response, outgoing);
      }

      let log: Record<string, unknown> | undefined;
      const outcome = await guards.idempotency.run(
        {
          userId,
          key,
          route,
          fingerprint: jsonBodyFingerprint(bodyBytes(event), handler.idempotentUpTo),
          requestId,
          context,
        },
        async () => {
          const answer = await handler.handle(request);
          log = answer.log;
          return answer.response;
        },
      );
      if (outcome.kind === 'in_progress') {
        const errorCode = 'measurement.api.idempotency_in_progress';
        logRequest(409, { errorCode });
        return failure(409, 'A request with this Idempotency-Key is already in progress', {
          headers: { ...headers, ...outgoing, 'X-Idempotent-Replay': 'false' },
        });
      }
      if (outcome.kind === 'replayed') {
        logRequest(outcome.response.statusCode, { replayed: true });
        return withHeaders(outcome.response, { ...echoed, ...outgoing, 'X-Idempotent-Replay': 'true' });
      }
      logRequest(outcome.response.statusCode, log);
      return withHeaders(outcome.response, outgoing);
    } catch (error) {
      logger.error('measurement.api.error', { route, requestId, error: error as Error });
      return internalServerError(headers);
    }
  };
}
