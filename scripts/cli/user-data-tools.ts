import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AuditKeysStore } from '../../functions/audit/audit-keys-store';
import { rebuildDailyAggregates } from '../../functions/measurements/aggregates/rebuild-aggregates';
import { DailyAggregates } from '../../functions/measurements/storage/daily-aggregates';
import { UserItems } from '../../functions/measurements/storage/user-items';
import { RequestGuardRecords } from '../../functions/request-guards/request-guards-repository';
import type { EraseUserDependencies } from '../../functions/user-data/erase-user';
import type { ExportUserDependencies } from '../../functions/user-data/export-user';
import type { ImportUserDependencies } from '../../functions/user-data/import-user';
import type { TableNames } from '../../local/create-tables';

/**
 * The user-data tools' dependencies on real tables: what the CLIs (`scripts/export-user.ts`, …)
 * and a benchmark hand to `exportUser`, `importUser` and `eraseUser`
 * (functions/user-data/). The requests each issues, for a benchmark's floor:
 * - export: Query of `byOwner` (keys only, 1 MB pages), BatchGetItem of 100 keys (consistent);
 * - import: BatchGetItem of a batch's row and marker keys (consistent), BatchWriteItem of PutRequests
 *   (25 a call) for what is missing; then the rebuild (Query of `byUserType`, PutItem per day),
 *   and one PutItem + DeleteItem (lifecycle) and GetItem (+ PutItem) on the audit keys;
 * - erase: Query of `byOwner`, BatchGetItem (projected), BatchWriteItem of `erasing` PutRequests,
 *   one conditional DeleteItem per item; Query + BatchWriteItem deletes of the aggregates; a Scan
 *   + BatchWriteItem deletes of the guards table; PutItem + DeleteItem (lifecycle); GetItem and
 *   DeleteItem of the audit key; then the verification's reads.
 */

/** What the tools do at once unless told otherwise (each CLI's `--concurrency`); the benchmark runs them so. */
export const toolDefaults = {
  /** export-user: batches of 100 rows read at once. */
  exportConcurrency: 4,
  /** import-user: batches of 100 rows restored at once, and days rebuilt at once afterwards. */
  importConcurrency: 4,
  importRebuildConcurrency: 4,
  /** erase-user: deletes in flight at once. */
  eraseConcurrency: 8,
} as const;

export function exportDependencies(
  documents: DynamoDBDocumentClient,
  tables: Pick<TableNames, 'measurements'>,
): ExportUserDependencies {
  return { items: new UserItems(documents, tables.measurements) };
}

export function importDependencies(
  documents: DynamoDBDocumentClient,
  tables: Pick<TableNames, 'measurements' | 'dailyAggregates' | 'auditKeys'>,
  options: { readonly rebuildConcurrency: number },
): ImportUserDependencies {
  const items = new UserItems(documents, tables.measurements);
  const aggregates = new DailyAggregates(documents, {
    measurements: tables.measurements,
    aggregates: tables.dailyAggregates,
  });
  return {
    items,
    announcer: items,
    auditKeys: new AuditKeysStore(documents, tables.auditKeys),
    async rebuildAggregates(userId) {
      const summary = await rebuildDailyAggregates(
        { source: aggregates, store: aggregates },
        { userIds: [userId], segments: 1, concurrency: options.rebuildConcurrency },
      );
      return { failedDays: summary.failedDays.length + summary.failedSeries.length };
    },
  };
}

export function eraseDependencies(
  client: DynamoDBClient,
  documents: DynamoDBDocumentClient,
  tables: TableNames,
): EraseUserDependencies {
  const items = new UserItems(documents, tables.measurements);
  return {
    items,
    announcer: items,
    aggregates: new DailyAggregates(documents, {
      measurements: tables.measurements,
      aggregates: tables.dailyAggregates,
    }),
    guards: new RequestGuardRecords(client, tables.requestGuards),
    auditKeys: new AuditKeysStore(documents, tables.auditKeys),
  };
}
