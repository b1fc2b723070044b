import { bodyBytes, isJsonContentType, parseJson, type HttpEvent } from './request';

/** Why a JSON body was refused before any schema looked at it; the wording is fixed by docs/batch-api.md ("Checks, in order"). */
export interface BodyRejection {
  readonly status: 400 | 413 | 415;
  readonly error: string;
  /** For the logs only: the contract shows no `meta.errorCode` on these answers. */
  readonly errorCode: 'request.unsupported_media_type' | 'request.too_large' | 'request.invalid_json';
}

export type JsonBody = { ok: true; value: unknown } | { ok: false; rejection: BodyRejection };

/**
 * Content type (415), size (413) and JSON syntax (400), in that order: the first that fails
 * answers. The size is checked on the raw bytes, before anything is parsed.
 */
export function readJsonBody(event: HttpEvent, maxBytes: number): JsonBody {
  if (!isJsonContentType(event)) {
    return reject(415, 'Content-Type must be application/json', 'request.unsupported_media_type');
  }
  const bytes = bodyBytes(event);
  if (bytes.length > maxBytes) {
    return reject(413, `Request body exceeds ${maxBytes} bytes`, 'request.too_large');
  }
  const json = parseJson(bytes);
  return json.ok ? json : reject(400, 'Invalid JSON body', 'request.invalid_json');
}

function reject(
  status: BodyRejection['status'],
  error: string,
  errorCode: BodyRejection['errorCode'],
): JsonBody {
  return { ok: false, rejection: { status, error, errorCode } };
}
