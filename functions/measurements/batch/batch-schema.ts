import * as z from 'zod';
import {
  MAX_EXTERNAL_ID_LENGTH,
  deviceTypes,
  isoDateTime,
  storableNumber,
  wellFormedString,
  writableSources,
} from '../model/field-schemas';

/** Limits of `POST /api/measurements/batch` (docs/batch-api.md, "Request" and "Limits and replays"). */
export const batchLimits = {
  maxEntries: 500,
  maxBodyBytes: 4 * 1024 * 1024,
} as const;

/** Optional fields: the phone may omit them or send `null`; both mean "not given". */
const codepoint = z.int().min(0).max(20).nullish();

export const syncTriggers = ['foreground', 'background', 'push', 'manual'] as const;

/** One HealthKit row as the phone posts it. Unknown keys are ignored, not errors. */
export const batchEntrySchema = z
  .object({
    hkIdentifier: wellFormedString(1, 120),
    value: storableNumber,
    unit: wellFormedString(1, 60),
    startDate: isoDateTime,
    endDate: isoDateTime.describe("The measurement's instant (stored as measuredAt)"),
    sleepStage: codepoint,
    categoryValue: codepoint,
    valueMin: z.number().nullish(),
    valueMax: z.number().nullish(),
    externalId: wellFormedString(1, MAX_EXTERNAL_ID_LENGTH),
    externalSourceVersion: wellFormedString(1, 120).nullish(),
    source: z.enum(writableSources).nullish(),
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
