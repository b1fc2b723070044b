import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { aggregateStreamSource } from '../../definitions/aggregate-stream';
import { createLogger } from '../../functions/commons/logger';
import { createDailyAggregatesHandler } from '../../functions/daily-aggregates/create-daily-aggregates-handler';
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
   * deliver them (the stack's own filters and batch size). Every run starts from the oldest record,
   * so running it again is exactly a redelivery. Answers how many records it delivered.
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
      const handler = createDailyAggregatesHandler({
        logger: createLogger('measurement-aggregates'),
        store: new DailyAggregates(table.documentClient, {
          measurements: table.tableName,
          aggregates: table.aggregatesTableName,
        }),
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
