import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  PutCommand,
  paginateQuery,
  paginateScan,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { aggregatedTypes, dailyAggregatesTable } from '../../../definitions/daily-aggregates-table';
import type {
  AggregateDay,
  AggregatedSeries,
  AggregateRebuildSource,
  AggregateVersion,
  AggregateWrite,
  DailyAggregateStore,
} from '../aggregates/aggregate-store';
import type { StoredMeasurement } from '../model/measurement';
import type { DailyAggregateReader } from '../rows/row-store';
import type { DailyAggregate, SlotSummary } from '../summaries/daily-aggregate';
import type { UserAggregateKey, UserAggregateStore } from '../../user-data/user-data-store';
import { batchWriteAll } from './batch-requests';
import { measurementsTable } from '../../../definitions/measurements-table';
import { listIndexFor } from './list-pages';

const { partitionKey, sortKey } = dailyAggregatesTable;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A stored aggregate: the day's totals, its slots as one JSON string, and what it was computed from. */
interface AggregateItem {
  readonly [partitionKey]: string;
  readonly [sortKey]: string;
  /** 0 when the day has no rows left: the item then only keeps the version. */
  readonly count: number;
  readonly sum?: number;
  readonly sumOfSquares?: number;
  readonly min?: number;
  readonly max?: number;
  readonly low?: number;
  readonly high?: number;
  /**
   * `[[slot, count, sum, low, high], …]`. A string, not a DynamoDB list: a 3650-day window reads
   * ~170,000 slots, and one JSON.parse per item costs a fraction of unmarshalling nested lists.
   */
  readonly slots?: string;
  readonly version: AggregateVersion;
  readonly updatedAt: string;
}

const aggregateKey = (userId: string, type: string) => `${userId}#${type}`;

/**
 * The daily-aggregates table, and the reads of the measurements table the recompute and a rebuild
 * need: the only code that builds DynamoDB commands for aggregates.
 */
export class DailyAggregates
  implements DailyAggregateStore, DailyAggregateReader, AggregateRebuildSource, UserAggregateStore
{
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { readonly measurements: string; readonly aggregates: string },
  ) {}

  async readDayRows({ userId, type, day }: AggregateDay): Promise<readonly StoredMeasurement[]> {
    const start = Date.parse(`${day}T00:00:00.000Z`);
    const { index, partitionValue } = listIndexFor(userId, type);
    const rows: StoredMeasurement[] = [];
    for await (const page of this.queryPages<StoredMeasurement>({
      TableName: this.tables.measurements,
      IndexName: index.indexName,
      KeyConditionExpression: '#partition = :partition AND #measuredAt BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#partition': index.partitionKey, '#measuredAt': index.sortKey },
      ExpressionAttributeValues: {
        ':partition': partitionValue,
        ':from': new Date(start).toISOString(),
        ':to': new Date(start + DAY_MS - 1).toISOString(),
      },
    })) {
      rows.push(...page);
    }
    return rows;
  }

  async listSeriesWithRows({
    segments,
  }: {
    readonly segments: number;
  }): Promise<readonly AggregatedSeries[]> {
    const index = measurementsTable.indexes.byUserType;
    const found = new Map<string, AggregatedSeries>();
    const typeValues = Object.fromEntries(aggregatedTypes.map((type, i) => [`:type${i}`, type]));
    const scanSegment = async (segment: number) => {
      // The index is sparse (live rows only); its items carry `userId` and `type` (projection ALL).
      const pages = paginateScan(
        { client: this.client },
        {
          TableName: this.tables.measurements,
          IndexName: index.indexName,
          Segment: segment,
          TotalSegments: segments,
          FilterExpression: `#type IN (${Object.keys(typeValues).join(', ')})`,
          ProjectionExpression: '#userId, #type',
          ExpressionAttributeNames: { '#userId': 'userId', '#type': 'type' },
          ExpressionAttributeValues: typeValues,
        },
      );
      for await (const { Items = [] } of pages) {
        for (const { userId, type } of Items as AggregatedSeries[]) {
          found.set(aggregateKey(userId, type), { userId, type });
        }
      }
    };
    await Promise.all(Array.from({ length: segments }, (_, segment) => scanSegment(segment)));
    return [...found.values()];
  }

  async *seriesRowsOldestFirst({
    userId,
    type,
  }: AggregatedSeries): AsyncIterable<readonly StoredMeasurement[]> {
    const { index, partitionValue } = listIndexFor(userId, type);
    yield* this.queryPages<StoredMeasurement>({
      TableName: this.tables.measurements,
      IndexName: index.indexName,
      KeyConditionExpression: '#partition = :partition',
      ExpressionAttributeNames: { '#partition': index.partitionKey },
      ExpressionAttributeValues: { ':partition': partitionValue },
      ScanIndexForward: true,
    });
  }

  async writeAggregate(
    { userId, type, day }: AggregateDay,
    aggregate: DailyAggregate | null,
    version: AggregateVersion,
    options: { readonly replaceOnly?: boolean } = {},
  ): Promise<AggregateWrite> {
    const item: AggregateItem = {
      [partitionKey]: aggregateKey(userId, type),
      [sortKey]: day,
      ...(aggregate
        ? {
            count: aggregate.count,
            sum: aggregate.sum,
            sumOfSquares: aggregate.sumOfSquares,
            min: aggregate.min,
            max: aggregate.max,
            low: aggregate.low,
            high: aggregate.high,
            slots: JSON.stringify(aggregate.slots),
          }
        : { count: 0 }),
      version,
      updatedAt: new Date().toISOString(),
    };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tables.aggregates,
          Item: item,
          // Never replace an aggregate computed from more complete rows (see AggregateVersion).
          ConditionExpression: options.replaceOnly
            ? 'attribute_exists(#pk) AND #version <= :version'
            : 'attribute_not_exists(#pk) OR #version <= :version',
          ExpressionAttributeNames: { '#pk': partitionKey, '#version': 'version' },
          ExpressionAttributeValues: { ':version': version },
        }),
      );
      return 'written';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'superseded';
      throw error;
    }
  }

  async readAggregates(
    userId: string,
    type: string,
    fromDay: string,
    toDay: string,
  ): Promise<readonly DailyAggregate[]> {
    const aggregates: DailyAggregate[] = [];
    for await (const page of this.queryPages<AggregateItem>({
      TableName: this.tables.aggregates,
      KeyConditionExpression: '#pk = :pk AND #day BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': partitionKey, '#day': sortKey },
      ExpressionAttributeValues: { ':pk': aggregateKey(userId, type), ':from': fromDay, ':to': toDay },
    })) {
      for (const item of page) {
        if (item.count > 0) aggregates.push(toDailyAggregate(item));
      }
    }
    return aggregates;
  }

  async userAggregateKeys(userId: string): Promise<readonly UserAggregateKey[]> {
    const keys: UserAggregateKey[] = [];
    // Only the aggregated types have aggregates: one Query per (user, type) partition.
    for (const type of aggregatedTypes) {
      for await (const page of this.queryPages<Pick<AggregateItem, typeof sortKey>>({
        TableName: this.tables.aggregates,
        KeyConditionExpression: '#pk = :pk',
        ProjectionExpression: '#day',
        ExpressionAttributeNames: { '#pk': partitionKey, '#day': sortKey },
        ExpressionAttributeValues: { ':pk': aggregateKey(userId, type) },
        ConsistentRead: true,
      })) {
        for (const item of page) keys.push({ type, day: item[sortKey] });
      }
    }
    return keys;
  }

  async deleteAggregates(userId: string, keys: readonly UserAggregateKey[]): Promise<void> {
    await batchWriteAll(
      this.client,
      this.tables.aggregates,
      keys.map(({ type, day }) => ({
        DeleteRequest: { Key: { [partitionKey]: aggregateKey(userId, type), [sortKey]: day } },
      })),
    );
  }

  /** Every page of a Query, one after the other (the SDK's paginator follows LastEvaluatedKey). */
  private async *queryPages<Item>(input: QueryCommandInput): AsyncIterable<readonly Item[]> {
    for await (const { Items = [] } of paginateQuery({ client: this.client }, input)) yield Items as Item[];
  }
}

function toDailyAggregate(item: AggregateItem): DailyAggregate {
  return {
    day: item[sortKey],
    count: item.count,
    sum: item.sum!,
    sumOfSquares: item.sumOfSquares!,
    min: item.min!,
    max: item.max!,
    low: item.low!,
    high: item.high!,
    slots: JSON.parse(item.slots ?? '[]') as SlotSummary[],
  };
}
