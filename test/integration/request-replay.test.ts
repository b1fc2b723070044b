import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { RequestRecorder } from '../../bench/request-replay';
import { createLocalTable, type LocalTable } from '../support/local-table';

/**
 * The benchmark's engine floor for the user-data tools (docs/benchmarks.md): the requests a tool
 * sent, recorded, then sent again straight. What a replay must keep for the floor to be the
 * tool's own requests: every request, its answer's dependencies (a write that only succeeds after
 * an earlier one), and no more in flight than the tool had.
 */

const tables: LocalTable[] = [];
afterAll(async () => {
  for (const table of tables) await table.drop();
});

async function freshTable() {
  const table = await createLocalTable();
  tables.push(table);
  return table;
}

async function itemsOf(table: LocalTable) {
  const { Items = [] } = await table.documentClient.send(
    new ScanCommand({ TableName: table.tableName, ConsistentRead: true }),
  );
  return Items.sort((a, b) => String(a.pk).localeCompare(String(b.pk)));
}

/**
 * A tool's pattern: per key, a write and then a second one that succeeds only once the first has
 * (as the erasure's conditional delete follows its `erasing` write); `lanes` keys at once.
 */
async function work(documents: LocalTable['documentClient'], tableName: string, keys: number, lanes: number) {
  const lane = async (first: number) => {
    for (let k = first; k < keys; k += lanes) {
      await documents.send(new PutCommand({ TableName: tableName, Item: { pk: `key-${k}`, step: 1 } }));
      await documents.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: `key-${k}`, step: 2 },
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i)));
}

describe('replaying what a tool sent: the engine floor of the lifecycle benchmark', () => {
  test('every request again, each after what it waited for, never more in flight than the tool had', async () => {
    const table = await freshTable();
    const recorder = new RequestRecorder();
    await work(recorder.documents(table.documentClient), table.tableName, 40, 4);
    expect(recorder.requests).toBe(80);
    expect(recorder.concurrency).toBe(4);
    // The tables as the tool found them: empty.
    for (const item of await itemsOf(table))
      await table.documentClient.send(
        new DeleteCommand({ TableName: table.tableName, Key: { pk: item.pk } }),
      );

    let inFlight = 0;
    let most = 0;
    const events: string[] = [];
    const watched = Object.create(table.documentClient) as typeof table.documentClient;
    watched.send = (async (command: PutCommand) => {
      const name = `${String(command.input.Item!.pk)} step ${String(command.input.Item!.step)}`;
      most = Math.max(most, ++inFlight);
      events.push(`sent ${name}`);
      try {
        return await table.documentClient.send(command);
      } finally {
        inFlight--;
        events.push(`answered ${name}`);
      }
    }) as typeof watched.send;
    const seconds = await recorder.replay({ client: table.client, documents: watched });

    expect(seconds).toBeGreaterThan(0);
    expect(events.filter((event) => event.startsWith('sent'))).toHaveLength(80);
    expect(most).toBeLessThanOrEqual(4);
    for (let k = 0; k < 40; k++)
      expect(events.indexOf(`answered key-${k} step 1`)).toBeLessThan(events.indexOf(`sent key-${k} step 2`));
    const replayed = await itemsOf(table);
    expect(replayed).toHaveLength(40);
    expect(replayed.every((item) => item.step === 2)).toBe(true);
  });

  test('a conditional request the engine refuses counts as answered, as it did for the tool', async () => {
    const table = await freshTable();
    const recorder = new RequestRecorder();
    const documents = recorder.documents(table.documentClient);
    const refused = () =>
      documents.send(
        new PutCommand({
          TableName: table.tableName,
          Item: { pk: 'absent', step: 1 },
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    await expect(refused()).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    await documents.send(new PutCommand({ TableName: table.tableName, Item: { pk: 'after', step: 1 } }));
    await expect(recorder.replay({ client: table.client, documents: table.documentClient })).resolves.toEqual(
      expect.any(Number),
    );
    expect((await itemsOf(table)).map((item) => item.pk)).toEqual(['after']);
  });
});
