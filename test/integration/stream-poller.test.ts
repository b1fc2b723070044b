import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { auditStreamSource } from '../../definitions/audit-stream';
import { createStreamsClient, latestStreamArn, listShards } from '../../local/dynamodb-stream';
import type { LocalFunction } from '../../local/lambda-context';
import type { RuntimeLog } from '../../local/runtime-log';
import { startStreamPoller, type StreamPoller, type StreamSource } from '../../local/stream-poller';
import { startFaultyDynamoDb } from '../support/fault-injection';
import { createLocalTable, type LocalTable } from '../support/local-table';

/**
 * The local event source mapping on DynamoDB Local's stream, with a stand-in audit function
 * whose answers each test scripts: what reaches the function, in which batches, and what
 * happens to records it reports as failed — Lambda's rules for a stream with
 * ReportBatchItemFailures, bisection and a retry limit.
 */
type Answer = (event: DynamoDBStreamEvent) => DynamoDBBatchResponse | Promise<DynamoDBBatchResponse>;

let table: LocalTable;
let directory: string;
let pollers: StreamPoller[];
let invocations: string[][];
let logged: { message: string; fields: Record<string, unknown> }[];

beforeEach(async () => {
  table = await createLocalTable({ stream: true });
  directory = mkdtempSync(join(tmpdir(), 'stream-poller-'));
  pollers = [];
  invocations = [];
  logged = [];
});
afterEach(async () => {
  await Promise.all(pollers.map((poller) => poller.stop()));
  await table.drop();
  rmSync(directory, { recursive: true, force: true });
});

/** Everything delivered, no waiting: the rules under test, not the batching window. */
const everything: StreamSource = {
  ...auditStreamSource,
  filterPatterns: [],
  maxBatchingWindowSeconds: 0,
};

const ok: Answer = () => ({ batchItemFailures: [] });
const pkOf = (record: DynamoDBRecord) => record.dynamodb?.Keys?.pk?.S ?? '?';
const failing = (record: DynamoDBRecord) => ({ itemIdentifier: record.dynamodb!.SequenceNumber! });

async function start(
  answer: Answer,
  source: StreamSource = everything,
  endpoint: string = table.endpoint,
): Promise<StreamPoller> {
  const auditFunction: LocalFunction = {
    name: 'auditStream',
    definition: {
      id: 'AuditStandIn',
      entry: 'n/a',
      description: 'test',
      memorySize: 128,
      timeoutSeconds: 5,
      serviceName: 'audit-stand-in',
      settings: {},
    },
    handler: async (event) => {
      const streamEvent = event as DynamoDBStreamEvent;
      invocations.push(streamEvent.Records.map(pkOf));
      return answer(streamEvent);
    },
  };
  const log: RuntimeLog = (_level, message, fields = {}) => logged.push({ message, fields });
  const poller = await startStreamPoller({
    endpoint,
    tableName: table.tableName,
    consumer: auditFunction,
    checkpointPath: join(directory, 'checkpoints.json'),
    log,
    source,
    pollIntervalMs: 50,
  });
  pollers.push(poller);
  return poller;
}

async function put(pk: string, item: Record<string, unknown> = {}): Promise<void> {
  await table.documentClient.send(new PutCommand({ TableName: table.tableName, Item: { pk, ...item } }));
}

async function eventually(check: () => void, timeoutMs = 5000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (Date.now() > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const delivered = () => invocations.flat();

describe("records reach the function through the stack's filter patterns", () => {
  it('a stats re-post by the batch (MODIFY) is delivered; a new row (INSERT) and a re-posted sample are not', async () => {
    await start(ok, { ...auditStreamSource, maxBatchingWindowSeconds: 0 });
    await put('stats-row', { kind: 'stats', writer: 'batch', value: 1 });
    await put('sample-row', { kind: 'sample', writer: 'batch', value: 1 });
    await put('stats-row', { kind: 'stats', writer: 'batch', value: 2 });
    await put('sample-row', { kind: 'sample', writer: 'batch', value: 2 });
    await put('marker', { kind: 'stats', writer: 'batch' });
    await put('marker', { kind: 'stats', writer: 'batch', value: 3 });
    await eventually(() => expect(delivered()).toContain('marker'));
    expect(delivered()).toEqual(['stats-row', 'marker']);
  });
});

describe('batches follow the batch size, in stream order', () => {
  it('five records with batchSize 2 arrive as 2 + 2 + 1', async () => {
    for (const pk of ['a', 'b', 'c', 'd', 'e']) await put(pk);
    await start(ok, { ...everything, batchSize: 2 });
    await eventually(() => expect(invocations).toEqual([['a', 'b'], ['c', 'd'], ['e']]));
  });

  it('records written within the batching window arrive together', async () => {
    await start(ok, { ...everything, maxBatchingWindowSeconds: 1 });
    await put('a');
    await put('b');
    await put('c');
    await eventually(() => expect(delivered()).toHaveLength(3));
    expect(invocations).toEqual([['a', 'b', 'c']]);
  });
});

describe('a partial batch response retries from the lowest failed record', () => {
  it('records before it are not delivered again; it and every later one are', async () => {
    for (const pk of ['a', 'b', 'c', 'd']) await put(pk);
    let failedOnce = false;
    await start((event) => {
      const c = event.Records.find((record) => pkOf(record) === 'c');
      const b = event.Records.find((record) => pkOf(record) === 'b');
      if (failedOnce || !b || !c) return { batchItemFailures: [] };
      failedOnce = true;
      return { batchItemFailures: [failing(c), failing(b)] };
    });
    await eventually(() =>
      expect(invocations).toEqual([
        ['a', 'b', 'c', 'd'],
        ['b', 'c', 'd'],
      ]),
    );
  });

  it('after the retries are used up the records are skipped with one log line, and later records flow', async () => {
    await put('poison');
    await put('next');
    await start(
      (event) => ({
        batchItemFailures: event.Records.filter((record) => pkOf(record) === 'poison').map(failing),
      }),
      { ...everything, batchSize: 1, retryAttempts: 2 },
    );
    await eventually(() => expect(delivered()).toContain('next'));
    expect(invocations).toEqual([['poison'], ['poison'], ['poison'], ['next']]);
    const skipped = logged.filter((line) => line.message === 'local-runtime.stream.records-skipped');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.fields).toMatchObject({ count: 1, function: 'AuditStandIn' });
  });
});

describe('a batch whose function throws is bisected', () => {
  it('the good halves are delivered, the poison record alone is retried and then skipped', async () => {
    for (const pk of ['a', 'poison', 'b', 'c']) await put(pk);
    await start(
      (event) => {
        if (event.Records.some((record) => pkOf(record) === 'poison')) throw new Error('boom');
        return { batchItemFailures: [] };
      },
      { ...everything, retryAttempts: 1 },
    );
    await eventually(() => expect(invocations.at(-1)).toEqual(['b', 'c']));
    expect(invocations).toEqual([
      ['a', 'poison', 'b', 'c'],
      ['a', 'poison'],
      ['a'],
      ['poison'],
      ['poison'],
      ['b', 'c'],
    ]);
    expect(logged.filter((line) => line.message === 'local-runtime.stream.records-skipped')).toHaveLength(1);
  });
});

describe('checkpoints survive a restart', () => {
  it('a restarted reader delivers only what was written after the last handled record', async () => {
    const first = await start(ok);
    await put('before-1');
    await put('before-2');
    await eventually(() => expect(delivered()).toEqual(['before-1', 'before-2']));
    await first.stop();
    await put('while-down');
    invocations = [];
    await start(ok);
    await put('after');
    await eventually(() => expect(delivered()).toEqual(['while-down', 'after']));
  });
});

describe('the reader tells a checkpoint that aged out of the stream from an engine it cannot reach', () => {
  const lines = (message: string) => logged.filter((line) => line.message === message);

  it('a checkpoint the stream no longer has: one checkpoint-aged-out line, and the shard is read from its oldest record', async () => {
    await put('kept-1');
    await put('kept-2');
    const streams = createStreamsClient(table.endpoint);
    const streamArn = await latestStreamArn(table.client, table.tableName);
    const [shard] = await listShards(streams, streamArn);
    streams.destroy();
    // A sequence number past anything the shard holds: what a checkpoint older than the
    // stream's 24 h looks like to the engine.
    const checkpoint = '9'.repeat(23);
    writeFileSync(
      join(directory, 'checkpoints.json'),
      JSON.stringify({ streamArn, shards: { [shard!.ShardId!]: checkpoint } }),
    );

    await start(ok);
    await eventually(() => expect(delivered()).toEqual(['kept-1', 'kept-2']));
    expect(lines('local-runtime.stream.checkpoint-aged-out')).toEqual([
      {
        message: 'local-runtime.stream.checkpoint-aged-out',
        fields: expect.objectContaining({ shardId: shard!.ShardId, checkpoint }),
      },
    ]);
    expect(lines('local-runtime.stream.engine-unreachable')).toEqual([]);
  });

  it('an engine that stops answering: one engine-unreachable line naming the connection fault — not one per read, never an aged-out checkpoint', async () => {
    const proxy = await startFaultyDynamoDb(table.endpoint);
    try {
      await start(ok, everything, proxy.endpoint);
      await put('before-the-outage');
      await eventually(() => expect(delivered()).toEqual(['before-the-outage']));
    } finally {
      await proxy.close();
    }
    // Reads every 50 ms, shard discovery every second: some 80 failed calls in 4 s.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const unreachable = lines('local-runtime.stream.engine-unreachable');
    expect(unreachable).toHaveLength(1);
    expect(unreachable[0]!.fields).toMatchObject({
      endpoint: proxy.endpoint,
      reason: expect.stringMatching(/^(ECONNREFUSED|ECONNRESET)$/),
    });
    for (const message of [
      'local-runtime.stream.checkpoint-aged-out',
      'local-runtime.stream.read-error',
      'local-runtime.stream.describe-error',
    ]) {
      expect(lines(message)).toEqual([]);
    }
  }, 20000);
});
