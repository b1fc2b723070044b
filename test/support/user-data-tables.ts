import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { AuditKeysStore } from '../../functions/audit/audit-keys-store';
import { createLocalRequestGuardsTable, type LocalRequestGuardsTable } from './local-request-guards';
import { createLocalTable, type LocalTable } from './local-table';

/**
 * Every table the user-data tools touch, fresh on the run's DynamoDB Local, and the tools
 * themselves run as an operator runs them: `npm run <tool> -- …` (tsx, as npm would) in a child
 * process, pointed at these tables with `--endpoint` and the table names.
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

export interface ToolRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The last line of standard output, parsed (the summary). */
  summary(): any;
}

const repositoryRoot = resolve(__dirname, '../..');

export type UserDataTool = 'export-user' | 'import-user' | 'erase-user';

/**
 * Starts `npm run <tool> -- <args>`; `onStderr` sees its progress as it comes; `kill` is a hard
 * kill of the tool (SIGKILL), as when its machine dies.
 */
export function startTool(
  tool: UserDataTool,
  args: readonly string[],
  onStderr?: (text: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): { readonly done: Promise<ToolRun>; kill(): void } {
  // A process group of its own: tsx runs the script in a child process, and a kill must reach both.
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), `scripts/${tool}.ts`, ...args], {
    cwd: repositoryRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    onStderr?.(stderr);
  });
  const done = new Promise<ToolRun>((resolveRun, reject) => {
    child.once('error', reject);
    child.once('close', (code) =>
      resolveRun({
        code,
        stdout,
        stderr,
        summary: () => JSON.parse(stdout.trim().split('\n').at(-1)!),
      }),
    );
  });
  return { done, kill: () => process.kill(-child.pid!, 'SIGKILL') };
}

export function runTool(
  tool: UserDataTool,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ToolRun> {
  return startTool(tool, args, undefined, env).done;
}
