import * as z from 'zod';
import { measurementIdSchema } from '../model/field-schemas';
import { skipReasons } from '../../../definitions/skip-reasons';

/**
 * The success payload of `POST /api/measurements/batch` (docs/batch-api.md, "The answer") as a zod
 * schema, for the OpenAPI document. The handler builds it as `BatchResult` (ingest-batch.ts);
 * a unit test parses real results with this schema, so the two cannot drift apart.
 */

const index = z.int().min(0).meta({ description: "The entry's position in the request" });

export const batchEntryOutcomeSchema = z
  .discriminatedUnion('status', [
    z.object({ index, status: z.enum(['inserted', 'updated']), id: measurementIdSchema }),
    z.object({
      index,
      status: z.literal('duplicate'),
      reason: z.literal('superseded_in_batch').optional(),
      id: measurementIdSchema.meta({ description: "The stored row's id (the existing one for a duplicate)" }),
    }),
    z.object({
      index,
      status: z.literal('failed'),
      reason: z.string().meta({
        description:
          'Why the write failed: the AWS error name (ProvisionedThroughputExceededException), TimeoutError, ' +
          'a network error code (ECONNREFUSED), deadline_exceeded, or write_failed when nothing better is known; ' +
          'the phone re-sends the entry',
        example: 'ProvisionedThroughputExceededException',
      }),
    }),
    z.object({
      index,
      status: z.literal('skipped'),
      reason: z.enum(skipReasons),
      convertedValue: z.number().optional().meta({ description: 'Only for value_out_of_range' }),
      range: z
        .object({ min: z.number(), max: z.number(), unit: z.string() })
        .optional()
        .meta({ description: 'Only for value_out_of_range' }),
    }),
  ])
  .meta({ id: 'BatchEntryOutcome' });

export const batchResultSchema = z
  .object({
    processed: z.int().min(0),
    inserted: z.int().min(0),
    updated: z.int().min(0),
    duplicates: z.int().min(0),
    failed: z.int().min(0),
    skipped: z.array(z.object({ index, reason: z.enum(skipReasons) })),
    entries: z.array(batchEntryOutcomeSchema).meta({ description: 'Exactly one element per posted entry' }),
  })
  .meta({ id: 'BatchResult' });
