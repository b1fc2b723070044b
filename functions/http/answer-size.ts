import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * Sizes as Lambda counts a response: the proxy result as JSON, in which the body is a JSON string
 * — so every `"` and `\` of the body counts twice, and a control character escaped in the body
 * (`\u0001`, six bytes) counts seven times.
 */

/** Bytes of a proxy result as Lambda counts its response payload. */
export function proxyResultBytes(result: APIGatewayProxyStructuredResultV2): number {
  return Buffer.byteLength(JSON.stringify(result), 'utf8');
}

/** Bytes a JSON value adds to a proxy result's body where it stands: its JSON, escaped once more. */
export function bodyJsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(JSON.stringify(value)), 'utf8') - 2;
}
