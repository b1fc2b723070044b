import { eraseUser } from '../functions/user-data/erase-user';
import { main, userIdOption, wholeNumberOption, type OperatorTool } from './cli/operator-cli';
import { eraseDependencies, toolDefaults } from './cli/user-data-tools';

/**
 * `npm run erase-user -- --user <id> [--dry-run]`: every item of the user in every table, then a
 * verification pass (docs/data-lifecycle.md, "Erasure"). Exit 0 only when the verification finds
 * nothing left; 1 names what remained (run it again once the writes have stopped).
 */
const eraseUserTool: OperatorTool<{
  readonly userId: string;
  readonly dryRun: boolean;
  readonly scan: boolean;
  readonly concurrency: number;
}> = {
  command: 'erase-user',
  synopsis: `--user <user id> [--dry-run] [--scan] [--concurrency <1-64, default ${toolDefaults.eraseConcurrency}>]`,
  help: [
    '--dry-run: count what would be deleted, delete nothing.',
    '--scan: find the user’s items by a Scan of the whole measurements table instead of its index',
    '  (slow; finds whatever names the user in its key, indexed or not; see docs/data-lifecycle.md).',
    '--concurrency: deletes in flight at once (DynamoDB Local: keep it below 32).',
  ],
  tables: ['measurements', 'dailyAggregates', 'requestGuards', 'auditKeys'],
  options: {
    user: { type: 'string' },
    'dry-run': { type: 'boolean' },
    scan: { type: 'boolean' },
    concurrency: { type: 'string' },
  },
  parse(values) {
    const user = userIdOption(values);
    if (typeof user === 'string') return user;
    const concurrency = wholeNumberOption(values, 'concurrency', toolDefaults.eraseConcurrency, 64);
    if (typeof concurrency === 'string') return concurrency;
    return {
      ...user,
      dryRun: values['dry-run'] === true,
      scan: values.scan === true,
      concurrency,
    };
  },
  async run({ options, tables, client, documents, progress }) {
    const summary = await eraseUser(eraseDependencies(client, documents, tables), {
      ...options,
      onProgress: ({ items }) =>
        progress.update(items, options.dryRun ? 'items counted' : 'items of the measurements table erased'),
    });
    if (summary.remaining) {
      for (const [table, { count, keys }] of Object.entries(summary.remaining)) {
        if (count > 0)
          progress.note(`left in ${table}: ${count} (${keys.join(', ')}${count > keys.length ? ', …' : ''})`);
      }
    }
    return { summary: { ...summary }, exitCode: summary.dryRun || summary.erased ? 0 : 1 };
  },
};

main(eraseUserTool);
