import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** Headers every answer may carry; names as the contract spells them. */
export type ResponseHeaders = Record<string, string>;

export interface ErrorOptions {
  readonly errorCode?: string;
  readonly details?: Record<string, unknown>;
  readonly headers?: ResponseHeaders;
}

const JSON_HEADERS = { 'Content-Type': 'application/json; charset=utf-8' };

/** `{"data": <payload>, "error": null}` */
export function success(
  data: unknown,
  headers: ResponseHeaders = {},
  statusCode = 200,
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { ...JSON_HEADERS, ...headers },
    body: JSON.stringify({ data, error: null }),
  };
}

/** `{"data": null, "error": "<English sentence>", "meta"?: {"errorCode"}, "details"?}` */
export function failure(
  statusCode: number,
  error: string,
  options: ErrorOptions = {},
): APIGatewayProxyStructuredResultV2 {
  const body: Record<string, unknown> = { data: null, error };
  if (options.errorCode) body.meta = { errorCode: options.errorCode };
  if (options.details) body.details = options.details;
  return { statusCode, headers: { ...JSON_HEADERS, ...options.headers }, body: JSON.stringify(body) };
}

export const internalServerError = (headers?: ResponseHeaders) =>
  failure(500, 'Internal server error', { headers });
export const notAuthenticated = (headers?: ResponseHeaders) => failure(401, 'Not authenticated', { headers });
/** The refusal of a shared-record request (docs/authentication.md, "Shared records"); the app shows the sentence to its user as it is. */
export const sharingNotPermitted = (headers?: ResponseHeaders) =>
  failure(403, 'Shared records are not available on this endpoint', {
    errorCode: 'sharing.not_permitted',
    headers,
  });

/** The same answer with more headers (the later win): per-request headers added around a shaped answer. */
export function withHeaders(
  response: APIGatewayProxyStructuredResultV2,
  headers: ResponseHeaders,
): APIGatewayProxyStructuredResultV2 {
  return Object.keys(headers).length === 0
    ? response
    : { ...response, headers: { ...response.headers, ...headers } };
}
