import { z } from 'zod';
import { isIsoDateTime } from './iso-date-time';

/** Limits of `POST /api/measurements/batch` (contract/batch-api.md §1 and §5). */
export const batchLimits = {
  maxEntries: 500,
  maxBodyBytes: 4 * 1024 * 1024,
} as const;

/** A strict ISO-8601 date-time (iso-date-time.ts), as every endpoint accepts it. */
export const isoDateTime = z
  .string()
  .refine(isIsoDateTime, { message: 'Expected an ISO-8601 date-time with Z or a ±HH:MM offset' })
  .meta({ format: 'date-time', example: '2026-05-24T18:00:00Z' });

/** Optional fields: the phone may omit them or send `null`; both mean "not given". */
const codepoint = z.int().min(0).max(20).nullish();

export const deviceTypes = ['watch', 'band', 'ring', 'phone', 'scale', 'other', 'unknown'] as const;
export const measurementSources = ['APPLE_HEALTH', 'MANUAL'] as const;
export const syncTriggers = ['foreground', 'background', 'push', 'manual'] as const;

/** One HealthKit row as the phone posts it. Unknown keys are ignored, not errors. */
export const batchEntrySchema = z
  .object({
    hkIdentifier: z.string().min(1).max(120),
    value: z.number(),
    unit: z.string().min(1).max(60),
    startDate: isoDateTime,
    endDate: isoDateTime.describe("The measurement's instant (stored as measuredAt)"),
    sleepStage: codepoint,
    categoryValue: codepoint,
    valueMin: z.number().nullish(),
    valueMax: z.number().nullish(),
    externalId: z.string().min(1).max(120),
    externalSourceVersion: z.string().min(1).max(120).nullish(),
    source: z.enum(measurementSources).nullish(),
    deviceType: z.enum(deviceTypes).nullish(),
  })
  .meta({ id: 'BatchEntry' });

export const batchRequestSchema = z
  .object({
    entries: z.array(batchEntrySchema).min(1).max(batchLimits.maxEntries),
    syncTrigger: z.enum(syncTriggers).nullish(),
  })
  .meta({ id: 'BatchRequest' });

export type BatchEntry = z.infer<typeof batchEntrySchema>;
export type BatchRequest = z.infer<typeof batchRequestSchema>;
export type SyncTrigger = (typeof syncTriggers)[number];
