import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { auditKeysTable } from '../../definitions/audit-keys-table';
import { dailyAggregatesTable } from '../../definitions/daily-aggregates-table';
import { measurementsTable } from '../../definitions/measurements-table';
import { requestGuardsTable } from '../../definitions/request-guards-table';
import { createDynamoDbClient, documentClientOver } from '../../functions/commons/dynamodb-client';
import { isUsableUserId } from '../../functions/measurements/model/user-id';
import { localTableNames, type TableNames } from '../../local/create-tables';
import { localCredentials, localRegion } from '../../local/dynamodb-local';

/**
 * What every operator tool (`npm run export-user`, `import-user`, `erase-user`, …) shares
 * (docs/data-lifecycle.md, "Running the tools"):
 * - where the tables are: `--local` (a running `npm start`), one `--stack <name>` whose outputs
 *   name them (CloudFormation DescribeStacks), or each by name (`--table`, `--aggregates-table`,
 *   `--guards-table`, `--audit-keys-table`); `--endpoint` for another DynamoDB (DynamoDB Local);
 * - `--help`: the usage on standard output, exit 0; a usage error: the error and the usage on
 *   standard error, exit 2; nothing read either way;
 * - progress on standard error, at most every few seconds; one JSON summary line on standard
 *   output; exit 0 when the tool did everything it says, 1 when it did not (an AWS failure after
 *   the SDK's retries, with the error) — never a value, a note or a token in any of it.
 */

/** The tables a tool may need, each with its option and the stack output that names it. */
export type TableRole = keyof TableNames;

const tableSources: Record<TableRole, { readonly flag: string; readonly outputName: string }> = {
  measurements: { flag: 'table', outputName: measurementsTable.outputName },
  dailyAggregates: { flag: 'aggregates-table', outputName: dailyAggregatesTable.outputName },
  requestGuards: { flag: 'guards-table', outputName: requestGuardsTable.outputName },
  auditKeys: { flag: 'audit-keys-table', outputName: auditKeysTable.outputName },
};

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface OperatorTool<Parsed> {
  /** The npm script's name (`export-user`). */
  readonly command: string;
  /** The tool's own arguments, as the usage shows them. */
  readonly synopsis: string;
  /** More usage lines: what the options mean. */
  readonly help: readonly string[];
  readonly tables: readonly TableRole[];
  readonly options: OptionsConfig;
  /** The tool's own options checked (a string is a usage error), before anything is read. */
  parse(values: OptionValues): Parsed | string;
  run(context: OperatorContext<Parsed>): Promise<ToolOutcome>;
}

export interface OperatorContext<Parsed> {
  readonly options: Parsed;
  readonly tables: Readonly<Record<TableRole, string>>;
  readonly client: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  readonly progress: Progress;
}

export interface ToolOutcome {
  /** The one JSON summary line: on standard output, unless that carries the tool's data. */
  readonly summary: Record<string, unknown>;
  readonly summaryTo?: 'stdout' | 'stderr';
  readonly exitCode: 0 | 1;
}

/** How often a long run says how far it got. */
export const PROGRESS_INTERVAL_MS = 3_000;

/** Progress lines on standard error: `note` at once, `update` at most every few seconds. */
export class Progress {
  private readonly startedAt = Date.now();
  private last = 0;

  constructor(private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {}

  note(text: string): void {
    this.write(text);
  }

  /** `12,345 rows exported (4,120/s)`, or with a total `12,345/100,000 rows imported (…)`. */
  update(
    done: number,
    what: string,
    options: { readonly total?: number; readonly force?: boolean } = {},
  ): void {
    const now = Date.now();
    if (!options.force && now - this.last < PROGRESS_INTERVAL_MS) return;
    this.last = now;
    const seconds = Math.max((now - this.startedAt) / 1000, 0.001);
    const rate = Math.round(done / seconds).toLocaleString('en');
    const count =
      options.total === undefined
        ? done.toLocaleString('en')
        : `${done.toLocaleString('en')}/${options.total.toLocaleString('en')}`;
    this.write(`${count} ${what} (${rate}/s)`);
  }
}

/** The usage text of a tool: its arguments, where the tables are, and the common options. */
export function usageOf(
  tool: Pick<OperatorTool<unknown>, 'command' | 'synopsis' | 'help' | 'tables'>,
): string {
  const named = tool.tables.map((role) => `--${tableSources[role].flag} <name>`).join(' ');
  return [
    `Usage: npm run ${tool.command} -- ${tool.synopsis}`,
    `         (--local | --stack <stack name> | ${named}) [--endpoint <url>]`,
    '  (Another table’s option is accepted and unused: one set of the stack’s names serves every tool.)',
    ...tool.help.map((line) => `  ${line}`),
    '  --local: the tables of a running `npm start`; --stack: the tables the stack’s outputs name;',
    '  --endpoint: another DynamoDB endpoint (DynamoDB Local). AWS credentials and region as usual.',
    'Exit: 0 done, 1 not (an AWS failure, or what the summary says), 2 a usage error.',
    '--help (-h): this usage, on standard output.',
  ].join('\n');
}

/** Where the tables are, as the common options said. */
type TableSource =
  | { readonly kind: 'local'; readonly endpoint: string }
  | { readonly kind: 'stack'; readonly stackName: string; readonly endpoint?: string }
  | {
      readonly kind: 'named';
      readonly names: Readonly<Record<TableRole, string>>;
      readonly endpoint?: string;
    };

interface ParsedCommandLine<Parsed> {
  readonly options: Parsed;
  readonly source: TableSource;
}

/**
 * The command line checked: the tool's options and where the tables are, a request for the usage
 * (`--help`, whatever else the line holds), or a usage error.
 */
export function parseCommandLine<Parsed>(
  tool: OperatorTool<Parsed>,
  argv: readonly string[],
): ParsedCommandLine<Parsed> | { readonly help: true } | { readonly usageError: string } {
  let values: OptionValues;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        ...tool.options,
        help: { type: 'boolean', short: 'h' },
        local: { type: 'boolean' },
        stack: { type: 'string' },
        endpoint: { type: 'string' },
        // Every tool takes every table's option, so one set of the stack's names serves them all.
        ...Object.fromEntries(
          Object.values(tableSources).map(({ flag }) => [flag, { type: 'string' as const }]),
        ),
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { usageError: (error as Error).message };
  }
  if (values.help === true) return { help: true };
  const flags = tool.tables.map((role) => tableSources[role].flag);
  const givenFlags = Object.values(tableSources)
    .map(({ flag }) => flag)
    .filter((flag) => values[flag] !== undefined);
  const endpoint = typeof values.endpoint === 'string' ? values.endpoint : undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(endpoint))
    return { usageError: '--endpoint must be an http(s) URL.' };
  const ways = [values.local === true, values.stack !== undefined, givenFlags.length > 0].filter(
    Boolean,
  ).length;
  if (ways > 1)
    return { usageError: 'Say where the tables are one way: --local, --stack, or the table names.' };
  let source: TableSource;
  if (values.local === true) {
    source = {
      kind: 'local',
      endpoint: endpoint ?? `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? '8000'}`,
    };
  } else if (typeof values.stack === 'string') {
    if (values.stack === '') return { usageError: '--stack needs the stack’s name.' };
    source = { kind: 'stack', stackName: values.stack, ...(endpoint ? { endpoint } : {}) };
  } else {
    const missing = flags.filter((flag) => typeof values[flag] !== 'string' || values[flag] === '');
    if (missing.length > 0)
      return {
        usageError: `Say where the tables are: --local, --stack <name>, or ${missing.map((flag) => `--${flag}`).join(', ')}.`,
      };
    const names = Object.fromEntries(
      tool.tables.map((role) => [role, values[tableSources[role].flag] as string]),
    ) as Record<TableRole, string>;
    source = { kind: 'named', names, ...(endpoint ? { endpoint } : {}) };
  }
  const options = tool.parse(values);
  if (typeof options === 'string') return { usageError: options };
  return { options, source };
}

/** The tables' names from the stack's outputs (CloudFormation DescribeStacks). */
async function tablesOfStack(
  stackName: string,
  roles: readonly TableRole[],
): Promise<Record<TableRole, string>> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const cloudFormation = new CloudFormationClient({});
  try {
    const { Stacks = [] } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs = new Map(
      (Stacks[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]),
    );
    const names: Partial<Record<TableRole, string>> = {};
    for (const role of roles) {
      const name = outputs.get(tableSources[role].outputName);
      if (!name) throw new Error(`Stack ${stackName} has no output ${tableSources[role].outputName}`);
      names[role] = name;
    }
    return names as Record<TableRole, string>;
  } finally {
    cloudFormation.destroy();
  }
}

const describeError = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** The DynamoDB client every operator tool runs on (and the benchmark measures the tools with). */
export function operatorClient(endpoint: string | undefined): DynamoDBClient {
  return createDynamoDbClient({
    DYNAMODB_ENDPOINT: endpoint,
    // A one-off job may wait out throttling longer than a request can.
    DYNAMODB_MAX_ATTEMPTS: 10,
    DYNAMODB_REQUEST_TIMEOUT_MS: 10_000,
    WRITE_CONCURRENCY: 64,
  });
}

/** Runs a tool as its npm script does: answers the exit code (the caller sets `process.exitCode`). */
export async function runOperatorTool<Parsed>(
  tool: OperatorTool<Parsed>,
  argv: readonly string[],
  io: { readonly stdout: (text: string) => void; readonly stderr: (text: string) => void } = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  },
): Promise<number> {
  const parsed = parseCommandLine(tool, argv);
  if ('help' in parsed) {
    io.stdout(`${usageOf(tool)}\n`);
    return 0;
  }
  if ('usageError' in parsed) {
    io.stderr(`${parsed.usageError}\n${usageOf(tool)}\n`);
    return 2;
  }
  const { source } = parsed;
  if (source.kind === 'local') {
    // DynamoDB Local takes any credentials in its own region; never the operator's AWS ones.
    Object.assign(process.env, {
      AWS_REGION: localRegion,
      AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    });
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
  }
  const client = operatorClient(source.endpoint);
  try {
    const tables =
      source.kind === 'local'
        ? localTableNames
        : source.kind === 'stack'
          ? await tablesOfStack(source.stackName, tool.tables)
          : source.names;
    const outcome = await tool.run({
      options: parsed.options,
      tables,
      client,
      documents: documentClientOver(client),
      progress: new Progress((line) => io.stderr(`${line}\n`)),
    });
    (outcome.summaryTo === 'stderr' ? io.stderr : io.stdout)(`${JSON.stringify(outcome.summary)}\n`);
    return outcome.exitCode;
  } catch (error) {
    io.stderr(`The ${tool.command} stopped: ${describeError(error)}\n`);
    return 1;
  } finally {
    client.destroy();
  }
}

/** The entry point of a tool's script. */
export function main<Parsed>(tool: OperatorTool<Parsed>): void {
  runOperatorTool(tool, process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`The ${tool.command} stopped: ${describeError(error)}\n`);
      process.exitCode = 1;
    },
  );
}

/** A whole number option from 1 to `max`, or the usage error. */
export function wholeNumberOption(
  values: OptionValues,
  name: string,
  fallback: number,
  max: number,
): number | string {
  const text = values[name];
  if (text === undefined) return fallback;
  const n = Number(text);
  return typeof text === 'string' && Number.isSafeInteger(n) && n >= 1 && n <= max
    ? n
    : `--${name} must be a whole number from 1 to ${max}.`;
}

/** The user the tool is about (`--user`), or the usage error. */
export function userIdOption(values: OptionValues): { readonly userId: string } | string {
  const userId = values.user;
  if (typeof userId !== 'string') return 'Name the user: --user <user id>.';
  if (!isUsableUserId(userId))
    return `"${userId}" cannot be a user id. A user id is 1–256 characters of well-formed text, without #.`;
  return { userId };
}
