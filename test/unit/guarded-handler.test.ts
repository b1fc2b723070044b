import type { Context } from 'aws-lambda';
import { ingestRequestEvents, rowApiRequestEvents } from '../../definitions/log-events';
import { createLogger, type ServiceLogger } from '../../functions/commons/logger';
import { success } from '../../functions/http/envelope';
import {
  createGuardedHandler,
  type GuardedHandlerOptions,
  type GuardedRequest,
  type GuardedRoute,
  type RouteAnswer,
} from '../../functions/http-pipeline/guarded-handler';
import type { IngestBatchHandlerDependencies } from '../../functions/ingest-batch/create-ingest-batch-handler';
import type { MeasurementsApiHandlerDependencies } from '../../functions/measurements-api/create-measurements-api-handler';
import type { IdempotentOutcome } from '../../functions/request-guards/idempotent-request';
import { noGuards } from '../../functions/request-guards/request-guards';
import { toHttpApiEvent } from '../../local/http-api-event';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';

/**
 * The one request pipeline of the HTTP functions (functions/http-pipeline/guarded-handler.ts):
 * its order, its answers, and the keys and Lambda context on every line of a request. The
 * functions' own integration tests hold the answers on the wire; these hold what the pipeline
 * alone decides.
 */
const BATCH = 'POST /api/measurements/batch';

let logs: CapturedLogs;
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

function post(userId: string | null, requestId: string, headers: Record<string, string> = {}) {
  return toHttpApiEvent({
    method: 'POST',
    rawPath: '/api/measurements/batch',
    routePath: '/api/measurements/batch',
    headers: { 'content-type': 'application/json', 'x-request-id': `echo-${requestId}`, ...headers },
    body: '{"entries":[]}',
    claims: userId === null ? {} : { sub: userId },
    requestId,
  });
}

function lambdaContext(awsRequestId: string): Context {
  return {
    awsRequestId,
    functionName: 'measurement-ingest',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-central-1:000000000000:function:measurement-ingest',
    memoryLimitInMB: '512',
    getRemainingTimeInMillis: () => 20_000,
  } as Context;
}

/** The batch function's pipeline around `route`; guards default to none. */
function batchPipeline(
  route: GuardedRoute,
  options: Partial<GuardedHandlerOptions<'ingestBatch'>> & { logger?: ServiceLogger } = {},
) {
  return createGuardedHandler({
    function: 'ingestBatch',
    routes: { [BATCH]: route },
    idempotency: noGuards.idempotency,
    logger: createLogger('measurement-ingest'),
    events: ingestRequestEvents,
    ...options,
  });
}

const answered = (request: GuardedRequest): RouteAnswer => ({
  response: success({ userId: request.userId }, request.headers),
  log: { processed: 0 },
});

function deferred() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return { gate, release };
}

describe('per-request log keys are set once and never leak between requests', () => {
  it('two interleaved requests of one process each log their own userId and requestId', async () => {
    const gates = new Map([
      ['req-a', deferred()],
      ['req-b', deferred()],
    ]);
    const handler = batchPipeline({
      handle: async (request) => {
        request.log.info('test.route.started');
        await gates.get(request.requestId)!.gate;
        request.log.info('test.route.finishing');
        return answered(request);
      },
    });

    // a starts, b starts, b ends, then a ends: the local runtime serves requests like this.
    const a = handler(post('user-a', 'req-a'), lambdaContext('lambda-a'));
    const b = handler(post('user-b', 'req-b'), lambdaContext('lambda-b'));
    await new Promise((resolve) => setImmediate(resolve));
    gates.get('req-b')!.release();
    await b;
    gates.get('req-a')!.release();
    await a;

    const requestLines = logs.lines.filter((line) => typeof line.requestId === 'string');
    expect(requestLines).toHaveLength(6);
    for (const line of requestLines) {
      const self = line.requestId === 'req-a' ? 'a' : 'b';
      expect(line).toEqual(
        expect.objectContaining({ userId: `user-${self}`, function_request_id: `lambda-${self}` }),
      );
    }
    expect(logs.events(ingestRequestEvents.answered).map((line) => line.requestId)).toEqual([
      'req-b',
      'req-a',
    ]);
  });

  it("the function's own logger keeps no request's keys", async () => {
    const logger = createLogger('measurement-ingest');
    await batchPipeline({ handle: async (request) => answered(request) }, { logger })(
      post('user-a', 'req-a'),
      lambdaContext('lambda-a'),
    );
    logger.info('test.after.request');
    const [after] = logs.events('test.after.request');
    expect(after).not.toHaveProperty('userId');
    expect(after).not.toHaveProperty('requestId');
    expect(after).not.toHaveProperty('function_request_id');
  });

  it('the request line carries route, requestId, userId, timeZone, status and durationMs, and the route its own fields', async () => {
    await batchPipeline({ handle: async (request) => answered(request) })(
      post('user-a', 'req-a'),
      lambdaContext('lambda-a'),
    );
    expect(logs.events(ingestRequestEvents.answered)).toEqual([
      expect.objectContaining({
        level: 'INFO',
        route: BATCH,
        requestId: 'req-a',
        userId: 'user-a',
        timeZone: 'Europe/Berlin',
        status: 200,
        processed: 0,
        durationMs: expect.any(Number),
      }),
    ]);
  });
});

describe('every line of a request carries the Lambda context', () => {
  const initialization = process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  beforeEach(() => (process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand'));
  afterEach(() => {
    if (initialization === undefined) delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    else process.env.AWS_LAMBDA_INITIALIZATION_TYPE = initialization;
  });

  it("function_request_id and the function's name on every line; cold_start only on the environment's first invocation", async () => {
    // Created the way a handler module creates it: once per execution environment.
    const logger = createLogger('measurement-ingest');
    const handler = batchPipeline(
      {
        handle: async (request) => {
          request.log.info('test.route.line');
          return answered(request);
        },
      },
      { logger },
    );
    await handler(post('user-a', 'req-1'), lambdaContext('lambda-1'));
    await handler(post('user-a', 'req-2'), lambdaContext('lambda-2'));

    const lines = logs.lines.filter((line) => typeof line.requestId === 'string');
    expect(lines.map((line) => [line.message, line.function_request_id, line.cold_start])).toEqual([
      ['test.route.line', 'lambda-1', true],
      [ingestRequestEvents.answered, 'lambda-1', true],
      ['test.route.line', 'lambda-2', false],
      [ingestRequestEvents.answered, 'lambda-2', false],
    ]);
    for (const line of lines) {
      expect(line).toEqual(
        expect.objectContaining({ function_name: 'measurement-ingest', function_memory_size: '512' }),
      );
    }
  });
});

describe('the order of the checks', () => {
  it('a caller without a credential is 401 before any limit is counted or any line names a user', async () => {
    const admit = jest.fn();
    const handle = jest.fn();
    const answer = await batchPipeline({
      handle,
      limit: {
        limiter: { admit },
        refusal: { error: 'Too many', errorCode: 'x.limited', exposeErrorCode: false },
      },
    })(post(null, 'req-a'));
    expect(answer.statusCode).toBe(401);
    expect(admit).not.toHaveBeenCalled();
    expect(handle).not.toHaveBeenCalled();
    expect(logs.lines).toEqual([]);
  });

  it("a limit's refusal is 429 with its headers, the route never runs, and the request line names the refusal", async () => {
    const handle = jest.fn();
    const headers = { 'Retry-After': '20', 'X-RateLimit-Remaining': '0' };
    const answer = await batchPipeline({
      handle,
      limit: {
        limiter: { admit: async () => ({ allowed: false, headers }) },
        refusal: { error: 'Too many', errorCode: 'x.limited', exposeErrorCode: true },
      },
    })(post('user-a', 'req-a'));
    expect(answer).toEqual({
      statusCode: 429,
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'x-request-id': 'echo-req-a',
        ...headers,
      },
      body: '{"data":null,"error":"Too many","meta":{"errorCode":"x.limited"}}',
    });
    expect(handle).not.toHaveBeenCalled();
    expect(logs.events(ingestRequestEvents.refused)).toEqual([
      expect.objectContaining({ userId: 'user-a', requestId: 'req-a', status: 429, errorCode: 'x.limited' }),
    ]);
  });

  it('the limit is counted before Idempotency-Key is read: a replay still counts', async () => {
    const order: string[] = [];
    await batchPipeline(
      {
        handle: async (request) => answered(request),
        limit: {
          limiter: { admit: async () => (order.push('limit'), { allowed: true, headers: {} }) },
          refusal: { error: 'Too many', errorCode: 'x.limited', exposeErrorCode: false },
        },
        fingerprint: () => 'same',
      },
      {
        idempotency: {
          run: async (): Promise<IdempotentOutcome> => (order.push('idempotency'), { kind: 'in_progress' }),
        },
      },
    )(post('user-a', 'req-a', { 'idempotency-key': 'key-00000001' }));
    expect(order).toEqual(['limit', 'idempotency']);
  });

  it('a route that does not honour Idempotency-Key never reaches the guard', async () => {
    const run = jest.fn();
    const answer = await batchPipeline(
      { handle: async (request) => answered(request) },
      { idempotency: { run } },
    )(post('user-a', 'req-a', { 'idempotency-key': 'key-00000001' }));
    expect(answer.statusCode).toBe(200);
    expect(run).not.toHaveBeenCalled();
  });

  it('a replay answers the kept answer with the retry\'s own headers and logs the "replayed" event', async () => {
    const kept = { statusCode: 200, headers: { 'x-request-id': 'echo-first' }, body: '{"kept":true}' };
    const answer = await batchPipeline(
      { handle: jest.fn(), fingerprint: () => 'same' },
      {
        idempotency: { run: async (): Promise<IdempotentOutcome> => ({ kind: 'replayed', response: kept }) },
        answerHeaders: { 'Cache-Control': 'private, no-store' },
      },
    )(post('user-a', 'req-2', { 'idempotency-key': 'key-00000001' }));
    expect(answer.headers).toEqual({
      'x-request-id': 'echo-req-2',
      'Cache-Control': 'private, no-store',
      'X-Idempotent-Replay': 'true',
    });
    expect(answer.body).toBe(kept.body);
    expect(logs.events(ingestRequestEvents.replayed)).toEqual([
      expect.objectContaining({ requestId: 'req-2', status: 200, replayed: true }),
    ]);
  });

  it('the same key still being answered is 409 with X-Idempotent-Replay: false', async () => {
    const answer = await batchPipeline(
      { handle: jest.fn(), fingerprint: () => 'same' },
      { idempotency: { run: async (): Promise<IdempotentOutcome> => ({ kind: 'in_progress' }) } },
    )(post('user-a', 'req-a', { 'idempotency-key': 'key-00000001' }));
    expect(answer.statusCode).toBe(409);
    expect(answer.headers).toEqual(expect.objectContaining({ 'X-Idempotent-Replay': 'false' }));
    expect(logs.events(ingestRequestEvents.refused)).toEqual([
      expect.objectContaining({ status: 409, errorCode: ingestRequestEvents.inProgressErrorCode }),
    ]);
  });

  it('a route that throws is 500 `Internal server error` and one ERROR line with the request keys', async () => {
    const answer = await batchPipeline(
      {
        handle: async () => {
          throw new Error('boom');
        },
      },
      { events: rowApiRequestEvents },
    )(post('user-a', 'req-a'), lambdaContext('lambda-a'));
    expect(answer).toEqual({
      statusCode: 500,
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'x-request-id': 'echo-req-a' },
      body: '{"data":null,"error":"Internal server error"}',
    });
    expect(logs.events(rowApiRequestEvents.failed)).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        requestId: 'req-a',
        userId: 'user-a',
        function_request_id: 'lambda-a',
      }),
    ]);
  });

  it('a route the function does not serve is 404 `Not found`', async () => {
    const event = { ...post('user-a', 'req-a'), routeKey: 'GET /api/elsewhere' };
    const answer = await batchPipeline({ handle: jest.fn() })(event);
    expect(answer.statusCode).toBe(404);
    expect(answer.body).toBe('{"data":null,"error":"Not found"}');
  });
});

describe('what does not compile', () => {
  it('a function without a handler for one of its routes, or with one for a route it does not serve', () => {
    const route: GuardedRoute = { handle: async (request) => answered(request) };
    const options = {
      idempotency: noGuards.idempotency,
      logger: createLogger('x'),
      events: rowApiRequestEvents,
    };
    createGuardedHandler({
      ...options,
      function: 'measurementsApi',
      // @ts-expect-error the row API's routes lack a handler for all but one
      routes: { 'GET /api/measurements': route },
    });
    createGuardedHandler({
      ...options,
      function: 'ingestBatch',
      // @ts-expect-error the batch function serves no such route
      routes: { [BATCH]: route, 'GET /api/measurements': route },
    });
    expect(true).toBe(true);
  });

  it('a production handler without guards (tests say `noGuards`)', () => {
    type Without<T> = Omit<T, 'guards'>;
    // @ts-expect-error guards are mandatory
    const ingest: IngestBatchHandlerDependencies = {} as Without<IngestBatchHandlerDependencies>;
    // @ts-expect-error guards are mandatory
    const rows: MeasurementsApiHandlerDependencies = {} as Without<MeasurementsApiHandlerDependencies>;
    expect([ingest, rows]).toHaveLength(2);
  });
});
