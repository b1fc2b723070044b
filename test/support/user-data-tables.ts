import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { AuditKeysStore } from '../../functions/audit/audit-keys-store';
import { createLocalRequestGuardsTable, type LocalRequestGuardsTable } from './local-request-guards';
import { createLocalTable, type LocalTable } from './local-table';

/**
 * Every table the user-data tools touch, fresh on the run's DynamoDB Local, and the options that
 * point a tool at them (`--endpoint` and the table names; the tools run through
 * test/support/operator-tool.ts).
 */
export interface UserDataTables {
  readonly table: LocalTable;
  readonly guards: LocalRequestGuardsTable;
  readonly auditKeysTableName: string;
  readonly auditKeys: AuditKeysStore;
  /** The table options of the tools, as an operator passes the stack's outputs. */
  readonly tableArgs: readonly string[];
  /** Every item of every table, unmarshalled, per table. Tests only. */
  scanAll(): Promise<
    Record<'measurements' | 'dailyAggregates' | 'requestGuards' | 'auditKeys', Record<string, unknown>[]>
  >;
  drop(): Promise<void>;
}

export async function createUserDataTables(): Promise<UserDataTables> {
  const [table, guards] = await Promise.all([
    createLocalTable({ stream: true }),
    createLocalRequestGuardsTable(),
  ]);
  const { auditKeysTableName } = table;
  const scan = async (TableName: string) => {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, any> | undefined;
    do {
      const page = await table.client.send(
        new ScanCommand({ TableName, ConsistentRead: true, ExclusiveStartKey }),
      );
      items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  };
  return {
    table,
    guards,
    auditKeysTableName,
    auditKeys: new AuditKeysStore(table.documentClient, auditKeysTableName),
    tableArgs: [
      '--table',
      table.tableName,
      '--aggregates-table',
      table.aggregatesTableName,
      '--guards-table',
      guards.tableName,
      '--audit-keys-table',
      auditKeysTableName,
      '--endpoint',
      table.endpoint,
    ],
    async scanAll() {
      const [measurements, dailyAggregates, requestGuards, auditKeys] = await Promise.all([
        scan(table.tableName),
        scan(table.aggregatesTableName),
        scan(guards.tableName),
        scan(auditKeysTableName),
      ]);
      return { measurements, dailyAggregates, requestGuards, auditKeys };
    },
    async drop() {
      await Promise.all([table.drop(), guards.drop()]);
    },
  };
}
