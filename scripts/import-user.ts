import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isUsableUserId } from '../functions/measurements/model/user-id';
import { importUser } from '../functions/user-data/import-user';
import { main, wholeNumberOption, type OperatorTool } from './cli/operator-cli';
import { importDependencies, toolDefaults } from './cli/user-data-tools';

/**
 * `npm run import-user -- --file <file> [--as-user <id>] [--overwrite] [--skip-invalid]`: restores
 * an export exactly (docs/data-lifecycle.md, "Import"). Exit 0 when every row is stored as the
 * file says; 1 when the file was refused (nothing written), when rows conflicted and were left,
 * or when DynamoDB failed.
 */
const importUserTool: OperatorTool<{
  readonly file: string;
  readonly asUser?: string;
  readonly overwrite: boolean;
  readonly skipInvalid: boolean;
  readonly concurrency: number;
}> = {
  command: 'import-user',
  synopsis:
    '--file <export file> [--as-user <user id>] [--overwrite] [--skip-invalid] ' +
    `[--concurrency <1-32, default ${toolDefaults.importConcurrency}>]`,
  help: [
    '--as-user: restore the rows as this user’s (keys and owner rewritten) instead of the export’s user.',
    '--overwrite: replace rows stored with other content (otherwise reported as conflicts and left).',
    '--skip-invalid: skip and count row lines that are not valid rows (otherwise the file is refused).',
    '--concurrency: batches of 100 rows restored at once.',
  ],
  tables: ['measurements', 'dailyAggregates', 'auditKeys'],
  options: {
    file: { type: 'string' },
    'as-user': { type: 'string' },
    overwrite: { type: 'boolean' },
    'skip-invalid': { type: 'boolean' },
    concurrency: { type: 'string' },
  },
  parse(values) {
    if (typeof values.file !== 'string' || values.file === '') return 'Name the export: --file <file>.';
    if (!existsSync(values.file)) return `There is no file ${values.file}.`;
    const asUser = values['as-user'];
    if (typeof asUser === 'string' && !isUsableUserId(asUser)) return `"${asUser}" cannot be a user id.`;
    const concurrency = wholeNumberOption(values, 'concurrency', toolDefaults.importConcurrency, 32);
    if (typeof concurrency === 'string') return concurrency;
    return {
      file: resolve(values.file),
      ...(typeof asUser === 'string' ? { asUser } : {}),
      overwrite: values.overwrite === true,
      skipInvalid: values['skip-invalid'] === true,
      concurrency,
    };
  },
  async run({ options, tables, documents, progress }) {
    progress.note('Checking the whole file before writing anything…');
    const result = await importUser(
      importDependencies(documents, tables, {
        rebuildConcurrency: toolDefaults.importRebuildConcurrency,
      }),
      {
        ...options,
        onProgress: ({ rows, total }) => progress.update(rows, 'rows restored', { total }),
      },
    );
    if (result.refused) {
      progress.note(`Refused, nothing written: line ${result.line}: ${result.reason}`);
      return { summary: { ...result }, exitCode: 1 };
    }
    for (const id of result.conflictIds) progress.note(`conflict, left as stored: row ${id}`);
    const complete = result.conflicts === 0 && result.failedAggregateDays === 0;
    return { summary: { ...result }, exitCode: complete ? 0 : 1 };
  },
};

main(importUserTool);
