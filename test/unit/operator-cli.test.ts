import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { localTableNames } from '../../local/create-tables';
import {
  parseCommandLine,
  Progress,
  runOperatorTool,
  usageOf,
  userIdOption,
  wholeNumberOption,
  type OperatorTool,
} from '../../scripts/cli/operator-cli';
import { nodeArgumentsOf, repositoryRoot } from '../../scripts/package-scripts';

/**
 * What every operator tool shares (docs/data-lifecycle.md, "Running the tools"): where the tables
 * are said one way only, usage errors caught before anything is read, progress at most every few
 * seconds.
 */

const tool: OperatorTool<{ userId: string; count: number }> = {
  command: 'erase-user',
  synopsis: '--user <user id>',
  help: ['--count: how many.'],
  tables: ['measurements', 'requestGuards'],
  options: { user: { type: 'string' }, count: { type: 'string' } },
  parse(values) {
    if (typeof values.user !== 'string') return 'Name the user: --user <user id>.';
    const count = wholeNumberOption(values, 'count', 8, 64);
    return typeof count === 'string' ? count : { userId: values.user, count };
  },
  run: () => Promise.reject(new Error('not run in these tests')),
};

const parse = (...argv: string[]) => parseCommandLine(tool, argv);

describe('where the tables are: --local, --stack, or each by name', () => {
  test('each by name, with an endpoint; another tool’s table option is accepted and unused', () => {
    expect(
      parse(
        '--user',
        'alice',
        '--table',
        'm',
        '--guards-table',
        'g',
        '--audit-keys-table',
        'k',
        '--endpoint',
        'http://localhost:8000',
      ),
    ).toEqual({
      options: { userId: 'alice', count: 8 },
      source: {
        kind: 'named',
        names: { measurements: 'm', requestGuards: 'g' },
        endpoint: 'http://localhost:8000',
      },
    });
  });

  test('--stack names them through its outputs (read when the tool runs)', () => {
    expect(parse('--user', 'alice', '--stack', 'HealthIngest')).toMatchObject({
      source: { kind: 'stack', stackName: 'HealthIngest' },
    });
  });

  test('--local: the tables of `npm start` on its DynamoDB Local', () => {
    expect(parse('--user', 'alice', '--local')).toMatchObject({
      source: { kind: 'local', endpoint: `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? '8000'}` },
    });
    expect(Object.keys(localTableNames).sort()).toEqual([
      'auditKeys',
      'dailyAggregates',
      'measurements',
      'requestGuards',
    ]);
  });

  test.each([
    [['--user', 'alice'], 'Say where the tables are: --local, --stack <name>, or --table, --guards-table.'],
    [['--user', 'alice', '--table', 'm'], 'or --guards-table.'],
    [['--user', 'alice', '--local', '--table', 'm'], 'Say where the tables are one way'],
    [['--user', 'alice', '--local', '--stack', 's'], 'Say where the tables are one way'],
    [['--user', 'alice', '--local', '--endpoint', 'localhost:8000'], '--endpoint must be an http(s) URL.'],
    [['--local'], 'Name the user: --user <user id>.'],
    [['--local', '--user', 'alice', '--count', '65'], '--count must be a whole number from 1 to 64.'],
    [['--local', '--user', 'alice', 'extra'], "Unexpected argument 'extra'"],
    [['--help', '--bogus'], "Unknown option '--bogus'"],
  ])('%j is a usage error', (argv, message) => {
    const parsed = parse(...argv);
    expect(parsed).toHaveProperty('usageError');
    expect((parsed as { usageError: string }).usageError).toContain(message);
  });

  test.each([[['--help']], [['-h']], [['--local', '--help']], [['--user', 'a#b', '--help']]])(
    '%j asks for the usage, whatever else the line holds',
    (argv) => {
      expect(parse(...argv)).toEqual({ help: true });
    },
  );

  test('the usage names the tool’s arguments, its tables’ options and the exit codes', () => {
    const usage = usageOf(tool);
    expect(usage).toContain('Usage: npm run erase-user -- --user <user id>');
    expect(usage).toContain('(--local | --stack <stack name> | --table <name> --guards-table <name>)');
    expect(usage).toContain('--count: how many.');
    expect(usage).toContain('Exit: 0 done, 1 not');
  });
});

describe('--help and usage errors, as the tool answers them', () => {
  const run = async (...argv: string[]) => {
    const out = { stdout: '', stderr: '' };
    const code = await runOperatorTool(tool, argv, {
      stdout: (text) => (out.stdout += text),
      stderr: (text) => (out.stderr += text),
    });
    return { code, ...out };
  };

  test('--help: the usage on standard output, nothing on standard error, exit 0', async () => {
    expect(await run('--help')).toEqual({ code: 0, stdout: `${usageOf(tool)}\n`, stderr: '' });
  });

  test('a usage error: the reason, then the usage, on standard error, exit 2', async () => {
    expect(await run('--local')).toEqual({
      code: 2,
      stdout: '',
      stderr: `Name the user: --user <user id>.\n${usageOf(tool)}\n`,
    });
  });
});

describe('--user', () => {
  test.each([
    [{ user: 'alice' }, { userId: 'alice' }],
    [{}, 'Name the user: --user <user id>.'],
    [{ user: '' }, '"" cannot be a user id. A user id is 1–256 characters of well-formed text, without #.'],
    [
      { user: 'a#b' },
      '"a#b" cannot be a user id. A user id is 1–256 characters of well-formed text, without #.',
    ],
  ])('%j → %j', (values, expected) => {
    expect(userIdOption(values)).toEqual(expected);
  });
});

describe('package.json runs each operator tool with Node.js itself', () => {
  test.each([
    ['export-user', 'scripts/export-user.ts'],
    ['import-user', 'scripts/import-user.ts'],
    ['erase-user', 'scripts/erase-user.ts'],
    ['audit-ref', 'scripts/audit-ref.ts'],
    ['rebuild-aggregates', 'scripts/rebuild-daily-aggregates.ts'],
  ])('npm run %s: node --import tsx %s (one process: a signal reaches the tool)', (script, file) => {
    expect(nodeArgumentsOf(script)).toEqual(['--import', 'tsx', file]);
    expect(existsSync(join(repositoryRoot, file))).toBe(true);
  });
});

describe('progress on standard error', () => {
  test('at most one line every few seconds, with the count and the rate; a forced one always', () => {
    const lines: string[] = [];
    const progress = new Progress((line) => lines.push(line));
    progress.update(100, 'rows exported');
    progress.update(200, 'rows exported');
    progress.update(12_345, 'rows imported', { total: 100_000, force: true });
    progress.note('a note');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^100 rows exported \([\d,]+\/s\)$/);
    expect(lines[1]).toMatch(/^12,345\/100,000 rows imported \([\d,]+\/s\)$/);
    expect(lines[2]).toBe('a note');
  });
});
