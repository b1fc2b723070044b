import type { AddressInfo } from 'node:net';
import { request as httpRequest, type Server } from 'node:http';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { lambdaPayloadLimits } from '../../definitions/answer-limits';
import { ingestEvents } from '../../definitions/log-events';
import {
  routes,
  serviceFunctions,
  type FunctionDefinition,
  type RouteDefinition,
} from '../../definitions/service-functions';
import { createLogger } from '../../functions/commons/logger';
import { createIngestBatchHandler } from '../../functions/ingest-batch/create-ingest-batch-handler';
import type { MeasurementWriter } from '../../functions/measurements/batch/measurement-writer';
import { noGuards } from '../../functions/request-guards/request-guards';
import type { LocalFunction } from '../../local/lambda-context';
import type { BearerCheck } from '../../local/local-auth';
import { jwtAuthorizer } from '../../local/local-authorizer';
import { createLocalServer } from '../../local/server';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';

/**
 * The local API Gateway with stand-in functions: what reaches a handler, what comes back, and
 * what never reaches a handler at all. (The real handlers over HTTP: local-runtime.test.ts.)
 */
const definition: FunctionDefinition = {
  id: 'EchoFunction',
  entry: 'n/a',
  description: 'test',
  memorySize: 128,
  timeoutSeconds: 1,
  serviceName: 'echo',
  settings: {},
};

const ROUTES = [
  { method: 'POST', path: '/things', function: 'echo' },
  { method: 'GET', path: '/things/{id}', function: 'echo' },
  { method: 'GET', path: '/boom', function: 'boom' },
  { method: 'GET', path: '/slow', function: 'slow' },
  { method: 'GET', path: '/binary', function: 'binary' },
  { method: 'GET', path: '/plain', function: 'plain' },
  { method: 'GET', path: '/sized/{bytes}', function: 'sized' },
  { method: 'GET', path: '/unloaded', function: 'missing' },
] as unknown as RouteDefinition[];

const calls: { event: APIGatewayProxyEventV2WithJWTAuthorizer; context: Context }[] = [];
const fn = (name: string, handler: LocalFunction['handler']): [string, LocalFunction] => [
  name,
  { name, definition, handler },
];
const functions = new Map<string, LocalFunction>([
  fn('echo', (event, context) => {
    calls.push({ event: event as APIGatewayProxyEventV2WithJWTAuthorizer, context });
    return {
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', 'X-Remaining': context.getRemainingTimeInMillis() },
      body: JSON.stringify({ data: 'ok', error: null }),
    };
  }),
  fn('boom', () => {
    throw new Error('handler bug');
  }),
  fn('slow', () => new Promise(() => undefined)),
  fn('binary', () => ({
    statusCode: 200,
    headers: { 'content-type': 'application/octet-stream' },
    body: Buffer.from([0xff, 0x00, 0x01]).toString('base64'),
    isBase64Encoded: true,
  })),
  fn('plain', () => ({ answer: 42 })),
  // A result whose JSON is exactly the asked number of bytes.
  fn('sized', (event) => {
    const bytes = Number((event as APIGatewayProxyEventV2WithJWTAuthorizer).pathParameters!.bytes);
    const result = { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: '' };
    return { ...result, body: 'x'.repeat(bytes - Buffer.byteLength(JSON.stringify(result))) };
  }),
]);

const checkBearer = async (authorization: string | undefined): Promise<BearerCheck> =>
  authorization === 'Bearer good'
    ? { ok: true, claims: { sub: 'user-a', exp: '2000000000' } }
    : { ok: false };

const logged: { message: string; error?: Error }[] = [];
const loggedErrors = () => logged.map((line) => line.error?.message);
let server: Server;
let base: string;

beforeAll(async () => {
  server = createLocalServer({
    routes: ROUTES,
    functions,
    authorizer: jwtAuthorizer(checkBearer),
    log: (_level, message, fields) => logged.push({ message, error: fields?.error as Error | undefined }),
    maxBodyBytes: 1024,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => (calls.length = 0));

const auth = { authorization: 'Bearer good' };

/** A GET with exactly these header lines (fetch would merge repeated ones before sending). */
function rawGet(path: string, headerLines: [string, string][]): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}${path}`, { method: 'GET' }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
    });
    const byName = new Map<string, string[]>();
    for (const [name, value] of headerLines) byName.set(name, [...(byName.get(name) ?? []), value]);
    for (const [name, values] of byName) request.setHeader(name, values.length === 1 ? values[0]! : values);
    request.once('error', reject);
    request.end();
  });
}

describe('requests are refused before any handler runs', () => {
  it('without a token: 401 in the envelope', async () => {
    const answer = await fetch(`${base}/things`, { method: 'POST', body: '{}' });
    expect(answer.status).toBe(401);
    expect(await answer.json()).toEqual({ data: null, error: 'Not authenticated' });
    expect(calls).toHaveLength(0);
  });

  it('with a token the authorizer rejects: 401', async () => {
    const answer = await fetch(`${base}/things/1`, { headers: { authorization: 'Bearer bad' } });
    expect(answer.status).toBe(401);
    expect(calls).toHaveLength(0);
  });

  it('an unknown route, a known path with another method, or a route whose function is not loaded: 404', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['DELETE', '/things/1'],
      ['GET', '/unloaded'],
    ]) {
      const answer = await fetch(`${base}${path}`, { method, headers: auth });
      expect(answer.status).toBe(404);
      expect(await answer.json()).toEqual({ data: null, error: 'Not found' });
    }
    expect(calls).toHaveLength(0);
  });

  it('a body over the payload limit: 413', async () => {
    const answer = await fetch(`${base}/things`, { method: 'POST', headers: auth, body: 'x'.repeat(1025) });
    expect(answer.status).toBe(413);
    expect(await answer.json()).toEqual({ data: null, error: 'Request body exceeds 1024 bytes' });
    expect(calls).toHaveLength(0);
  });
});

describe('a routed request reaches the handler as an HTTP API payload 2.0 event', () => {
  it('with route key, path parameters, query, headers, the authorizer claims and a fresh request id', async () => {
    await fetch(`${base}/things/a%20b?x=1&y=2`, { headers: { ...auth, 'X-Request-Id': 'r-1' } });
    const event = calls[0]!.event;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /things/{id}',
      rawPath: '/things/a%20b',
      rawQueryString: 'x=1&y=2',
      queryStringParameters: { x: '1', y: '2' },
      pathParameters: { id: 'a b' },
      isBase64Encoded: false,
    });
    expect(event.headers['x-request-id']).toBe('r-1');
    expect(event.requestContext.authorizer.jwt.claims).toEqual({ sub: 'user-a', exp: '2000000000' });
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    await fetch(`${base}/things/a`, { headers: auth });
    expect(calls[1]!.event.requestContext.requestId).not.toBe(event.requestContext.requestId);
  });

  it('repeated query parameters and headers arrive comma-joined, Authorization and Content-Type too, as API Gateway joins them', async () => {
    const status = await rawGet('/things/a?limit=7&limit=50&x=1', [
      ['Authorization', 'Bearer good'],
      ['X-Thing', 'a'],
      ['X-Thing', 'b'],
      ['Content-Type', 'text/plain'],
      ['Content-Type', 'application/json'],
    ]);
    expect(status).toBe(201);
    expect(calls[0]!.event.queryStringParameters).toEqual({ limit: '7,50', x: '1' });
    expect(calls[0]!.event.headers).toMatchObject({
      'x-thing': 'a,b',
      'content-type': 'text/plain,application/json',
    });
    // A good token followed by another is one header value "Bearer good,Bearer junk": refused.
    expect(
      await rawGet('/things/a', [
        ['Authorization', 'Bearer good'],
        ['Authorization', 'Bearer junk'],
      ]),
    ).toBe(401);
    expect(calls).toHaveLength(1);
  });

  it('a text body arrives as text, a binary body base64-encoded', async () => {
    await fetch(`${base}/things`, { method: 'POST', headers: auth, body: '{"a":"ü"}' });
    expect(calls[0]!.event).toMatchObject({ body: '{"a":"ü"}', isBase64Encoded: false });
    await fetch(`${base}/things`, { method: 'POST', headers: auth, body: new Uint8Array([0xff, 0xfe]) });
    expect(calls[1]!.event).toMatchObject({ body: '//4=', isBase64Encoded: true });
  });

  it('the context carries the function name and a deadline from its timeout', async () => {
    const answer = await fetch(`${base}/things`, { method: 'POST', headers: auth, body: '{}' });
    const { context } = calls[0]!;
    expect(context.functionName).toBe('EchoFunction');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    const remaining = Number(answer.headers.get('x-remaining'));
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(1000);
  });
});

describe("the handler's result is written back", () => {
  it('status, headers and body of a structured result', async () => {
    const answer = await fetch(`${base}/things`, { method: 'POST', headers: auth, body: '{}' });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(await answer.json()).toEqual({ data: 'ok', error: null });
  });

  it('a base64-encoded body is decoded', async () => {
    const answer = await fetch(`${base}/binary`, { headers: auth });
    expect(Buffer.from(await answer.arrayBuffer())).toEqual(Buffer.from([0xff, 0x00, 0x01]));
  });

  it('any other value becomes a 200 JSON answer, as API Gateway infers it', async () => {
    const answer = await fetch(`${base}/plain`, { headers: auth });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ answer: 42 });
  });

  it('a handler that throws answers 500 in the envelope and is logged', async () => {
    const answer = await fetch(`${base}/boom`, { headers: auth });
    expect(answer.status).toBe(500);
    expect(await answer.json()).toEqual({ data: null, error: 'Internal server error' });
    expect(loggedErrors()).toContain('handler bug');
  });

  it('a result over Lambda’s response limit (its JSON, 6,291,556 bytes) is API Gateway’s 500 for a failed function', async () => {
    const limit = lambdaPayloadLimits.responseBytes;
    const atLimit = await fetch(`${base}/sized/${limit}`, { headers: auth });
    expect(atLimit.status).toBe(200);
    expect((await atLimit.arrayBuffer()).byteLength).toBeGreaterThan(limit - 100);

    const over = await fetch(`${base}/sized/${limit + 1}`, { headers: auth });
    expect(over.status).toBe(500);
    expect(await over.json()).toEqual({ message: 'Internal Server Error' });
    expect(logged.map((line) => line.message)).toContain('local-runtime.response.payload-too-large');
  });

  it('a handler that outlives its timeout answers 500', async () => {
    const answer = await fetch(`${base}/slow`, { headers: auth });
    expect(answer.status).toBe(500);
    expect(loggedErrors()).toContain('Task timed out after 1 seconds (EchoFunction)');
  });
});

describe('an event over Lambda’s request limit never reaches the function', () => {
  let fullSizeServer: Server;
  let fullSizeBase: string;
  beforeAll(async () => {
    // API Gateway's own 10 MB body limit, as `npm start` runs it.
    fullSizeServer = createLocalServer({
      routes: ROUTES,
      functions,
      authorizer: jwtAuthorizer(checkBearer),
      log: (_level, message) => logged.push({ message }),
    });
    await new Promise<void>((resolve) => fullSizeServer.listen(0, '127.0.0.1', resolve));
    fullSizeBase = `http://127.0.0.1:${(fullSizeServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((resolve) => fullSizeServer.close(() => resolve())));

  const post = (body: string) =>
    fetch(`${fullSizeBase}/things`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body,
    });

  it('a body of 6 MB under API Gateway’s 10 MB: 413 as API Gateway answers it, the function not invoked', async () => {
    const answer = await post('x'.repeat(lambdaPayloadLimits.requestBytes));
    expect(answer.status).toBe(413);
    expect(await answer.json()).toEqual({ message: 'Request Entity Too Large' });
    expect(calls).toHaveLength(0);
    expect(logged.map((line) => line.message)).toContain('local-runtime.request.payload-too-large');
  });

  it('the event is what counts: 4 MiB of backslashes escape to 8 MiB in it', async () => {
    const answer = await post(`"${'\\\\'.repeat(2 * 1024 * 1024)}"`);
    expect(answer.status).toBe(413);
    expect(calls).toHaveLength(0);
  });

  it('a body whose event stays under the limit reaches the function whole', async () => {
    const body = 'x'.repeat(lambdaPayloadLimits.requestBytes - 10_000);
    const answer = await post(body);
    expect(answer.status).toBe(201);
    expect(calls[0]!.event.body).toHaveLength(body.length);
  });
});

describe('concurrent requests in one process log their own keys', () => {
  // The real ingest handler behind the local API Gateway, as `npm start` serves it: one module-level
  // logger shared by every request in flight. Each writer call waits until the test lets it go.
  const held = new Map<string, () => void>();
  const writer: MeasurementWriter = {
    writeMeasurement: (request) =>
      new Promise((resolve) => held.set(request.userId, () => resolve({ status: 'inserted' }))),
  };
  const ingest = createIngestBatchHandler({
    logger: createLogger('measurement-ingest'),
    writer,
    writeConcurrency: 1,
    deadlineSafetyMarginMs: 100,
    guards: noGuards,
  });
  const batchRoute = routes.find((route) => route.function === 'ingestBatch')!;
  let concurrentServer: Server;
  let concurrentBase: string;
  let logs: CapturedLogs;

  beforeAll(async () => {
    concurrentServer = createLocalServer({
      routes: [batchRoute],
      functions: new Map([
        [
          'ingestBatch',
          {
            name: 'ingestBatch',
            definition: serviceFunctions.ingestBatch,
            handler: ingest as LocalFunction['handler'],
          },
        ],
      ]),
      authorizer: jwtAuthorizer(async (authorization) => {
        const user = /^Bearer (user-[ab])$/.exec(authorization ?? '')?.[1];
        return user ? { ok: true, claims: { sub: user, exp: '2000000000' } } : { ok: false };
      }),
      log: () => undefined,
    });
    await new Promise<void>((resolve) => concurrentServer.listen(0, '127.0.0.1', resolve));
    concurrentBase = `http://127.0.0.1:${(concurrentServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((resolve) => concurrentServer.close(() => resolve())));
  beforeEach(() => (logs = captureLogs()));
  afterEach(() => logs.restore());

  const postAs = (user: string) =>
    fetch(`${concurrentBase}${batchRoute.path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        entries: [
          {
            hkIdentifier: 'HKQuantityTypeIdentifierHeartRate',
            value: 64,
            unit: 'count/min',
            startDate: '2026-08-14T06:00:00Z',
            endDate: '2026-08-14T06:00:00Z',
            externalId: `C0FFEE00-0000-4000-8000-00000000000${user === 'user-a' ? 'a' : 'b'}`,
          },
        ],
      }),
    });

  async function until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  it('two interleaved requests: each line names its own userId, requestId and Lambda request id', async () => {
    const a = postAs('user-a');
    const b = postAs('user-b');
    await until(() => held.has('user-a') && held.has('user-b'));
    held.get('user-b')!();
    expect((await b).status).toBe(200);
    held.get('user-a')!();
    expect((await a).status).toBe(200);

    const lines = logs.events(ingestEvents.summary);
    expect(lines.map((line) => line.userId)).toEqual(['user-b', 'user-a']);
    const [bLine, aLine] = lines;
    expect(aLine!.requestId).not.toBe(bLine!.requestId);
    expect(aLine!.function_request_id).not.toBe(bLine!.function_request_id);
    for (const line of lines) expect(line).toEqual(expect.objectContaining({ inserted: 1, status: 200 }));
  });
});
