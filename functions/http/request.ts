import type { APIGatewayEventRequestContextV2, APIGatewayProxyEventV2WithRequestContext } from 'aws-lambda';

/**
 * What the route's authorizer handed on, as API Gateway puts it into a payload 2.0 event: the
 * verified JWT's claims (`jwt`, `cognito` modes) or the HealthLog Lambda authorizer's context
 * (`healthlog` mode). Only one is present; functions/http/caller.ts reads either.
 */
export interface HttpAuthorizerContext {
  readonly jwt?: { readonly claims?: Readonly<Record<string, unknown>> };
  readonly lambda?: Readonly<Record<string, unknown>> | null;
}

export type HttpEvent = APIGatewayProxyEventV2WithRequestContext<
  APIGatewayEventRequestContextV2 & { readonly authorizer?: HttpAuthorizerContext }
>;

/** Header lookup that does not depend on the case the client used. */
export function header(event: Pick<HttpEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** The raw request body as bytes, decoding API Gateway's base64 form. */
export function bodyBytes(event: Pick<HttpEvent, 'body' | 'isBase64Encoded'>): Buffer {
  if (event.body == null) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/** `x-request-id` is echoed back when the client sent one. */
export function echoHeaders(event: HttpEvent): Record<string, string> {
  const requestId = header(event, 'x-request-id');
  return requestId ? { 'x-request-id': requestId } : {};
}

export function isJsonContentType(event: HttpEvent): boolean {
  return (header(event, 'content-type') ?? '').toLowerCase().includes('application/json');
}

/** `JSON.parse` as a value, not an exception. (A `__proto__` key becomes an own property, never a prototype.) */
export function parseJson(bytes: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}
