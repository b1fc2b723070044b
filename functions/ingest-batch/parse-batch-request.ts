import { batchLimits, batchRequestSchema, type BatchRequest } from '../measurements/batch/batch-schema';
import { toValidationIssues } from '../measurements/model/validation-issues';
import { readJsonBody } from '../http/json-body';
import type { HttpEvent } from '../http/request';

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
 * Checks 3–7 of docs/batch-api.md ("Checks, in order"), in order; the first that fails answers. The entry
 * count is checked on the raw parsed body, before the schema, so a 501-entry batch is
 * `too_large` whatever its entries look like.
 */
export function parseBatchRequest(event: HttpEvent): ParsedBatchRequest {
  // Content type (415), size (413) and JSON syntax (400), shared with the row API's bodies.
  const body = readJsonBody(event, batchLimits.maxBodyBytes);
  if (!body.ok) return reject({ ...body.rejection, exposeErrorCode: false });
  const raw = body.value;
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
