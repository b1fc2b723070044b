import { auditEvents, auditFailureEvent, ingestEvents } from './log-events';
import type { ServiceFunctionName } from './service-functions';

/**
 * The CloudWatch Logs metric filters that turn the functions' JSON lines into the dashboard's
 * counts and the alarms' metrics, described once: the stack creates exactly these, and the tests
 * match their patterns against the lines the real handlers log (test/support/log-filter-pattern.ts).
 * Patterns use CloudWatch's JSON filter syntax, in the subset `{ $.field = value }` joined by `&&`.
 */
export interface LogMetricFilter {
  /** Whose log group it reads. */
  readonly logGroupOf: ServiceFunctionName;
  readonly filterPattern: string;
  /** `1` counts matching lines; `$.field` sums that numeric field of them. */
  readonly metricValue: string;
}

const ingestSummary = `{ $.message = "${ingestEvents.summary}" }`;

/** By metric name (namespace `HealthIngest/<stack name>`). */
export const logMetricFilters = {
  EntriesInserted: { logGroupOf: 'ingestBatch', filterPattern: ingestSummary, metricValue: '$.inserted' },
  EntriesUpdated: { logGroupOf: 'ingestBatch', filterPattern: ingestSummary, metricValue: '$.updated' },
  EntriesDuplicate: { logGroupOf: 'ingestBatch', filterPattern: ingestSummary, metricValue: '$.duplicates' },
  EntriesSkipped: { logGroupOf: 'ingestBatch', filterPattern: ingestSummary, metricValue: '$.skipped' },
  /** Entries answered `failed` (the phone re-sends them); the failed-entries alarm watches it. */
  EntriesFailed: { logGroupOf: 'ingestBatch', filterPattern: ingestSummary, metricValue: '$.failed' },
  BatchesRejected: {
    logGroupOf: 'ingestBatch',
    filterPattern: `{ $.message = "${ingestEvents.rejected}" }`,
    metricValue: '1',
  },
  StatsOverwrites: {
    logGroupOf: 'auditStream',
    filterPattern: `{ $.message = "${auditEvents.statsOverwrite}" }`,
    metricValue: '1',
  },
  StatsOverwriteDecreases: {
    logGroupOf: 'auditStream',
    filterPattern: `{ ($.message = "${auditEvents.statsOverwrite}") && ($.direction = "decrease") }`,
    metricValue: '1',
  },
  AuditRecordFailures: {
    logGroupOf: 'auditStream',
    filterPattern: `{ $.message = "${auditFailureEvent}" }`,
    metricValue: '1',
  },
} as const satisfies Record<string, LogMetricFilter>;

export type LogMetricName = keyof typeof logMetricFilters;
