import * as z from 'zod';
import { aggregateSettleQueue } from '../../definitions/aggregate-settle';
import { DEFAULT_TIME_ZONE, canonicalTimeZone, parseHealthLogUrl } from '../../definitions/authentication';

/** An IANA zone, canonicalized (`europe/berlin` → `Europe/Berlin`); anything else fails the cold start. */
const timeZoneSetting = z.string().transform((zone, context) => {
  const canonical = canonicalTimeZone(zone);
  if (canonical === undefined) {
    context.addIssue({ code: 'custom', message: `Not an IANA time zone: "${zone}"` });
    return z.NEVER;
  }
  return canonical;
});

/**
 * The functions' configuration, validated once at cold start. The stack sets these variables
 * (definitions/service-functions.ts) and the local runtime sets the same ones.
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
  /** The zone a caller's days are cut in when their credential names none (context `defaultTimeZone`). */
  DEFAULT_TIME_ZONE: timeZoneSetting.default(DEFAULT_TIME_ZONE),
});

export type Config = z.infer<typeof configSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return configSchema.parse(env);
}

/**
 * The settings of a function with request guards (the ingest function, the row API): the shared
 * ones plus the table its guards use.
 */
const guardedConfigSchema = configSchema.extend({
  /** Idempotency-Key records and rate-limit counters (definitions/request-guards-table.ts). */
  REQUEST_GUARDS_TABLE_NAME: z.string().min(1),
});

export type GuardedConfig = z.infer<typeof guardedConfigSchema>;

export function loadGuardedConfig(env: NodeJS.ProcessEnv = process.env): GuardedConfig {
  return guardedConfigSchema.parse(env);
}

const aggregatesTableSetting = {
  /** Daily aggregates of the dense types (definitions/daily-aggregates-table.ts). */
  DAILY_AGGREGATES_TABLE_NAME: z.string().min(1),
};

/**
 * The daily-aggregate function's settings: the shared ones, the aggregates table, and the queue
 * its settle recomputes go through (definitions/aggregate-settle.ts).
 */
const aggregatesConfigSchema = configSchema.extend({
  ...aggregatesTableSetting,
  [aggregateSettleQueue.queueUrlVariable]: z.url(),
});

export type AggregatesConfig = z.infer<typeof aggregatesConfigSchema>;

export function loadAggregatesConfig(env: NodeJS.ProcessEnv = process.env): AggregatesConfig {
  return aggregatesConfigSchema.parse(env);
}

/** The row API's settings: a guarded function's, plus the aggregates table long charts read. */
const rowApiConfigSchema = guardedConfigSchema.extend(aggregatesTableSetting);

export type RowApiConfig = z.infer<typeof rowApiConfigSchema>;

export function loadRowApiConfig(env: NodeJS.ProcessEnv = process.env): RowApiConfig {
  return rowApiConfigSchema.parse(env);
}

/** The audit function's settings: the shared ones plus the table of the users' audit keys. */
const auditConfigSchema = configSchema.extend({
  /** One pseudonym key per audited user (definitions/audit-keys-table.ts). */
  AUDIT_KEYS_TABLE_NAME: z.string().min(1),
});

export type AuditConfig = z.infer<typeof auditConfigSchema>;

export function loadAuditConfig(env: NodeJS.ProcessEnv = process.env): AuditConfig {
  return auditConfigSchema.parse(env);
}

/**
 * The HealthLog authorizer's settings (`healthlog` mode only). It touches no table, so it has
 * none of the settings above.
 */
const healthLogAuthorizerConfigSchema = z.object({
  /** HealthLog's base URL (context `healthlogUrl`): https, or http to a loopback host only. */
  HEALTHLOG_URL: z.string().transform((raw, context) => {
    const url = parseHealthLogUrl(raw);
    if (!url.ok) {
      context.addIssue({ code: 'custom', message: url.problem });
      return z.NEVER;
    }
    return url.baseUrl;
  }),
  /**
   * How long one introspection may take, body included: at most 2 s (docs/authentication.md, "The healthlog mode"), so a
   * slow HealthLog costs the app a quick 5xx (which it retries) instead of a hanging sync.
   */
  HEALTHLOG_TIMEOUT_MS: z.coerce.number().int().min(100).max(2000).default(2000),
});

export type HealthLogAuthorizerConfig = z.infer<typeof healthLogAuthorizerConfigSchema>;

export function loadHealthLogAuthorizerConfig(
  env: NodeJS.ProcessEnv = process.env,
): HealthLogAuthorizerConfig {
  return healthLogAuthorizerConfigSchema.parse(env);
}
