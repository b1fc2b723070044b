import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { serviceFunctions } from '../../definitions/service-functions';
import { createSqsClient } from '../../functions/commons/sqs-client';
import { parseSettleMessage, SqsSettleQueue } from '../../functions/daily-aggregates/settle-queue';
import type { SettleRequest } from '../../functions/measurements/aggregates/aggregate-store';
import { startDelayQueue, type DelayQueue, type DelayQueueSettings } from '../../local/delay-queue';
import type { LocalFunction } from '../../local/lambda-context';
import type { RuntimeLog } from '../../local/runtime-log';

/**
 * The local runtime's settle queue: the function's own SQS client and sender (SendMessageBatch,
 * checksums checked by the SDK) against the in-process queue, which holds each message for the
 * delivery delay and invokes a stand-in consumer with SQS events — and redelivers, then
 * dead-letters, what the consumer reports as failed, as the stack's queue and event source do.
 */
type Answer = (event: SQSEvent) => SQSBatchResponse | Promise<SQSBatchResponse>;

const settings: DelayQueueSettings = {
  deliveryDelayMs: 300,
  batchSize: 100,
  visibilityTimeoutMs: 200,
  maxReceiveCount: 3,
};

let queue: DelayQueue;
let deliveries: { at: number; event: SQSEvent }[];
let logged: { level: string; message: string; fields: Record<string, unknown> }[];

afterEach(() => queue?.stop());

async function start(answer: Answer, overrides: Partial<DelayQueueSettings> = {}): Promise<DelayQueue> {
  deliveries = [];
  logged = [];
  const log: RuntimeLog = (level, message, fields = {}) => logged.push({ level, message, fields });
  queue = await startDelayQueue({ name: 'aggregate-settle', settings: { ...settings, ...overrides }, log });
  const consumer: LocalFunction = {
    name: 'dailyAggregates',
    definition: { ...serviceFunctions.dailyAggregates, timeoutSeconds: 2 },
    handler: async (event) => {
      deliveries.push({ at: Date.now(), event: event as SQSEvent });
      return answer(event as SQSEvent);
    },
  };
  queue.attach(consumer);
  return queue;
}

const ok: Answer = () => ({ batchItemFailures: [] });
const until = async (condition: () => boolean, timeoutMs = 5000) => {
  const giveUp = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > giveUp) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
const requests = (count: number): SettleRequest[] =>
  Array.from({ length: count }, (_, i) => ({
    day: { userId: 'u1', type: 'PULSE', day: `2026-10-${String(i + 1).padStart(2, '0')}` },
    version: `2026-11-01T06:00:00.000Z#00000${i % 10}`,
  }));

describe('the local settle queue, as the function sends to it', () => {
  it('23 settle requests in three SendMessageBatch calls, each delivered after the delay, as SQS records', async () => {
    await start(ok);
    const sender = new SqsSettleQueue(createSqsClient(queue.url), queue.url);
    const sentAt = Date.now();
    expect(await sender.schedule(requests(23))).toEqual([]);
    expect(queue.pending()).toBe(23);
    await until(() => queue.pending() === 0);
    const records = deliveries.flatMap(({ event }) => event.Records);
    // A standard queue keeps no order.
    const received = records.map((record) => parseSettleMessage(record.body)!);
    expect(received.sort((a, b) => (a.day.day < b.day.day ? -1 : 1))).toEqual(requests(23));
    expect(Math.min(...deliveries.map(({ at }) => at)) - sentAt).toBeGreaterThanOrEqual(
      settings.deliveryDelayMs,
    );
    expect(records[0]).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: expect.stringMatching(/^arn:aws:sqs:[^:]+:\d{12}:aggregate-settle$/),
      attributes: { ApproximateReceiveCount: '1' },
    });
  });

  it('nothing is delivered before the delay', async () => {
    await start(ok, { deliveryDelayMs: 1500 });
    const sender = new SqsSettleQueue(createSqsClient(queue.url), queue.url);
    await sender.schedule(requests(1));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(deliveries).toEqual([]);
    await until(() => deliveries.length === 1);
  });

  it('a message the function reports is delivered again after the visibility timeout; after three deliveries it is dead-lettered', async () => {
    await start((event) => ({
      batchItemFailures: event.Records.filter(
        (record) => parseSettleMessage(record.body)?.day.day === '2026-10-01',
      ).map((record) => ({ itemIdentifier: record.messageId })),
    }));
    const sender = new SqsSettleQueue(createSqsClient(queue.url), queue.url);
    await sender.schedule(requests(2));
    await until(() => queue.pending() === 0);
    // SQS promises no batching: the two first deliveries may come in one event or in two.
    const deliveriesOf = (day: string) =>
      deliveries.flatMap(({ event, at }) =>
        event.Records.filter((record) => parseSettleMessage(record.body)?.day.day === day).map((record) => ({
          receiveCount: record.attributes.ApproximateReceiveCount,
          firstReceivedAt: Number(record.attributes.ApproximateFirstReceiveTimestamp),
          at,
        })),
      );
    const failing = deliveriesOf('2026-10-01');
    expect(failing.map(({ receiveCount }) => receiveCount)).toEqual(['1', '2', '3']);
    expect(deliveriesOf('2026-10-02').map(({ receiveCount }) => receiveCount)).toEqual(['1']);
    // Each receive hides the message for the visibility timeout, counted from the receive (which
    // the handler's start follows by the invocation's own milliseconds, so two handler starts may
    // be a little closer): the n-th delivery starts at least n − 1 timeouts after the first receive.
    failing.forEach(({ at, firstReceivedAt }, n) =>
      expect(at - firstReceivedAt).toBeGreaterThanOrEqual(n * settings.visibilityTimeoutMs),
    );
    expect(logged).toEqual([
      {
        level: 'ERROR',
        message: 'local-runtime.queue.messages-dead-lettered',
        fields: expect.objectContaining({ queue: 'aggregate-settle', count: 1 }),
      },
    ]);
  });

  it('an invocation that throws: every message of it is delivered again', async () => {
    let calls = 0;
    await start(() => {
      if (++calls === 1) throw new Error('cold start failed');
      return { batchItemFailures: [] };
    });
    const sender = new SqsSettleQueue(createSqsClient(queue.url), queue.url);
    await sender.schedule(requests(3));
    await until(() => queue.pending() === 0);
    // Every message of the invocation that threw comes again (SQS may deliver the three in one
    // event or several); none is lost.
    const firstInvocation = deliveries[0]!.event.Records.map((record) => record.messageId);
    const again = deliveries
      .slice(1)
      .flatMap(({ event }) => event.Records)
      .filter((record) => firstInvocation.includes(record.messageId));
    expect(again.map((record) => record.attributes.ApproximateReceiveCount)).toEqual(
      firstInvocation.map(() => '2'),
    );
    const delivered = new Set(
      deliveries.flatMap(({ event }) => event.Records.map((record) => record.messageId)),
    );
    expect(delivered.size).toBe(3);
    expect(logged.map(({ message }) => message)).toEqual(['local-runtime.queue.invocation-failed']);
  });

  it('refuses what SQS refuses: eleven entries in one call, another queue’s URL', async () => {
    await start(ok);
    const client = createSqsClient(queue.url);
    await expect(
      client.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: Array.from({ length: 11 }, (_, i) => ({ Id: String(i), MessageBody: 'x' })),
        }),
      ),
    ).rejects.toMatchObject({ name: 'TooManyEntriesInBatchRequest' });
    await expect(
      client.send(new SendMessageCommand({ QueueUrl: `${queue.url}-other`, MessageBody: 'x' })),
    ).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    expect(queue.pending()).toBe(0);
  });

  it('a sender whose queue is gone answers every request as not queued, with the reason', async () => {
    await start(ok);
    const url = queue.url;
    await queue.stop();
    const unqueued = await new SqsSettleQueue(createSqsClient(url), url).schedule(requests(12));
    expect(unqueued).toHaveLength(12);
    expect(unqueued[0]!.reason).toMatch(/ECONNREFUSED|connect/i);
  });
});
