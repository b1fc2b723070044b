import { ANSWER_BYTE_BUDGET } from '../../definitions/answer-limits';
import { rowApiRequestEvents } from '../../definitions/log-events';
import type { RouteKeyOf } from '../../definitions/service-functions';
import type { ServiceLogger } from '../commons/logger';
import { bodyJsonBytes, proxyResultBytes } from '../http/answer-size';
import { failure, success, withHeaders, type ResponseHeaders } from '../http/envelope';
import type { HttpEvent } from '../http/request';
import {
  createGuardedHandler,
  rejected,
  type GuardedRequest,
  type GuardedRoute,
  type HttpHandler,
  type RouteAnswer,
} from '../http-pipeline/guarded-handler';
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
import { jsonBodyFingerprint } from '../request-guards/idempotency-key';
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
} from './parse-measurements-request';

export interface MeasurementsApiHandlerDependencies {
  readonly logger: ServiceLogger;
  readonly store: MeasurementRowStore;
  /** Daily aggregates of the dense types, for long chart windows. */
  readonly aggregates: DailyAggregateReader;
  /** The zone of a caller whose credential names none (DEFAULT_TIME_ZONE); Europe/Berlin if unset. */
  readonly defaultTimeZone?: string;
  /** Lookups and deletes of one by-external-ids or bulk-delete request in flight at once. */
  readonly deleteConcurrency: number;
  readonly clock?: () => Date;
  /** The shared write limit and `Idempotency-Key` replay (docs/row-api.md); `noGuards` in tests. */
  readonly guards: RowWriteGuards;
}

// Personal health data: no shared cache may keep it, and a tile must never show a stale copy.
const NO_STORE = { 'Cache-Control': 'private, no-store' };
const NOT_FOUND = 'Measurement not found';

const notFound = (headers: ResponseHeaders): RouteAnswer => ({
  response: failure(404, NOT_FOUND, { headers }),
});

const duplicateReading = (headers: ResponseHeaders): RouteAnswer => {
  const errorCode = 'measurement.duplicate_timestamp';
  return {
    response: failure(409, 'A measurement with this data already exists', { errorCode, headers }),
    errorCode,
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
    errorCode,
  };
};

const pathId = (event: HttpEvent) => event.pathParameters?.id ?? '';

/** "The same body" of a row write: the same JSON value, up to the route's size (idempotency-key.ts). */
const sameJsonUpTo = (maxBytes: number) => (body: Buffer) => jsonBodyFingerprint(body, maxBytes);

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

/**
 * The row API (docs/row-api.md) in one function: the route API Gateway matched
 * (`event.routeKey`) picks a thin route handler — parse, call the use case, shape the envelope —
 * inside the HTTP pipeline (functions/http-pipeline/guarded-handler.ts). The caller is always
 * the verified credential's; another user's row answers exactly like a missing one. Every write
 * counts against the shared write limit; creates and bulk deletes honour `Idempotency-Key`; an
 * edit looks its row up before its body. One `measurement.api.request` line per request.
 */
export function createMeasurementsApiHandler(deps: MeasurementsApiHandlerDependencies): HttpHandler {
  const { store, guards } = deps;
  const clock = deps.clock ?? (() => new Date());
  const writes = { limiter: guards.writeLimiter, refusal: WRITES_LIMITED };
  // The phone's own sync of HealthKit deletions: not a user's write, so not counted against the
  // write limit, but against a limit of its own sized for the app (docs/request-guards.md).
  const healthKitDeletes = { limiter: guards.healthKitDeleteLimiter, refusal: DELETES_LIMITED };

  // The row is looked up before the body is read: an id naming no live row of the caller's is a
  // 404 whatever the body holds.
  const edit = async ({ event, userId, requestId, now, headers }: GuardedRequest): Promise<RouteAnswer> => {
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

  const routes: Record<RouteKeyOf<'measurementsApi'>, GuardedRoute> = {
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
      limit: writes,
      fingerprint: sameJsonUpTo(rowWriteLimits.maxBodyBytes),
      handle: async ({ event, userId, requestId, now, headers }) => {
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
    'PUT /api/measurements/{id}': { limit: writes, handle: edit },
    'PATCH /api/measurements/{id}': { limit: writes, handle: edit },
    'DELETE /api/measurements/{id}': {
      limit: writes,
      handle: async ({ event, userId, requestId, now, headers }) => {
        const outcome = await deleteMeasurement({ userId, id: pathId(event), requestId, now }, store);
        return outcome.status === 'deleted'
          ? { response: success({ deleted: true }, headers) }
          : notFound(headers);
      },
    },
    'POST /api/measurements/bulk-delete': {
      limit: writes,
      fingerprint: sameJsonUpTo(rowWriteLimits.maxBulkDeleteBodyBytes),
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
    'DELETE /api/measurements/by-external-ids': {
      limit: healthKitDeletes,
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
  };

  return createGuardedHandler({
    function: 'measurementsApi',
    routes,
    idempotency: guards.idempotency,
    logger: deps.logger,
    events: rowApiRequestEvents,
    // Answers are shaped without it, so the idempotency guard keeps them; every answer carries it.
    answerHeaders: NO_STORE,
    defaultTimeZone: deps.defaultTimeZone,
    clock,
  });
}

const WRITES_LIMITED = {
  error: 'Too many writes, try again later',
  errorCode: 'record_write.rate_limited',
  exposeErrorCode: true,
};

const DELETES_LIMITED = {
  error: 'Too many deletions, try again later',
  errorCode: 'measurement.delete.rate_limited',
  exposeErrorCode: true,
};
