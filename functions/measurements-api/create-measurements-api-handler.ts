import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { admitCaller } from '../http/caller';
import { failure, internalServerError, success, type ResponseHeaders } from '../http/envelope';
import { echoHeaders, type HttpEvent } from '../http/request';
import { deleteMeasurement, deleteMeasurementsByExternalIds } from '../measurements/rows/delete-measurements';
import { editMeasurement } from '../measurements/rows/edit-measurement';
import type { MeasurementRowStore } from '../measurements/rows/row-store';
import { getMeasurement, listMeasurements } from '../measurements/rows/read-measurements';
import { readSeries } from '../measurements/rows/read-series';
import type { DailyAggregateReader } from '../measurements/rows/row-store';
import {
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
  /** Lookups and deletes of one by-external-ids request in flight at once. */
  readonly deleteConcurrency: number;
  readonly clock?: () => Date;
  /** The zone of a caller whose credential names none (DEFAULT_TIME_ZONE); Europe/Berlin if unset. */
  readonly defaultTimeZone?: string;
}

type Handler = (event: HttpEvent) => Promise<APIGatewayProxyStructuredResultV2>;

interface RouteRequest {
  readonly event: HttpEvent;
  readonly userId: string;
  /** The caller's IANA zone: day totals, nights and daily chart buckets are cut at its midnight. */
  readonly timeZone: string;
  readonly requestId: string;
  readonly now: Date;
  readonly headers: ResponseHeaders;
}

/** What a route answers, plus what the request's log line says about it (never a value). */
interface RouteAnswer {
  readonly response: APIGatewayProxyStructuredResultV2;
  readonly log?: Record<string, unknown>;
}

// Personal health data: no shared cache may keep it, and a tile must never show a stale copy.
const NO_STORE = { 'Cache-Control': 'private, no-store' };
const NOT_FOUND = 'Measurement not found';

function rejected(rejection: RequestRejection, headers: ResponseHeaders): RouteAnswer {
  const { status, error, errorCode, exposeErrorCode, details } = rejection;
  return {
    response: failure(status, error, {
      errorCode: exposeErrorCode ? errorCode : undefined,
      details,
      headers,
    }),
    log: { errorCode },
  };
}

const notFound = (headers: ResponseHeaders): RouteAnswer => ({
  response: failure(404, NOT_FOUND, { headers }),
});

const pathId = (event: HttpEvent) => event.pathParameters?.id ?? '';

function routeHandlers(deps: MeasurementsApiHandlerDependencies) {
  const { store } = deps;
  const edit = async ({ event, userId, requestId, now, headers }: RouteRequest): Promise<RouteAnswer> => {
    const parsed = parseEditBody(event);
    if (!parsed.ok) return rejected(parsed.rejection, headers);
    const outcome = await editMeasurement(
      { userId, id: pathId(event), edit: parsed.value, requestId, now },
      store,
    );
    if (outcome.status === 'invalid') return rejected(validationFailed(outcome.issues), headers);
    if (outcome.status === 'not_found') return notFound(headers);
    return { response: success(outcome.row, headers) };
  };

  return {
    'GET /api/measurements': async ({
      event,
      userId,
      timeZone,
      now,
      headers,
    }: RouteRequest): Promise<RouteAnswer> => {
      const parsed = parseListQuery(event);
      if (!parsed.ok) return rejected(parsed.rejection, headers);
      const query = parsed.value;
      const outcome = await listMeasurements({ userId, timeZone, query, now }, store);
      if (outcome.status === 'invalid') return rejected(validationFailed(outcome.issues), headers);
      return {
        response: success(outcome.page, headers),
        log: {
          returned: outcome.page.measurements.length,
          type: query.type ?? null,
          groupBy: outcome.page.meta.groupBy ?? null,
          limit: query.limit,
        },
      };
    },
    'GET /api/measurements/series': async ({
      event,
      userId,
      timeZone,
      now,
      headers,
    }: RouteRequest): Promise<RouteAnswer> => {
      const parsed = parseSeriesQuery(event);
      if (!parsed.ok) return rejected(parsed.rejection, headers);
      const { series, itemsRead } = await readSeries(
        { userId, timeZone, query: parsed.value, now },
        { rows: store, aggregates: deps.aggregates },
      );
      return {
        response: success(series, headers),
        log: { kind: series.kind, days: parsed.value.days, points: series.points.length, itemsRead },
      };
    },
    'GET /api/measurements/{id}': async ({ event, userId, headers }: RouteRequest): Promise<RouteAnswer> => {
      const outcome = await getMeasurement({ userId, id: pathId(event) }, store);
      return outcome.status === 'found' ? { response: success(outcome.row, headers) } : notFound(headers);
    },
    'PUT /api/measurements/{id}': edit,
    'PATCH /api/measurements/{id}': edit,
    'DELETE /api/measurements/{id}': async ({ event, userId, requestId, now, headers }: RouteRequest) => {
      const outcome = await deleteMeasurement({ userId, id: pathId(event), requestId, now }, store);
      return outcome.status === 'deleted'
        ? { response: success({ deleted: true }, headers) }
        : notFound(headers);
    },
    'DELETE /api/measurements/by-external-ids': async ({
      event,
      userId,
      requestId,
      now,
      headers,
    }: RouteRequest): Promise<RouteAnswer> => {
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
  } satisfies Record<string, (request: RouteRequest) => Promise<RouteAnswer>>;
}

export type MeasurementsApiRouteKey = keyof ReturnType<typeof routeHandlers>;

/** The route keys this function serves (`METHOD /path` as API Gateway names them). */
export const measurementsApiRouteKeys: readonly MeasurementsApiRouteKey[] = [
  'GET /api/measurements',
  'GET /api/measurements/series',
  'GET /api/measurements/{id}',
  'PUT /api/measurements/{id}',
  'PATCH /api/measurements/{id}',
  'DELETE /api/measurements/{id}',
  'DELETE /api/measurements/by-external-ids',
];

/**
 * The row API (docs/row-api.md) in one function: the route API Gateway matched
 * (`event.routeKey`) picks a thin route handler — parse, call the use case, shape the envelope.
 * The caller is always the verified credential's (functions/http/caller.ts, which also refuses
 * shared-record requests before any route runs); another user's row answers exactly like a
 * missing one. One `measurement.api.request` line per request past authentication.
 */
export function createMeasurementsApiHandler(deps: MeasurementsApiHandlerDependencies): Handler {
  const { logger } = deps;
  const clock = deps.clock ?? (() => new Date());
  const handlers = new Map<string, (request: RouteRequest) => Promise<RouteAnswer>>(
    Object.entries(routeHandlers(deps)),
  );
  return async (event) => {
    const startedAt = Date.now();
    const requestId = event.requestContext.requestId;
    const route = event.routeKey;
    const headers = { ...echoHeaders(event), ...NO_STORE };
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
      const handle = handlers.get(route);
      if (!handle) return failure(404, 'Not found', { headers });

      const { response, log } = await handle({ event, userId, timeZone, requestId, now: clock(), headers });
      logger.info('measurement.api.request', {
        route,
        userId,
        timeZone,
        requestId,
        status: response.statusCode,
        ...log,
        durationMs: Date.now() - startedAt,
      });
      return response;
    } catch (error) {
      logger.error('measurement.api.error', { route, requestId, error: error as Error });
      return internalServerError(headers);
    }
  };
}
