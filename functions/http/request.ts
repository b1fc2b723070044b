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

/**
 * Whether the body is declared JSON: the header's media type — `type/subtype` before any `;`
 * parameters, compared case-insensitively (RFC 9110 §8.3.1) — is exactly `application/json`.
 * `application/json; charset=utf-8` is JSON; `application/jsonx`, `text/plain;
 * x=application/json` and a repeated header (comma-joined by API Gateway) are not. Parameters are
 * not looked at: the body is read as UTF-8 whatever a charset says (docs/batch-api.md).
 */
export function isJsonContentType(event: HttpEvent): boolean {
  const value = header(event, 'content-type') ?? '';
  const semicolon = value.indexOf(';');
  const mediaType = (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  return mediaType === 'application/json';
}

/**
 * Strict UTF-8: bytes that are not well-formed UTF-8 throw instead of becoming U+FFFD. With
 * replacement, two different externalIds (`SAMPLE-\xFF`, `SAMPLE-\xFE`) would decode to the same
 * text, the same row id, and the second would be answered `duplicate`.
 */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The body as text, or undefined when its bytes are not well-formed UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * `JSON.parse` of well-formed UTF-8 as a value, not an exception: invalid UTF-8 is not JSON
 * (RFC 8259 §8.1). (A `__proto__` key becomes an own property, never a prototype.)
 */
export function parseJson(bytes: Buffer): { ok: true; value: unknown } | { ok: false } {
  const text = decodeUtf8(bytes);
  if (text === undefined) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
