import type { z } from 'zod';
import { readJsonBody } from '../http/json-body';
import type { HttpEvent } from '../http/request';
import { deleteByExternalIdsSchema, editMeasurementSchema, rowApiLimits } from './measurements-api-schema';
import { listMeasurementsQuerySchema, seriesQuerySchema } from './read-schemas';
import { toValidationIssues, type ValidationIssue } from '../measurements/model/validation-issues';

export interface RequestRejection {
  readonly status: 400 | 413 | 415 | 422;
  readonly error: string;
  /** Always set: it is what the log line carries. */
  readonly errorCode: string;
  /** Whether the client sees `meta.errorCode` (only where the contract shows one). */
  readonly exposeErrorCode: boolean;
  readonly details?: { readonly issues: readonly ValidationIssue[] };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; rejection: RequestRejection };

export function validationFailed(issues: readonly ValidationIssue[]): RequestRejection {
  return {
    status: 422,
    error: 'Validation failed',
    errorCode: 'measurement.request.invalid',
    exposeErrorCode: false,
    details: { issues },
  };
}

function validate<S extends z.ZodType>(schema: S, raw: unknown): Parsed<z.output<S>> {
  const parsed = schema.safeParse(raw);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, rejection: validationFailed(toValidationIssues(parsed.error)) };
}

function jsonBody(event: HttpEvent): Parsed<unknown> {
  const body = readJsonBody(event, rowApiLimits.maxBodyBytes);
  return body.ok ? body : { ok: false, rejection: { ...body.rejection, exposeErrorCode: false } };
}

/** `GET /api/measurements` query parameters; unknown ones are ignored. */
export function parseListQuery(event: HttpEvent) {
  return validate(listMeasurementsQuerySchema, event.queryStringParameters ?? {});
}

/** `GET /api/measurements/series` query parameters; unknown ones are ignored. */
export function parseSeriesQuery(event: HttpEvent) {
  return validate(seriesQuerySchema, event.queryStringParameters ?? {});
}

/** `PUT`/`PATCH /api/measurements/{id}` body: content type, size, JSON, then the schema. */
export function parseEditBody(event: HttpEvent) {
  const body = jsonBody(event);
  return body.ok ? validate(editMeasurementSchema, body.value) : body;
}

/**
 * `DELETE /api/measurements/by-external-ids` body. Like the batch's entry count, the id count is
 * checked on the raw parsed body before the schema, so 501 ids are `too_large` whatever they are.
 */
export function parseDeleteByExternalIdsBody(event: HttpEvent) {
  const body = jsonBody(event);
  if (!body.ok) return body;
  const raw = body.value as { externalIds?: unknown } | null;
  if (
    typeof raw === 'object' &&
    raw !== null &&
    Array.isArray(raw.externalIds) &&
    raw.externalIds.length > rowApiLimits.maxExternalIds
  ) {
    return {
      ok: false as const,
      rejection: {
        status: 422 as const,
        error: `Delete exceeds the ${rowApiLimits.maxExternalIds}-externalId limit`,
        errorCode: 'measurement.delete.too_large',
        exposeErrorCode: true,
      },
    };
  }
  return validate(deleteByExternalIdsSchema, raw);
}
