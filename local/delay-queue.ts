import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { localRegion } from './dynamodb-local';
import { invoke, type LocalFunction } from './lambda-context';
import type { RuntimeLog } from './runtime-log';

/** The queue and event source settings the local queue applies (times in ms). */
export interface DelayQueueSettings {
  /** How long a sent message waits before it can be delivered (the queue's delivery delay). */
  readonly deliveryDelayMs: number;
  /** Messages per invocation at most. */
  readonly batchSize: number;
  /** How long a message whose invocation failed stays invisible before it is delivered again. */
  readonly visibilityTimeoutMs: number;
  /** Deliveries of a message before it is dead-lettered. */
  readonly maxReceiveCount: number;
}

export interface DelayQueueOptions {
  /** The queue's name: the last segment of its URL and ARN. */
  readonly name: string;
  readonly settings: DelayQueueSettings;
  readonly log: RuntimeLog;
}

export interface DelayQueue {
  /** The queue URL a function sends to (an SQS client's endpoint is its origin). */
  readonly url: string;
  /** Starts delivering to the function; messages sent before then wait for it. */
  attach(consumer: LocalFunction): void;
  /** Messages not yet delivered for good: waiting, visible, or in an invocation. */
  pending(): number;
  /** Stops delivering and listening; an invocation in flight may finish (a few seconds at most). */
  stop(): Promise<void>;
}

interface Message {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
}

/** SQS's limit on entries per SendMessageBatch. */
const MAX_BATCH_ENTRIES = 10;
const ACCOUNT = '000000000000';
const STOP_GRACE_MS = 5000;

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/**
 * The local stand-in for an SQS queue with a delivery delay and the Lambda event source that
 * consumes it, as the stack builds them (the daily aggregates' settle queue): an HTTP endpoint on
 * a loopback port speaking the two calls of SQS's JSON protocol a function makes (SendMessage,
 * SendMessageBatch, at most ten entries), holding each message for the delivery delay, then
 * invoking the consumer with an SQS event of up to `batchSize` messages. With ReportBatchItemFailures
 * a message the function names (or every message of an invocation that throws or times out) is
 * delivered again after the visibility timeout, and after `maxReceiveCount` deliveries it is
 * dead-lettered: one ERROR line, as the stack's dead-letter queue raises an alarm. Every due
 * message is delivered at once (the stack's batching window only saves invocations), one
 * invocation at a time; messages live in memory, so those still waiting when the runtime stops
 * are gone.
 */
export async function startDelayQueue(options: DelayQueueOptions): Promise<DelayQueue> {
  const { name, settings, log } = options;
  const arn = `arn:aws:sqs:${localRegion}:${ACCOUNT}:${name}`;
  const waiting: Message[] = [];
  let consumer: LocalFunction | undefined;
  let delivering: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const server = createServer((request, response) => {
    void answer(request, response);
  });
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/${ACCOUNT}/${name}`;

  function enqueue(body: string): Message {
    const sentAt = Date.now();
    const message: Message = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5(body),
      sentAt,
      visibleAt: sentAt + settings.deliveryDelayMs,
      receiveCount: 0,
    };
    waiting.push(message);
    return message;
  }

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify(body));
    };
    const refuse = (type: string, message: string) =>
      reply(400, { __type: `com.amazonaws.sqs#${type}`, message });
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let input: Record<string, any>;
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, any>;
    } catch {
      return refuse('InvalidParameterValue', 'The request body is not JSON');
    }
    if (input.QueueUrl !== url) return refuse('QueueDoesNotExist', 'The specified queue does not exist.');
    const target = String(request.headers['x-amz-target'] ?? '');
    if (target === 'AmazonSQS.SendMessage') {
      if (typeof input.MessageBody !== 'string' || input.MessageBody === '')
        return refuse('InvalidParameterValue', 'MessageBody is required');
      const message = enqueue(input.MessageBody);
      schedule();
      return reply(200, { MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody });
    }
    if (target === 'AmazonSQS.SendMessageBatch') {
      const entries = Array.isArray(input.Entries) ? (input.Entries as Record<string, unknown>[]) : [];
      if (entries.length === 0) return refuse('EmptyBatchRequest', 'There should be at least one entry.');
      if (entries.length > MAX_BATCH_ENTRIES)
        return refuse(
          'TooManyEntriesInBatchRequest',
          `Maximum number of entries per request is ${MAX_BATCH_ENTRIES}.`,
        );
      if (new Set(entries.map((entry) => entry.Id)).size !== entries.length)
        return refuse('BatchEntryIdsNotDistinct', 'Two or more batch entries have the same Id.');
      const successful: Record<string, string>[] = [];
      const failed: Record<string, unknown>[] = [];
      for (const entry of entries) {
        if (typeof entry.MessageBody !== 'string' || entry.MessageBody === '') {
          failed.push({
            Id: entry.Id,
            SenderFault: true,
            Code: 'InvalidParameterValue',
            Message: 'MessageBody is required',
          });
          continue;
        }
        const message = enqueue(entry.MessageBody);
        successful.push({
          Id: String(entry.Id),
          MessageId: message.messageId,
          MD5OfMessageBody: message.md5OfBody,
        });
      }
      schedule();
      return reply(200, { Successful: successful, Failed: failed });
    }
    return refuse('UnsupportedOperation', `${target || 'This call'} is not served by the local queue`);
  }

  /** Delivers what is due now, or sets a timer for when the next message is. */
  function schedule(): void {
    if (stopped || !consumer || delivering) return;
    clearTimeout(timer);
    const now = Date.now();
    const due = waiting.filter((message) => message.visibleAt <= now);
    if (due.length > 0) {
      delivering = deliver(consumer, due.slice(0, settings.batchSize)).finally(() => {
        delivering = undefined;
        schedule();
      });
      return;
    }
    if (waiting.length === 0) return;
    const next = Math.min(...waiting.map((message) => message.visibleAt));
    timer = setTimeout(schedule, Math.max(0, next - now));
  }

  async function deliver(fn: LocalFunction, batch: Message[]): Promise<void> {
    const receivedAt = Date.now();
    for (const message of batch) {
      message.receiveCount++;
      message.firstReceivedAt ??= receivedAt;
      message.visibleAt = receivedAt + settings.visibilityTimeoutMs;
    }
    const event: SQSEvent = { Records: batch.map((message) => toRecord(message)) };
    let failed: Message[];
    try {
      const response = (await invoke(fn, event)) as SQSBatchResponse | undefined;
      const ids = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      // Lambda takes an identifier it did not deliver as the whole batch failing.
      const unknown = [...ids].some((id) => !batch.some((message) => message.messageId === id));
      failed = unknown ? batch : batch.filter((message) => ids.has(message.messageId));
    } catch (error) {
      log('WARN', 'local-runtime.queue.invocation-failed', {
        function: fn.definition.id,
        queue: name,
        reason: (error as Error).message,
      });
      failed = batch;
    }
    const done = new Set(batch.filter((message) => !failed.includes(message)));
    const deadLettered = failed.filter((message) => message.receiveCount >= settings.maxReceiveCount);
    for (const message of deadLettered) done.add(message);
    if (deadLettered.length > 0) {
      log('ERROR', 'local-runtime.queue.messages-dead-lettered', {
        function: fn.definition.id,
        queue: name,
        reason: `${settings.maxReceiveCount} deliveries failed`,
        count: deadLettered.length,
        messageIds: deadLettered.map((message) => message.messageId),
      });
    }
    for (let index = waiting.length - 1; index >= 0; index--) {
      if (done.has(waiting[index]!)) waiting.splice(index, 1);
    }
  }

  function toRecord(message: Message): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: randomUUID(),
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: ACCOUNT,
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
      },
      messageAttributes: {},
      md5OfBody: message.md5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: arn,
      awsRegion: localRegion,
    };
  }

  return {
    url,
    attach(fn) {
      consumer = fn;
      schedule();
    },
    pending: () => waiting.length,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      server.closeAllConnections();
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([closed, delivering]),
        new Promise<void>((resolveWait) => (grace = setTimeout(resolveWait, STOP_GRACE_MS))),
      ]);
      clearTimeout(grace);
    },
  };
}
