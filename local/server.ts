import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { lambdaPayloadLimits } from '../definitions/answer-limits';
import type { RouteDefinition } from '../definitions/service-functions';
import { toHttpApiEvent } from './http-api-event';
import { invoke, type LocalFunction } from './lambda-context';
import type { LocalAuthorizer } from './local-authorizer';
import { createRouter } from './router';
import type { RuntimeLog } from './runtime-log';

/** API Gateway HTTP API's payload limit: larger requests never reach a function. */
export const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;

export interface LocalServerOptions {
  readonly routes: readonly RouteDefinition[];
  /** Loaded functions by definition name; routes to a function not in here are not served. */
  readonly functions: ReadonlyMap<string, LocalFunction>;
  /** The stack's authorizer for this mode (local/local-authorizer.ts), run before any route. */
  readonly authorizer: LocalAuthorizer;
  readonly log: RuntimeLog;
  readonly maxBodyBytes?: number;
}

interface HttpAnswer {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

const envelopeError = (statusCode: number, error: string): HttpAnswer => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: Buffer.from(JSON.stringify({ data: null, error })),
});

const gatewayAnswer = (statusCode: number, body: unknown): HttpAnswer => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: Buffer.from(JSON.stringify(body)),
});

/**
 * What API Gateway (HTTP API) answers when Lambda refuses the event as too large: the function
 * never runs. (AWS's own emulator, the Lambda Test Tool, answers the same.)
 */
const eventTooLarge = (): HttpAnswer => gatewayAnswer(413, { message: 'Request Entity Too Large' });
/** What API Gateway (HTTP API) answers for a function that failed — a result Lambda refused included. */
const functionFailed = (): HttpAnswer => gatewayAnswer(500, { message: 'Internal Server Error' });

/** Bytes of a value as Lambda carries it: its JSON text, UTF-8. */
const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

/**
 * The local API Gateway: route selection from the stack's route table, the authorizer before any
 * handler runs, a payload 2.0 event per request, and the function's result written back.
 */
export function createLocalServer(options: LocalServerOptions): Server {
  const served = options.routes.filter((route) => options.functions.has(route.function));
  const match = createRouter(served);
  const maxBodyBytes = options.maxBodyBytes ?? MAX_REQUEST_BODY_BYTES;

  async function answer(request: IncomingMessage): Promise<HttpAnswer> {
    const url = request.url ?? '/';
    const queryAt = url.indexOf('?');
    const rawPath = queryAt === -1 ? url : url.slice(0, queryAt);
    const rawQueryString = queryAt === -1 ? '' : url.slice(queryAt + 1);

    if (Number(request.headers['content-length'] ?? 0) > maxBodyBytes) return tooLarge(maxBodyBytes);
    const matched = match(request.method ?? 'GET', rawPath);
    if (!matched) return envelopeError(404, 'Not found');
    const requestId = randomUUID();
    const routed = {
      method: request.method ?? 'GET',
      rawPath,
      rawQueryString,
      routePath: matched.route.path,
      ...(Object.keys(matched.pathParameters).length > 0 ? { pathParameters: matched.pathParameters } : {}),
      headers: flattenHeaders(request),
      requestId,
    };
    const auth = await options.authorizer(toHttpApiEvent(routed));
    if (!auth.allowed) return gatewayAnswer(auth.statusCode, auth.body);
    const body = await readBody(request, maxBodyBytes);
    if (body === 'too-large') return tooLarge(maxBodyBytes);

    const fn = options.functions.get(matched.route.function)!;
    const event = toHttpApiEvent({
      ...routed,
      body,
      ...(auth.lambdaContext ? { lambdaContext: auth.lambdaContext } : { claims: auth.claims }),
    });
    // Lambda refuses an event of its request limit or more: API Gateway's body limit is 10 MB, but a
    // body escaped into the event (or base64-encoded) can pass 6 MB long before that.
    const eventBytes = jsonBytes(event);
    if (eventBytes >= lambdaPayloadLimits.requestBytes) {
      options.log('WARN', 'local-runtime.request.payload-too-large', {
        function: fn.definition.id,
        requestId,
        eventBytes,
        limit: lambdaPayloadLimits.requestBytes,
      });
      return eventTooLarge();
    }
    let result: unknown;
    try {
      result = await invoke(fn, event);
    } catch (error) {
      options.log('ERROR', 'local-runtime.invoke.error', { function: fn.definition.id, requestId, error });
      return envelopeError(500, 'Internal server error');
    }
    // Lambda refuses a result over its response limit, measured as the result's JSON: the handler
    // ran, but the client gets API Gateway's answer for a failed function, as on AWS.
    const resultBytes = jsonBytes(result);
    if (resultBytes > lambdaPayloadLimits.responseBytes) {
      options.log('ERROR', 'local-runtime.response.payload-too-large', {
        function: fn.definition.id,
        requestId,
        resultBytes,
        limit: lambdaPayloadLimits.responseBytes,
      });
      return functionFailed();
    }
    return fromLambdaResult(result);
  }

  return createServer((request, response) => {
    answer(request).then(
      (result) => write(response, result),
      (error: unknown) => {
        options.log('ERROR', 'local-runtime.request.error', { error });
        write(response, envelopeError(500, 'Internal server error'));
      },
    );
  });
}

function tooLarge(limit: number): HttpAnswer {
  // The connection is closed rather than the rest of an oversized body read.
  const answer = envelopeError(413, `Request body exceeds ${limit} bytes`);
  return { ...answer, headers: { ...answer.headers, connection: 'close' } };
}

function write(response: ServerResponse, answer: HttpAnswer): void {
  response.writeHead(answer.statusCode, { ...answer.headers, 'content-length': String(answer.body.length) });
  response.end(answer.body);
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return 'too-large';
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Repeated headers arrive comma-joined, as API Gateway passes them in payload 2.0 — every header,
 * `Authorization` and `Content-Type` included (Node's `headers` keeps only the first of those).
 */
function flattenHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (values !== undefined) headers[name] = values.join(',');
  }
  return headers;
}

/**
 * A payload 2.0 result as API Gateway reads it: a structured `{statusCode, headers, body,
 * isBase64Encoded, cookies}`, or any other value, which becomes a 200 JSON answer.
 */
export function fromLambdaResult(result: unknown): HttpAnswer {
  if (!isStructuredResult(result)) {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(typeof result === 'string' ? result : (JSON.stringify(result) ?? '')),
    };
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = [...result.cookies];
  const body = result.body ?? '';
  return {
    statusCode: result.statusCode,
    headers,
    body: result.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8'),
  };
}

interface StructuredResult {
  readonly statusCode: number;
  readonly headers?: Record<string, string | number | boolean>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly cookies?: readonly string[];
}

function isStructuredResult(result: unknown): result is StructuredResult {
  return (
    typeof result === 'object' &&
    result !== null &&
    typeof (result as { statusCode?: unknown }).statusCode === 'number'
  );
}
