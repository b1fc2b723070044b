import * as z from 'zod';
import { measurementTypes } from './measurement-types';
import { isIsoDateTime } from './iso-date-time';
import { measurementId } from './measurement-id';

/**
 * The fields every request of the API shares, as zod schemas: the batch schema and the row API's
 * schemas are built from these, and the OpenAPI document is generated from them.
 */

/** A strict ISO-8601 date-time (iso-date-time.ts), as every endpoint accepts it. */
export const isoDateTime = z
  .string()
  .refine(isIsoDateTime, { message: 'Expected an ISO-8601 date-time with Z or a ±HH:MM offset' })
  .meta({ format: 'date-time', example: '2026-05-24T18:00:00Z' });

/**
 * A lone UTF-16 surrogate: valid in JSON (`"\ud800"`), but not text. UTF-8 — the row id, DynamoDB,
 * the logs — cannot carry it and turns it into U+FFFD, so `"x\ud800"` and `"x\udbff"` would share
 * one row id and the id the batch answers would not resolve. (The app cannot send one: Swift
 * strings are always well-formed Unicode.)
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** An externalId is 1–120 characters (UTF-16 code units, as the contract and JavaScript count them). */
export const MAX_EXTERNAL_ID_LENGTH = 120;

/** A string field that must be well-formed Unicode text (no lone surrogate). */
export const wellFormedString = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine(isWellFormedText, { message: 'Expected well-formed Unicode text (no lone UTF-16 surrogate)' });

/**
 * The numbers DynamoDB stores: 0, or a magnitude from 1e-130 up to (not including) 1e126. Past
 * `z.number()` (which already refuses `1e400` → Infinity), a value such as `1e-200` would pass the
 * schema and then fail its write on every retry ("Number underflow") — or, in the row API, answer
 * 500 — and a huge one could turn into Infinity in a ×100 conversion.
 */
export const DYNAMODB_NUMBER_MAGNITUDE = { min: 1e-130, max: 1e126 } as const;

export function isStorableNumber(value: number): boolean {
  const magnitude = Math.abs(value);
  return (
    value === 0 || (magnitude >= DYNAMODB_NUMBER_MAGNITUDE.min && magnitude < DYNAMODB_NUMBER_MAGNITUDE.max)
  );
}

export const storableNumber = z.number().refine(isStorableNumber, {
  message: 'Expected 0 or a number whose magnitude is from 1e-130 to 1e126 (what DynamoDB can store)',
});

export const deviceTypes = ['watch', 'band', 'ring', 'phone', 'scale', 'other', 'unknown'] as const;
/** The sources this service writes: the batch's and a hand entry's `source` (default APPLE_HEALTH / MANUAL). */
export const writableSources = ['APPLE_HEALTH', 'MANUAL'] as const;
export const measurementTypeSchema = z.enum(measurementTypes as [string, ...string[]]).meta({
  id: 'MeasurementType',
  description: 'One of the 77 measurement types (model/measurement-types.ts)',
});

/** The opaque row id the batch answers with (base64url, no user in it). */
export const measurementIdSchema = z.string().meta({
  description: 'Opaque row id, as returned by POST /api/measurements/batch and POST /api/measurements',
  example: measurementId('ACTIVITY_STEPS', 'stats:HKQuantityTypeIdentifierStepCount:2026-05-24'),
});
