import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createStreamsClient, latestStreamArn, readStreamRecords } from '../../local/dynamodb-stream';
import { batchClient, entry } from '../support/batch-client';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import { measurementsApiClient } from '../support/measurements-api-client';
import {
  createUserDataTables,
  runTool,
  type UserDataTool,
  type UserDataTables,
} from '../support/user-data-tables';

/**
 * `npm run import-user` and `npm run export-user` (docs/data-lifecycle.md, "Import", "Export")
 * through their CLIs on DynamoDB Local: bad files refused with the line number before anything is
 * written, conflicts reported and left (or overwritten), a restore under another user, and the
 * tools' usage errors.
 */

let tables: UserDataTables;
let logs: CapturedLogs;
let scratch: string;
let streams: ReturnType<typeof createStreamsClient>;

beforeAll(async () => {
  tables = await createUserDataTables();
  streams = createStreamsClient(tables.table.endpoint);
  scratch = await mkdtemp(join(tmpdir(), 'import-user-'));
});
afterAll(async () => {
  streams.destroy();
  await tables.drop();
  await rm(scratch, { recursive: true, force: true });
});
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

let userSeq = 0;
const newUser = () => `import-user-${++userSeq}-${Date.now()}`;
const NOTE = 'a very private note';

/** A few rows of several kinds, one of them with a note, one soft-deleted; exported to a file. */
async function exportedUser(): Promise<{ userId: string; file: string; text: string }> {
  const userId = newUser();
  const post = batchClient({
    documentClient: tables.table.documentClient,
    tableName: tables.table.tableName,
  });
  const api = measurementsApiClient({
    documentClient: tables.table.documentClient,
    tableName: tables.table.tableName,
  });
  const entries = Array.from({ length: 12 }, (_, i) => {
    const at = new Date(Date.parse('2026-10-01T08:00:00.000Z') + i * 3600_000).toISOString();
    return entry({ value: 60 + i, startDate: at, endDate: at, externalId: `hr-${i}` });
  });
  expect((await post({ userId, body: { entries } })).status).toBe(200);
  const created = await api.create(userId, {
    type: 'WEIGHT',
    value: 70.5,
    measuredAt: '2026-10-02T07:00:00Z',
    notes: NOTE,
  });
  expect(created.status).toBe(201);
  expect((await api.delete(userId, created.body.data.id)).status).toBe(200);
  expect(
    (
      await api.create(userId, {
        type: 'WEIGHT',
        value: 70.1,
        measuredAt: '2026-10-03T07:00:00Z',
        notes: NOTE,
      })
    ).status,
  ).toBe(201);
  const file = join(scratch, `${userId}.ndjson`);
  const run = await runTool('export-user', [...tables.tableArgs, '--user', userId, '--out', file]);
  expect(run.code).toBe(0);
  return { userId, file, text: await readFile(file, 'utf8') };
}

async function itemsOf(userId: string) {
  return (await tables.scanAll()).measurements.filter((item) => String(item.pk).startsWith(`${userId}#`));
}

async function recordCount(): Promise<number> {
  return (
    await readStreamRecords(streams, await latestStreamArn(tables.table.client, tables.table.tableName))
  ).length;
}

/** The file with its lines changed (1-based line numbers). */
async function variant(text: string, change: (lines: string[]) => string[]): Promise<string> {
  const file = join(scratch, `variant-${++userSeq}.ndjson`);
  await writeFile(file, `${change(text.trimEnd().split('\n')).join('\n')}\n`);
  return file;
}

describe('import-user refuses a bad file before writing anything, naming the line', () => {
  let exported: Awaited<ReturnType<typeof exportedUser>>;
  beforeAll(async () => {
    exported = await exportedUser();
  }, 120_000);

  // The file: a header, 14 rows (the two hand-entered WEIGHT readings last, in key order), an end line.
  const noteLine = 14;
  const refusals: [string, (lines: string[]) => string[], number, RegExp][] = [
    [
      'a truncated file (no end line)',
      (lines) => lines.slice(0, -1),
      15,
      /without its end line: it is truncated/,
    ],
    [
      'a file cut inside a row',
      (lines) => [...lines.slice(0, 5), lines[5]!.slice(0, 40)],
      6,
      /ends at line 6 without its end line/,
    ],
    [
      'a wrong version',
      (lines) => [lines[0]!.replace('"version":1', '"version":2'), ...lines.slice(1)],
      1,
      /version 2 is not supported \(this import reads version 1\)/,
    ],
    [
      'not an export',
      (lines) => ['{"hello":"world"}', ...lines.slice(1)],
      1,
      /Not the header of a health-ingest-export file/,
    ],
    [
      'an invalid row',
      (lines) => lines.map((line, i) => (i === 4 ? line.replace(/"value":\d+/, '"value":"high"') : line)),
      5,
      /Not a valid row: value: /,
    ],
    [
      'a row with a note that is not JSON',
      (lines) => lines.map((line, i) => (i === noteLine - 1 ? line.slice(0, line.indexOf(NOTE) + 8) : line)),
      noteLine,
      /^Not a JSON value$/,
    ],
    [
      'a repeated row',
      (lines) => [...lines.slice(0, 6), lines[5]!, ...lines.slice(6)],
      7,
      /A row repeated, or out of the export’s key order/,
    ],
    [
      'counts that do not match',
      (lines) => [
        lines[0]!.replace('"rows":14', '"rows":15'),
        ...lines.slice(1, -1),
        lines.at(-1)!.replace('"rows":14', '"rows":15'),
      ],
      16,
      /The file has 14 row line\(s\); its header says 15/,
    ],
  ];

  test.each(refusals)(
    '%s',
    async (_, change, line, reason) => {
      const file = await variant(exported.text, change);
      const target = newUser();
      const records = await recordCount();
      const run = await runTool('import-user', [...tables.tableArgs, '--file', file, '--as-user', target]);
      expect(run.code).toBe(1);
      const summary = run.summary();
      expect(summary).toMatchObject({ refused: true, line });
      expect(summary.reason).toMatch(reason);
      expect(run.stderr).toContain(`Refused, nothing written: line ${line}: `);
      // Nothing written, and never a value or a note in what it says.
      expect(await itemsOf(target)).toEqual([]);
      expect(await recordCount()).toBe(records);
      expect(run.stderr + run.stdout).not.toContain(NOTE.slice(0, 8));
    },
    60_000,
  );

  test('--skip-invalid skips and counts invalid row lines and restores the rest', async () => {
    const file = await variant(exported.text, (lines) =>
      lines.map((line, i) => (i === 4 ? line.replace(/"value":\d+/, '"value":"high"') : line)),
    );
    const target = newUser();
    const run = await runTool('import-user', [
      ...tables.tableArgs,
      '--file',
      file,
      '--as-user',
      target,
      '--skip-invalid',
    ]);
    expect(run.code).toBe(0);
    expect(run.summary()).toMatchObject({
      refused: false,
      invalidLines: 1,
      rows: 12,
      deletedRows: 1,
      conflicts: 0,
    });
    // 13 rows and the two readings' markers (the deleted reading keeps its instant taken).
    expect(await itemsOf(target)).toHaveLength(15);
  }, 60_000);
});

describe('import-user: conflicts, --overwrite and --as-user', () => {
  test('a row stored differently is a conflict, named and left (exit 1); --overwrite restores the file’s version', async () => {
    const { userId, file } = await exportedUser();
    const api = measurementsApiClient({
      documentClient: tables.table.documentClient,
      tableName: tables.table.tableName,
    });
    const id = Buffer.from('PULSE#hr-3').toString('base64url');
    const original = (await api.get(userId, id)).body.data;
    expect((await api.patch(userId, id, { value: 99 })).status).toBe(200);

    const left = await runTool('import-user', [...tables.tableArgs, '--file', file]);
    expect(left.code).toBe(1);
    expect(left.summary()).toMatchObject({
      conflicts: 1,
      conflictIds: [id],
      identicalRows: 13,
      rows: 0,
      announced: false,
    });
    expect(left.stderr).toContain(`conflict, left as stored: row ${id}`);
    expect((await api.get(userId, id)).body.data.value).toBe(99);

    const overwritten = await runTool('import-user', [...tables.tableArgs, '--file', file, '--overwrite']);
    expect(overwritten.code).toBe(0);
    expect(overwritten.summary()).toMatchObject({
      conflicts: 0,
      overwrittenRows: 1,
      identicalRows: 13,
      announced: true,
    });
    expect((await api.get(userId, id)).body.data).toEqual(original);
  }, 120_000);

  test('--as-user restores the rows under another user: the same ids and answers, the exporter untouched', async () => {
    const { userId, file } = await exportedUser();
    const before = await itemsOf(userId);
    const target = newUser();
    const run = await runTool('import-user', [...tables.tableArgs, '--file', file, '--as-user', target]);
    expect(run.code).toBe(0);
    expect(run.summary()).toMatchObject({ userId: target, rows: 13, deletedRows: 1, readingMarkers: 2 });
    const api = measurementsApiClient({
      documentClient: tables.table.documentClient,
      tableName: tables.table.tableName,
    });
    const list = async (user: string) => (await api.list(user, { limit: 100 })).rawBody;
    expect(await list(target)).toBe(await list(userId));
    expect(await itemsOf(userId)).toEqual(before);
    // Keys, owners and index keys all name the new user.
    for (const item of await itemsOf(target)) {
      expect(JSON.stringify(item)).not.toContain(userId);
      expect(item.userId).toBe(target);
    }
  }, 120_000);
});

describe('export-user', () => {
  test('without --out: the file on standard output, the summary on standard error', async () => {
    const { userId, text } = await exportedUser();
    const run = await runTool('export-user', [...tables.tableArgs, '--user', userId]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.slice(1)).toEqual(text.trimEnd().split('\n').slice(1));
    expect(JSON.parse(run.stderr.trimEnd().split('\n').at(-1)!)).toMatchObject({
      userId,
      rows: 14,
      deletedRows: 1,
    });
  }, 120_000);

  test('a user with no rows: a header, no rows, an end line', async () => {
    const userId = newUser();
    const run = await runTool('export-user', [...tables.tableArgs, '--user', userId]);
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      {
        format: 'health-ingest-export',
        version: 1,
        userId,
        exportedAt: expect.any(String),
        rows: 0,
        deletedRows: 0,
      },
      { end: true, rows: 0, deletedRows: 0 },
    ]);
  });
});

describe('--stack: the tables the stack’s outputs name', () => {
  /** A stand-in for CloudFormation's DescribeStacks (AWS Query protocol), answering one stack's outputs. */
  async function cloudFormation(outputs: Record<string, string>) {
    const requests: string[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        requests.push(body);
        const members = Object.entries(outputs)
          .map(
            ([key, value]) =>
              `<member><OutputKey>${key}</OutputKey><OutputValue>${value}</OutputValue></member>`,
          )
          .join('');
        response.writeHead(200, { 'content-type': 'text/xml' });
        response.end(
          `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>HealthIngest</StackName><StackStatus>UPDATE_COMPLETE</StackStatus><CreationTime>2026-11-01T00:00:00Z</CreationTime><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></DescribeStacksResponse>`,
        );
      });
    });
    await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
    const { port } = server.address() as AddressInfo;
    return {
      env: { ...process.env, AWS_ENDPOINT_URL_CLOUDFORMATION: `http://127.0.0.1:${port}` },
      requests,
      close: () => new Promise((resolveClose) => server.close(resolveClose)),
    };
  }

  test('each table by the output its definition names; a missing output is exit 1, named', async () => {
    const { userId } = await exportedUser();
    const stack = await cloudFormation({
      TableName: tables.table.tableName,
      DailyAggregatesTableName: tables.table.aggregatesTableName,
      RequestGuardsTableName: tables.guards.tableName,
      AuditKeysTableName: tables.auditKeysTableName,
      ApiUrl: 'https://example.invalid',
    });
    try {
      const endpoint = ['--endpoint', tables.table.endpoint];
      const exported = await runTool(
        'export-user',
        ['--stack', 'HealthIngest', ...endpoint, '--user', userId],
        stack.env,
      );
      expect(exported.code).toBe(0);
      expect(exported.stdout.split('\n')[0]).toContain(`"userId":"${userId}"`);
      const counted = await runTool(
        'erase-user',
        ['--stack', 'HealthIngest', ...endpoint, '--user', userId, '--dry-run'],
        stack.env,
      );
      expect(counted.code).toBe(0);
      expect(counted.summary()).toMatchObject({
        dryRun: true,
        deleted: { measurements: { rows: 13, deletedRows: 1 } },
      });
      expect(
        stack.requests.every(
          (body) => body.includes('Action=DescribeStacks') && body.includes('StackName=HealthIngest'),
        ),
      ).toBe(true);
    } finally {
      await stack.close();
    }
    const incomplete = await cloudFormation({ TableName: tables.table.tableName });
    try {
      const run = await runTool('erase-user', ['--stack', 'HealthIngest', '--user', userId], incomplete.env);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Stack HealthIngest has no output DailyAggregatesTableName');
    } finally {
      await incomplete.close();
    }
  }, 120_000);
});

describe('the tools’ usage: --help and usage errors exit 2 and read nothing', () => {
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
  const cases: [UserDataTool, string[], string][] = [
    ['export-user', ['--help'], ''],
    ['import-user', ['--help'], ''],
    ['erase-user', ['--help'], ''],
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

// The scripts behind `npm run`, as package.json names them.
test('package.json runs each tool’s script', async () => {
  const scripts = JSON.parse(await readFile(resolve(__dirname, '../../package.json'), 'utf8')).scripts;
  for (const tool of ['export-user', 'import-user', 'erase-user'])
    expect(scripts[tool]).toBe(`tsx scripts/${tool}.ts`);
});
