import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpResponse = APIGatewayProxyStructuredResultV2;

/** An answer as it is kept for replay: status, body and the headers that belong to the answer. */
export interface StoredResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Answers that are about this attempt, not about the request: a retry must get a fresh try. */
const NEVER_REPLAYED_STATUSES: ReadonlySet<number> = new Set([401, 403, 408, 429]);

/**
 * DynamoDB items are at most 400 KB and the record carries the body as one attribute; a larger
 * answer (a 422 naming thousands of issues, say) is answered but not kept, rather than failing
 * the write of the record after the work was done.
 */
export const MAX_REPLAYABLE_BODY_BYTES = 300 * 1024;

/** Headers that describe the attempt that produced the answer, replaced by the retry's own. */
const PER_ATTEMPT_HEADERS: ReadonlySet<string> = new Set(['x-request-id']);

/**
 * Never kept (docs/request-guards.md): 401/403/408/429/5xx and `no-store` answers are never cached. The
 * other refusals (400/413/415/422) are: they are decided by the body alone, so a retry of the
 * same body would get the same answer anyway.
 */
export function isReplayable(response: HttpResponse): boolean {
  const status = response.statusCode ?? 200;
  if (status >= 500 || NEVER_REPLAYED_STATUSES.has(status)) return false;
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
