import * as z from 'zod';
import {
  deviceTypes,
  isoDateTime,
  measurementIdSchema,
  measurementSources,
  measurementTypeSchema,
  storableNumber,
  wellFormedString,
} from '../measurements/model/field-schemas';
import { sleepStages } from '../measurements/model/healthkit-types';
import { parseIsoDateTime } from '../measurements/model/iso-date-time';
import type { MeasurementEdit } from '../measurements/rows/edit-measurement';
import type { MeasurementRow } from '../measurements/rows/measurement-row';
import type { ListMeasurementsQuery, MeasurementPage } from '../measurements/rows/read-measurements';

/**
 * Requests and answers of the row API (docs/row-api.md). The handler validates with
 * these schemas and the OpenAPI document is generated from them, so the two cannot disagree.
 */

export const rowApiLimits = {
  defaultPageSize: 100,
  maxPageSize: 1000,
  maxExternalIds: 500,
  /** 500 externalIds of 120 characters, even fully `\u`-escaped, fit with room to spare. */
  maxBodyBytes: 1024 * 1024,
  /** A real cursor is a few hundred characters; anything much longer is not one of ours. */
  maxCursorLength: 4096,
} as const;

export const measurementPathSchema = z.object({ id: measurementIdSchema });

/** Query strings carry text; only plain digits become a number (no `1e2`, no spaces, no `0x`). */
const wholeNumber = (value: unknown) =>
  typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;

const pageSize = z
  .preprocess(
    wholeNumber,
    z
      .int({ error: `Expected a whole number from 1 to ${rowApiLimits.maxPageSize}` })
      .min(1)
      .max(rowApiLimits.maxPageSize),
  )
  .default(rowApiLimits.defaultPageSize)
  .meta({ description: 'Rows per page', override: { default: rowApiLimits.defaultPageSize } });

/** `NaN` for a malformed date-time: the field's own check names that one, this comparison stays silent. */
const instant = (text: string | undefined) => (text ? (parseIsoDateTime(text)?.getTime() ?? NaN) : NaN);

export const listMeasurementsQuerySchema = z
  .object({
    type: measurementTypeSchema.optional().meta({ description: 'Only rows of this type' }),
    from: isoDateTime.optional().meta({ description: 'Earliest measuredAt (inclusive)' }),
    to: isoDateTime.optional().meta({ description: 'Latest measuredAt (inclusive)' }),
    limit: pageSize,
    cursor: z
      .string()
      .min(1)
      .max(rowApiLimits.maxCursorLength)
      .optional()
      .meta({ description: 'The nextCursor of the previous page, unchanged' }),
  })
  .superRefine(({ from, to }, context) => {
    if (instant(from) > instant(to)) {
      context.addIssue({ code: 'custom', path: ['to'], message: 'Expected to to be at or after from' });
    }
  }) satisfies z.ZodType<ListMeasurementsQuery>;

export const editMeasurementSchema = z
  .object({
    value: storableNumber.optional().meta({ description: "The new value, in the type's stored unit" }),
    measuredAt: isoDateTime.optional().meta({ description: "The measurement's new instant" }),
  })
  .refine((edit) => edit.value !== undefined || edit.measuredAt !== undefined, {
    message: 'Expected value or measuredAt',
  })
  .meta({
    id: 'MeasurementEdit',
    description: 'At least one of value and measuredAt; other keys are ignored',
  }) satisfies z.ZodType<MeasurementEdit>;

export const deleteByExternalIdsSchema = z
  .object({
    externalIds: z.array(wellFormedString(1, 120)).min(1).max(rowApiLimits.maxExternalIds),
  })
  .meta({ id: 'DeleteByExternalIdsRequest' });

const dateTime = (example: string) => z.string().meta({ format: 'date-time', example });

export const measurementRowSchema = z
  .strictObject({
    id: measurementIdSchema,
    type: measurementTypeSchema,
    value: z.number(),
    valueMin: z.number().nullable(),
    valueMax: z.number().nullable(),
    unit: z.string().meta({ example: 'steps' }),
    source: z.enum(measurementSources),
    measuredAt: dateTime('2026-05-23T22:00:00.000Z'),
    startDate: dateTime('2026-05-23T22:00:00.000Z'),
    externalId: z.string(),
    externalSourceVersion: z.string().nullable(),
    hkIdentifier: z.string().meta({ example: 'HKQuantityTypeIdentifierStepCount' }),
    sleepStage: z.enum(Object.values(sleepStages) as [string, ...string[]]).nullable(),
    rhythmClassification: z.string().nullable(),
    deviceType: z.enum(deviceTypes).nullable(),
    createdAt: dateTime('2026-05-24T06:00:00.000Z'),
    updatedAt: dateTime('2026-05-24T18:00:00.000Z'),
  })
  .meta({ id: 'Measurement' }) satisfies z.ZodType<MeasurementRow>;

export const measurementPageSchema = z
  .object({
    measurements: z.array(measurementRowSchema).meta({ description: 'Newest first' }),
    meta: z.object({
      limit: z.int().min(1).max(rowApiLimits.maxPageSize),
      nextCursor: z.string().nullable().meta({ description: 'null on the last page' }),
    }),
  })
  .meta({ id: 'MeasurementPage' }) satisfies z.ZodType<MeasurementPage>;

export const deletedSchema = z.object({ deleted: z.literal(true) }).meta({ id: 'MeasurementDeleted' });

export const deletedCountSchema = z
  .object({ deletedCount: z.int().min(0) })
  .meta({ id: 'MeasurementsDeleted', description: "How many of the caller's live rows were deleted" });
