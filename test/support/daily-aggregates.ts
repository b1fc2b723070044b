import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { aggregateStreamSource } from '../../definitions/aggregate-stream';
import { createLogger } from '../../functions/commons/logger';
import { createDailyAggregatesHandler } from '../../functions/daily-aggregates/create-daily-aggregates-handler';
import { settleMessageBody } from '../../functions/daily-aggregates/settle-queue';
import type {
  AggregateSettleQueue,
  SettleRequest,
  UnqueuedSettle,
} from '../../functions/measurements/aggregates/aggregate-store';
import { DailyAggregates } from '../../functions/measurements/storage/daily-aggregates';
import {
  createStreamsClient,
  latestStreamArn,
  readStreamRecords,
  toStreamEvents,
} from '../../local/dynamodb-stream';
import type { LocalTable } from './local-table';

/** The daily aggregates of a local table: the real aggregate function fed from its stream, and what it stored. */
export interface LocalAggregates {
  /**
   * The aggregate function run over the user's stream records, as its event source mapping would
   * deliver them (the stack's own filters and batch size), then over the settle messages those
   * batches queued, as the settle queue delivers them once the index has settled (DynamoDB
   * Local's index does not lag, so at once). Every run starts from the oldest record, so running
   * it again is exactly a redelivery. Answers how many stream records it delivered.
   */
  runAggregator(userId: string): Promise<number>;
  /** The user's stored aggregates of one type, oldest day first (strongly consistent). */
  stored(userId: string, type: string): Promise<Record<string, any>[]>;
  close(): void;
}

export async function localAggregates(table: LocalTable): Promise<LocalAggregates> {
  const streams = createStreamsClient(table.endpoint);
  const streamArn = await latestStreamArn(table.client, table.tableName);
  return {
    async runAggregator(userId) {
      const settleQueue = new RecordedSettleQueue();
      const handler = createDailyAggregatesHandler({
        logger: createLogger('measurement-aggregates'),
        store: new DailyAggregates(table.documentClient, {
          measurements: table.tableName,
          aggregates: table.aggregatesTableName,
        }),
        settleQueue,
        concurrency: 4,
      });
      const records = (await readStreamRecords(streams, streamArn)).filter((record) =>
        (record.dynamodb?.Keys?.pk?.S ?? '').startsWith(`${userId}#`),
      );
      let delivered = 0;
      for (const event of toStreamEvents(records, aggregateStreamSource)) {
        delivered += event.Records.length;
        const answer = await handler(event);
        if (answer.batchItemFailures.length > 0)
          throw new Error(`the aggregate function failed ${answer.batchItemFailures.length} record(s)`);
      }
      if (settleQueue.requests.length > 0) {
        const settled = await handler(settleEvent(settleQueue.requests));
        if (settled.batchItemFailures.length > 0)
          throw new Error(
            `the aggregate function failed ${settled.batchItemFailures.length} settle message(s)`,
          );
      }
      return delivered;
    },
    async stored(userId, type) {
      const { Items = [] } = await table.documentClient.send(
        new QueryCommand({
          TableName: table.aggregatesTableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `${userId}#${type}` },
          ConsistentRead: true,
        }),
      );
      return Items;
    },
    close: () => streams.destroy(),
  };
}

/** A settle queue that keeps what it is asked to queue (for a test to deliver when it chooses). */
export class RecordedSettleQueue implements AggregateSettleQueue {
  readonly requests: SettleRequest[] = [];

  async schedule(requests: readonly SettleRequest[]): Promise<readonly UnqueuedSettle[]> {
    this.requests.push(...requests);
    return [];
  }
}

/** Settle requests as the settle queue's event source delivers them: one SQS message each. */
export function settleEvent(requests: readonly SettleRequest[]): SQSEvent {
  const now = String(Date.now());
  return {
    Records: requests.map((request) => ({
      messageId: randomUUID(),
      receiptHandle: randomUUID(),
      body: settleMessageBody(request),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: now,
        SenderId: '000000000000',
        ApproximateFirstReceiveTimestamp: now,
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:aggregate-settle',
      awsRegion: 'us-east-1',
    })),
  };
}
