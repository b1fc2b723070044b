import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';

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
  readonly requestId?: string;
  /** Send the body base64-encoded even when it is text (API Gateway does so for binary media types). */
  readonly base64Body?: boolean;
}

/**
 * An API Gateway HTTP API (payload 2.0) event, as the JWT authorizer would hand it to a function.
 * Bodies that are not valid UTF-8 text arrive base64-encoded, as API Gateway sends them.
 */
export function toHttpApiEvent(request: HttpApiRequest): APIGatewayProxyEventV2WithJWTAuthorizer {
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
  const queryStringParameters = queryString
    ? Object.fromEntries(new URLSearchParams(queryString).entries())
    : undefined;
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
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: request.claims ?? {}, scopes: [] },
      },
    },
    body,
    isBase64Encoded,
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}
