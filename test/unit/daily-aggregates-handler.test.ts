import { Logger } from '@aws-lambda-powertools/logger';
import { aggregateEvents } from '../../definitions/log-events';
import { createDailyAggregatesHandler } from '../../functions/daily-aggregates/create-daily-aggregates-handler';
import { parseSettleMessage, settleMessageBody } from '../../functions/daily-aggregates/settle-queue';
import type { StoredMeasurement } from '../../functions/measurements/model/measurement';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import { settleEvent } from '../support/daily-aggregates';
import { storedItem } from '../support/stored-items';
import { lambdaRecord } from './audit-fixtures';
import { MemoryAggregateStore, MemorySettleQueue } from './memory-aggregate-store';

let logs: CapturedLogs;
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

const T0 = '2026-11-01T06:00:00.000Z';

function pulseRow(
  externalId: string,
  measuredAt: string,
  value: number,
): StoredMeasurement & Record<string, unknown> {
  return storedItem({ userId: 'u1', externalId, measuredAt, value, updatedAt: T0, createdAt: T0 });
}

function setup() {
  const store = new MemoryAggregateStore();
  const settleQueue = new MemorySettleQueue();
  const handler = createDailyAggregatesHandler({
    logger: new Logger({ serviceName: 'measurement-aggregates' }),
    store,
    settleQueue,
    concurrency: 2,
    now: () => new Date(T0),
  });
  return { store, settleQueue, handler };
}

describe('the stream side: every day a batch recomputes is queued once for a settle recompute', () => {
  it('three records of one day and one of another: two settle requests, each with the version stored', async () => {
    const { store, settleQueue, handler } = setup();
    const rows = [
      pulseRow('a', '2026-10-31T08:00:00.000Z', 60),
      pulseRow('b', '2026-10-31T09:00:00.000Z', 70),
      pulseRow('c', '2026-10-31T10:00:00.000Z', 80),
      pulseRow('d', '2026-11-01T10:00:00.000Z', 90),
    ];
    store.indexed = rows;
    const answer = await handler({ Records: rows.map((row) => lambdaRecord('INSERT', undefined, row)) });
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(settleQueue.requests).toEqual([
      { day: { userId: 'u1', type: 'PULSE', day: '2026-10-31' }, version: `${T0}#000003` },
      { day: { userId: 'u1', type: 'PULSE', day: '2026-11-01' }, version: `${T0}#000001` },
    ]);
    expect(settleQueue.requests.map((request) => store.storedOf('u1', request.day.day)?.version)).toEqual(
      settleQueue.requests.map((request) => request.version),
    );
    expect(logs.events(aggregateEvents.batch)).toEqual([
      expect.objectContaining({ records: 4, days: 2, written: 2, failed: 0, settleQueued: 2 }),
    ]);
  });

  it('a day whose settle could not be queued: its records are retried, the other day’s are not', async () => {
    const { store, settleQueue, handler } = setup();
    const a = pulseRow('a', '2026-10-31T08:00:00.000Z', 60);
    const d = pulseRow('d', '2026-11-01T10:00:00.000Z', 90);
    store.indexed = [a, d];
    settleQueue.refuseDays.add('2026-10-31');
    const records = [lambdaRecord('INSERT', undefined, a), lambdaRecord('INSERT', undefined, d)];
    const answer = await handler({ Records: records });
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: records[0]!.dynamodb!.SequenceNumber }] });
    expect(logs.events(aggregateEvents.settleQueueFailed)).toEqual([
      expect.objectContaining({ level: 'ERROR', days: 1, reason: 'ServiceUnavailable: try again' }),
    ]);
    expect(logs.events(aggregateEvents.batch)).toEqual([expect.objectContaining({ settleQueued: 1 })]);
  });

  it('a day whose recompute failed is not queued (its records are retried and queue it then)', async () => {
    const { store, settleQueue, handler } = setup();
    const a = pulseRow('a', '2026-10-31T08:00:00.000Z', 60);
    store.indexed = [a];
    store.failReadsOf = '2026-10-31';
    const answer = await handler({ Records: [lambdaRecord('INSERT', undefined, a)] });
    expect(answer.batchItemFailures).toHaveLength(1);
    expect(settleQueue.requests).toEqual([]);
  });
});

describe('the settle side: the same function, fed by the settle queue', () => {
  it('recomputes each named day from the index and answers no failures', async () => {
    const { store, handler } = setup();
    store.indexed = [
      pulseRow('a', '2026-10-31T08:00:00.000Z', 60),
      pulseRow('b', '2026-10-31T09:00:00.000Z', 70),
    ];
    const day = { userId: 'u1', type: 'PULSE', day: '2026-10-31' };
    const answer = await handler(
      settleEvent([
        { day, version: `${T0}#000001` },
        { day, version: `${T0}#000002` },
      ]),
    );
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(store.storedOf('u1', '2026-10-31')).toEqual({
      aggregate: expect.objectContaining({ count: 2, sum: 130 }),
      version: `${T0}#000002`,
    });
    expect(store.reads).toHaveLength(1);
    expect(logs.events(aggregateEvents.settleBatch)).toEqual([
      expect.objectContaining({ level: 'INFO', messages: 2, days: 1, written: 1, superseded: 0, failed: 0 }),
    ]);
  });

  it('a message it cannot read, and the messages of a day whose recompute failed, are redelivered', async () => {
    const { store, handler } = setup();
    store.failReadsOf = '2026-11-02';
    const event = settleEvent([
      { day: { userId: 'u1', type: 'PULSE', day: '2026-11-02' }, version: `${T0}#000001` },
      { day: { userId: 'u1', type: 'PULSE', day: '2026-10-31' }, version: `${T0}#000001` },
      { day: { userId: 'u1', type: 'PULSE', day: '2026-10-30' }, version: `${T0}#000001` },
    ]);
    const garbled = { ...event.Records[2]!, body: '{"userId":"u1","type":"WEIGHT"}' };
    const answer = await handler({ Records: [event.Records[0]!, event.Records[1]!, garbled] });
    expect(answer.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(
      [event.Records[0]!.messageId, garbled.messageId].sort(),
    );
    expect(logs.events(aggregateEvents.settleMessageFailed)).toEqual([
      expect.objectContaining({ level: 'ERROR', messageId: garbled.messageId, receiveCount: 1 }),
    ]);
    expect(logs.events(aggregateEvents.settleFailed)).toEqual([
      expect.objectContaining({ level: 'ERROR', userId: 'u1', type: 'PULSE', day: '2026-11-02' }),
    ]);
    // The garbled body is not logged.
    expect(JSON.stringify(logs.lines)).not.toContain('WEIGHT');
  });
});

describe('the settle message: what the stream side sends is what the settle side reads', () => {
  const request = { day: { userId: 'u1', type: 'PULSE', day: '2026-10-31' }, version: `${T0}#000002` };

  it('round-trips', () => {
    expect(parseSettleMessage(settleMessageBody(request))).toEqual(request);
  });

  it.each([
    ['not JSON', 'PULSE 2026-10-31'],
    ['a type without aggregates', settleMessageBody({ ...request, day: { ...request.day, type: 'WEIGHT' } })],
    [
      'a day that is not a date',
      settleMessageBody({ ...request, day: { ...request.day, day: '31.10.2026' } }),
    ],
    ['no version', JSON.stringify({ userId: 'u1', type: 'PULSE', day: '2026-10-31' })],
  ])('%s is no settle message', (_name, body) => {
    expect(parseSettleMessage(body)).toBeUndefined();
  });
});
