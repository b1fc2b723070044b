import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { aggregatedTypes } from '../../definitions/daily-aggregates-table';
import { mapWithConcurrency } from '../commons/bounded-concurrency';
import type {
  AggregateSettleQueue,
  SettleRequest,
  UnqueuedSettle,
} from '../measurements/aggregates/aggregate-store';

/** SendMessageBatch takes at most ten entries. */
const ENTRIES_PER_CALL = 10;
/** Calls in flight at once: a backfill batch can touch a few hundred days. */
const CALLS_IN_FLIGHT = 4;

const settleMessageSchema = z.object({
  userId: z.string().min(1),
  type: z.enum(aggregatedTypes),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  version: z.string().min(1),
});

/** A settle request as the body of one SQS message (what `parseSettleMessage` reads back). */
export function settleMessageBody({ day, version }: SettleRequest): string {
  return JSON.stringify({ userId: day.userId, type: day.type, day: day.day, version });
}

/** The request a message body carries, or undefined when the body is not one. */
export function parseSettleMessage(body: string): SettleRequest | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = settleMessageSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const { userId, type, day, version } = parsed.data;
  return { day: { userId, type, day }, version };
}

/**
 * The settle queue on SQS: one message per request, ten to a SendMessageBatch call. The queue's
 * own delivery delay holds each message until the index has settled. An entry SQS refuses, or a
 * call that fails after the SDK's retries, is answered as not queued.
 */
export class SqsSettleQueue implements AggregateSettleQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async schedule(requests: readonly SettleRequest[]): Promise<readonly UnqueuedSettle[]> {
    const calls: SettleRequest[][] = [];
    for (let start = 0; start < requests.length; start += ENTRIES_PER_CALL) {
      calls.push(requests.slice(start, start + ENTRIES_PER_CALL));
    }
    const unqueued = await mapWithConcurrency(calls, CALLS_IN_FLIGHT, async (entries) => {
      try {
        const { Failed = [] } = await this.client.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: entries.map((request, index) => ({
              Id: String(index),
              MessageBody: settleMessageBody(request),
            })),
          }),
        );
        return Failed.map(({ Id, Code, Message }) => ({
          request: entries[Number(Id)]!,
          reason: `${Code ?? 'Failed'}: ${Message ?? 'refused by SQS'}`,
        }));
      } catch (error) {
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        return entries.map((request) => ({ request, reason }));
      }
    });
    return unqueued.flat();
  }
}
