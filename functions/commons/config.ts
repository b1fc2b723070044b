import * as z from 'zod';

/**
 * The functions' configuration, validated once at cold start. The stack sets these variables
 * (lib/definitions/service-functions.ts) and the local runtime sets the same ones.
 */
const configSchema = z.object({
  TABLE_NAME: z.string().min(1),
  /** Writes of one batch in flight at once; chosen from the benchmark's concurrency sweep. */
  WRITE_CONCURRENCY: z.coerce.number().int().min(1).max(128).default(16),
  /** Attempts per DynamoDB call including the first (SDK standard retry mode). */
  DYNAMODB_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /** Time one DynamoDB HTTP request may take before it is abandoned (and retried). */
  DYNAMODB_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(3000),
  /** Kept free before the Lambda deadline to shape and return the response. */
  DEADLINE_SAFETY_MARGIN_MS: z.coerce.number().int().min(0).default(1500),
  /** Only set by the local runtime and the tests (DynamoDB Local). */
  DYNAMODB_ENDPOINT: z.url().optional(),
});

export type Config = z.infer<typeof configSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return configSchema.parse(env);
}

/** The ingest function's settings: the shared ones plus the table its request guards use. */
const ingestConfigSchema = configSchema.extend({
  /** Idempotency-Key records and rate-limit counters (lib/definitions/request-guards-table.ts). */
  REQUEST_GUARDS_TABLE_NAME: z.string().min(1),
});

export type IngestConfig = z.infer<typeof ingestConfigSchema>;

export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  return ingestConfigSchema.parse(env);
}
