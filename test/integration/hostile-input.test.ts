import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { generateKeyPair } from 'jose';
import { createLogger } from '../../functions/commons/logger';
import { createIngestBatchHandler } from '../../functions/ingest-batch/create-ingest-batch-handler';
import { createMeasurementsApiHandler } from '../../functions/measurements-api/create-measurements-api-handler';
import { bodyBytes, type HttpEvent } from '../../functions/http/request';
import { batchLimits } from '../../functions/measurements/batch/batch-schema';
import { batchResultSchema } from '../../functions/measurements/batch/batch-result-schema';
import { measurementId } from '../../functions/measurements/model/measurement-id';
import { TableMeasurementWriter } from '../../functions/measurements/storage/table-measurement-writer';
import { TableRowStore } from '../../functions/measurements/storage/table-row-store';
import { measurementRowSchema } from '../../functions/measurements-api/measurements-api-schema';
import { measurementPageSchema } from '../../functions/measurements-api/read-schemas';
import { DailyAggregates } from '../../functions/measurements/storage/daily-aggregates';
import { measurementsTable } from '../../definitions/measurements-table';
import { routeKeysOf, routes, serviceFunctions } from '../../definitions/service-functions';
import { toHttpApiEvent } from '../../local/http-api-event';
import type { LocalFunction } from '../../local/lambda-context';
import { checkBearerToken, signLocalToken, type SigningKey } from '../../local/local-auth';
import { jwtAuthorizer } from '../../local/local-authorizer';
import { createLocalServer } from '../../local/server';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import { NOT_FOUND_BODY } from '../support/row-api-suite';
import {
  CANARY,
  batchBodyText,
  bodyEncoding,
  claimsFor,
  contentType,
  deepNesting,
  deleteBodyText,
  editBodyText,
  hostileString,
  idempotencyKey,
  junkBodyText,
  pathId,
  queryParameters,
  subKind,
  truncated,
  type BodyEncoding,
  type IdSource,
  type SubKind,
} from '../support/hostile-input';
import { createLocalRequestGuardsTable, type LocalRequestGuardsTable } from '../support/local-request-guards';
import { createLocalTable, type LocalTable } from '../support/local-table';

/**
 * docs/batch-api.md and docs/row-api.md against hostile clients: property-based
 * (fast-check, fixed seed) over the HTTP entry — the real batch and row-API handlers on DynamoDB
 * Local, driven with API Gateway payload 2.0 events, and the local HTTP server (local/server.ts)
 * in-process with the stack's routes and a real JWT check.
 *
 * Whatever arrives, every answer is a 2xx or 4xx in the envelope, a refused request writes
 * nothing, nothing crashes (no 5xx; an unhandled rejection would fail the running test, Jest
 * watches for them), no prototype changes, and no log line carries a body.
 */
const SEED = 0x5ec_2026;
const PROPERTY_TIMEOUT_MS = 120_000;
const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns, endOnFailure: false });

let table: LocalTable;
let guardsTable: LocalRequestGuardsTable;
let batchHandler: ReturnType<typeof createIngestBatchHandler>;
let apiHandler: ReturnType<typeof createMeasurementsApiHandler>;
let logs: CapturedLogs;

/** Requests answered 2xx, which alone may have written: request id → the user it ran as. */
const writers = new Map<string, string>();

let seq = 0;
const freshUser = () => `hostile-${++seq}-${Date.now()}`;
const nextRequestId = () => `hostile-request-${++seq}`;

const context = { getRemainingTimeInMillis: () => 25_000 };

beforeAll(async () => {
  [table, guardsTable] = await Promise.all([createLocalTable(), createLocalRequestGuardsTable()]);
  const logger = createLogger('measurement-ingest');
  batchHandler = createIngestBatchHandler({
    logger,
    writer: new TableMeasurementWriter(table.documentClient, table.tableName),
    writeConcurrency: 16,
    deadlineSafetyMarginMs: 1500,
    // As deployed: the rate limit and Idempotency-Key guards on their own table.
    guards: guardsTable.guards(),
  });
  apiHandler = createMeasurementsApiHandler({
    logger: createLogger('measurement-api'),
    store: new TableRowStore(table.documentClient, table.tableName),
    aggregates: new DailyAggregates(table.documentClient, {
      measurements: table.tableName,
      aggregates: table.aggregatesTableName,
    }),
    defaultTimeZone: 'Europe/Berlin',
    deleteConcurrency: 8,
    // As deployed: the shared write limit and Idempotency-Key on the same guards table.
    guards: guardsTable.rowWriteGuards(),
  });
});
afterAll(async () => Promise.all([table.drop(), guardsTable.drop()]));
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

// ---------------------------------------------------------------------------------------------
// Invariants shared by every property.

type Snapshot = Map<string, unknown>;

/** Every own property of the built-in prototypes, by identity: pollution shows as a new or changed key. */
function prototypeSnapshot(): Snapshot {
  const snapshot: Snapshot = new Map();
  const prototypes = { Object: Object.prototype, Array: Array.prototype, Function: Function.prototype };
  for (const [name, proto] of Object.entries(prototypes)) {
    for (const key of Reflect.ownKeys(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, key)!;
      snapshot.set(`${name}.${String(key)}`, descriptor.value ?? descriptor.get);
    }
  }
  return snapshot;
}

function expectPrototypesUnchanged(before: Snapshot): void {
  const after = prototypeSnapshot();
  expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  for (const [key, value] of before) {
    if (!Object.is(after.get(key), value)) throw new Error(`prototype changed: ${key}`);
  }
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

const ENVELOPE_KEYS = ['data', 'details', 'error', 'meta'];

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Record<string, any>;
  readonly rawBody: string;
}

/** 2xx or 4xx, never 5xx; a JSON envelope with `data` and `error`; an error answer has a sentence. */
function expectEnvelope(status: number, headers: Record<string, string>, rawBody: string): Answer {
  expect(status).toBeGreaterThanOrEqual(200);
  expect(status).toBeLessThan(500);
  expect(headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(rawBody) as Record<string, any>;
  expect(typeof body).toBe('object');
  expect(Object.keys(body)).toEqual(expect.arrayContaining(['data', 'error']));
  for (const key of Object.keys(body)) expect(ENVELOPE_KEYS).toContain(key);
  if (status >= 400) {
    expect(body.data).toBeNull();
    expect(typeof body.error).toBe('string');
    expect(body.error.length).toBeGreaterThan(0);
  } else {
    expect(body.error).toBeNull();
    expect(body.data).not.toBeNull();
  }
  return { status, headers, body, rawBody };
}

function fromResult(result: APIGatewayProxyStructuredResultV2): Answer {
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
  return expectEnvelope(result.statusCode ?? 0, headers, result.body ?? '');
}

/** The user's items on the base table (a strongly consistent scan; tests only), deleted or not. */
async function storedRowsOf(userId: string): Promise<Record<string, unknown>[]> {
  return (await table.items()).filter((item) => item.userId === userId);
}

/** The user's live rows through the `byUser` index (cheap, per run); the final check scans the table. */
async function liveRowCount(userId: string): Promise<number> {
  const { Count = 0 } = await table.documentClient.send(
    new QueryCommand({
      TableName: table.tableName,
      IndexName: measurementsTable.indexes.byUser.indexName,
      KeyConditionExpression: '#u = :u',
      ExpressionAttributeNames: { '#u': measurementsTable.indexes.byUser.partitionKey },
      ExpressionAttributeValues: { ':u': userId },
      Select: 'COUNT',
    }),
  );
  return Count;
}

function parsesAsJson(bytes: Buffer): boolean {
  try {
    JSON.parse(bytes.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/** Logs carry event fields only: no body (the canary), no error lines (an error line is a 500). */
function expectCleanLogs(): void {
  const lines = logs.lines.map((line) => JSON.stringify(line));
  expect(lines.filter((line) => line.includes(CANARY))).toEqual([]);
  expect(logs.lines.filter((line) => line.level === 'ERROR' || line.level === 'CRITICAL')).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// Building events the way API Gateway hands them on after the JWT authorizer.

interface HostileEventInput {
  readonly method: string;
  readonly routePath: string;
  readonly rawPath?: string;
  readonly sub: SubKind;
  readonly user: string;
  readonly requestId: string;
  readonly contentType?: string;
  readonly encoding: BodyEncoding;
  readonly body?: string | Uint8Array;
  readonly headers?: Record<string, string | undefined>;
  readonly query?: ReadonlyArray<readonly [string, string]>;
  readonly pathParameters?: Record<string, string>;
}

function hostileEvent(input: HostileEventInput): HttpEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {}))
    if (value !== undefined) headers[name] = value;
  if (input.contentType !== undefined) headers['content-type'] = input.contentType;
  const event = toHttpApiEvent({
    method: input.method,
    rawPath: input.rawPath ?? input.routePath,
    routePath: input.routePath,
    rawQueryString: input.query
      ? new URLSearchParams(input.query.map(([k, v]): [string, string] => [k, v])).toString()
      : undefined,
    pathParameters: input.pathParameters,
    headers,
    body:
      input.body === undefined
        ? undefined
        : typeof input.body === 'string'
          ? input.body
          : Buffer.from(input.body),
    claims: claimsFor(input.sub, input.user),
    requestId: input.requestId,
    base64Body: input.encoding === 'base64',
  });
  if (input.encoding === 'junk-base64' && input.body !== undefined) {
    // Claimed to be base64, but it is whatever the client sent.
    event.body = typeof input.body === 'string' ? input.body : Buffer.from(input.body).toString('latin1');
    event.isBase64Encoded = true;
  }
  return event;
}

const batchBody: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  { weight: 10, arbitrary: batchBodyText },
  { weight: 1, arbitrary: truncated(batchBodyText) },
  { weight: 1, arbitrary: junkBodyText },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) }, // bytes that are often not UTF-8
);

const batchRequest = fc.record({
  body: batchBody,
  contentType,
  encoding: bodyEncoding,
  sub: subKind,
  idempotencyKey,
  requestIdHeader: fc.option(hostileString(20), { nil: undefined }),
});

const ISSUE_PATH = /^(|entries(\.\d+(\.[A-Za-z]+)?)?|syncTrigger)$/;

async function getRow(userId: string, id: string): Promise<Answer> {
  const event = hostileEvent({
    method: 'GET',
    routePath: '/api/measurements/{id}',
    rawPath: `/api/measurements/${encodeURIComponent(id)}`,
    pathParameters: { id },
    sub: 'fresh',
    user: userId,
    requestId: nextRequestId(),
    encoding: 'text',
  });
  return fromResult(await apiHandler(event));
}

/** The checks of docs/batch-api.md in order: the first that fails answers. */
function expectedBatchStatus(event: HttpEvent, sub: SubKind, type: string | undefined): number[] {
  if (sub !== 'fresh') return [401];
  // The media type before any parameters is application/json, in any case (docs/batch-api.md).
  if (!/^\s*application\/json\s*(;|$)/i.test(type ?? '')) return [415];
  const bytes = bodyBytes(event);
  if (bytes.length > batchLimits.maxBodyBytes) return [413];
  if (!parsesAsJson(bytes)) return [400];
  return [200, 422];
}

async function expectAcceptedBatch(answer: Answer, event: HttpEvent, userId: string): Promise<void> {
  const result = batchResultSchema.strict().parse(answer.body.data);
  const posted = (
    JSON.parse(bodyBytes(event).toString('utf8')) as { entries: Array<Record<string, unknown>> }
  ).entries;
  expect(result.entries.map((outcome) => outcome.index)).toEqual(posted.map((_, index) => index));
  expect(result.processed).toBe(posted.length);
  expect(result.inserted + result.updated + result.duplicates + result.failed + result.skipped.length).toBe(
    result.processed,
  );
  // DynamoDB Local is healthy here: an entry the schema accepted must be storable.
  expect(result.entries.filter((outcome) => outcome.status === 'failed')).toEqual([]);
  // Every id the batch hands out resolves, for this user, to the row of that very externalId.
  for (const outcome of result.entries) {
    if (!('id' in outcome)) continue;
    const row = await getRow(userId, outcome.id);
    expect(row.status).toBe(200);
    expect(row.body.data).toMatchObject({ id: outcome.id, externalId: posted[outcome.index]!.externalId });
  }
}

// ---------------------------------------------------------------------------------------------

describe('POST /api/measurements/batch with hostile input (API Gateway events, DynamoDB Local)', () => {
  it(
    'always answers 2xx/4xx in the envelope, in the order of checks; a refused request writes nothing; an accepted one stores exactly what it answers',
    async () => {
      const prototypes = prototypeSnapshot();
      await fc.assert(
        fc.asyncProperty(batchRequest, async (input) => {
          const user = freshUser();
          const requestId = nextRequestId();
          const event = hostileEvent({
            method: 'POST',
            routePath: '/api/measurements/batch',
            user,
            requestId,
            sub: input.sub,
            contentType: input.contentType,
            encoding: input.encoding,
            body: input.body,
            headers: { 'idempotency-key': input.idempotencyKey, 'x-request-id': input.requestIdHeader },
          });
          const answer = fromResult(await batchHandler(event, context));
          expect(expectedBatchStatus(event, input.sub, input.contentType)).toContain(answer.status);
          if (input.requestIdHeader) expect(answer.headers['x-request-id']).toBe(input.requestIdHeader);

          if (answer.status === 200) {
            writers.set(requestId, user);
            await expectAcceptedBatch(answer, event, user);
          } else {
            expect(await liveRowCount(user)).toBe(0);
            if (answer.status === 422 && answer.body.meta?.errorCode === 'measurement.batch.invalid') {
              const issues = answer.body.details.issues as Array<Record<string, unknown>>;
              expect(issues.length).toBeGreaterThan(0);
              for (const issue of issues) {
                expect(issue).toEqual({
                  path: expect.stringMatching(ISSUE_PATH),
                  code: expect.any(String),
                  message: expect.any(String),
                });
              }
            }
          }
          expectPrototypesUnchanged(prototypes);
        }),
        params(400),
      );
      expectCleanLogs();
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'bodies of a few MB up to and beyond the 4 MiB cap: 413 above it, otherwise decided by the schema, never a 5xx',
    async () => {
      const prototypes = prototypeSnapshot();
      const entry = (extra: string) =>
        `{"hkIdentifier":"HKQuantityTypeIdentifierStepCount","value":5300,"unit":"count",` +
        `"startDate":"2026-05-24T00:00:00+02:00","endDate":"2026-05-24T00:00:00+02:00",` +
        `"externalId":"stats:HKQuantityTypeIdentifierStepCount:2026-05-24"${extra}}`;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(
            200_000,
            2_000_000,
            batchLimits.maxBodyBytes - 400,
            batchLimits.maxBodyBytes + 1,
            5_000_000,
          ),
          fc.constantFrom('unit', 'externalId', 'unknownKey', 'entries'),
          fc.constantFrom('x', '\u00e9', '\ud83d\udc4d', '\\u0000', '\ud800'),
          async (size, where, unit) => {
            const repeat = Math.max(1, Math.floor(size / Buffer.byteLength(unit, 'utf8')));
            const huge = `"${unit.repeat(repeat)}"`;
            const body =
              where === 'entries'
                ? `{"entries":${huge}}`
                : where === 'unknownKey'
                  ? `{"entries":[${entry(`,"note":${huge}`)}]}`
                  : `{"entries":[${entry(`,"${where}":${huge}`)}]}`;
            const user = freshUser();
            const requestId = nextRequestId();
            const event = hostileEvent({
              method: 'POST',
              routePath: '/api/measurements/batch',
              user,
              requestId,
              sub: 'fresh',
              contentType: 'application/json',
              encoding: 'text',
              body,
            });
            const answer = fromResult(await batchHandler(event, context));
            expect(expectedBatchStatus(event, 'fresh', 'application/json')).toContain(answer.status);
            expect(answer.rawBody.length).toBeLessThan(10_000); // the answer never echoes the huge value
            if (answer.status === 200) writers.set(requestId, user);
            else expect(await liveRowCount(user)).toBe(0);
            expectPrototypesUnchanged(prototypes);
          },
        ),
        params(12),
      );
      expectCleanLogs();
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'nesting up to 100 000 levels anywhere in the body (arrays, objects, __proto__ chains): a 4xx, no stack overflow',
    async () => {
      const prototypes = prototypeSnapshot();
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1_000, max: 100_000 }),
          fc.constantFrom('[', '{"__proto__":', '{"constructor":', '{"entries":'),
          fc.constantFrom('top', 'entries', 'entry', 'value'),
          async (depth, open, where) => {
            const close = open === '[' ? ']' : '}';
            const deep = `${open.repeat(depth)}0${close.repeat(depth)}`;
            const body =
              where === 'top'
                ? deep
                : where === 'entries'
                  ? `{"entries":${deep}}`
                  : where === 'entry'
                    ? `{"entries":[${deep}]}`
                    : `{"entries":[{"value":${deep},"__proto__":${deep}}]}`;
            const user = freshUser();
            const event = hostileEvent({
              method: 'POST',
              routePath: '/api/measurements/batch',
              user,
              requestId: nextRequestId(),
              sub: 'fresh',
              contentType: 'application/json',
              encoding: 'text',
              body,
            });
            const answer = fromResult(await batchHandler(event, context));
            expect([400, 422]).toContain(answer.status);
            expect(await liveRowCount(user)).toBe(0);
            expectPrototypesUnchanged(prototypes);
          },
        ),
        params(16),
      );
      expectCleanLogs();
    },
    PROPERTY_TIMEOUT_MS,
  );
});

// ---------------------------------------------------------------------------------------------
// The row API. Each run gets a fresh user with three rows of its own; a victim user's rows exist
// throughout, and the hostile user may name them (ids, externalIds) but never see or touch them.

const OWN_EXTERNAL_IDS = [
  'stats:HKQuantityTypeIdentifierStepCount:2026-05-24',
  'own-sample#1',
  'own-\u05d0-\ud83d\udc4d',
];
const VICTIM_EXTERNAL_IDS = [
  'stats:HKQuantityTypeIdentifierStepCount:2026-05-23',
  'victim-sample#1',
  'victim-\u202e',
];
const VICTIM = `victim-${Date.now()}`;

function seedEntries(externalIds: readonly string[]): Record<string, unknown>[] {
  return externalIds.map((externalId, i) => ({
    hkIdentifier: i === 0 ? 'HKQuantityTypeIdentifierStepCount' : 'HKQuantityTypeIdentifierHeartRate',
    value: i === 0 ? 5300 : 60 + i,
    unit: i === 0 ? 'count' : 'count/min',
    startDate: `2026-05-2${i}T08:00:00Z`,
    endDate: `2026-05-2${i}T08:00:00Z`,
    externalId,
  }));
}

const rowIdOf = (externalIds: readonly string[], index: number) =>
  measurementId(
    index % externalIds.length === 0 ? 'ACTIVITY_STEPS' : 'PULSE',
    externalIds[index % externalIds.length]!,
  );

async function seed(
  userId: string,
  externalIds: readonly string[],
): Promise<Array<Record<string, unknown> | undefined>> {
  const requestId = nextRequestId();
  const event = hostileEvent({
    method: 'POST',
    routePath: '/api/measurements/batch',
    user: userId,
    requestId,
    sub: 'fresh',
    contentType: 'application/json',
    encoding: 'text',
    body: JSON.stringify({ entries: seedEntries(externalIds) }),
  });
  const answer = fromResult(await batchHandler(event, context));
  expect(answer.body.data).toMatchObject({ inserted: externalIds.length });
  writers.set(requestId, userId);
  return rowsOf(userId, externalIds);
}

/** The user's seeded items, by key, strongly consistent (deleted or not). */
async function rowsOf(userId: string, externalIds: readonly string[]) {
  return Promise.all(
    externalIds.map((externalId, i) => table.item(userId, i === 0 ? 'ACTIVITY_STEPS' : 'PULSE', externalId)),
  );
}

function resolveId(source: IdSource): string {
  switch (source.kind) {
    case 'own':
      return rowIdOf(OWN_EXTERNAL_IDS, source.index);
    case 'foreign':
      return rowIdOf(VICTIM_EXTERNAL_IDS, source.index);
    case 'literal':
      return source.id;
  }
}

function resolvePlaceholders(body: string): string {
  return body
    .replace(/"own:(\d)"/g, (_, i: string) =>
      JSON.stringify(OWN_EXTERNAL_IDS[Number(i) % OWN_EXTERNAL_IDS.length]),
    )
    .replace(/"foreign:(\d)"/g, (_, i: string) =>
      JSON.stringify(VICTIM_EXTERNAL_IDS[Number(i) % VICTIM_EXTERNAL_IDS.length]),
    );
}

const measurementsApiRouteKeys = routeKeysOf('measurementsApi');

const apiRequest = fc.record({
  route: fc.constantFrom(
    ...measurementsApiRouteKeys,
    ...measurementsApiRouteKeys.filter((route) => route.includes('{id}')),
    'POST /api/measurements/{id}',
    'GET /api/unknown',
  ),
  id: pathId,
  query: queryParameters,
  editBody: editBodyText,
  deleteBody: deleteBodyText,
  contentType,
  encoding: bodyEncoding,
  sub: subKind,
  requestIdHeader: fc.option(hostileString(20), { nil: undefined }),
});

describe('the row API with hostile input (API Gateway events, DynamoDB Local)', () => {
  let victimRows: Array<Record<string, unknown> | undefined>;

  beforeAll(async () => {
    const quiet = captureLogs();
    victimRows = await seed(VICTIM, VICTIM_EXTERNAL_IDS).finally(() => quiet.restore());
  });

  it(
    "always answers 2xx/4xx in the envelope with no-store; a refused request changes nothing; another user's rows are never seen or touched",
    async () => {
      const prototypes = prototypeSnapshot();
      await fc.assert(
        fc.asyncProperty(apiRequest, async (input) => {
          const user = freshUser();
          const own = await seed(user, OWN_EXTERNAL_IDS);
          const [method, routePath] = input.route.split(' ') as [string, string];
          const id = resolveId(input.id);
          const hasBody =
            method === 'PUT' ||
            method === 'PATCH' ||
            method === 'POST' ||
            routePath.endsWith('by-external-ids');
          const body = routePath.endsWith('by-external-ids')
            ? resolvePlaceholders(input.deleteBody)
            : hasBody
              ? input.editBody
              : undefined;
          const requestId = nextRequestId();
          const event = hostileEvent({
            method,
            routePath,
            rawPath: routePath.replace('{id}', Buffer.from(id, 'utf8').toString('base64url')),
            pathParameters: routePath.includes('{id}') ? { id } : undefined,
            query: routePath === '/api/measurements' ? input.query : undefined,
            sub: input.sub,
            user,
            requestId,
            contentType: hasBody ? input.contentType : undefined,
            encoding: input.encoding,
            body,
            headers: { 'x-request-id': input.requestIdHeader },
          });
          const answer = fromResult(await apiHandler(event));
          expect(answer.headers['cache-control']).toBe('private, no-store');
          if (input.requestIdHeader) expect(answer.headers['x-request-id']).toBe(input.requestIdHeader);

          if (input.sub !== 'fresh') {
            expect(answer.status).toBe(401);
          } else if (!(measurementsApiRouteKeys as readonly string[]).includes(input.route)) {
            expect(answer.rawBody).toBe('{"data":null,"error":"Not found"}');
          } else if (answer.status === 404) {
            expect(answer.rawBody).toBe(NOT_FOUND_BODY);
          }
          // Another user's row answers exactly like a missing one.
          if (
            input.sub === 'fresh' &&
            input.id.kind === 'foreign' &&
            routePath.includes('{id}') &&
            (method === 'GET' || method === 'DELETE')
          ) {
            expect(answer.rawBody).toBe(NOT_FOUND_BODY);
          }
          if (answer.status === 200 && input.route === 'GET /api/measurements') {
            const page = measurementPageSchema.parse(answer.body.data);
            // Only the caller's own rows: stored ones by externalId, synthetic ones (day totals,
            // nights) summarise only the caller's rows by construction.
            for (const row of page.measurements) {
              if ('externalId' in row) expect(OWN_EXTERNAL_IDS).toContain(row.externalId);
            }
          }
          if (answer.status === 200 && input.route === 'GET /api/measurements/{id}') {
            expect(OWN_EXTERNAL_IDS).toContain(measurementRowSchema.parse(answer.body.data).externalId);
          }
          if (answer.status === 200 && input.route === 'DELETE /api/measurements/by-external-ids') {
            expect(answer.body.data.deletedCount).toBeLessThanOrEqual(OWN_EXTERNAL_IDS.length);
          }

          if (answer.status >= 200 && answer.status < 300) writers.set(requestId, user);
          else expect(await rowsOf(user, OWN_EXTERNAL_IDS)).toEqual(own);
          expect(await rowsOf(VICTIM, VICTIM_EXTERNAL_IDS)).toEqual(victimRows);
          expectPrototypesUnchanged(prototypes);
        }),
        params(250),
      );
      expectCleanLogs();
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "edits of the caller's own rows with hostile values: 2xx/4xx, a refused edit changes nothing, an accepted one stores the row it answers",
    async () => {
      const prototypes = prototypeSnapshot();
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('PUT', 'PATCH'),
          fc.constantFrom(0, 0, 1, 2), // the day's steps (range from 0) twice as often as the pulse samples
          editBodyText,
          fc.constantFrom('application/json', 'application/json', 'application/json', 'text/plain'),
          async (method, index, body, type) => {
            const user = freshUser();
            const own = await seed(user, OWN_EXTERNAL_IDS);
            const id = rowIdOf(OWN_EXTERNAL_IDS, index);
            const requestId = nextRequestId();
            const event = hostileEvent({
              method,
              routePath: '/api/measurements/{id}',
              pathParameters: { id },
              sub: 'fresh',
              user,
              requestId,
              contentType: type,
              encoding: 'text',
              body,
            });
            const answer = fromResult(await apiHandler(event));
            if (answer.status === 200) {
              writers.set(requestId, user);
              const edited = measurementRowSchema.parse(answer.body.data);
              expect((await getRow(user, id)).body.data).toEqual(edited);
            } else {
              expect([400, 413, 415, 422]).toContain(answer.status);
              expect(await rowsOf(user, OWN_EXTERNAL_IDS)).toEqual(own);
            }
            expectPrototypesUnchanged(prototypes);
          },
        ),
        params(100),
      );
      expectCleanLogs();
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'bodies nested up to 100 000 levels on every route with a body: no stack overflow, nothing changed',
    async () => {
      const prototypes = prototypeSnapshot();
      const user = freshUser();
      const own = await seed(user, OWN_EXTERNAL_IDS);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(
            'PUT /api/measurements/{id}',
            'PATCH /api/measurements/{id}',
            'DELETE /api/measurements/by-external-ids',
            'POST /api/measurements',
            'POST /api/measurements/bulk-delete',
          ),
          deepNesting,
          fc.integer({ min: 10_000, max: 100_000 }),
          fc.constantFrom('top', 'value', 'externalIds'),
          async (route, shallow, depth, where) => {
            const deep = where === 'top' ? shallow : `${'['.repeat(depth)}0${']'.repeat(depth)}`;
            const body =
              where === 'top' ? deep : where === 'value' ? `{"value":${deep}}` : `{"externalIds":${deep}}`;
            const [method, routePath] = route.split(' ') as [string, string];
            const id = rowIdOf(OWN_EXTERNAL_IDS, 1);
            const event = hostileEvent({
              method,
              routePath,
              pathParameters: routePath.includes('{id}') ? { id } : undefined,
              sub: 'fresh',
              user,
              requestId: nextRequestId(),
              contentType: 'application/json',
              encoding: 'text',
              body,
            });
            const answer = fromResult(await apiHandler(event));
            // A shallow object of unknown keys is an empty edit: 200 with the row unchanged.
            expect(
              [400, 413, 422].includes(answer.status) || (answer.status === 200 && method !== 'POST'),
            ).toBe(true);
            expect(await rowsOf(user, OWN_EXTERNAL_IDS)).toEqual(own);
            expectPrototypesUnchanged(prototypes);
          },
        ),
        params(12),
      );
      expectCleanLogs();
    },
    PROPERTY_TIMEOUT_MS,
  );
});

// ---------------------------------------------------------------------------------------------
// Real HTTP: the local API Gateway (local/server.ts) in-process, with the stack's routes, a real
// ES256 JWT check and the same handlers. Raw node:http requests, so paths, headers and bodies
// arrive exactly as sent (invalid UTF-8, malformed percent-escapes, odd methods).

describe('over real HTTP against the local server (local/server.ts)', () => {
  let server: Server;
  let port: number;
  let key: SigningKey;
  const serverErrors: string[] = [];

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    key = { kid: 'hostile-test', privateKey, publicKey };
    const recordWriter =
      (handle: (event: HttpEvent) => Promise<APIGatewayProxyStructuredResultV2>) =>
      async (event: HttpEvent) => {
        const result = await handle(event);
        const status = result.statusCode ?? 0;
        const sub = event.requestContext.authorizer?.jwt?.claims?.sub;
        if (status >= 200 && status < 300 && typeof sub === 'string')
          writers.set(event.requestContext.requestId, sub);
        return result;
      };
    const functions = new Map<string, LocalFunction>([
      [
        'ingestBatch',
        {
          name: 'ingestBatch',
          definition: serviceFunctions.ingestBatch,
          handler: (event) => recordWriter((e) => batchHandler(e, context))(event as HttpEvent),
        },
      ],
      [
        'measurementsApi',
        {
          name: 'measurementsApi',
          definition: serviceFunctions.measurementsApi,
          handler: (event) => recordWriter(apiHandler)(event as HttpEvent),
        },
      ],
    ]);
    server = createLocalServer({
      routes,
      functions,
      authorizer: jwtAuthorizer((authorization) => checkBearerToken(authorization, key)),
      log: (level, message, fields) => {
        if (level === 'ERROR')
          serverErrors.push(`${message}: ${String((fields?.error as Error)?.stack ?? '')}`);
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Percent-encodes the UTF-8 bytes of a string (lone surrogates become U+FFFD, as on the wire). */
  const percentEncode = (text: string) =>
    [...Buffer.from(text, 'utf8')]
      .map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`)
      .join('');

  const pathSegmentChar = fc.oneof(
    fc.constantFrom(..."abcXYZ019-._~!$&'()*+,;=:@".split('')),
    fc.constantFrom('%', '%zz', '%F0%9F', '%C0%AF', '%00', '%2F', '%23', '..'),
    fc.integer({ min: 0, max: 255 }).map((byte) => `%${byte.toString(16).padStart(2, '0')}`),
  );
  const latin1HeaderValue = fc.string({
    unit: fc
      .integer({ min: 0x20, max: 0xff })
      .filter((c) => c !== 0x7f)
      .map((c) => String.fromCharCode(c)),
    maxLength: 40,
  });

  const httpRequestInput = fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
    path: fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom(
          '/api/measurements/batch',
          '/api/measurements',
          '/api/measurements/by-external-ids',
        ),
      },
      { weight: 3, arbitrary: hostileString(30).map((id) => `/api/measurements/${percentEncode(id)}`) },
      {
        weight: 2,
        arbitrary: fc
          .array(fc.string({ unit: pathSegmentChar, maxLength: 6 }), { minLength: 1, maxLength: 5 })
          .map((segments) => `/${segments.join('/')}`),
      },
    ),
    // Cut below Node's 16 KiB header limit (beyond it Node itself answers 431, as API Gateway
    // answers its own error for an oversized request line): the cut may split a %-escape.
    query: fc.oneof(
      fc.constant(''),
      queryParameters.map((pairs) =>
        `?${new URLSearchParams(pairs.map(([k, v]): [string, string] => [k, v])).toString()}`.slice(0, 8000),
      ),
      fc.string({ unit: pathSegmentChar, maxLength: 10 }).map((q) => `?${q}`),
    ),
    auth: fc.constantFrom('valid', 'valid', 'valid', 'valid', 'valid', 'none', 'junk', 'tampered', 'basic'),
    junkAuth: latin1HeaderValue,
    contentType,
    requestIdHeader: fc.option(latin1HeaderValue, { nil: undefined }),
    body: fc.oneof(
      { weight: 4, arbitrary: batchBodyText.map((text) => Buffer.from(text, 'utf8')) },
      { weight: 2, arbitrary: junkBodyText.map((text) => Buffer.from(text, 'utf8')) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    ),
  });

  function send(options: {
    method: string;
    path: string;
    headers: Record<string, string>;
    body?: Buffer;
  }): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    // Node's client frames a GET/DELETE/OPTIONS body only when told its length.
    const headers = options.body
      ? { ...options.headers, 'content-length': String(options.body.length) }
      : options.headers;
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, method: options.method, path: options.path, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: Object.fromEntries(
                Object.entries(res.headers).map(([name, value]) => [name, String(value)]),
              ),
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.setTimeout(5000, () =>
        req.destroy(new Error(`no answer within 5 s: ${options.method} ${options.path}`)),
      );
      req.end(options.body);
    });
  }

  it(
    'any method, path, query, header and body: 2xx/4xx in the envelope, 401 without a valid token, nothing written unless accepted, the server stays up',
    async () => {
      const prototypes = prototypeSnapshot();
      await fc.assert(
        fc.asyncProperty(httpRequestInput, async (input) => {
          serverErrors.length = 0;
          const user = freshUser();
          const token = await signLocalToken(user, key);
          const authorization = {
            valid: `Bearer ${token}`,
            none: undefined,
            junk: input.junkAuth,
            tampered: `Bearer ${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`,
            basic: `Basic ${Buffer.from(`${user}:pw`).toString('base64')}`,
          }[input.auth];
          const headers: Record<string, string> = {};
          if (authorization !== undefined) headers.authorization = authorization;
          if (input.contentType !== undefined) headers['content-type'] = input.contentType;
          if (input.requestIdHeader !== undefined) headers['x-request-id'] = input.requestIdHeader;
          const answer = await send({
            method: input.method,
            path: `${input.path}${input.query}`,
            headers,
            body: input.method === 'HEAD' || input.method === 'GET' ? undefined : input.body,
          });

          expect(answer.status).toBeGreaterThanOrEqual(200);
          expect(answer.status).toBeLessThan(500);
          if (input.method !== 'HEAD') {
            const parsed = expectEnvelope(answer.status, answer.headers, answer.body);
            if (input.auth !== 'valid') expect([401, 404]).toContain(parsed.status);
          }
          if (answer.status >= 300) expect(await liveRowCount(user)).toBe(0);
          // An error the server logs just after answering (an aborted read, say) belongs to this run.
          await new Promise((resolve) => setTimeout(resolve, 10));
          expect(serverErrors).toEqual([]);
          expectPrototypesUnchanged(prototypes);
        }),
        params(200),
      );
      expectCleanLogs();
    },
    PROPERTY_TIMEOUT_MS,
  );
});

// ---------------------------------------------------------------------------------------------

describe('after every property above', () => {
  it('every stored item was written by a request that was answered 2xx, as the user that request ran as', async () => {
    const items = await table.items();
    expect(items.length).toBeGreaterThan(0);
    // A reading marker belongs to the hand-entered row it names.
    const rows = items.filter((item) => item.kind !== 'reading-marker');
    const rowKeys = new Set(rows.map((item) => item.pk));
    expect(items.filter((item) => item.kind === 'reading-marker' && !rowKeys.has(item.row))).toEqual([]);
    const strays = rows.filter((item) => writers.get(String(item.requestId)) !== item.userId);
    expect(strays).toEqual([]);
    // The victim never sent a request after its seed, so its rows are exactly as seeded.
    expect(await storedRowsOf(VICTIM)).toHaveLength(VICTIM_EXTERNAL_IDS.length);
  });
});
