import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createLogger } from '../../functions/commons/logger';
import { createMeasurementsApiHandler } from '../../functions/measurements-api/create-measurements-api-handler';
import type { MeasurementRowStore } from '../../functions/measurements/rows/row-store';
import { DailyAggregates } from '../../functions/measurements/storage/daily-aggregates';
import { TableRowStore } from '../../functions/measurements/storage/table-row-store';
import { noGuards, type RowWriteGuards } from '../../functions/request-guards/request-guards';
import { toHttpApiEvent } from '../../local/http-api-event';
import { toAnswer, type BatchAnswer } from './batch-client';

export interface ApiCall {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The route template, e.g. `/api/measurements/{id}`. */
  readonly route: string;
  /** `null` sends a token without a `sub`. Defaults to `user-a`. */
  readonly userId?: string | null;
  /** The token's `zoneinfo` claim. */
  readonly timeZone?: string;
  readonly id?: string;
  readonly query?: Record<string, string | number>;
  readonly body?: unknown;
  /** Sent as is instead of JSON-encoding `body` (bytes that are not UTF-8 arrive base64-encoded). */
  readonly rawBody?: string | Buffer;
  readonly headers?: Record<string, string>;
  readonly requestId?: string;
}

export type ApiAnswer = BatchAnswer;

/** Calls the real row-API handler the way API Gateway would, after the JWT authorizer. */
export function measurementsApiClient(options: {
  documentClient?: DynamoDBDocumentClient;
  tableName?: string;
  aggregatesTableName?: string;
  store?: MeasurementRowStore;
  clock?: () => Date;
  defaultTimeZone?: string;
  /** The shared write limit and Idempotency-Key replay; without them every write runs unguarded (`noGuards`). */
  guards?: RowWriteGuards;
}) {
  const handler = createMeasurementsApiHandler({
    logger: createLogger('measurement-api'),
    store: options.store ?? new TableRowStore(options.documentClient!, options.tableName!),
    aggregates: new DailyAggregates(options.documentClient!, {
      measurements: options.tableName ?? 'unused',
      aggregates: options.aggregatesTableName ?? 'unused',
    }),
    defaultTimeZone: options.defaultTimeZone ?? 'Europe/Berlin',
    deleteConcurrency: 8,
    clock: options.clock,
    guards: options.guards ?? noGuards,
  });

  const call = async (request: ApiCall): Promise<ApiAnswer> => {
    const userId = request.userId === undefined ? 'user-a' : request.userId;
    const rawPath = request.route.replace('{id}', encodeURIComponent(request.id ?? ''));
    const hasBody = request.body !== undefined || request.rawBody !== undefined;
    const event = toHttpApiEvent({
      method: request.method,
      rawPath,
      routePath: request.route,
      rawQueryString: request.query
        ? new URLSearchParams(
            Object.entries(request.query).map(([k, v]): [string, string] => [k, String(v)]),
          ).toString()
        : undefined,
      pathParameters: request.route.includes('{id}') ? { id: request.id ?? '' } : undefined,
      headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...request.headers },
      body: request.rawBody ?? (request.body === undefined ? undefined : JSON.stringify(request.body)),
      claims: {
        ...(userId === null ? {} : { sub: userId }),
        ...(request.timeZone === undefined ? {} : { zoneinfo: request.timeZone }),
      },
      requestId: request.requestId,
    });
    const result = (await handler(event, {
      getRemainingTimeInMillis: () => 10_000,
    })) as APIGatewayProxyStructuredResultV2;
    return toAnswer(result);
  };

  const ROW = '/api/measurements/{id}';
  return {
    call,
    list: (userId: string, query: Record<string, string | number> = {}, timeZone?: string) =>
      call({ method: 'GET', route: '/api/measurements', userId, query, timeZone }),
    series: (userId: string, query: Record<string, string | number>, timeZone?: string) =>
      call({ method: 'GET', route: '/api/measurements/series', userId, query, timeZone }),
    get: (userId: string, id: string) => call({ method: 'GET', route: ROW, userId, id }),
    put: (userId: string, id: string, body: unknown, requestId?: string) =>
      call({ method: 'PUT', route: ROW, userId, id, body, requestId }),
    patch: (userId: string, id: string, body: unknown, requestId?: string) =>
      call({ method: 'PATCH', route: ROW, userId, id, body, requestId }),
    delete: (userId: string, id: string, requestId?: string) =>
      call({ method: 'DELETE', route: ROW, userId, id, requestId }),
    deleteByExternalIds: (userId: string, body: unknown) =>
      call({ method: 'DELETE', route: '/api/measurements/by-external-ids', userId, body }),
    create: (userId: string, body: unknown, headers?: Record<string, string>, requestId?: string) =>
      call({ method: 'POST', route: '/api/measurements', userId, body, headers, requestId }),
    bulkDelete: (userId: string, body: unknown, headers?: Record<string, string>) =>
      call({ method: 'POST', route: '/api/measurements/bulk-delete', userId, body, headers }),
  };
}

export type MeasurementsApi = ReturnType<typeof measurementsApiClient>;
