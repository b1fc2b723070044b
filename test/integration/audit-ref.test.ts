import { randomUUID } from 'node:crypto';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { auditStreamSource } from '../../definitions/audit-stream';
import { userLifecycle } from '../../definitions/user-lifecycle';
import { AuditKeysStore } from '../../functions/audit/audit-keys-store';
import {
  createStreamsClient,
  latestStreamArn,
  readStreamRecords,
  toStreamEvents,
} from '../../local/dynamodb-stream';
import { auditHandlerFor } from '../support/audit-trail';
import { batchClient, stepsDay } from '../support/batch-client';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import { cloudFormationStandIn } from '../support/cloudformation-stand-in';
import { createLocalTable, type LocalTable } from '../support/local-table';
import { runTool } from '../support/operator-tool';

/**
 * `npm run audit-ref` through the real CLI (scripts/audit-ref.ts in a process of its own, as
 * package.json runs it) against the audit-keys table the real audit handler uses, on DynamoDB Local:
 * docs/audit-trail.md, "Finding a user's events".
 */

let table: LocalTable;
let streams: DynamoDBStreamsClient;
let streamArn: string;
let logs: CapturedLogs;
let keys: AuditKeysStore;
/** One audit function instance for the whole file: its key cache lives across the tests, as on Lambda. */
let audit: ReturnType<typeof auditHandlerFor>;
/** Stream records already handed to the audit function. */
const seen = new Set<string>();

beforeAll(async () => {
  table = await createLocalTable({ stream: true });
  streams = createStreamsClient(table.endpoint);
  streamArn = await latestStreamArn(table.client, table.tableName);
  keys = new AuditKeysStore(table.documentClient, table.auditKeysTableName);
  audit = auditHandlerFor(table);
});
afterAll(async () => {
  streams.destroy();
  await table.drop();
});
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

const auditRef = (...args: string[]) => runTool('audit-ref', args);

const against = () => ['--audit-keys-table', table.auditKeysTableName, '--endpoint', table.endpoint];

/** What audit-ref prints for the user: its one JSON line. */
async function printedUserRef(userId: string): Promise<string | null> {
  const run = await auditRef('--user', userId, ...against());
  expect(run.code).toBe(0);
  const lines = run.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return (JSON.parse(lines[0]!) as { userRef: string | null }).userRef;
}

/** Hands the stream records not seen yet to the audit function, as the event source mapping would. */
async function runAudit(): Promise<void> {
  const records = (await readStreamRecords(streams, streamArn)).filter(
    (record) => !seen.has(record.eventID!),
  );
  for (const record of records) seen.add(record.eventID!);
  for (const event of toStreamEvents(records, auditStreamSource)) {
    expect(await audit(event)).toEqual({ batchItemFailures: [] });
  }
}

async function overwriteSteps(userId: string, from: number, to: number): Promise<Record<string, unknown>> {
  const post = batchClient({ documentClient: table.documentClient, tableName: table.tableName });
  for (const value of [from, to]) {
    const answer = await post({ userId, body: { entries: [stepsDay('2026-05-24', value)] } });
    expect(answer.body.data.failed).toBe(0);
  }
  await runAudit();
  const overwrites = logs.events('measurement.batch.stats-overwrite').filter((line) => line.value === to);
  expect(overwrites).toHaveLength(1);
  return overwrites[0]!;
}

/** What erase-user does to the trail: announces the erasure under the user's userRef, then deletes the key. */
async function eraseKey(userId: string, userRef: string): Promise<void> {
  const names = userLifecycle.lifecycleItem;
  const pk = `${names.keyPrefix}${randomUUID()}`;
  await table.documentClient.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        pk,
        kind: names.kind,
        [names.eventAttribute]: 'user.erased',
        [names.userRefAttribute]: userRef,
        [names.countsAttribute]: { auditKeys: 1 },
        [names.startedAtAttribute]: new Date().toISOString(),
        [names.endedAtAttribute]: new Date().toISOString(),
      },
    }),
  );
  await table.documentClient.send(new DeleteCommand({ TableName: table.tableName, Key: { pk } }));
  await keys.deleteKey(userId);
}

describe('npm run audit-ref prints the userRef the audit events name the user by', () => {
  it('a user never audited has none: {"userRef":null}, exit 0, and no key is created', async () => {
    const userId = `audit-ref-${randomUUID()}`;
    const run = await auditRef('--user', userId, ...against());
    expect(run).toMatchObject({ code: 0, stdout: '{"userRef":null}\n' });
    expect(run.stderr).toMatch(/no audit key/);
    expect(await keys.getKey(userId)).toBeUndefined();
  });

  it('a stats overwrite event carries exactly the userRef audit-ref prints, with the key’s creation time', async () => {
    const userId = `audit-ref-${randomUUID()}`;
    const overwrite = await overwriteSteps(userId, 300, 5300);
    const run = await auditRef('--user', userId, ...against());
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as { userRef: string; keyCreatedAt: string };
    expect(printed).toEqual({
      userRef: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      keyCreatedAt: expect.any(String),
    });
    expect(overwrite.userRef).toBe(printed.userRef);
    expect(overwrite).not.toHaveProperty('userId');
    // Neither the user id nor the key is ever printed.
    const key = (await keys.getKey(userId))!;
    for (const output of [run.stdout, run.stderr]) {
      expect(output).not.toContain(userId);
      expect(output).not.toContain(key);
    }
  });

  it('after the key is deleted (erasure), audit-ref prints none, and a new write gets a new userRef', async () => {
    const userId = `audit-ref-${randomUUID()}`;
    const before = (await overwriteSteps(userId, 300, 5300)).userRef as string;
    expect(await printedUserRef(userId)).toBe(before);

    await eraseKey(userId, before);
    expect(await printedUserRef(userId)).toBeNull();
    // The warm function instance logs the erasure and forgets the key it had cached.
    const after = await overwriteSteps(userId, 7000, 8000);
    expect(logs.events('user.erased')).toEqual([expect.objectContaining({ userRef: before, auditKeys: 1 })]);
    const now = await printedUserRef(userId);
    expect(now).not.toBeNull();
    expect(now).not.toBe(before);
    expect(after.userRef).toBe(now);
  });

  it('a table that does not exist: exit 1 with the error on standard error, nothing on standard output', async () => {
    const run = await auditRef(
      '--user',
      'anyone',
      '--audit-keys-table',
      'no-such-table',
      '--endpoint',
      table.endpoint,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/ResourceNotFoundException/);
  });

  it.each([
    ['no user', ['--audit-keys-table', 't']],
    ['no table and no --local', ['--user', 'alice']],
    ['a table and --local', ['--user', 'alice', '--local', '--audit-keys-table', 't']],
    ['a user id with the key separator', ['--user', 'al#ice', '--audit-keys-table', 't']],
    ['an unknown option', ['--user', 'alice', '--audit-keys-table', 't', '--create']],
  ])('a usage error (%s): exit 2, the usage on standard error', async (_name, args) => {
    const run = await auditRef(...args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Usage: npm run audit-ref');
  });

  it('--help prints the usage on standard output and exits 0', async () => {
    const run = await auditRef('--help');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('Usage: npm run audit-ref -- --user <user id>');
    expect(run.stdout).toContain('(--local | --stack <stack name> | --audit-keys-table <name>)');
  });

  it('--stack: the audit-keys table the stack’s output names', async () => {
    const userId = `audit-ref-${randomUUID()}`;
    await overwriteSteps(userId, 300, 5300);
    const stack = await cloudFormationStandIn({ AuditKeysTableName: table.auditKeysTableName });
    try {
      const run = await runTool(
        'audit-ref',
        ['--user', userId, '--stack', 'HealthIngest', '--endpoint', table.endpoint],
        {
          env: stack.env,
        },
      );
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ userRef: await keys.currentUserRef(userId) });
      expect(stack.requests).toEqual([expect.stringContaining('StackName=HealthIngest')]);
    } finally {
      await stack.close();
    }
  });
});
