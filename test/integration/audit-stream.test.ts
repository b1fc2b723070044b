import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { AuditKeysStore } from '../../functions/audit/audit-keys-store';
import { userLifecycle } from '../../definitions/user-lifecycle';
import { measurementId } from '../../functions/measurements/model/measurement-id';
import { toManualItem } from '../../functions/measurements/storage/measurement-item';
import { TableRowStore } from '../../functions/measurements/storage/table-row-store';
import { auditStreamSource } from '../../definitions/audit-stream';
import {
  createStreamsClient,
  latestStreamArn,
  readStreamRecords,
  toStreamEvents,
} from '../../local/dynamodb-stream';
import { auditHandlerFor } from '../support/audit-trail';
import { batchClient, entry, stepsDay } from '../support/batch-client';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import { createLocalTable, type LocalTable } from '../support/local-table';
import { measurementsApiClient } from '../support/measurements-api-client';
import { newManualReading } from '../support/manual-reading';

/**
 * The audit path end to end on DynamoDB Local: writes go through the real batch handler and
 * repository, the table's stream is read with the DynamoDB Streams API, the records are
 * converted to Lambda's shape and filtered with the stack's own patterns, and the real audit
 * handler logs the events asserted here field by field.
 */

const STEPS = 'stats:HKQuantityTypeIdentifierStepCount:2026-05-24';
const STEPS_ID = measurementId('ACTIVITY_STEPS', STEPS);
const PULSE_EXTERNAL_ID = 'C0FFEE00-0000-4000-8000-000000000000';

let table: LocalTable;
let post: ReturnType<typeof batchClient>;
let rows: TableRowStore;
let streams: DynamoDBStreamsClient;
let streamArn: string;
let logs: CapturedLogs;
let audit: ReturnType<typeof auditHandlerFor>;
let keys: AuditKeysStore;

beforeAll(async () => {
  table = await createLocalTable({ stream: true });
  audit = auditHandlerFor(table);
  keys = new AuditKeysStore(table.documentClient, table.auditKeysTableName);
  post = batchClient({ documentClient: table.documentClient, tableName: table.tableName });
  rows = new TableRowStore(table.documentClient, table.tableName);
  streams = createStreamsClient(table.endpoint);
  streamArn = await latestStreamArn(table.client, table.tableName);
});
afterAll(async () => {
  streams.destroy();
  await table.drop();
});
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

/** Each test uses its own user and picks its records from the shared table's stream by key. */
let userSeq = 0;
const newUser = () => `audit-user-${++userSeq}-${Date.now()}`;

async function postSteps(
  userId: string,
  value: number,
  requestId: string,
  changes: Record<string, unknown> = {},
): Promise<void> {
  const answer = await post({
    userId,
    requestId,
    body: { entries: [{ ...stepsDay('2026-05-24', value), ...changes }] },
  });
  expect(answer.status).toBe(200);
  expect(answer.body.data).toMatchObject({ processed: 1, skipped: [], failed: 0 });
}

const stepsRef = (userId: string) => ({ userId, type: 'ACTIVITY_STEPS', externalId: STEPS });

async function storedSteps(userId: string): Promise<Record<string, unknown>> {
  const item = await table.item(userId, 'ACTIVITY_STEPS', STEPS);
  if (!item) throw new Error('no stored steps row');
  return item;
}

/** The user's stream records, oldest first, in the shape Lambda delivers. */
async function streamRecordsOf(userId: string): Promise<DynamoDBRecord[]> {
  const records = await readStreamRecords(streams, streamArn);
  return records.filter((record) => record.dynamodb?.Keys?.pk?.S?.startsWith(`${userId}#`));
}

interface AuditRun {
  /** Every record the stream holds for the user. */
  readonly records: DynamoDBRecord[];
  /** The records the event source mapping's filters let through to the function. */
  readonly delivered: DynamoDBRecord[];
  readonly responses: DynamoDBBatchResponse[];
}

/** Reads the stream and invokes the audit handler the way the event source mapping would. */
async function runAudit(userId: string): Promise<AuditRun> {
  const records = await streamRecordsOf(userId);
  const events = toStreamEvents(records, auditStreamSource);
  const responses: DynamoDBBatchResponse[] = [];
  for (const event of events) responses.push(await audit(event));
  return { records, delivered: events.flatMap((event) => event.Records), responses };
}

/** The audit function's lines at a level (the batch handler logs to the same capture). */
function auditLines(level: 'INFO' | 'DEBUG' | 'ERROR') {
  return logs.lines.filter((line) => line.service === 'measurement-audit' && line.level === level);
}

/** An event's own fields: the line without the keys Powertools adds to every line. */
function fieldsOf(line: Record<string, unknown> | undefined): Record<string, unknown> {
  expect(line).toBeDefined();
  const {
    level: _level,
    message: _message,
    service: _service,
    timestamp: _timestamp,
    sampling_rate: _samplingRate,
    ...fields
  } = line!;
  return fields;
}

function positionOf(record: DynamoDBRecord) {
  return {
    eventId: record.eventID,
    sequenceNumber: record.dynamodb!.SequenceNumber,
    approximateCreationTime: new Date(record.dynamodb!.ApproximateCreationDateTime! * 1000).toISOString(),
  };
}

/** The user's pseudonym in the audit events: their key, which the audit function created. */
async function userRefOf(userId: string): Promise<string> {
  const userRef = await keys.currentUserRef(userId);
  if (userRef === undefined) throw new Error('the audit function created no key for the user');
  return userRef;
}

const stepsIdentity = (userRef: string) => ({
  userRef,
  type: 'ACTIVITY_STEPS',
  hkIdentifier: 'HKQuantityTypeIdentifierStepCount',
  externalId: STEPS,
  id: STEPS_ID,
});

describe('measurement.batch.stats-overwrite: a batch replaced a stats row with another value', () => {
  it('300 → 5300 logs one overwrite: delta 5000, increase, the writing request, the stream position', async () => {
    const userId = newUser();
    await postSteps(userId, 300, 'req-morning');
    const morning = await storedSteps(userId);
    await postSteps(userId, 5300, 'req-evening');
    const evening = await storedSteps(userId);

    const { records, delivered, responses } = await runAudit(userId);
    expect(records.map((record) => record.eventName)).toEqual(['INSERT', 'MODIFY']);
    expect(delivered).toEqual([records[1]]);
    expect(responses).toEqual([{ batchItemFailures: [] }]);

    const events = logs.events('measurement.batch.stats-overwrite');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ level: 'INFO', service: 'measurement-audit' });
    expect(fieldsOf(events[0])).toStrictEqual({
      ...stepsIdentity(await userRefOf(userId)),
      previousValue: 300,
      value: 5300,
      delta: 5000,
      direction: 'increase',
      changedFields: ['value'],
      overwroteEdit: false,
      unit: 'steps',
      measuredAt: evening.measuredAt,
      previousUpdatedAt: morning.updatedAt,
      updatedAt: evening.updatedAt,
      requestId: 'req-evening',
      resurrected: false,
      ...positionOf(records[1]!),
    });
    expect(auditLines('INFO')).toHaveLength(1);
  });

  it('a total that went down (5300 → 5100) is logged with direction decrease', async () => {
    const userId = newUser();
    await postSteps(userId, 5300, 'req-1');
    await postSteps(userId, 5100, 'req-2');

    const { records } = await runAudit(userId);
    const [event] = logs.events('measurement.batch.stats-overwrite');
    expect(fieldsOf(event)).toMatchObject({
      ...stepsIdentity(await userRefOf(userId)),
      previousValue: 5300,
      value: 5100,
      delta: -200,
      direction: 'decrease',
      requestId: 'req-2',
      resurrected: false,
      ...positionOf(records[1]!),
    });
  });
});

describe('a stats re-post that changed other fields than the value is an overwrite too', () => {
  it('a re-post changing only endDate logs one INFO overwrite: changedFields measuredAt, direction unchanged', async () => {
    const userId = newUser();
    await postSteps(userId, 5300, 'req-1');
    const before = await storedSteps(userId);
    await postSteps(userId, 5300, 'req-2', { endDate: '2026-05-24T12:00:00+02:00' });
    const after = await storedSteps(userId);
    expect(after.measuredAt).not.toBe(before.measuredAt);

    const { records, delivered, responses } = await runAudit(userId);
    expect(delivered).toEqual([records[1]]);
    expect(responses).toEqual([{ batchItemFailures: [] }]);
    expect(auditLines('INFO')).toHaveLength(1);
    expect(fieldsOf(logs.events('measurement.batch.stats-overwrite')[0])).toStrictEqual({
      ...stepsIdentity(await userRefOf(userId)),
      previousValue: 5300,
      value: 5300,
      delta: 0,
      direction: 'unchanged',
      changedFields: ['measuredAt'],
      overwroteEdit: false,
      unit: 'steps',
      measuredAt: '2026-05-24T10:00:00.000Z',
      previousUpdatedAt: before.updatedAt,
      updatedAt: after.updatedAt,
      requestId: 'req-2',
      resurrected: false,
      ...positionOf(records[1]!),
    });
  });

  it('a re-post from another device and app version names both, sorted', async () => {
    const userId = newUser();
    await postSteps(userId, 5300, 'req-1');
    await postSteps(userId, 5300, 'req-2', { deviceType: 'watch', externalSourceVersion: '17.5' });

    await runAudit(userId);
    expect(auditLines('INFO').map((line) => [line.message, line.changedFields, line.direction])).toEqual([
      ['measurement.batch.stats-overwrite', ['deviceType', 'externalSourceVersion'], 'unchanged'],
    ]);
  });

  it('PATCH by hand, then the phone re-posts the day: the overwrite says overwroteEdit true', async () => {
    const userId = newUser();
    await postSteps(userId, 5300, 'req-1');
    const api = measurementsApiClient({ documentClient: table.documentClient, tableName: table.tableName });
    const patched = await api.patch(
      userId,
      STEPS_ID,
      { value: 6000, notes: 'forgot the watch' },
      'req-patch',
    );
    expect(patched.status).toBe(200);
    const edited = await storedSteps(userId);
    await postSteps(userId, 5300, 'req-2');

    const { records, delivered } = await runAudit(userId);
    expect(delivered).toEqual([records[1], records[2]]);
    expect(auditLines('INFO').map((line) => line.message)).toEqual([
      'measurement.value.updated',
      'measurement.batch.stats-overwrite',
    ]);
    expect(fieldsOf(logs.events('measurement.batch.stats-overwrite')[0])).toMatchObject({
      previousValue: 6000,
      value: 5300,
      delta: -700,
      direction: 'decrease',
      changedFields: ['notes', 'value'],
      overwroteEdit: true,
      previousUpdatedAt: edited.updatedAt,
      requestId: 'req-2',
      ...positionOf(records[2]!),
    });
    expect(JSON.stringify(logs.lines)).not.toContain('forgot the watch');
  });
});

describe('a stats re-post that changed nothing a user sees is not an overwrite', () => {
  it('a re-post that differs only in bookkeeping (the client’s unit string, createdAt, the request) logs no INFO event', async () => {
    const userId = newUser();
    await postSteps(userId, 5300, 'req-1', { unit: 'count' });
    const before = await storedSteps(userId);
    await postSteps(userId, 5300, 'req-2', { unit: 'steps' });
    const after = await storedSteps(userId);
    expect([after.clientUnit, after.createdAt]).not.toEqual([before.clientUnit, before.createdAt]);

    const { records, delivered } = await runAudit(userId);
    expect(delivered).toEqual([records[1]]);
    expect(auditLines('INFO')).toEqual([]);
    expect(auditLines('DEBUG').map((line) => line.message)).toEqual([
      'measurement.batch.stats-repost-unchanged',
    ]);
  });

  it('re-posting 5300 as it was reaches the function but logs no INFO event, only a DEBUG line', async () => {
    const userId = newUser();
    await postSteps(userId, 5300, 'req-1');
    await postSteps(userId, 5300, 'req-2');

    const { records, delivered, responses } = await runAudit(userId);
    expect(delivered).toEqual([records[1]]);
    expect(responses).toEqual([{ batchItemFailures: [] }]);
    expect(auditLines('INFO')).toEqual([]);
    expect(auditLines('DEBUG').map((line) => line.message)).toEqual([
      'measurement.batch.stats-repost-unchanged',
    ]);
    expect(auditLines('DEBUG')[0]).toMatchObject({
      value: 5300,
      requestId: 'req-2',
      ...positionOf(records[1]!),
    });
  });
});

describe('a batch re-post brings back a soft-deleted stats row', () => {
  it('logs the delete with the value, then an overwrite with resurrected true and no previous value', async () => {
    const userId = newUser();
    await postSteps(userId, 300, 'req-1');
    await rows.softDeleteMeasurement(stepsRef(userId), {
      requestId: 'req-delete',
      at: new Date().toISOString(),
    });
    const deleted = await storedSteps(userId);
    await postSteps(userId, 450, 'req-2');
    const back = await storedSteps(userId);
    expect(back.deletedAt).toBeUndefined();

    const { records } = await runAudit(userId);
    expect(records.map((record) => record.eventName)).toEqual(['INSERT', 'MODIFY', 'MODIFY']);
    expect(auditLines('INFO').map((line) => line.message)).toEqual([
      'measurement.deleted',
      'measurement.batch.stats-overwrite',
    ]);
    // The tombstone kept no value: the overwrite has none to compare with; the delete recorded it.
    expect(deleted).not.toHaveProperty('value');
    expect(logs.events('measurement.deleted')[0]).toMatchObject({ previousValue: 300 });
    expect(fieldsOf(logs.events('measurement.batch.stats-overwrite')[0])).toStrictEqual({
      ...stepsIdentity(await userRefOf(userId)),
      value: 450,
      direction: 'increase',
      changedFields: ['hkIdentifier', 'measuredAt', 'source', 'startDate', 'unit', 'value'],
      overwroteEdit: false,
      unit: 'steps',
      measuredAt: back.measuredAt,
      previousUpdatedAt: deleted.updatedAt,
      updatedAt: back.updatedAt,
      requestId: 'req-2',
      resurrected: true,
      ...positionOf(records[2]!),
    });
  });
});

describe('the row API: edits and soft deletes', () => {
  it('an edit logs measurement.value.updated with the changed fields and the editing request', async () => {
    const userId = newUser();
    await postSteps(userId, 300, 'req-1');
    const at = new Date().toISOString();
    const measuredAt = '2026-05-23T22:30:00.000Z';
    await rows.editMeasurement(stepsRef(userId), { value: 320, measuredAt }, { requestId: 'req-edit', at });

    const { records, delivered } = await runAudit(userId);
    expect(delivered).toEqual([records[1]]);
    const events = logs.events('measurement.value.updated');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ level: 'INFO', service: 'measurement-audit' });
    expect(fieldsOf(events[0])).toStrictEqual({
      ...stepsIdentity(await userRefOf(userId)),
      previousValue: 300,
      value: 320,
      changedFields: ['measuredAt', 'value'],
      requestId: 'req-edit',
      updatedAt: at,
      ...positionOf(records[1]!),
    });
  });

  it('a soft delete logs measurement.deleted with the last value and the deleting request', async () => {
    const userId = newUser();
    await postSteps(userId, 300, 'req-1');
    await rows.softDeleteMeasurement(stepsRef(userId), {
      requestId: 'req-delete',
      at: new Date().toISOString(),
    });

    const { records, delivered } = await runAudit(userId);
    expect(delivered).toEqual([records[1]]);
    const events = logs.events('measurement.deleted');
    expect(events).toHaveLength(1);
    expect(fieldsOf(events[0])).toStrictEqual({
      ...stepsIdentity(await userRefOf(userId)),
      previousValue: 300,
      requestId: 'req-delete',
      ...positionOf(records[1]!),
    });
  });
});

describe('new rows are no audit events', () => {
  it('INSERTs of a stats row and a sample never reach the function, and would log nothing if they did', async () => {
    const userId = newUser();
    const answer = await post({
      userId,
      requestId: 'req-1',
      body: { entries: [stepsDay('2026-05-24', 300), entry({ externalId: PULSE_EXTERNAL_ID })] },
    });
    expect(answer.body.data).toMatchObject({ inserted: 2 });

    const { records, delivered, responses } = await runAudit(userId);
    expect(records.map((record) => record.eventName)).toEqual(['INSERT', 'INSERT']);
    expect(delivered).toEqual([]);
    expect(responses).toEqual([]);

    await expect(audit({ Records: records })).resolves.toEqual({ batchItemFailures: [] });
    expect(logs.lines.filter((line) => line.service === 'measurement-audit')).toEqual([]);
  });
});

describe('a record the function cannot understand', () => {
  it('is reported in batchItemFailures by its sequence number; the rest of the batch is still logged', async () => {
    const userId = newUser();
    await postSteps(userId, 300, 'req-1');
    await postSteps(userId, 5300, 'req-2');
    const at = new Date().toISOString();
    await rows.editMeasurement(stepsRef(userId), { value: 5400 }, { requestId: 'req-edit', at });
    await rows.softDeleteMeasurement(stepsRef(userId), { requestId: 'req-delete', at });

    const { delivered } = await runAudit(userId);
    logs.lines.length = 0;
    const [overwrite, edit, deletion] = delivered;
    // The edit's new value arrives as text: not a number the audit can compare.
    const malformed: DynamoDBRecord = {
      ...edit!,
      dynamodb: {
        ...edit!.dynamodb,
        NewImage: { ...edit!.dynamodb!.NewImage, value: { S: 'five thousand' } },
      },
    };

    const response = await audit({ Records: [overwrite!, malformed, deletion!] });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: edit!.dynamodb!.SequenceNumber }] });
    expect(auditLines('INFO').map((line) => [line.message, line.sequenceNumber])).toEqual([
      ['measurement.batch.stats-overwrite', overwrite!.dynamodb!.SequenceNumber],
      ['measurement.deleted', deletion!.dynamodb!.SequenceNumber],
    ]);
    expect(auditLines('ERROR')).toEqual([
      expect.objectContaining({
        message: 'measurement.audit.record-failed',
        sequenceNumber: edit!.dynamodb!.SequenceNumber,
        reason: 'NewImage.value is missing or not a number',
      }),
    ]);
  });
});

describe('measurement.created: a reading entered by hand, then edited, moved and deleted', () => {
  it('its INSERT is logged with the identity, value, unit, instant, source and request; the markers never reach the function', async () => {
    const userId = newUser();
    const note = 'dizzy after the sauna';
    const api = measurementsApiClient({ documentClient: table.documentClient, tableName: table.tableName });
    const created = await api.create(
      userId,
      { type: 'WEIGHT', value: 72.4, measuredAt: '2026-05-24T06:30:00Z', notes: note },
      {},
      'req-create',
    );
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    expect((await api.put(userId, id, { notes: `${note}, again` }, 'req-note')).status).toBe(200);
    expect((await api.put(userId, id, { measuredAt: '2026-05-24T07:00:00Z' }, 'req-move')).status).toBe(200);
    expect((await api.delete(userId, id, 'req-delete')).status).toBe(200);

    const { records, delivered, responses } = await runAudit(userId);
    const kinds = (record: DynamoDBRecord) =>
      `${record.eventName} ${(record.dynamodb?.NewImage ?? record.dynamodb?.OldImage)?.kind?.S}`;
    // Row INSERT + marker INSERT, two edits, the move (row MODIFY, old marker REMOVE, new marker INSERT), the delete.
    expect(records.map(kinds).sort()).toEqual(
      [
        'INSERT manual',
        'INSERT reading-marker',
        'MODIFY manual',
        'MODIFY manual',
        'REMOVE reading-marker',
        'INSERT reading-marker',
        'MODIFY manual',
      ].sort(),
    );
    expect(delivered.map(kinds)).toEqual([
      'INSERT manual',
      'MODIFY manual',
      'MODIFY manual',
      'MODIFY manual',
    ]);
    expect(responses.every((response) => response.batchItemFailures.length === 0)).toBe(true);

    // The classifier names hkIdentifier and externalId null; Powertools leaves null keys out of
    // the line, so Logs Insights sees them as absent, like any field a line does not have.
    const identity = { userRef: await userRefOf(userId), type: 'WEIGHT', id };
    expect(auditLines('INFO').map((line) => line.message)).toEqual([
      'measurement.created',
      'measurement.value.updated',
      'measurement.value.updated',
      'measurement.deleted',
    ]);
    const [createdEvent, noteEvent, moveEvent, deletedEvent] = auditLines('INFO');
    expect(fieldsOf(createdEvent)).toStrictEqual({
      ...identity,
      value: 72.4,
      unit: 'kg',
      measuredAt: '2026-05-24T06:30:00.000Z',
      source: 'MANUAL',
      requestId: 'req-create',
      ...positionOf(delivered[0]!),
    });
    expect(noteEvent).toMatchObject({ ...identity, changedFields: ['notes'], requestId: 'req-note' });
    expect(moveEvent).toMatchObject({ ...identity, changedFields: ['measuredAt'], requestId: 'req-move' });
    expect(deletedEvent).toMatchObject({ ...identity, previousValue: 72.4, requestId: 'req-delete' });
    for (const line of auditLines('INFO')) {
      expect(line).not.toHaveProperty('hkIdentifier');
      expect(line).not.toHaveProperty('externalId');
    }
    expect(JSON.stringify(logs.lines)).not.toContain('sauna');
  });

  it('a batch INSERT is still no event', async () => {
    const userId = newUser();
    await postSteps(userId, 300, 'req-1');
    const { records, delivered } = await runAudit(userId);
    expect(records).toHaveLength(1);
    expect(delivered).toEqual([]);
  });
});

describe('the user is named by userRef: a pseudonym under their own key, never the user id', () => {
  it('every event of a user names the same userRef, created on first use; no line of the audit function holds the user id', async () => {
    const userId = newUser();
    await postSteps(userId, 300, 'req-1');
    expect(await keys.getKey(userId)).toBeUndefined();
    await postSteps(userId, 5300, 'req-2');
    const at = new Date().toISOString();
    await rows.editMeasurement(stepsRef(userId), { value: 5400 }, { requestId: 'req-edit', at });
    await rows.softDeleteMeasurement(stepsRef(userId), { requestId: 'req-delete', at });

    await runAudit(userId);
    const userRef = await userRefOf(userId);
    expect(auditLines('INFO').map((line) => [line.message, line.userRef])).toEqual([
      ['measurement.batch.stats-overwrite', userRef],
      ['measurement.value.updated', userRef],
      ['measurement.deleted', userRef],
    ]);
    const audited = logs.lines.filter((line) => line.service === 'measurement-audit');
    expect(JSON.stringify(audited)).not.toContain(userId);
    for (const line of audited) expect(line).not.toHaveProperty('userId');
  });

  it('two users get two userRefs', async () => {
    const [alice, bob] = [newUser(), newUser()];
    for (const userId of [alice, bob]) {
      await postSteps(userId, 300, 'req-1');
      await postSteps(userId, 400, 'req-2');
      await runAudit(userId);
    }
    const [aliceRef, bobRef] = [await userRefOf(alice), await userRefOf(bob)];
    expect(aliceRef).not.toBe(bobRef);
    expect(logs.events('measurement.batch.stats-overwrite').map((line) => line.userRef)).toEqual([
      aliceRef,
      bobRef,
    ]);
  });
});

/** Every stream record of one item, oldest first, in the shape Lambda delivers. */
async function streamRecordsOfKey(pk: string): Promise<DynamoDBRecord[]> {
  const records = await readStreamRecords(streams, streamArn);
  return records.filter((record) => record.dynamodb?.Keys?.pk?.S === pk);
}

async function runAuditOn(records: DynamoDBRecord[]): Promise<DynamoDBRecord[]> {
  const events = toStreamEvents(records, auditStreamSource);
  for (const event of events) expect(await audit(event)).toEqual({ batchItemFailures: [] });
  return events.flatMap((event) => event.Records);
}

describe('user.imported and user.erased: the lifecycle tools announce themselves through the stream', () => {
  it('a lifecycle item put and deleted at once is one event: its INSERT is delivered and logged, its REMOVE never reaches the function', async () => {
    const names = userLifecycle.lifecycleItem;
    const pk = `${names.keyPrefix}${randomUUID()}`;
    const userRef = 'Zm9yZ2V0LW1lLW5vdC1vaw';
    await table.documentClient.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          pk,
          kind: names.kind,
          [names.eventAttribute]: 'user.erased',
          [names.userRefAttribute]: userRef,
          [names.countsAttribute]: { measurements: { rows: 12, readingMarkers: 1 }, auditKeys: 1 },
          [names.startedAtAttribute]: '2026-05-24T20:00:00.000Z',
          [names.endedAtAttribute]: '2026-05-24T20:00:03.000Z',
        },
      }),
    );
    await table.documentClient.send(new DeleteCommand({ TableName: table.tableName, Key: { pk } }));

    const records = await streamRecordsOfKey(pk);
    expect(records.map((record) => record.eventName)).toEqual(['INSERT', 'REMOVE']);
    const delivered = await runAuditOn(records);
    expect(delivered).toEqual([records[0]]);
    const [event, ...others] = logs.events('user.erased');
    expect(others).toEqual([]);
    expect(event).toMatchObject({ level: 'INFO', service: 'measurement-audit' });
    expect(fieldsOf(event)).toStrictEqual({
      userRef,
      measurementsRows: 12,
      measurementsReadingMarkers: 1,
      auditKeys: 1,
      startedAt: '2026-05-24T20:00:00.000Z',
      endedAt: '2026-05-24T20:00:03.000Z',
      ...positionOf(records[0]!),
    });
  });

  it('rows the import writes (writer import) never reach the function: a restored hand entry, a row it overwrote', async () => {
    const userId = newUser();
    await postSteps(userId, 300, 'req-1');
    const stored = await storedSteps(userId);
    const restore = (item: object) =>
      table.documentClient.send(
        new PutCommand({
          TableName: table.tableName,
          Item: {
            ...item,
            writer: 'import',
            restoredWriter: (item as { writer?: unknown }).writer,
            requestId: 'import-1',
          },
        }),
      );
    // Over the phone's row (--overwrite), and a hand entry the export held.
    await restore({ ...stored, value: 310 });
    await restore(
      toManualItem(
        newManualReading(
          { value: 72.4, measuredAt: '2026-05-24T06:30:00.000Z' },
          { userId, uuid: randomUUID() },
        ),
        { requestId: 'req-create', at: '2026-05-24T06:30:05.000Z' },
      ),
    );

    const { records, delivered } = await runAudit(userId);
    expect(records.map((record) => `${record.eventName} ${imageWriter(record)}`)).toEqual([
      'INSERT batch',
      'MODIFY import',
      'INSERT import',
    ]);
    expect(delivered).toEqual([]);
    expect(logs.lines.filter((line) => line.service === 'measurement-audit')).toEqual([]);
  });

  it('the erasure’s bare items never reach the function: no event copies the values being erased', async () => {
    const userId = newUser();
    await postSteps(userId, 300, 'req-1');
    const pk = (await storedSteps(userId)).pk as string;
    await table.documentClient.send(
      new PutCommand({ TableName: table.tableName, Item: { pk, kind: userLifecycle.erasingKind } }),
    );
    await table.documentClient.send(
      new DeleteCommand({
        TableName: table.tableName,
        Key: { pk },
        ConditionExpression: '#kind = :erasing',
        ExpressionAttributeNames: { '#kind': 'kind' },
        ExpressionAttributeValues: { ':erasing': userLifecycle.erasingKind },
      }),
    );
    const { records, delivered } = await runAudit(userId);
    expect(records.map((record) => record.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    expect(delivered).toEqual([]);
    expect(logs.lines.filter((line) => line.service === 'measurement-audit')).toEqual([]);
    expect(await keys.getKey(userId)).toBeUndefined();
  });
});

function imageWriter(record: DynamoDBRecord): string | undefined {
  return (record.dynamodb?.NewImage ?? record.dynamodb?.OldImage)?.writer?.S;
}
