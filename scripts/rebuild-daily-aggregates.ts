import { parseArgs } from 'node:util';
import { createDynamoDbClient, documentClientOver } from '../functions/commons/dynamodb-client';
import { rebuildDailyAggregates } from '../functions/measurements/aggregates/rebuild-aggregates';
import { isUsableUserId } from '../functions/measurements/model/user-id';
import { DailyAggregates } from '../functions/measurements/storage/daily-aggregates';
import { localTableNames } from '../local/create-tables';
import { localCredentials, localRegion } from '../local/dynamodb-local';

/**
 * `npm run rebuild-aggregates -- …`: rebuilds the daily aggregates from the rows (docs/operations.md,
 * "Rebuilding the daily aggregates"). Against AWS it uses the SDK's usual credentials and region
 * (`AWS_PROFILE`, `AWS_REGION`, …); with `--local`, the tables of a running `npm start`.
 * Prints progress on standard error and one JSON summary line on standard output; exits 1 when a
 * day or a series failed (they are listed), 2 on a usage error.
 */
const USAGE = [
  'Usage: npm run rebuild-aggregates -- (--table <measurements table> --aggregates-table <daily-aggregates table> | --local)',
  '         [--user <user id>]… [--segments <1-1000, default 4>] [--concurrency <1-100, default 8>] [--endpoint <url>]',
].join('\n');

interface Options {
  readonly tables: { readonly measurements: string; readonly aggregates: string };
  readonly endpoint?: string;
  readonly userIds?: readonly string[];
  readonly segments: number;
  readonly concurrency: number;
  readonly local: boolean;
}

function wholeNumber(text: string | undefined, fallback: number, max: number, name: string): number | string {
  if (text === undefined) return fallback;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= 1 && n <= max
    ? n
    : `--${name} must be a whole number from 1 to ${max}.`;
}

function parseRebuildArgs(argv: readonly string[]): Options | string {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        table: { type: 'string' },
        'aggregates-table': { type: 'string' },
        local: { type: 'boolean', default: false },
        endpoint: { type: 'string' },
        user: { type: 'string', multiple: true },
        segments: { type: 'string' },
        concurrency: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return (error as Error).message;
  }
  const local = values.local === true;
  if (local && (values.table !== undefined || values['aggregates-table'] !== undefined))
    return '--local uses the local tables: leave out --table and --aggregates-table.';
  if (!local && (!values.table || !values['aggregates-table']))
    return 'Name both tables (--table and --aggregates-table, from the stack outputs), or give --local.';
  const badUser = values.user?.find((userId) => !isUsableUserId(userId));
  if (badUser !== undefined) return `"${badUser}" cannot be a user id.`;
  const segments = wholeNumber(values.segments, 4, 1000, 'segments');
  if (typeof segments === 'string') return segments;
  const concurrency = wholeNumber(values.concurrency, 8, 100, 'concurrency');
  if (typeof concurrency === 'string') return concurrency;
  const endpoint =
    values.endpoint ?? (local ? `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? '8000'}` : undefined);
  return {
    tables: local
      ? { measurements: localTableNames.measurements, aggregates: localTableNames.dailyAggregates }
      : { measurements: values.table!, aggregates: values['aggregates-table']! },
    ...(endpoint ? { endpoint } : {}),
    ...(values.user ? { userIds: values.user } : {}),
    segments,
    concurrency,
    local,
  };
}

const describe = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

async function main(): Promise<number> {
  const options = parseRebuildArgs(process.argv.slice(2));
  if (typeof options === 'string') {
    process.stderr.write(`${options}\n${USAGE}\n`);
    return 2;
  }
  if (options.local) {
    // DynamoDB Local takes any credentials in its own region; never the operator's AWS ones.
    Object.assign(process.env, {
      AWS_REGION: localRegion,
      AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    });
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
  }
  const client = createDynamoDbClient({
    DYNAMODB_ENDPOINT: options.endpoint,
    // A one-off job may wait out throttling longer than a request can.
    DYNAMODB_MAX_ATTEMPTS: 10,
    DYNAMODB_REQUEST_TIMEOUT_MS: 10_000,
    WRITE_CONCURRENCY: options.concurrency,
  });
  const aggregates = new DailyAggregates(documentClientOver(client), options.tables);
  let lastProgress = 0;
  try {
    process.stderr.write(
      options.userIds
        ? `Rebuilding the daily aggregates of ${options.userIds.length} user(s)…\n`
        : `Finding every series with rows (a scan of the list index in ${options.segments} segments)…\n`,
    );
    const summary = await rebuildDailyAggregates(
      { source: aggregates, store: aggregates },
      {
        ...(options.userIds ? { userIds: options.userIds } : {}),
        segments: options.segments,
        concurrency: options.concurrency,
        onSeriesDone(done, total) {
          if (done === total || Date.now() - lastProgress >= 2000) {
            lastProgress = Date.now();
            process.stderr.write(`${done}/${total} series rebuilt\n`);
          }
        },
      },
    );
    for (const { day, error } of summary.failedDays)
      process.stderr.write(`failed day: ${day.userId} ${day.type} ${day.day}: ${describe(error)}\n`);
    for (const { series, error } of summary.failedSeries)
      process.stderr.write(`failed series: ${series.userId} ${series.type}: ${describe(error)}\n`);
    const { failedDays, failedSeries, ...counts } = summary;
    process.stdout.write(
      `${JSON.stringify({ ...counts, failedDays: failedDays.length, failedSeries: failedSeries.length })}\n`,
    );
    return failedDays.length + failedSeries.length > 0 ? 1 : 0;
  } catch (error) {
    process.stderr.write(`The rebuild stopped: ${describe(error)}\n`);
    return 1;
  } finally {
    client.destroy();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`The rebuild stopped: ${describe(error)}\n`);
    process.exitCode = 1;
  },
);
