import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { isUsableUserId } from '../measurements/model/user-id';
import { isIanaZone } from '../measurements/summaries/local-time';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

/** Header lookup that does not depend on the case the client used. */
export function header(event: Pick<HttpEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/**
 * The caller, from the verified token only (the authorizer put its claims there). Nothing in the
 * body can name a user. A `sub` that could not be part of a key resolves to nobody.
 */
export function authenticatedUserId(event: HttpEvent): string | undefined {
  const sub = event.requestContext?.authorizer?.jwt?.claims?.sub;
  return typeof sub === 'string' && isUsableUserId(sub) ? sub : undefined;
}

/**
 * The caller's IANA time zone: the token's `zoneinfo` when it names a valid zone, else the
 * deployment's default.
 */
export function callerTimeZone(event: HttpEvent, fallback: string): string {
  const zone = event.requestContext?.authorizer?.jwt?.claims?.zoneinfo;
  return typeof zone === 'string' && isIanaZone(zone) ? zone : fallback;
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
