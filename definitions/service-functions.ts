import {
  auditKeysTableSetting,
  dailyAggregatesTableSetting,
  deadlineSafetyMarginSetting,
  defaultTimeZoneSetting,
  deleteConcurrencySetting,
  dynamoDbClientSettings,
  healthLogSettings,
  measurementsTableSetting,
  requestGuardsTableSetting,
  settleQueueSetting,
  writeConcurrencySetting,
  type Settings,
} from './function-settings';

/**
 * The functions and HTTP routes of the service, described once. The CDK stack deploys exactly
 * these, and the local runtime serves exactly these: adding a route here adds it to both.
 */

export interface FunctionDefinition {
  /** Construct id in the stack and name in the local runtime's logs. */
  readonly id: string;
  /** Module path relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  /** Powertools service name: the `service` key of every log line. */
  readonly serviceName: string;
  /**
   * The environment variables it reads, and nothing else (definitions/function-settings.ts): the
   * deployments set them, and the function's configuration has exactly these.
   */
  readonly settings: Settings;
}

/**
 * What every function of the service is told, whether or not it reads it: the measurements
 * table and the deployment's default time zone.
 */
const serviceSettings = { ...measurementsTableSetting, ...defaultTimeZoneSetting } as const;

export const serviceFunctions = {
  ingestBatch: {
    id: 'IngestBatchFunction',
    entry: 'functions/ingest-batch/handler.ts',
    description: 'POST /api/measurements/batch: validates, maps and writes HealthKit batches',
    memorySize: 1024,
    // Under API Gateway's 30 s integration limit, so the function answers before the gateway gives up.
    timeoutSeconds: 25,
    serviceName: 'measurement-ingest',
    settings: {
      ...serviceSettings,
      ...requestGuardsTableSetting,
      ...dynamoDbClientSettings({ maxAttempts: 3, requestTimeoutMs: 3000 }),
      // Chosen from the benchmark's concurrency sweep (docs/benchmarks.md, "3. Write concurrency: why 16").
      ...writeConcurrencySetting(16),
      ...deadlineSafetyMarginSetting(1500),
    },
  },
  measurementsApi: {
    id: 'MeasurementsApiFunction',
    entry: 'functions/measurements-api/handler.ts',
    description: 'GET/POST/PUT/PATCH/DELETE /api/measurements…: read back, enter, edit and delete rows',
    memorySize: 512,
    timeoutSeconds: 10,
    serviceName: 'measurement-api',
    settings: {
      ...serviceSettings,
      ...requestGuardsTableSetting,
      // Long chart windows read the daily aggregates.
      ...dailyAggregatesTableSetting,
      ...dynamoDbClientSettings({ maxAttempts: 3, requestTimeoutMs: 3000 }),
      // by-external-ids' 500 lookups and 500 deletes, and bulk-delete's 200, 16 at a time: well
      // within the 10 s timeout on DynamoDB (docs/row-api.md, "Deletes").
      ...deleteConcurrencySetting(16),
    },
  },
  auditStream: {
    id: 'AuditStreamFunction',
    entry: 'functions/audit-stream/handler.ts',
    description:
      'DynamoDB stream → structured audit events (overwrites, edits, deletes, imports, erasures), users named by userRef',
    memorySize: 256,
    timeoutSeconds: 30,
    serviceName: 'measurement-audit',
    settings: {
      ...serviceSettings,
      ...auditKeysTableSetting,
      // Its only DynamoDB calls read and create the users' audit keys; a failed one fails the
      // record, which Lambda retries.
      ...dynamoDbClientSettings({ maxAttempts: 3, requestTimeoutMs: 3000 }),
    },
  },
  dailyAggregates: {
    id: 'DailyAggregatesFunction',
    entry: 'functions/daily-aggregates/handler.ts',
    description: "DynamoDB stream → per-day aggregates of dense types, recomputed from the day's rows",
    memorySize: 512,
    timeoutSeconds: 60,
    serviceName: 'measurement-aggregates',
    settings: {
      ...serviceSettings,
      ...dailyAggregatesTableSetting,
      ...settleQueueSetting,
      ...dynamoDbClientSettings({ maxAttempts: 5, requestTimeoutMs: 3000 }),
      // Days of one stream batch recomputed at once.
      ...writeConcurrencySetting(8),
    },
  },
} as const satisfies Record<string, FunctionDefinition>;

export type ServiceFunctionName = keyof typeof serviceFunctions;

/**
 * The `healthlog` mode's Lambda authorizer (definitions/authentication.ts): it introspects each
 * bearer token with HealthLog and passes the user on to the route's function. Deployed — and run
 * by `npm start -- --healthlog-url` — only in that mode, in front of every route; no route names
 * it. Its HealthLog URL comes from the deployment (`HEALTHLOG_URL`); it touches no table.
 */
export const healthLogAuthorizerFunction = {
  id: 'HealthLogAuthorizerFunction',
  entry: 'functions/healthlog-authorizer/handler.ts',
  description: 'healthlog mode: who a bearer token belongs to, asked of HealthLog (GET /api/auth/me)',
  memorySize: 256,
  // The introspection gives up after HEALTHLOG_TIMEOUT_MS; this only bounds a cold start on top.
  timeoutSeconds: 5,
  serviceName: 'healthlog-authorizer',
  settings: healthLogSettings(2000),
} as const satisfies FunctionDefinition;

/** Every function a deployment can have: the service's, and the `healthlog` mode's authorizer. */
export const deployableFunctions = { ...serviceFunctions, healthLogAuthorizer: healthLogAuthorizerFunction };

export interface RouteDefinition {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway route path; `{name}` is a path parameter. */
  readonly path: string;
  readonly function: ServiceFunctionName;
}

/**
 * Like API Gateway, a router must prefer a static segment over a path parameter:
 * `DELETE /api/measurements/by-external-ids` wins over `DELETE /api/measurements/{id}`.
 */
export const routes = [
  { method: 'POST', path: '/api/measurements/batch', function: 'ingestBatch' },
  { method: 'GET', path: '/api/measurements', function: 'measurementsApi' },
  { method: 'GET', path: '/api/measurements/series', function: 'measurementsApi' },
  { method: 'POST', path: '/api/measurements', function: 'measurementsApi' },
  { method: 'GET', path: '/api/measurements/{id}', function: 'measurementsApi' },
  { method: 'PUT', path: '/api/measurements/{id}', function: 'measurementsApi' },
  { method: 'PATCH', path: '/api/measurements/{id}', function: 'measurementsApi' },
  { method: 'DELETE', path: '/api/measurements/{id}', function: 'measurementsApi' },
  { method: 'DELETE', path: '/api/measurements/by-external-ids', function: 'measurementsApi' },
  { method: 'POST', path: '/api/measurements/bulk-delete', function: 'measurementsApi' },
] as const satisfies readonly RouteDefinition[];

/** One of the defined routes, with its method, path and function as literal types. */
export type ServiceRoute = (typeof routes)[number];

/** `METHOD /path`, as API Gateway names a route (the event's `routeKey`); one per route of a union. */
export type RouteKey<R extends RouteDefinition = ServiceRoute> = R extends RouteDefinition
  ? `${R['method']} ${R['path']}`
  : never;

/**
 * The keys of the routes one function serves. A function's route handlers are a
 * `Record<RouteKeyOf<…>, …>`: a route defined here without a handler, or a handler for a route
 * not defined here, does not compile.
 */
export type RouteKeyOf<F extends ServiceFunctionName> = RouteKey<Extract<ServiceRoute, { function: F }>>;

/** The functions that serve HTTP routes. */
export type HttpFunctionName = ServiceRoute['function'];

export function routeKey<R extends RouteDefinition>(route: R): RouteKey<R> {
  return `${route.method} ${route.path}` as RouteKey<R>;
}

/** The keys of the routes `fn` serves, in definition order. */
export function routeKeysOf<F extends HttpFunctionName>(fn: F): RouteKeyOf<F>[] {
  return routes.filter((route) => route.function === fn).map((route) => routeKey(route) as RouteKeyOf<F>);
}

/** Log retention of every function's log group (days). Health data: keep it no longer than needed. */
export const LOG_RETENTION_DAYS = 90;
