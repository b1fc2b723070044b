import { z } from 'zod';
import {
  deviceTypes,
  isoDateTime,
  measurementIdSchema,
  measurementTypeSchema,
  storableNumber,
  wellFormedString,
} from '../measurements/model/field-schemas';
import { sleepStages } from '../measurements/model/healthkit-types';
import { measurementSources } from '../measurements/model/measurement-types';
import type { MeasurementEdit } from '../measurements/rows/edit-measurement';
import type { MeasurementRow } from '../measurements/rows/measurement-row';

/**
 * Requests and answers of the row API (docs/row-api.md). The handler validates with
 * these schemas and the OpenAPI document is generated from them, so the two cannot disagree.
 */

export const rowApiLimits = {
  maxExternalIds: 500,
  /** 500 externalIds of 120 characters, even fully `\u`-escaped, fit with room to spare. */
  maxBodyBytes: 1024 * 1024,
} as const;

export const measurementPathSchema = z.object({ id: measurementIdSchema });

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

export const deletedSchema = z.object({ deleted: z.literal(true) }).meta({ id: 'MeasurementDeleted' });

export const deletedCountSchema = z
  .object({ deletedCount: z.int().min(0) })
  .meta({ id: 'MeasurementsDeleted', description: "How many of the caller's live rows were deleted" });
