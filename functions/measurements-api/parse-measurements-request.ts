import type { z } from 'zod';
import { readJsonBody } from '../http/json-body';
import type { HttpEvent } from '../http/request';
import type { ReadingInput } from '../measurements/rows/create-measurements';
import {
  bulkDeleteSchema,
  createReadingsSchema,
  deleteByExternalIdsSchema,
  editMeasurementSchema,
  rowWriteLimits,
} from './measurements-api-schema';
import { listMeasurementsQuerySchema, seriesQuerySchema } from './read-schemas';
import { parseIsoDateTime } from '../measurements/model/iso-date-time';
import { toValidationIssues, type ValidationIssue } from '../measurements/model/validation-issues';

export interface RequestRejection {
  readonly status: 400 | 413 | 415 | 422;
  readonly error: string;
  /** Always set: it is what the log line carries. */
  readonly errorCode: string;
  /** Whether the client sees `meta.errorCode` (only where the contract shows one). */
  readonly exposeErrorCode: boolean;
  readonly details?: { readonly issues: readonly ValidationIssue[] };
  /**
   * The refusal depends on the clock, not on the body alone (a `measuredAt` ahead of now may be
   * fine a minute later): an `Idempotency-Key` must not keep it (docs/request-guards.md).
   */
  readonly dependsOnClock?: boolean;
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

function jsonBody(event: HttpEvent, maxBytes: number): Parsed<unknown> {
  const body = readJsonBody(event, maxBytes);
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

/**
 * `POST /api/measurements` body: content type, size, JSON, then every rule of the contract on one
 * reading or on an array of 1–5. A failure is `measurement.create.invalid`, each issue named by
 * its path (prefixed with the reading's index in an array).
 */
export function parseCreateBody(
  event: HttpEvent,
  now: () => Date,
): Parsed<{ readings: ReadingInput[]; asArray: boolean }> {
  const body = jsonBody(event, rowWriteLimits.maxBodyBytes);
  if (!body.ok) return body;
  // One reading or an array of them: the shape picks the schema, so the issues are that shape's.
  const [one, many] = createReadingsSchema(now).options;
  const parsed = Array.isArray(body.value) ? many.safeParse(body.value) : one.safeParse(body.value);
  if (!parsed.success) {
    return {
      ok: false,
      rejection: {
        ...validationFailed(toValidationIssues(parsed.error)),
        errorCode: 'measurement.create.invalid',
        exposeErrorCode: true,
        dependsOnClock: hasInstantAheadOfNow(body.value, now()),
      },
    };
  }
  const asArray = Array.isArray(parsed.data);
  const readings = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  return {
    ok: true,
    value: {
      readings: readings.map(({ source, ...reading }) => ({ ...reading, source: source ?? 'MANUAL' })),
      asArray,
    },
  };
}

/** Whether a reading of the body has a `measuredAt` after `now`: the refusal is then the clock's. */
function hasInstantAheadOfNow(body: unknown, now: Date): boolean {
  const readings: unknown[] = Array.isArray(body) ? body : [body];
  return readings.some((reading) => {
    const measuredAt = (reading as { measuredAt?: unknown } | null)?.measuredAt;
    const instant = typeof measuredAt === 'string' ? parseIsoDateTime(measuredAt) : undefined;
    return instant !== undefined && instant.getTime() > now.getTime();
  });
}

/** `PUT`/`PATCH /api/measurements/{id}` body: content type, size, JSON, then the schema. */
export function parseEditBody(event: HttpEvent) {
  const body = jsonBody(event, rowWriteLimits.maxBodyBytes);
  return body.ok ? validate(editMeasurementSchema, body.value) : body;
}

/** `POST /api/measurements/bulk-delete` body: exactly `{"ids": [1–200 non-empty strings]}`. */
export function parseBulkDeleteBody(event: HttpEvent) {
  const body = jsonBody(event, rowWriteLimits.maxBulkDeleteBodyBytes);
  return body.ok ? validate(bulkDeleteSchema, body.value) : body;
}

/**
 * `DELETE /api/measurements/by-external-ids` body. As in HealthLog, the id count is checked on the
 * raw parsed body before the schema, so 501 ids are `too_large` whatever they are.
 */
export function parseDeleteByExternalIdsBody(event: HttpEvent) {
  const body = jsonBody(event, rowWriteLimits.maxExternalIdsBodyBytes);
  if (!body.ok) return body;
  const raw = body.value as { externalIds?: unknown } | null;
  if (
    typeof raw === 'object' &&
    raw !== null &&
    Array.isArray(raw.externalIds) &&
    raw.externalIds.length > rowWriteLimits.maxExternalIds
  ) {
    return {
      ok: false as const,
      rejection: {
        status: 422 as const,
        error: `Batch exceeds the ${rowWriteLimits.maxExternalIds}-entry limit`,
        errorCode: 'measurement.delete.too_large',
        exposeErrorCode: true,
      },
    };
  }
  return validate(deleteByExternalIdsSchema, raw);
}
