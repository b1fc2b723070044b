import * as z from 'zod';
import {
  MAX_EXTERNAL_ID_LENGTH,
  isoDateTime,
  isWellFormedText,
  measurementIdSchema,
  measurementTypeSchema,
  storableNumber,
  wellFormedString,
  writableSources,
} from '../measurements/model/field-schemas';
import { sleepStages } from '../measurements/model/healthkit-types';
import {
  glucoseContexts,
  isMeasurementType,
  measurementSources,
  measurementTypeCatalogue,
} from '../measurements/model/measurement-types';
import { parseIsoDateTime } from '../measurements/model/iso-date-time';
import { isPlausibleInstant } from '../measurements/model/plausible-instant';
import type { ReadingInput } from '../measurements/rows/create-measurements';
import { MAX_EXTERNAL_IDS_PER_DELETE } from '../measurements/rows/delete-measurements';
import type { MeasurementEdit } from '../measurements/rows/edit-measurement';
import {
  measurementRowShape,
  type MeasurementRow,
  type MeasurementRowField,
} from '../measurements/model/measurement';

/**
 * Requests and answers of the row API (docs/row-api.md). The handler validates with
 * these schemas and the OpenAPI document is generated from them, so the two cannot disagree.
 */

/** Limits of the row API's write routes (docs/row-api.md). */
export const rowWriteLimits = {
  /** A hand entry or an edit: one to five small objects. */
  maxBodyBytes: 64 * 1024,
  maxReadings: 5,
  maxNoteLength: 200,
  /** 200 ids of the longest real row (≈ 520 characters) fit, 64 KiB would not. */
  maxBulkDeleteBodyBytes: 256 * 1024,
  maxBulkDeleteIds: 200,
  /** 500 externalIds of 120 characters, as the phone sends them. */
  maxExternalIdsBodyBytes: 256 * 1024,
  maxExternalIds: MAX_EXTERNAL_IDS_PER_DELETE,
} as const;

export const measurementPathSchema = z.object({ id: measurementIdSchema });

/** A user's note on a row: free text of at most 200 characters (Unicode code points). */
export const noteSchema = z
  .string()
  .refine((text) => [...text].length <= rowWriteLimits.maxNoteLength, {
    message: `Note cannot exceed ${rowWriteLimits.maxNoteLength} characters`,
    abort: true,
  })
  .refine(isWellFormedText, { message: 'Expected well-formed Unicode text (no lone UTF-16 surrogate)' })
  .meta({ description: 'Free text, at most 200 characters; never logged', example: 'after the run' });

export const editMeasurementSchema = z
  .object({
    value: storableNumber.optional().meta({ description: "The new value, in the type's stored unit" }),
    measuredAt: isoDateTime.optional().meta({ description: "The measurement's new instant" }),
    notes: noteSchema.nullable().optional().meta({ description: 'The new note; null or "" clears it' }),
  })
  .meta({
    id: 'MeasurementEdit',
    description:
      'Any of value, measuredAt and notes; an empty object changes nothing; other keys are ignored',
  }) satisfies z.ZodType<MeasurementEdit>;

export const deleteByExternalIdsSchema = z
  .strictObject({
    externalIds: z.array(wellFormedString(1, MAX_EXTERNAL_ID_LENGTH)).max(rowWriteLimits.maxExternalIds),
  })
  .meta({ id: 'DeleteByExternalIdsRequest', description: 'Exactly this key; an empty list deletes nothing' });

const dateTime = (example: string) => z.string().meta({ format: 'date-time', example });

/**
 * How the answer documents some of the row's attributes (OpenAPI: enums, formats, examples); every
 * other one is as the model stores it, null when absent. The keys and their order are the model's.
 */
const documentedRowFields = {
  id: measurementIdSchema,
  type: measurementTypeSchema,
  unit: z.string().meta({ example: 'steps' }),
  source: z.enum(measurementSources),
  measuredAt: dateTime('2026-05-23T22:00:00.000Z'),
  externalId: z.string().nullable().meta({ description: 'null for a reading entered by hand' }),
  hkIdentifier: z.string().nullable().meta({
    example: 'HKQuantityTypeIdentifierStepCount',
    description: 'null for a reading entered by hand',
  }),
  startDate: dateTime('2026-05-23T22:00:00.000Z')
    .nullable()
    .meta({ description: 'null for a reading entered by hand' }),
  sleepStage: z.enum(Object.values(sleepStages) as [string, ...string[]]).nullable(),
  glucoseContext: z.enum(glucoseContexts).nullable(),
  createdAt: dateTime('2026-05-24T06:00:00.000Z'),
  updatedAt: dateTime('2026-05-24T18:00:00.000Z'),
} satisfies { [K in MeasurementRowField]?: z.ZodType<MeasurementRow[K]> };

export const measurementRowSchema = z
  .strictObject({ ...measurementRowShape, ...documentedRowFields })
  .meta({ id: 'Measurement' }) satisfies z.ZodType<MeasurementRow>;

export const deletedSchema = z.object({ deleted: z.literal(true) }).meta({ id: 'MeasurementDeleted' });

export const deletedCountSchema = z
  .object({ deletedCount: z.int().min(0) })
  .meta({ id: 'MeasurementsDeleted', description: "How many of the caller's live rows were deleted" });

/** A hand entry's value must lie in its type's plausible range (measurement-types.ts). */
function isPlausibleValue(type: string, value: number): boolean {
  const rule = measurementTypeCatalogue.get(type);
  return rule !== undefined && value >= rule.range.min && value <= rule.range.max;
}

const GLUCOSE = 'BLOOD_GLUCOSE';

/**
 * One reading of `POST /api/measurements`: every rule of the contract's table. The instant's
 * plausibility depends on the clock, so the schema is made per request. Issues the app keys on:
 * a value out of its type's range is reported on the reading itself (path `""`, or the reading's
 * index in an array), a missing or misplaced glucose context on `glucoseContext`.
 */
export function createReadingSchema(now: () => Date) {
  // The cross-field rules run even when other fields failed (every issue is named at once), but
  // only once the fields they read are sound.
  const fields = (payload: { value: unknown }) =>
    typeof payload.value === 'object' && payload.value !== null
      ? (payload.value as { type?: unknown; value?: unknown })
      : {};
  const typed = (payload: { value: unknown }) => {
    const { type } = fields(payload);
    return typeof type === 'string' && isMeasurementType(type);
  };
  return z
    .object({
      type: measurementTypeSchema,
      value: storableNumber.meta({ description: "In the type's unit, within its plausible range" }),
      measuredAt: isoDateTime
        .refine((text) => {
          const instant = parseIsoDateTime(text);
          return instant === undefined || isPlausibleInstant(instant, now());
        }, 'Expected an instant from 1900-01-01T00:00:00Z to 5 minutes from now')
        .meta({ description: 'When it was measured; at most 5 minutes ahead, not before 1900' }),
      notes: noteSchema.nullish(),
      source: z.enum(writableSources).nullish().meta({ description: 'MANUAL when absent or null' }),
      glucoseContext: z
        .enum(glucoseContexts)
        .nullish()
        .meta({ description: 'Required for BLOOD_GLUCOSE, forbidden for every other type' }),
      deviceType: wellFormedString(1, 32).nullish(),
    })
    .refine((reading) => isPlausibleValue(reading.type, reading.value), {
      message: 'Value out of plausible range',
      when: (payload) => typed(payload) && typeof fields(payload).value === 'number',
    })
    .refine((reading) => reading.type !== GLUCOSE || reading.glucoseContext != null, {
      path: ['glucoseContext'],
      message: `Required for ${GLUCOSE}`,
      when: typed,
    })
    .refine((reading) => reading.type === GLUCOSE || reading.glucoseContext == null, {
      path: ['glucoseContext'],
      message: `Only allowed for ${GLUCOSE}`,
      when: typed,
    })
    .meta({
      id: 'MeasurementCreate',
      description: 'A reading entered by hand; other keys (the app sends externalId) are ignored',
    }) satisfies z.ZodType<Omit<ReadingInput, 'source'> & { source?: string | null }>;
}

/** `POST /api/measurements`: one reading, or an array of 1–5 created all together or not at all. */
export function createReadingsSchema(now: () => Date) {
  const reading = createReadingSchema(now);
  return z.union([reading, z.array(reading).min(1).max(rowWriteLimits.maxReadings)]);
}

export const bulkDeleteSchema = z
  .strictObject({
    ids: z
      .array(z.string().min(1))
      .min(1)
      .max(rowWriteLimits.maxBulkDeleteIds)
      .meta({ description: 'Row ids; unknown, foreign, deleted and synthetic ones are skipped' }),
  })
  .meta({ id: 'BulkDeleteRequest', description: 'Exactly this key' });

export const bulkDeletedSchema = z
  .object({ deleted: z.int().min(0) })
  .meta({ id: 'MeasurementsBulkDeleted', description: 'How many live rows this call deleted' });
