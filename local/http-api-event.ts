import { randomUUID } from 'node:crypto';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import type { HttpAuthorizerContext, HttpEvent } from '../functions/http/request';
import { localRegion } from './dynamodb-local';

export interface HttpApiRequest {
  readonly method: string;
  /** The path as requested, e.g. `/api/measurements/abc`. */
  readonly rawPath: string;
  readonly rawQueryString?: string;
  /** The route template it matched, e.g. `/api/measurements/{id}`. */
  readonly routePath: string;
  readonly pathParameters?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** The verified token's claims (what the JWT authorizer passes on). */
  readonly claims?: Record<string, string | number | boolean>;
  /** A Lambda authorizer's context; when given, the event carries it instead of JWT claims. */
  readonly lambdaContext?: Record<string, unknown>;
  readonly requestId?: string;
  /** Send the body base64-encoded even when it is text (API Gateway does so for binary media types). */
  readonly base64Body?: boolean;
}

/**
 * An API Gateway HTTP API (payload 2.0) event, as the route's authorizer would hand it to a
 * function: the JWT authorizer's claims, or a Lambda authorizer's context (`lambdaContext`).
 * Bodies that are not valid UTF-8 text arrive base64-encoded, as API Gateway sends them.
 */
export function toHttpApiEvent(request: HttpApiRequest): HttpEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  const method = request.method.toUpperCase();
  const routeKey = `${method} ${request.routePath}`;
  const queryString = request.rawQueryString ?? '';
  let body: string | undefined;
  let isBase64Encoded = false;
  if (request.base64Body && request.body !== undefined) {
    body = Buffer.from(request.body).toString('base64');
    isBase64Encoded = true;
  } else if (typeof request.body === 'string') {
    body = request.body;
  } else if (request.body && request.body.length > 0) {
    const text = request.body.toString('utf8');
    isBase64Encoded = !Buffer.from(text, 'utf8').equals(request.body);
    body = isBase64Encoded ? request.body.toString('base64') : text;
  }
  const now = new Date();
  const queryStringParameters = queryString ? commaJoined(new URLSearchParams(queryString)) : undefined;
  return {
    version: '2.0',
    routeKey,
    rawPath: request.rawPath,
    rawQueryString: queryString,
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    ...(request.pathParameters ? { pathParameters: request.pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: request.rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: request.requestId ?? randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: authorizerContext(request),
    },
    body,
    isBase64Encoded,
  } as HttpEvent;
}

function authorizerContext(request: HttpApiRequest): HttpAuthorizerContext {
  if (request.lambdaContext) return { lambda: request.lambdaContext };
  return {
    principalId: '',
    integrationLatency: 0,
    jwt: { claims: request.claims ?? {}, scopes: [] },
  } as HttpAuthorizerContext;
}

/**
 * The payload 2.0 REQUEST event API Gateway sends an HTTP API Lambda authorizer for a request:
 * the request's route, path, query, headers and context, and the values of the authorizer's
 * identity sources (here the Authorization header).
 */
export function toAuthorizerEvent(
  request: HttpEvent,
  identitySource: readonly string[],
): APIGatewayRequestAuthorizerEventV2 {
  const { authorizer: _none, ...requestContext } = request.requestContext;
  const { method } = request.requestContext.http;
  const routePath = request.routeKey.slice(request.routeKey.indexOf(' ') + 1);
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:${localRegion}:000000000000:local/$default/${method}${routePath}`,
    identitySource: [...identitySource],
    routeKey: request.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    cookies: [],
    headers: { ...request.headers },
    ...(request.queryStringParameters ? { queryStringParameters: { ...request.queryStringParameters } } : {}),
    ...(request.pathParameters ? { pathParameters: { ...request.pathParameters } } : {}),
    requestContext,
  };
}

/** A repeated query parameter arrives comma-joined (`?limit=7&limit=50` → `"7,50"`), as API Gateway passes it in payload 2.0. */
function commaJoined(parameters: URLSearchParams): Record<string, string> {
  const joined = new Map<string, string>();
  for (const [name, value] of parameters) {
    const earlier = joined.get(name);
    joined.set(name, earlier === undefined ? value : `${earlier},${value}`);
  }
  return Object.fromEntries(joined);
}
