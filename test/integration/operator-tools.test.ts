import { runTool, type OperatorToolName } from '../support/operator-tool';

/**
 * What every operator tool shares (docs/data-lifecycle.md, "Running the tools"), through the real
 * CLIs as package.json runs them: `--help` answers on standard output, a usage error on standard
 * error, and neither reads anything; a failure to read is exit 1 with the error in one line.
 */

const tools: readonly OperatorToolName[] = [
  'export-user',
  'import-user',
  'erase-user',
  'audit-ref',
  'rebuild-aggregates',
];

describe('--help: the usage on standard output, exit 0', () => {
  test.each(tools)('%s --help', async (tool) => {
    const run = await runTool(tool, ['--help']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(new RegExp(`^Usage: npm run ${tool} -- `));
    expect(run.stdout).toContain('Exit: 0 done, 1 not');
  });

  test('-h, and --help beside options that are incomplete: the usage all the same', async () => {
    for (const args of [['-h'], ['--user', 'alice', '--help']]) {
      const run = await runTool('erase-user', args);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(/^Usage: npm run erase-user -- /);
    }
  });
});

describe('a usage error: exit 2, the reason and the usage on standard error, nothing read', () => {
  // An endpoint nothing listens on: a tool that read anything would fail with exit 1 instead.
  const nowhere = [
    '--table',
    't',
    '--aggregates-table',
    'a',
    '--guards-table',
    'g',
    '--audit-keys-table',
    'k',
    '--endpoint',
    'http://127.0.0.1:9',
  ];
  const cases: [OperatorToolName, string[], string][] = [
    ['export-user', [...nowhere], 'Name the user: --user <user id>.'],
    ['export-user', [...nowhere, '--user', 'a#b'], '"a#b" cannot be a user id.'],
    ['export-user', ['--user', 'alice'], 'Say where the tables are: --local, --stack <name>, or --table.'],
    ['import-user', [...nowhere], 'Name the export: --file <file>.'],
    ['import-user', [...nowhere, '--file', 'package.json', '--as-user', ''], '"" cannot be a user id.'],
    [
      'import-user',
      [...nowhere, '--file', 'no-such-export.ndjson'],
      'There is no file no-such-export.ndjson.',
    ],
    [
      'erase-user',
      [...nowhere, '--user', 'alice', '--concurrency', '0'],
      '--concurrency must be a whole number from 1 to 64.',
    ],
    ['erase-user', [...nowhere, '--user', 'alice', '--local'], 'Say where the tables are one way'],
    [
      'erase-user',
      ['--user', 'alice', '--table', 't'],
      '--aggregates-table, --guards-table, --audit-keys-table',
    ],
    ['erase-user', [...nowhere, '--user', 'alice', '--dryrun'], "Unknown option '--dryrun'"],
  ];
  test.each(cases)('%s %j', async (tool, args, reason) => {
    const run = await runTool(tool, args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(reason);
    expect(run.stderr).toContain(`Usage: npm run ${tool} -- `);
    expect(run.stdout).toBe('');
  });

  test('an --out in a directory that does not exist: exit 1, said before anything is read', async () => {
    const run = await runTool('export-user', [
      ...nowhere,
      '--user',
      'alice',
      '--out',
      '/no/such/dir/x.ndjson',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^The export-user stopped: Error: ENOENT/m);
    expect(run.stdout).toBe('');
  });

  test('DynamoDB unreachable: exit 1 with the error in one line, no summary', async () => {
    const run = await runTool('erase-user', [...nowhere, '--user', 'alice']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^The erase-user stopped: .*ECONNREFUSED/m);
    expect(run.stdout).toBe('');
  }, 120_000);
});
