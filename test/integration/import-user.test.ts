import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStreamsClient, latestStreamArn, readStreamRecords } from '../../local/dynamodb-stream';
import { batchClient, entry } from '../support/batch-client';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import { cloudFormationStandIn } from '../support/cloudformation-stand-in';
import { measurementsApiClient } from '../support/measurements-api-client';
import { runTool } from '../support/operator-tool';
import { createUserDataTables, type UserDataTables } from '../support/user-data-tables';

/**
 * `npm run import-user` and `npm run export-user` (docs/data-lifecycle.md, "Import", "Export")
 * through their CLIs on DynamoDB Local: bad files refused with the line number before anything is
 * written, conflicts reported and left (or overwritten), a restore under another user, and the
 * tables found through `--stack`.
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
  test('each table by the output its definition names; a missing output is exit 1, named', async () => {
    const { userId } = await exportedUser();
    const stack = await cloudFormationStandIn({
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
        { env: stack.env },
      );
      expect(exported.code).toBe(0);
      expect(exported.stdout.split('\n')[0]).toContain(`"userId":"${userId}"`);
      const counted = await runTool(
        'erase-user',
        ['--stack', 'HealthIngest', ...endpoint, '--user', userId, '--dry-run'],
        { env: stack.env },
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
    const incomplete = await cloudFormationStandIn({ TableName: tables.table.tableName });
    try {
      const run = await runTool('erase-user', ['--stack', 'HealthIngest', '--user', userId], {
        env: incomplete.env,
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Stack HealthIngest has no output DailyAggregatesTableName');
    } finally {
      await incomplete.close();
    }
  }, 120_000);
});
