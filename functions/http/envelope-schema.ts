import * as z from 'zod';

/**
 * The envelope of every answer (docs/batch-api.md, "The answer") as zod schemas, for the OpenAPI
 * document. The handlers build the envelope with envelope.ts; the OpenAPI test checks both agree.
 */

export const validationIssueSchema = z
  .object({
    path: z.string().meta({ description: 'Dotted path of the offending value; "" for the body itself' }),
    code: z.string(),
    message: z.string(),
  })
  .meta({ id: 'ValidationIssue' });

export const errorEnvelopeSchema = z
  .object({
    data: z.null(),
    error: z.string().meta({ description: 'An English sentence', example: 'Measurement not found' }),
    meta: z.object({ errorCode: z.string() }).optional(),
    details: z.object({ issues: z.array(validationIssueSchema) }).optional(),
  })
  .meta({ id: 'ErrorEnvelope' });

/** `{"data": <payload>, "error": null}` */
export function successEnvelope<T extends z.ZodType>(data: T) {
  return z.object({ data, error: z.null() });
}
