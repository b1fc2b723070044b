import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import { errorEnvelopeSchema, successEnvelope } from '../functions/http/envelope-schema';
import { batchLimits, batchRequestSchema } from '../functions/measurements/batch/batch-schema';
import { batchResultSchema } from '../functions/measurements/batch/batch-result-schema';
import {
  bulkDeletedSchema,
  bulkDeleteSchema,
  createReadingsSchema,
  deleteByExternalIdsSchema,
  deletedCountSchema,
  deletedSchema,
  editMeasurementSchema,
  measurementPathSchema,
  measurementRowSchema,
  rowWriteLimits,
} from '../functions/measurements-api/measurements-api-schema';
import {
  listMeasurementsQuerySchema,
  measurementPageSchema,
  seriesQuerySchema,
  seriesSchema,
} from '../functions/measurements-api/read-schemas';
import { healthKitDeleteLimit } from '../definitions/rate-limits';
import { routeKey, routes, type RouteKey } from '../definitions/service-functions';
import packageJson from '../package.json';

/**
 * The OpenAPI 3.1 document of every route in `definitions/service-functions.ts`, generated
 * from the zod schemas the handlers validate with. `npm run openapi` writes it to
 * docs/openapi.json; test/unit/openapi.test.ts fails when that file is out of date.
 */

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const ok = (description: string, data: z.ZodType) => ({ description, content: json(successEnvelope(data)) });
const error = (description: string) => ({ description, content: json(errorEnvelopeSchema) });

const requestHeaders = z.object({
  'x-request-id': z.string().optional().meta({ description: 'Echoed back as x-request-id' }),
});
const echoedHeaders = z.object({
  'x-request-id': z.string().optional().meta({ description: 'The request’s X-Request-Id, when it sent one' }),
});

const idempotencyKeyHeader = z
  .string()
  .optional()
  .meta({ description: 'Replays the first completed answer for 24 h (^[A-Za-z0-9_\\-:.]{8,128}$)' });

/** The shared write limit's headers, on every answer of a write route (docs/row-api.md). */
const writeLimitHeaders = echoedHeaders.extend({
  'x-ratelimit-limit': z.string().optional().meta({ description: '300 writes per user per 60 s' }),
  'x-ratelimit-remaining': z.string().optional(),
  'x-ratelimit-reset': z.string().optional().meta({ description: 'ISO-8601 instant the window resets' }),
});

const healthKitDeleteLimitHeaders = echoedHeaders.extend({
  'x-ratelimit-limit': z
    .string()
    .optional()
    .meta({
      description: `${healthKitDeleteLimit.limit} requests per user per ${healthKitDeleteLimit.windowSeconds} s`,
    }),
  'x-ratelimit-remaining': z.string().optional(),
  'x-ratelimit-reset': z.string().optional().meta({ description: 'ISO-8601 instant the window resets' }),
});

const errors = {
  400: error('Invalid JSON body'),
  401: error('Not authenticated: no user in the verified token'),
  403: error(
    'Shared records are not available on this endpoint (meta.errorCode sharing.not_permitted): the request ' +
      'carried X-HealthLog-Account',
  ),
  404: error('Measurement not found: missing, soft-deleted, another user’s, or not an id'),
  413: (limit: number) => error(`Request body exceeds ${limit} bytes`),
  415: error('Content-Type must be application/json'),
  422: error('Validation failed: details.issues names every offending value by its dotted path'),
  500: error('Internal server error'),
  writeLimited: error(
    'Too many writes, try again later: meta.errorCode record_write.rate_limited, with Retry-After and X-RateLimit-*',
  ),
  inFlight: error('A request with this Idempotency-Key is already in progress (X-Idempotent-Replay: false)'),
  duplicate: error(
    'A measurement with this data already exists: meta.errorCode measurement.duplicate_timestamp (same type, ' +
      'measuredAt and source as a hand-entered reading, deleted or not); nothing written',
  ),
} as const;

const measurementBody = (schema: z.ZodType) => ({ required: true, content: json(schema) });
const rowEdit = (summary: string, operationId: string): ZodOpenApiOperationObject => ({
  operationId,
  summary,
  description:
    'An edit of one live row; the row is looked up before the body is read (404 first). The value is checked ' +
    'against the type’s plausible range, measuredAt against the plausible-instant rule; a new value drops a ' +
    'heart-rate bucket’s spread; notes null or "" clears the note; an empty object changes nothing. The row’s ' +
    'id never changes. Counts against the shared write limit. Audited as measurement.value.updated.',
  requestParams: { path: measurementPathSchema, header: requestHeaders },
  requestBody: measurementBody(editMeasurementSchema),
  responses: {
    200: { ...ok('The edited row', measurementRowSchema), headers: writeLimitHeaders },
    400: errors[400],
    401: errors[401],
    404: errors[404],
    409: error(
      `${errors.duplicate.description}; or The measurement was changed by another request, try again: ` +
        'meta.errorCode measurement.edit_conflict (other writes kept changing the row), nothing written',
    ),
    413: errors[413](rowWriteLimits.maxBodyBytes),
    415: errors[415],
    422: errors[422],
    429: errors.writeLimited,
    500: errors[500],
  },
});

/** One operation per defined route: a route without one, or one without a route, does not compile. */
const operations: Record<RouteKey, ZodOpenApiOperationObject> = {
  'POST /api/measurements/batch': {
    operationId: 'postMeasurementBatch',
    summary: 'Ingest a batch of HealthKit rows',
    description:
      'Each entry is validated, mapped and written on its own (docs/batch-api.md): stats rows are ' +
      'overwritten, samples are write-once. Whole-request errors write nothing.',
    requestParams: { header: requestHeaders.extend({ 'idempotency-key': idempotencyKeyHeader }) },
    requestBody: measurementBody(batchRequestSchema),
    responses: {
      200: { ...ok('One outcome per posted entry, in order', batchResultSchema), headers: echoedHeaders },
      400: errors[400],
      401: errors[401],
      409: error('A request with this Idempotency-Key is already in progress'),
      413: errors[413](batchLimits.maxBodyBytes),
      415: errors[415],
      422: error(
        `measurement.batch.too_large (over ${batchLimits.maxEntries} entries) or measurement.batch.invalid ` +
          'with details.issues naming every bad entry',
      ),
      429: error('Too many batch submissions, try again later (Retry-After)'),
      500: errors[500],
    },
  },
  'GET /api/measurements': {
    operationId: 'listMeasurements',
    summary: 'List the caller’s rows, newest first',
    description:
      'Served by a Query on an index (byUserType with type, byUser without), never a Scan; soft-deleted rows ' +
      'are never listed. Follow meta.nextCursor until it is null; a full last page may be followed by an ' +
      'empty one. A cursor is only valid for the same caller, type and from/to. type=SLEEP_DURATION answers ' +
      'one row per night (wake day, the caller’s time zone), groupBy=day with a cumulative type one row per ' +
      'local day (source ladder APPLE_HEALTH > WITHINGS > MANUAL); unknown parameters are ignored.',
    requestParams: { query: listMeasurementsQuerySchema, header: requestHeaders },
    responses: {
      200: { ...ok('A page of rows', measurementPageSchema), headers: echoedHeaders },
      401: errors[401],
      422: errors[422],
      500: errors[500],
    },
  },
  'GET /api/measurements/series': {
    operationId: 'getMeasurementSeries',
    summary: 'Chart points and stats of one kind over the last days',
    description:
      'Points oldest first: one per row (raw kinds), systolic/diastolic pairs (bloodPressure), one per night ' +
      '(sleep, hours), and for the dense kinds raw points up to 90 days and 10,000 rows, else one per UTC hour ' +
      '(up to 90 days) or per local day (longer windows, answered from daily aggregates). stats are over the ' +
      'values the points summarise; stdDev is the population standard deviation.',
    requestParams: { query: seriesQuerySchema, header: requestHeaders },
    responses: {
      200: { ...ok('The series', seriesSchema), headers: echoedHeaders },
      401: errors[401],
      422: errors[422],
      500: errors[500],
    },
  },
  'POST /api/measurements': {
    operationId: 'createMeasurements',
    summary: 'Enter one reading by hand, or an array of 1–5 created all together or not at all',
    description:
      'The unit is the type’s; externalId, hkIdentifier and startDate of the row are null. A reading with the ' +
      'same type, measuredAt (to the millisecond) and source as an earlier hand-entered one, deleted or not, is ' +
      '409 and nothing is written. Idempotency-Key replays the first answer for the same JSON value (keys in any ' +
      'order). Counts against the shared write limit. Audited as measurement.created.',
    requestParams: { header: requestHeaders.extend({ 'idempotency-key': idempotencyKeyHeader }) },
    requestBody: measurementBody(createReadingsSchema(() => new Date())),
    responses: {
      201: {
        ...ok(
          'The created row, or the rows in request order',
          z.union([measurementRowSchema, z.array(measurementRowSchema)]),
        ),
        headers: writeLimitHeaders,
      },
      400: errors[400],
      401: errors[401],
      409: error(`${errors.duplicate.description}; or ${errors.inFlight.description}`),
      413: errors[413](rowWriteLimits.maxBodyBytes),
      415: errors[415],
      422: error(
        'Validation failed: meta.errorCode measurement.create.invalid, details.issues names every offending value',
      ),
      429: errors.writeLimited,
      500: errors[500],
    },
  },
  'GET /api/measurements/{id}': {
    operationId: 'getMeasurement',
    summary: 'Read one row (strongly consistent)',
    requestParams: { path: measurementPathSchema, header: requestHeaders },
    responses: {
      200: { ...ok('The row', measurementRowSchema), headers: echoedHeaders },
      401: errors[401],
      404: errors[404],
      500: errors[500],
    },
  },
  'PUT /api/measurements/{id}': rowEdit('Edit one row', 'putMeasurement'),
  'PATCH /api/measurements/{id}': rowEdit('Edit one row (same as PUT)', 'patchMeasurement'),
  'DELETE /api/measurements/{id}': {
    operationId: 'deleteMeasurement',
    summary: 'Soft-delete one row',
    description:
      'Sets deletedAt. Deleting one’s own row that is already deleted answers the same 200 (the app retries ' +
      'deletes). A later batch re-post of a deleted stats: row brings it back (updated); a deleted sample stays ' +
      'deleted (duplicate). Counts against the shared write limit.',
    requestParams: { path: measurementPathSchema, header: requestHeaders },
    responses: {
      200: { ...ok('Deleted (now or before)', deletedSchema), headers: writeLimitHeaders },
      401: errors[401],
      404: errors[404],
      429: errors.writeLimited,
      500: errors[500],
    },
  },
  'DELETE /api/measurements/by-external-ids': {
    operationId: 'deleteMeasurementsByExternalIds',
    summary: 'Soft-delete the caller’s HealthKit rows with these externalIds, whatever their type',
    description:
      'Only live rows with source APPLE_HEALTH that the phone synced; hand-entered rows are never touched. ' +
      'An empty list deletes nothing. The phone’s own sync of HealthKit deletions: not counted against the ' +
      `write limit, but against its own: ${healthKitDeleteLimit.limit} per user per ` +
      `${healthKitDeleteLimit.windowSeconds} s.`,
    requestParams: { header: requestHeaders },
    requestBody: measurementBody(deleteByExternalIdsSchema),
    responses: {
      200: {
        ...ok('How many live rows were deleted now', deletedCountSchema),
        headers: healthKitDeleteLimitHeaders,
      },
      400: errors[400],
      401: errors[401],
      413: errors[413](rowWriteLimits.maxExternalIdsBodyBytes),
      415: errors[415],
      422: error(
        `Batch exceeds the ${rowWriteLimits.maxExternalIds}-entry limit (meta.errorCode ` +
          'measurement.delete.too_large), or Validation failed with details.issues',
      ),
      429: error(
        'Too many deletions, try again later: meta.errorCode measurement.delete.rate_limited, with ' +
          'Retry-After and X-RateLimit-*; nothing deleted',
      ),
      500: errors[500],
    },
  },
  'POST /api/measurements/bulk-delete': {
    operationId: 'bulkDeleteMeasurements',
    summary: 'Soft-delete the caller’s live rows among 1–200 ids',
    description:
      'Unknown, foreign, already-deleted and synthetic ids are skipped silently; the answer counts the rows this ' +
      'call deleted. Idempotency-Key as on POST /api/measurements. Counts against the shared write limit.',
    requestParams: { header: requestHeaders.extend({ 'idempotency-key': idempotencyKeyHeader }) },
    requestBody: measurementBody(bulkDeleteSchema),
    responses: {
      200: { ...ok('How many rows this call deleted', bulkDeletedSchema), headers: writeLimitHeaders },
      400: errors[400],
      401: errors[401],
      409: errors.inFlight,
      413: errors[413](rowWriteLimits.maxBulkDeleteBodyBytes),
      415: errors[415],
      422: errors[422],
      429: errors.writeLimited,
      500: errors[500],
    },
  },
};

export function buildOpenApiDocument() {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of routes) {
    const operation = operations[routeKey(route)];
    const method = route.method.toLowerCase() as Lowercase<typeof route.method>;
    // Every route refuses shared-record requests the same way (functions/http/caller.ts).
    const responses = { ...operation.responses, 403: errors[403] };
    paths[route.path] = {
      ...paths[route.path],
      [method]: { tags: ['measurements'], ...operation, responses },
    };
  }

  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Health ingest API',
      version: packageJson.version,
      description:
        'Apple Health data from the HealthLog iOS app: batch ingest, readings entered by hand, and reading ' +
        'back, editing and deleting rows. Every answer is the envelope {data, error}; every route needs a bearer ' +
        'token: the HealthLog API token the app already has (healthlog mode, introspected with HealthLog), or a ' +
        'JWT whose sub is the user (jwt and cognito modes). A request with X-HealthLog-Account is refused with 403.',
    },
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            'healthlog mode: HealthLog’s own API token (hlk_…); jwt and cognito modes: a JWT from the issuer',
        },
      },
    },
    paths,
  });
}

/** The document as committed: stable key order, two-space indent, trailing newline. */
export function renderOpenApiDocument(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}
