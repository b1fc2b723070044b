import { rebuildDailyAggregates } from '../functions/measurements/aggregates/rebuild-aggregates';
import { isUsableUserId } from '../functions/measurements/model/user-id';
import { DailyAggregates } from '../functions/measurements/storage/daily-aggregates';
import { main, wholeNumberOption, type OperatorTool } from './cli/operator-cli';

/**
 * `npm run rebuild-aggregates -- …`: rebuilds the daily aggregates from the rows (docs/operations.md,
 * "Rebuilding the daily aggregates"). Prints progress on standard error and one JSON summary line
 * on standard output; exits 1 when a day or a series failed (they are listed), 2 on a usage error.
 */
const rebuildTool: OperatorTool<{
  readonly userIds?: readonly string[];
  readonly segments: number;
  readonly concurrency: number;
}> = {
  command: 'rebuild-aggregates',
  synopsis: '[--user <user id>]… [--segments <1-1000, default 4>] [--concurrency <1-100, default 8>]',
  help: [
    '--user: only these users’ series (no scan of the index); every user’s when absent.',
    '--segments: parts of the parallel scan that finds the series; --concurrency: series rebuilt at once.',
  ],
  tables: ['measurements', 'dailyAggregates'],
  options: {
    user: { type: 'string', multiple: true },
    segments: { type: 'string' },
    concurrency: { type: 'string' },
  },
  parse(values) {
    const users = values.user as string[] | undefined;
    const badUser = users?.find((userId) => !isUsableUserId(userId));
    if (badUser !== undefined) return `"${badUser}" cannot be a user id.`;
    const segments = wholeNumberOption(values, 'segments', 4, 1000);
    if (typeof segments === 'string') return segments;
    const concurrency = wholeNumberOption(values, 'concurrency', 8, 100);
    if (typeof concurrency === 'string') return concurrency;
    return { ...(users ? { userIds: users } : {}), segments, concurrency };
  },
  async run({ options, tables, documents, progress }) {
    const aggregates = new DailyAggregates(documents, {
      measurements: tables.measurements,
      aggregates: tables.dailyAggregates,
    });
    progress.note(
      options.userIds
        ? `Rebuilding the daily aggregates of ${options.userIds.length} user(s)…`
        : `Finding every series with rows (a scan of the list index in ${options.segments} segments)…`,
    );
    const summary = await rebuildDailyAggregates(
      { source: aggregates, store: aggregates },
      {
        ...options,
        onSeriesDone: (done, total) =>
          progress.update(done, 'series rebuilt', { total, force: done === total }),
      },
    );
    const describe = (error: unknown) =>
      error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    for (const { day, error } of summary.failedDays)
      progress.note(`failed day: ${day.userId} ${day.type} ${day.day}: ${describe(error)}`);
    for (const { series, error } of summary.failedSeries)
      progress.note(`failed series: ${series.userId} ${series.type}: ${describe(error)}`);
    const { failedDays, failedSeries, ...counts } = summary;
    return {
      summary: { ...counts, failedDays: failedDays.length, failedSeries: failedSeries.length },
      exitCode: failedDays.length + failedSeries.length > 0 ? 1 : 0,
    };
  },
};

main(rebuildTool);
