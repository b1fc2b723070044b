import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpResponse = APIGatewayProxyStructuredResultV2;

/** An answer as it is kept for replay: status, body and the headers that belong to the answer. */
export interface StoredResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Answers that are about this attempt, not about the body: a retry must get a fresh try. 415 is
 * decided by the Content-Type header alone, so the same body sent again with the right header
 * must run, not be refused again.
 */
const NEVER_REPLAYED_STATUSES: ReadonlySet<number> = new Set([401, 403, 408, 415, 429]);

/** Answers their handler marked as depending on more than the body (see `notReplayable`). */
const answersOfTheMoment = new WeakSet<HttpResponse>();

/**
 * Marks an answer that depends on the clock (a `measuredAt` "in the future" now may be fine in a
 * minute) or on anything else beside the body: it is answered but never kept, so the same body
 * retried under the same `Idempotency-Key` is decided afresh (docs/request-guards.md).
 */
export function notReplayable<R extends HttpResponse>(response: R): R {
  answersOfTheMoment.add(response);
  return response;
}

/**
 * DynamoDB items are at most 400 KB and the record carries the body as one attribute; a larger
 * answer (a 422 naming thousands of issues, say) is answered but not kept, rather than failing
 * the write of the record after the work was done.
 */
export const MAX_REPLAYABLE_BODY_BYTES = 300 * 1024;

/** Headers that describe the attempt that produced the answer, replaced by the retry's own. */
const PER_ATTEMPT_HEADERS: ReadonlySet<string> = new Set(['x-request-id']);

/**
 * Never kept (docs/request-guards.md): 401/403/408/415/429/5xx, `no-store` answers and answers
 * marked `notReplayable`. The other refusals (400/413/422) are: they are decided by the body
 * alone, so a retry of the same body would get the same answer anyway.
 */
export function isReplayable(response: HttpResponse): boolean {
  const status = response.statusCode ?? 200;
  if (status >= 500 || NEVER_REPLAYED_STATUSES.has(status)) return false;
  if (answersOfTheMoment.has(response)) return false;
  const cacheControl = headerValue(response, 'cache-control') ?? '';
  if (/(^|[\s,])no-store($|[\s,])/i.test(cacheControl)) return false;
  return Buffer.byteLength(response.body ?? '', 'utf8') <= MAX_REPLAYABLE_BODY_BYTES;
}

export function toStoredResponse(response: HttpResponse): StoredResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    if (!PER_ATTEMPT_HEADERS.has(name.toLowerCase())) headers[name] = String(value);
  }
  return { statusCode: response.statusCode ?? 200, headers, body: response.body ?? '' };
}

function headerValue(response: HttpResponse, name: string): string | undefined {
  for (const [key, value] of Object.entries(response.headers ?? {})) {
    if (key.toLowerCase() === name) return String(value);
  }
  return undefined;
}
