import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { exportUser } from '../functions/user-data/export-user';
import { main, userIdOption, wholeNumberOption, type OperatorTool } from './cli/operator-cli';
import { exportDependencies, toolDefaults } from './cli/user-data-tools';

/**
 * `npm run export-user -- --user <id> [--out <file>]`: every row of the user, live and deleted, as
 * the export format's NDJSON (docs/data-lifecycle.md, "Export"). With `--out` the file appears
 * only once complete (written as `<file>.partial`, then renamed); without it the export goes to
 * standard output and the summary line to standard error.
 */
const exportUserTool: OperatorTool<{
  readonly userId: string;
  readonly out?: string;
  readonly concurrency: number;
}> = {
  command: 'export-user',
  synopsis: `--user <user id> [--out <file>] [--concurrency <1-32, default ${toolDefaults.exportConcurrency}>]`,
  help: [
    '--out: the file to write (created only when complete; readable by you alone); without it, standard output.',
    '--concurrency: batches of 100 rows read at once.',
  ],
  tables: ['measurements'],
  options: { user: { type: 'string' }, out: { type: 'string' }, concurrency: { type: 'string' } },
  parse(values) {
    const user = userIdOption(values);
    if (typeof user === 'string') return user;
    if (values.out === '') return '--out needs a file name.';
    const concurrency = wholeNumberOption(values, 'concurrency', toolDefaults.exportConcurrency, 32);
    if (typeof concurrency === 'string') return concurrency;
    return {
      ...user,
      ...(typeof values.out === 'string' ? { out: resolve(values.out) } : {}),
      concurrency,
    };
  },
  async run({ options, tables, documents, progress }) {
    const deps = exportDependencies(documents, tables);
    const onProgress = ({ rows }: { rows: number }) => progress.update(rows, 'rows exported');
    if (options.out === undefined) {
      const summary = await exportUser(deps, {
        userId: options.userId,
        output: process.stdout,
        scratchDirectory: tmpdir(),
        readConcurrency: options.concurrency,
        onProgress,
      });
      progress.update(summary.rows, 'rows exported', { force: true });
      return { summary: { ...summary }, summaryTo: 'stderr', exitCode: 0 };
    }
    const partial = `${options.out}.partial`;
    const file = createWriteStream(partial, { mode: 0o600 });
    // A directory that does not exist, or one not writable: said before anything is read.
    await once(file, 'open');
    try {
      const summary = await exportUser(deps, {
        userId: options.userId,
        output: file,
        scratchDirectory: dirname(options.out),
        readConcurrency: options.concurrency,
        onProgress,
      });
      file.end();
      await once(file, 'close');
      await rename(partial, options.out);
      progress.update(summary.rows, 'rows exported', { force: true });
      return { summary: { ...summary, out: options.out }, exitCode: 0 };
    } catch (error) {
      file.destroy();
      await rm(partial, { force: true });
      throw error;
    }
  },
};

main(exportUserTool);
