import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { createAuditStreamHandler } from '../../functions/audit-stream/create-audit-stream-handler';
import { AuditKeysStore } from '../../functions/audit/audit-keys-store';
import { UserRefs } from '../../functions/audit/user-refs';
import { auditEvents, debugEvents } from '../../definitions/log-events';
import { createLogger } from '../../functions/commons/logger';
import { auditStreamSource } from '../../definitions/audit-stream';
import { latestStreamArn, readStreamRecords, toStreamEvents } from '../../local/dynamodb-stream';
import type { CapturedLogs } from './captured-logs';
import type { LocalTable } from './local-table';

/** What the audit function made of one user's part of the table's stream. */
export interface AuditTrail {
  /** Every stream record of the user's items, in stream (sequence-number) order. */
  readonly records: DynamoDBRecord[];
  /** The records the event source mapping's filter patterns let through to the function. */
  readonly delivered: DynamoDBRecord[];
  readonly responses: DynamoDBBatchResponse[];
  /** `measurement.batch.stats-overwrite` lines, in the order the function logged them. */
  readonly overwrites: Record<string, unknown>[];
  /** `measurement.batch.stats-repost-unchanged` DEBUG lines. */
  readonly unchangedReposts: Record<string, unknown>[];
  /** Every line the audit function logged in this run. */
  readonly lines: Record<string, unknown>[];
  /** The user's pseudonym in those lines (their key in the table's audit-keys table); undefined without one. */
  readonly userRef: string | undefined;
}

/** The audit handler as the function wires it, on the table's own audit-keys table. */
export function auditHandlerFor(table: LocalTable) {
  return createAuditStreamHandler({
    logger: createLogger('measurement-audit'),
    userRefs: new UserRefs(new AuditKeysStore(table.documentClient, table.auditKeysTableName)),
  });
}

/**
 * Reads the table's real stream (DynamoDB Streams API on DynamoDB Local), keeps the user's
 * records, and invokes the real audit handler exactly as the event source mapping would: the
 * stack's filter patterns, its batch size, stream order. `logs` must be capturing.
 */
export async function auditTrailOf(
  table: LocalTable,
  streams: DynamoDBStreamsClient,
  logs: CapturedLogs,
  userId: string,
): Promise<AuditTrail> {
  const streamArn = await latestStreamArn(table.client, table.tableName);
  const records = (await readStreamRecords(streams, streamArn)).filter((record) =>
    record.dynamodb?.Keys?.pk?.S?.startsWith(`${userId}#`),
  );
  const events = toStreamEvents(records, auditStreamSource);
  const audit = auditHandlerFor(table);
  const firstLine = logs.lines.length;
  const responses: DynamoDBBatchResponse[] = [];
  for (const event of events) responses.push(await audit(event));
  const lines = logs.lines.slice(firstLine).filter((line) => line.service === 'measurement-audit');
  return {
    records,
    delivered: events.flatMap((event) => event.Records),
    responses,
    overwrites: lines.filter((line) => line.message === auditEvents.statsOverwrite),
    unchangedReposts: lines.filter((line) => line.message === debugEvents.statsRepostUnchanged),
    lines,
    userRef: await new AuditKeysStore(table.documentClient, table.auditKeysTableName).currentUserRef(userId),
  };
}

/** The `value` attribute of a record's image (Lambda's DynamoDB JSON). */
export function imageValue(record: DynamoDBRecord, image: 'NewImage' | 'OldImage'): number | undefined {
  const value = record.dynamodb?.[image]?.value?.N;
  return value === undefined ? undefined : Number(value);
}

export function imageString(
  record: DynamoDBRecord,
  image: 'NewImage' | 'OldImage',
  attribute: string,
): string | undefined {
  return record.dynamodb?.[image]?.[attribute]?.S;
}
