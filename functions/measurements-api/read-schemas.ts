import * as z from 'zod';
import { isoDateTime, measurementTypeSchema } from '../measurements/model/field-schemas';
import { parseIsoDateTime } from '../measurements/model/iso-date-time';
import { measurementSources } from '../measurements/model/measurement-types';
import type { ListMeasurementsQuery } from '../measurements/rows/read-measurements';
import type { SeriesQuery } from '../measurements/rows/read-series';
import { SLEEP_STAGES } from '../measurements/summaries/sleep-nights';
import { seriesKinds, type SeriesKind } from '../measurements/summaries/series-kinds';
import { measurementRowSchema } from './measurements-api-schema';

/**
 * What the app reads (docs/row-api.md): lists, day totals, sleep nights and chart series. The
 * handler validates the query strings with these schemas (which check themselves against the use
 * cases' input types), and the OpenAPI document is generated from them; the integration tests
 * parse every answer with the answer schemas, so the document cannot drift from the code.
 */

export const readLimits = {
  defaultPageSize: 100,
  /** The app asks for 7, 50, 400, 2000 and 5000. */
  maxPageSize: 5000,
  /**
   * A real cursor is a few hundred characters; the longest possible one (a 256-character user id
   * and a 120-character externalId, every character escaped to six bytes) is under 5,300, and
   * anything much longer is not one of ours.
   */
  maxCursorLength: 8192,
  defaultSeriesDays: 30,
  maxSeriesDays: 3650,
} as const;

/** Query strings carry text; only plain digits become a number (no `1e2`, no spaces, no `0x`). */
const wholeNumber = (value: unknown) =>
  typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;

const boundedWholeNumber = (min: number, max: number, fallback: number, description: string) =>
  z
    .preprocess(
      wholeNumber,
      z
        .int({ error: `Expected a whole number from ${min} to ${max}` })
        .min(min)
        .max(max),
    )
    .default(fallback)
    .meta({ description, override: { default: fallback } });

const cursorParameter = z.string().min(1).max(readLimits.maxCursorLength).optional();

/** `NaN` for a malformed date-time: the field's own check names that one, this comparison stays silent. */
const instant = (text: string | undefined) => (text ? (parseIsoDateTime(text)?.getTime() ?? NaN) : NaN);

export const listMeasurementsQuerySchema = z
  .object({
    type: measurementTypeSchema.optional().meta({ description: 'Only rows of this type' }),
    from: isoDateTime.optional().meta({ description: 'Earliest measuredAt (inclusive)' }),
    to: isoDateTime.optional().meta({ description: 'Latest measuredAt (inclusive)' }),
    limit: boundedWholeNumber(1, readLimits.maxPageSize, readLimits.defaultPageSize, 'Rows per page'),
    cursor: cursorParameter.meta({ description: 'The nextCursor of the previous page, unchanged' }),
    offset: z
      .preprocess(wholeNumber, z.literal(0, { error: 'Only offset 0 is supported: continue with cursor' }))
      .optional()
      .meta({ description: 'Only 0: pages continue with cursor' }),
    sourceEq: z
      .enum(measurementSources)
      .optional()
      .meta({ description: 'Only rows of this source (ignored for sleep nights)' }),
    groupBy: z
      .enum(['day'])
      .optional()
      .meta({ description: 'One row per local day, for a cumulative type; ignored for any other type' }),
  })
  .superRefine(({ from, to }, context) => {
    for (const [path, text] of [
      ['from', from],
      ['to', to],
    ] as const) {
      // Stored instants are `toISOString()` of years 0000–9999; outside them the string form
      // (`+010000-…`) would not sort with them, and the bound would read the wrong rows.
      const year = text === undefined ? undefined : parseIsoDateTime(text)?.getUTCFullYear();
      if (year !== undefined && (year < 0 || year > 9999)) {
        context.addIssue({
          code: 'custom',
          path: [path],
          message: 'Expected an instant in the years 0000–9999 (UTC)',
        });
      }
    }
    if (instant(from) > instant(to)) {
      context.addIssue({ code: 'custom', path: ['to'], message: 'Expected to to be at or after from' });
    }
  })
  .transform(({ offset: _offset, ...query }) => query) satisfies z.ZodType<ListMeasurementsQuery>;

const dateTime = (example: string) => z.string().meta({ format: 'date-time', example });
const stageTotals = (description: string) =>
  z
    .object(
      Object.fromEntries(SLEEP_STAGES.map((stage) => [stage, z.number()])) as Record<string, z.ZodNumber>,
    )
    .meta({ description });

export const dayTotalRowSchema = z
  .strictObject({
    id: z.string().meta({
      description: 'day:<TYPE>:<YYYY-MM-DD>; names no stored row',
      example: 'day:ACTIVE_ENERGY_BURNED:2026-05-24',
    }),
    type: measurementTypeSchema,
    value: z.number().meta({ description: 'The sum of the kept rows of the day' }),
    unit: z.string(),
    source: z.enum(measurementSources).meta({ description: 'Of the day’s newest kept row' }),
    measuredAt: dateTime('2026-05-24T10:00:00.000Z').meta({ description: '12:00 local time of the day' }),
    notes: z.null(),
    dayKey: z.string().meta({ example: '2026-05-24' }),
    sampleCount: z.int().min(1),
    partial: z.literal(true).optional().meta({
      description:
        'Only on a day that may miss rows: the oldest, when reading hit limit; the newest, when the previous page ended inside it',
    }),
  })
  .meta({ id: 'DayTotal', description: 'One local day of a cumulative type (groupBy=day)' });

export const sleepNightRowSchema = z
  .strictObject({
    id: z.string().meta({ description: 'sleep:<YYYY-MM-DD> (the wake day); names no stored row' }),
    type: z.literal('SLEEP_DURATION'),
    value: z.number().meta({ description: 'Asleep minutes of the main session, rounded' }),
    unit: z.literal('minutes'),
    source: z.enum(measurementSources),
    measuredAt: dateTime('2026-05-24T05:30:00.000Z').meta({ description: 'The main session’s wake instant' }),
    notes: z.null(),
    dayKey: z.string().meta({ example: '2026-05-24' }),
    sampleCount: z.int().min(1),
    sleepStages: stageTotals('Minutes per stage over the main session'),
    inBedMinutes: z.number(),
    awakeMinutes: z.number(),
    napCount: z.int().min(0),
    napAsleepMinutes: z.number(),
    awakenings: z.int().min(0),
    partial: z.literal(true).optional().meta({
      description:
        'Only on a night answered from part of its segments, when one request could not read them all',
    }),
  })
  .meta({ id: 'SleepNight', description: 'One night (type=SLEEP_DURATION): the wake day’s main session' });

export const measurementPageSchema = z
  .object({
    measurements: z
      .array(z.union([measurementRowSchema, dayTotalRowSchema, sleepNightRowSchema]))
      .meta({ description: 'Newest first' }),
    meta: z.object({
      limit: z.int().min(1).max(readLimits.maxPageSize),
      offset: z.literal(0),
      nextCursor: z.string().nullable().meta({ description: 'null on the last page' }),
      groupBy: z.enum(['day', 'night']).optional(),
      droppedDuplicates: z
        .int()
        .min(0)
        .optional()
        .meta({ description: 'groupBy=day: rows read minus rows kept' }),
    }),
  })
  .meta({ id: 'MeasurementPage' });

const kinds = Object.keys(seriesKinds) as [SeriesKind, ...SeriesKind[]];

export const seriesQuerySchema = z.object({
  kind: z.enum(kinds).meta({ description: 'The chart' }),
  days: boundedWholeNumber(
    1,
    readLimits.maxSeriesDays,
    readLimits.defaultSeriesDays,
    'The window: the last days × 24 h',
  ),
  cursor: cursorParameter.meta({
    description: 'The nextCursor of a previous answer of this kind, unchanged: the points after it',
  }),
}) satisfies z.ZodType<SeriesQuery>;

const seriesPointSchema = z
  .object({
    id: z.string().meta({
      description: 'A row id, or hour:<instant> / day:<YYYY-MM-DD> / sleep:<YYYY-MM-DD> for a bucket',
    }),
    at: dateTime('2026-05-24T14:30:00.000Z'),
    value: z.number(),
    secondary: z
      .number()
      .nullable()
      .meta({ description: 'Diastolic for bloodPressure; null for every other kind' }),
    valueMin: z
      .number()
      .nullable()
      .optional()
      .meta({ description: 'pulse: the lowest heart rate the point covers' }),
    valueMax: z
      .number()
      .nullable()
      .optional()
      .meta({ description: 'pulse: the highest heart rate the point covers' }),
    sleepStages: stageTotals('sleep: hours per stage').optional(),
  })
  .meta({ id: 'SeriesPoint' });

export const seriesSchema = z
  .object({
    kind: z.enum(kinds),
    unit: z.string().meta({ example: 'bpm' }),
    points: z.array(seriesPointSchema).meta({ description: 'Oldest first' }),
    stats: z
      .object({
        mean: z.number(),
        min: z.number(),
        max: z.number(),
        stdDev: z.number().meta({ description: 'Population standard deviation' }),
        count: z.int().min(0),
      })
      .meta({ description: 'Over the values the points summarise; every stat 0 for an empty series' }),
    nextCursor: z.string().optional().meta({
      description:
        'Only when more points follow: the answer stopped at its byte budget; pass it as cursor for the rest',
    }),
  })
  .meta({ id: 'Series' });
