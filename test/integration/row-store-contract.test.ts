import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type {
  MeasurementRef,
  MeasurementRowStore,
  NewManualReading,
} from '../../functions/measurements/rows/row-store';
import { TableRowStore } from '../../functions/measurements/storage/table-row-store';
import { InMemoryRowStore } from '../support/in-memory-row-store';
import { createLocalTable, type LocalTable } from '../support/local-table';
import { storedItem } from '../support/stored-items';
import { newManualReading } from '../support/manual-reading';

/**
 * The in-memory row store the use-case tests run on (test/support/in-memory-row-store.ts) answers
 * as the row store on DynamoDB does: the same calls on both, from the same items, give the same
 * outcomes and leave the same items.
 */

let table: LocalTable;
beforeAll(async () => (table = await createLocalTable()));
afterAll(async () => table.drop());

const by = (requestId: string, at: string) => ({ requestId, at });
const ref = (type: string, externalId: string): MeasurementRef => ({ userId: 'alice', type, externalId });

function reading(uuid: string, measuredAt: string, type = 'WEIGHT'): NewManualReading {
  return newManualReading({ type, measuredAt, notes: uuid === 'u-1' ? 'first' : null }, { uuid });
}

const synced = [
  storedItem({ externalId: 'hk-1', measuredAt: '2026-08-14T06:00:00.000Z' }),
  storedItem({ externalId: 'hk-2', measuredAt: '2026-08-14T06:10:00.000Z', valueMin: 50, valueMax: 90 }),
  storedItem({ externalId: 'hk-3', measuredAt: '2026-08-14T06:20:00.000Z', source: 'WITHINGS' }),
  storedItem({
    type: 'WEIGHT',
    externalId: 'hk-1',
    measuredAt: '2026-08-14T05:00:00.000Z',
    value: 70,
    unit: 'kg',
  }),
];

/** One run of every kind of call, recording what each answered. */
async function scenario(store: MeasurementRowStore): Promise<[string, unknown][]> {
  const log: [string, unknown][] = [];
  const record = async (step: string, outcome: Promise<unknown>) => log.push([step, await outcome]);
  // What a cost measure or an opaque text says is not compared: a cursor by the key it stands
  // for, whose attributes DynamoDB may list in another order; refs found in an index without a
  // sort key, in no particular order.
  const rows = (page: unknown) => {
    const {
      itemsRead: _cost,
      nextCursor,
      ...rest
    } = page as { itemsRead?: number; nextCursor?: string | null };
    return { ...rest, ...(nextCursor === undefined ? {} : { nextCursor: cursorKey(nextCursor) }) };
  };
  const refs = (found: readonly MeasurementRef[]) =>
    [...found].sort((a, b) => `${a.type}#${a.externalId}`.localeCompare(`${b.type}#${b.externalId}`));

  await record(
    'create',
    store.createManualReadings(
      [reading('u-1', '2026-08-14T07:00:00.000Z'), reading('u-2', '2026-08-14T07:05:00.000Z')],
      by('req-create', '2026-08-14T07:10:00.000Z'),
    ),
  );
  await record(
    'create a taken instant',
    store.createManualReadings(
      [reading('u-3', '2026-08-14T07:30:00.000Z'), reading('u-4', '2026-08-14T07:00:00.000Z')],
      by('req-create-2', '2026-08-14T07:11:00.000Z'),
    ),
  );

  const first = (await store.getMeasurement(ref('WEIGHT', 'manual:u-1')))!;
  await record('get', Promise.resolve(first));
  await record('get a missing row', store.getMeasurement(ref('PULSE', 'hk-9')));
  await record(
    'edit',
    store.editMeasurement(
      ref('PULSE', 'hk-2'),
      { value: 70, notes: 'x' },
      by('req-e1', '2026-08-14T08:00:00.000Z'),
    ),
  );
  await record(
    'clear the note',
    store.editMeasurement(ref('PULSE', 'hk-2'), { notes: null }, by('req-e2', '2026-08-14T08:01:00.000Z')),
  );
  await record(
    'edit a missing row',
    store.editMeasurement(ref('PULSE', 'hk-9'), { value: 70 }, by('req-e3', '2026-08-14T08:02:00.000Z')),
  );
  await record(
    'edit planned from another version',
    store.editMeasurement(ref('PULSE', 'hk-1'), { value: 71 }, by('req-e4', '2026-08-14T08:03:00.000Z'), {
      ...synced[0]!,
      requestId: 'req-other',
    }),
  );
  await record(
    'edit planned from this version',
    store.editMeasurement(
      ref('PULSE', 'hk-1'),
      { measuredAt: '2026-08-14T06:01:00.000Z' },
      by('req-e5', '2026-08-14T08:04:00.000Z'),
      synced[0],
    ),
  );

  const second = (await store.getMeasurement(ref('WEIGHT', 'manual:u-2')))!;
  await record(
    'move onto a taken instant',
    store.moveManualReading(
      ref('WEIGHT', 'manual:u-2'),
      second,
      { measuredAt: '2026-08-14T07:00:00.000Z' },
      by('req-m1', '2026-08-14T08:05:00.000Z'),
    ),
  );
  await record(
    'move a stale plan',
    store.moveManualReading(
      ref('WEIGHT', 'manual:u-2'),
      { ...second, updatedAt: '2026-08-14T07:09:00.000Z' },
      { measuredAt: '2026-08-14T07:40:00.000Z' },
      by('req-m2', '2026-08-14T08:06:00.000Z'),
    ),
  );
  await record(
    'move',
    store.moveManualReading(
      ref('WEIGHT', 'manual:u-2'),
      second,
      { measuredAt: '2026-08-14T07:40:00.000Z', value: 73 },
      by('req-m3', '2026-08-14T08:07:00.000Z'),
    ),
  );

  await record('list, first page', store.listMeasurements({ userId: 'alice', limit: 3 }).then(rows));
  const page = await store.listMeasurements({ userId: 'alice', limit: 3 });
  const cursor = page.status === 'page' ? page.nextCursor! : '';
  await record('list, next page', store.listMeasurements({ userId: 'alice', limit: 3, cursor }).then(rows));
  await record(
    'list a type and a source',
    store.listMeasurements({ userId: 'alice', type: 'PULSE', source: 'APPLE_HEALTH', limit: 10 }).then(rows),
  );
  await record(
    'list with a foreign cursor',
    store.listMeasurements({ userId: 'alice', type: 'WEIGHT', limit: 3, cursor }),
  );
  await record(
    'cursor after a row',
    Promise.resolve(cursorKey(store.listCursorAfter({ userId: 'alice', limit: 3 }, first))),
  );
  await record(
    'read rows in a range',
    store
      .readRows({
        userId: 'alice',
        type: 'PULSE',
        from: '2026-08-14T06:05:00.000Z',
        to: '2026-08-14T06:20:00.000Z',
      })
      .then(rows),
  );
  await record(
    'read the newest rows',
    store.readRows({ userId: 'alice', type: 'PULSE', limit: 2 }).then(rows),
  );

  await record('find by externalId', store.findMeasurementsByExternalId('alice', 'hk-1').then(refs));
  await record(
    'delete a hand entry by externalId scope',
    store.softDeleteMeasurement(ref('WEIGHT', 'manual:u-1'), by('req-d1', '2026-08-14T09:00:00.000Z'), {
      onlyHealthKitRows: true,
    }),
  );
  await record(
    'delete another source by externalId scope',
    store.softDeleteMeasurement(ref('PULSE', 'hk-3'), by('req-d2', '2026-08-14T09:01:00.000Z'), {
      onlyHealthKitRows: true,
    }),
  );
  await record(
    'delete',
    store.softDeleteMeasurement(ref('WEIGHT', 'manual:u-1'), by('req-d3', '2026-08-14T09:02:00.000Z')),
  );
  await record(
    'delete again',
    store.softDeleteMeasurement(ref('WEIGHT', 'manual:u-1'), by('req-d4', '2026-08-14T09:03:00.000Z')),
  );
  await record(
    'delete a synced row',
    store.softDeleteMeasurement(ref('PULSE', 'hk-1'), by('req-d5', '2026-08-14T09:04:00.000Z')),
  );
  await record(
    'delete a missing row',
    store.softDeleteMeasurement(ref('PULSE', 'hk-9'), by('req-d6', '2026-08-14T09:05:00.000Z')),
  );
  await record(
    'edit a deleted row',
    store.editMeasurement(ref('PULSE', 'hk-1'), { value: 70 }, by('req-e6', '2026-08-14T09:06:00.000Z')),
  );
  await record('find after the delete', store.findMeasurementsByExternalId('alice', 'hk-1').then(refs));
  await record('list after the deletes', store.listMeasurements({ userId: 'alice', limit: 10 }).then(rows));
  await record(
    'create at a deleted reading’s instant',
    store.createManualReadings(
      [reading('u-5', '2026-08-14T07:00:00.000Z')],
      by('req-create-3', '2026-08-14T09:07:00.000Z'),
    ),
  );
  return log;
}

const cursorKey = (cursor: string | null) =>
  cursor === null ? null : (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown);

const byKey = (items: readonly Record<string, unknown>[]) =>
  [...items].sort((a, b) => String(a.pk).localeCompare(String(b.pk)));

test('the in-memory row store answers and stores as the row store on DynamoDB does', async () => {
  await Promise.all(
    synced.map((item) =>
      table.documentClient.send(new PutCommand({ TableName: table.tableName, Item: item })),
    ),
  );
  const onTable = await scenario(new TableRowStore(table.documentClient, table.tableName));
  const memory = new InMemoryRowStore(synced);
  const inMemory = await scenario(memory);

  expect(inMemory).toEqual(onTable);
  expect(byKey(memory.all())).toEqual(byKey(await table.items()));
  // The scenario reached every outcome it names.
  expect(onTable.find(([step]) => step === 'move')).toEqual([
    'move',
    expect.objectContaining({ status: 'edited' }),
  ]);
  expect(onTable.find(([step]) => step === 'create a taken instant')).toEqual([
    'create a taken instant',
    { status: 'duplicate' },
  ]);
}, 60_000);
