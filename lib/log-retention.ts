import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * How long the audit function's log group keeps its lines: the audit trail is what makes a
 * row's historical revisions traceable, so it outlives the other logs by years (the contract:
 * "separate and long, default 7 years, configurable per deployment"). Every other log group
 * keeps LOG_RETENTION_DAYS (definitions/service-functions.ts).
 */
export const DEFAULT_AUDIT_LOG_RETENTION_DAYS = RetentionDays.SEVEN_YEARS;

/**
 * The periods CloudWatch Logs accepts for a log group's retention (`RetentionDays`), never
 * "never expire": health data is kept for a bounded time.
 */
export const cloudWatchRetentionPeriods: readonly number[] = Object.values(RetentionDays)
  .filter((value): value is RetentionDays => typeof value === 'number' && value !== RetentionDays.INFINITE)
  .sort((a, b) => a - b);

/** Context `auditLogRetentionDays` (days), else 2557 (7 years); anything CloudWatch refuses fails the synth. */
export function auditLogRetentionFromContext(scope: Construct): number {
  const raw: unknown = scope.node.tryGetContext('auditLogRetentionDays');
  if (raw === undefined) return DEFAULT_AUDIT_LOG_RETENTION_DAYS;
  const days =
    typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!cloudWatchRetentionPeriods.includes(days)) {
    throw new Error(
      `Context auditLogRetentionDays must be a retention period CloudWatch Logs supports, in days: ` +
        `one of ${cloudWatchRetentionPeriods.join(', ')} (got ${JSON.stringify(raw)}).`,
    );
  }
  return days;
}
