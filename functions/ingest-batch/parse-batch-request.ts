import { batchLimits, batchRequestSchema, type BatchRequest } from '../measurements/batch-schema';
import { toValidationIssues } from '../measurements/validation-issues';
import { bodyBytes, isJsonContentType, parseJson, type HttpEvent } from '../http/request';

export interface BatchRejection {
  readonly status: 400 | 413 | 415 | 422;
  readonly error: string;
  /** Always set: it is what the `measurement.batch.rejected` log line carries. */
  readonly errorCode: string;
  /** Whether the client sees `meta.errorCode` (the contract shows it on the 422s only). */
  readonly exposeErrorCode: boolean;
  readonly details?: Record<string, unknown>;
}

export type ParsedBatchRequest = { ok: true; batch: BatchRequest } | { ok: false; rejection: BatchRejection };

const reject = (rejection: BatchRejection): ParsedBatchRequest => ({ ok: false, rejection });

/**
 * Checks 3–7 of contract/batch-api.md §2, in order; the first that fails answers. The entry
 * count is checked on the raw parsed body, before the schema, so a 501-entry batch is
 * `too_large` whatever its entries look like.
 */
export function parseBatchRequest(event: HttpEvent): ParsedBatchRequest {
  if (!isJsonContentType(event)) {
    return reject({
      status: 415,
      error: 'Content-Type must be application/json',
      errorCode: 'request.unsupported_media_type',
      exposeErrorCode: false,
    });
  }
  const bytes = bodyBytes(event);
  if (bytes.length > batchLimits.maxBodyBytes) {
    return reject({
      status: 413,
      error: `Request body exceeds ${batchLimits.maxBodyBytes} bytes`,
      errorCode: 'request.too_large',
      exposeErrorCode: false,
    });
  }
  const json = parseJson(bytes);
  if (!json.ok) {
    return reject({
      status: 400,
      error: 'Invalid JSON body',
      errorCode: 'request.invalid_json',
      exposeErrorCode: false,
    });
  }
  const raw = json.value;
  if (
    typeof raw === 'object' &&
    raw !== null &&
    Array.isArray((raw as { entries?: unknown }).entries) &&
    (raw as { entries: unknown[] }).entries.length > batchLimits.maxEntries
  ) {
    return reject({
      status: 422,
      error: `Batch exceeds the ${batchLimits.maxEntries}-entry limit`,
      errorCode: 'measurement.batch.too_large',
      exposeErrorCode: true,
    });
  }
  const parsed = batchRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = toValidationIssues(parsed.error);
    return reject({
      status: 422,
      error: issues[0]?.message ?? 'Invalid batch',
      errorCode: 'measurement.batch.invalid',
      exposeErrorCode: true,
      details: { issues },
    });
  }
  return { ok: true, batch: parsed.data };
}
