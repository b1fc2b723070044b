import * as z from 'zod';
import { DEFAULT_TIME_ZONE, canonicalTimeZone, parseHealthLogUrl } from './authentication';

/**
 * A function's settings: the environment variables it reads at cold start, declared once in its
 * definition (definitions/service-functions.ts), each with how its text is read and where its
 * value comes from. The rest is derived from that declaration: the stack's, the local runtime's
 * and the test service's environment of the function (`functionEnvironment`), and the function's
 * typed configuration (`loadSettings`, functions/commons/config.ts). So a function cannot read a
 * variable its definition does not declare, and no deployment can leave out one it declares.
 */

/**
 * What a deployment has for its functions: its resources (the tables, the settle queue), its
 * context (the default time zone, HealthLog's URL) and, in the local runtime and the tests only,
 * DynamoDB Local's endpoint.
 */
export type DeploymentValueName =
  | 'measurementsTable'
  | 'requestGuardsTable'
  | 'dailyAggregatesTable'
  | 'auditKeysTable'
  | 'settleQueueUrl'
  | 'defaultTimeZone'
  | 'healthLogUrl'
  | 'dynamoDbEndpoint';

export type DeploymentValues = Readonly<Partial<Record<DeploymentValueName, string>>>;

export interface Setting {
  /** Reads the variable's text (undefined when unset); a value it refuses fails the cold start. */
  readonly schema: z.ZodType;
  /** The deployment's value the variable is set to. */
  readonly from?: DeploymentValueName;
  /** What the variable is set to where the deployment has no such value, or the setting names none. */
  readonly default?: string | number;
}

export type Settings = Readonly<Record<string, Setting>>;

/** The configuration a function's settings give it, one typed value per declared variable. */
export type SettingValues<S extends Settings> = { readonly [Name in keyof S]: z.output<S[Name]['schema']> };

/** What `functionEnvironment` needs of a function's definition. */
export interface ConfiguredFunction {
  /** Construct id in the stack, named in the error for a value a deployment lacks. */
  readonly id: string;
  /** Powertools service name: the `service` key of every log line. */
  readonly serviceName: string;
  readonly settings: Settings;
}

/**
 * A function's environment in a deployment: each declared variable set to the deployment's value
 * it names, else to its default; a variable with neither stays unset when the function runs
 * without it (its schema accepts nothing), and is an error otherwise. Plus the Powertools service
 * name, which Powertools reads itself.
 */
export function functionEnvironment(
  definition: ConfiguredFunction,
  values: DeploymentValues,
): Record<string, string> {
  const environment: Record<string, string> = { POWERTOOLS_SERVICE_NAME: definition.serviceName };
  for (const [variable, setting] of Object.entries(definition.settings)) {
    const value = (setting.from && values[setting.from]) ?? defaultText(setting);
    if (value !== undefined) environment[variable] = value;
    else if (!setting.schema.safeParse(undefined).success)
      throw new Error(
        `${definition.id} reads ${variable}, but the deployment gives no ${setting.from} for it`,
      );
  }
  return environment;
}

/** A setting's default as the environment holds it (text), if it has one. */
export function defaultText(setting: Setting): string | undefined {
  return setting.default === undefined ? undefined : String(setting.default);
}

const wholeNumber = (min: number, max?: number) => {
  const atLeast = z.coerce.number().int().min(min);
  return max === undefined ? atLeast : atLeast.max(max);
};

const resourceName = (from: DeploymentValueName) => ({ schema: z.string().min(1), from }) as const;

/** Calls of one request (or one batch of records) in flight at once. */
const callsInFlight = (value: number) => ({ schema: wholeNumber(1, 128), default: value }) as const;

/** An IANA zone, canonicalized (`europe/berlin` → `Europe/Berlin`); anything else fails the cold start. */
const timeZone = z.string().transform((zone, context) => {
  const canonical = canonicalTimeZone(zone);
  if (canonical === undefined) {
    context.addIssue({ code: 'custom', message: `Not an IANA time zone: "${zone}"` });
    return z.NEVER;
  }
  return canonical;
});

/** HealthLog's base URL: https, or http to a loopback host only. */
const healthLogUrl = z.string().transform((raw, context) => {
  const url = parseHealthLogUrl(raw);
  if (!url.ok) {
    context.addIssue({ code: 'custom', message: url.problem });
    return z.NEVER;
  }
  return url.baseUrl;
});

// The variables, each written once; a definition spreads the ones its function reads.

/** The measurements table (definitions/measurements-table.ts). */
export const measurementsTableSetting = { TABLE_NAME: resourceName('measurementsTable') } as const;

/** Idempotency-Key records and rate-limit counters (definitions/request-guards-table.ts). */
export const requestGuardsTableSetting = {
  REQUEST_GUARDS_TABLE_NAME: resourceName('requestGuardsTable'),
} as const;

/** Daily aggregates of the dense types (definitions/daily-aggregates-table.ts). */
export const dailyAggregatesTableSetting = {
  DAILY_AGGREGATES_TABLE_NAME: resourceName('dailyAggregatesTable'),
} as const;

/** One pseudonym key per audited user (definitions/audit-keys-table.ts). */
export const auditKeysTableSetting = { AUDIT_KEYS_TABLE_NAME: resourceName('auditKeysTable') } as const;

/** The variable holding the settle queue's URL (definitions/aggregate-settle.ts). */
export const SETTLE_QUEUE_URL_VARIABLE = 'AGGREGATE_SETTLE_QUEUE_URL';

export const settleQueueSetting = {
  [SETTLE_QUEUE_URL_VARIABLE]: { schema: z.url(), from: 'settleQueueUrl' },
} as const;

/** The zone a caller's days are cut in when their credential names none (context `defaultTimeZone`). */
export const defaultTimeZoneSetting = {
  DEFAULT_TIME_ZONE: { schema: timeZone, from: 'defaultTimeZone', default: DEFAULT_TIME_ZONE },
} as const;

/** How a function's DynamoDB client behaves (functions/commons/dynamodb-client.ts). */
export function dynamoDbClientSettings(defaults: {
  readonly maxAttempts: number;
  readonly requestTimeoutMs: number;
}) {
  return {
    /** Attempts per DynamoDB call including the first (SDK standard retry mode). */
    DYNAMODB_MAX_ATTEMPTS: { schema: wholeNumber(1, 10), default: defaults.maxAttempts },
    /** Time one DynamoDB HTTP request may take before it is abandoned (and retried). */
    DYNAMODB_REQUEST_TIMEOUT_MS: { schema: wholeNumber(100), default: defaults.requestTimeoutMs },
    /** DynamoDB Local: set by the local runtime and the tests only. */
    DYNAMODB_ENDPOINT: { schema: z.url().optional(), from: 'dynamoDbEndpoint' },
  } as const;
}

/** Writes of one batch (or one recompute's days) in flight at once. */
export const writeConcurrencySetting = (value: number) =>
  ({ WRITE_CONCURRENCY: callsInFlight(value) }) as const;

/** Lookups, then deletes, of one row-API delete request in flight at once. */
export const deleteConcurrencySetting = (value: number) =>
  ({ DELETE_CONCURRENCY: callsInFlight(value) }) as const;

/** Kept free before the Lambda deadline to shape and return the response. */
export const deadlineSafetyMarginSetting = (milliseconds: number) =>
  ({ DEADLINE_SAFETY_MARGIN_MS: { schema: wholeNumber(0), default: milliseconds } }) as const;

/** HealthLog's introspection, in the `healthlog` mode's authorizer. */
export const healthLogSettings = (timeoutMs: number) =>
  ({
    /** HealthLog's base URL (context `healthlogUrl`). */
    HEALTHLOG_URL: { schema: healthLogUrl, from: 'healthLogUrl' },
    /**
     * How long one introspection may take, body included: at most 2 s (docs/authentication.md,
     * "The healthlog mode"), so a slow HealthLog costs the app a quick 5xx (which it retries)
     * instead of a hanging sync.
     */
    HEALTHLOG_TIMEOUT_MS: { schema: wholeNumber(100, 2000), default: timeoutMs },
  }) as const;
