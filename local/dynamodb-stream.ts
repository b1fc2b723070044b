import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type AttributeValue as StreamAttributeValue,
  type _Record as StreamsApiRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type {
  AttributeValue as LambdaAttributeValue,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import type { FilterPattern } from '../definitions/audit-stream';
import { localCredentials, localRegion } from './dynamodb-local';
import { matchesAnyFilterPattern } from './filter-pattern';

/**
 * Reading the measurements table's DynamoDB stream through the Streams API (DynamoDB Local
 * serves it on the same endpoint as the tables), and handing its records to a handler in the
 * exact shape Lambda's event source mapping delivers. The integration tests read the stream
 * once with these; the local runtime's stream reader polls with the same functions:
 *
 *   const streamArn = await latestStreamArn(dynamodb, tableName);
 *   for (const shard of await listShards(streams, streamArn)) {
 *     let iterator = await shardIterator(streams, streamArn, shard.ShardId!, { type: 'TRIM_HORIZON' });
 *     // …loop: const page = await readShardPage(streams, iterator); iterator = page.nextIterator;
 *     //   for (const event of toStreamEvents(page.records.map((r) => toLambdaStreamRecord(r, streamArn)),
 *     //     auditStreamSource)) { const response = await handler(event);
 *     //     const retry = recordsToRetry(event, response); … }
 *   }
 *
 * The settings (filter, batch size, retries) come from `lib/definitions/audit-stream.ts`, the
 * same object the stack's event source mapping is built from.
 */

export type StreamRecord = StreamsApiRecord;

export function createStreamsClient(endpoint: string): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({
    endpoint,
    region: process.env.AWS_REGION ?? localRegion,
    credentials: localCredentials,
  });
}

/** The ARN of the table's current stream (DescribeTable's `LatestStreamArn`). */
export async function latestStreamArn(client: DynamoDBClient, tableName: string): Promise<string> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (!Table?.LatestStreamArn) throw new Error(`Table ${tableName} has no stream`);
  return Table.LatestStreamArn;
}

/** Every shard of the stream, open and closed, parents before children as DescribeStream lists them. */
export async function listShards(client: DynamoDBStreamsClient, streamArn: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let exclusiveStartShardId: string | undefined;
  do {
    const { StreamDescription } = await client.send(
      new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
    );
    shards.push(...(StreamDescription?.Shards ?? []));
    exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
  } while (exclusiveStartShardId);
  return shards;
}

/** Where to start reading a shard: its oldest record, only new ones, or after a checkpoint. */
export type ShardPosition =
  | { readonly type: 'TRIM_HORIZON' }
  | { readonly type: 'LATEST' }
  | { readonly type: 'AFTER_SEQUENCE_NUMBER'; readonly sequenceNumber: string }
  | { readonly type: 'AT_SEQUENCE_NUMBER'; readonly sequenceNumber: string };

export async function shardIterator(
  client: DynamoDBStreamsClient,
  streamArn: string,
  shardId: string,
  position: ShardPosition,
): Promise<string | undefined> {
  const { ShardIterator } = await client.send(
    new GetShardIteratorCommand({
      StreamArn: streamArn,
      ShardId: shardId,
      ShardIteratorType: position.type,
      ...('sequenceNumber' in position ? { SequenceNumber: position.sequenceNumber } : {}),
    }),
  );
  return ShardIterator;
}

export interface ShardPage {
  readonly records: StreamRecord[];
  /** Absent once a closed shard is read to its end; an open shard always has a next iterator. */
  readonly nextIterator?: string;
}

/** One GetRecords call (at most 1000 records, the API's limit). */
export async function readShardPage(
  client: DynamoDBStreamsClient,
  iterator: string,
  limit = 1000,
): Promise<ShardPage> {
  const { Records = [], NextShardIterator } = await client.send(
    new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }),
  );
  return { records: Records, ...(NextShardIterator ? { nextIterator: NextShardIterator } : {}) };
}

/**
 * Every record currently in the stream, from the oldest (TRIM_HORIZON) of every shard, in
 * sequence order, converted to Lambda's shape. A shard is read until a page comes back empty —
 * the moment a one-shot reader (a test) has seen everything written before the call.
 */
export async function readStreamRecords(
  client: DynamoDBStreamsClient,
  streamArn: string,
): Promise<DynamoDBRecord[]> {
  const records: StreamRecord[] = [];
  for (const shard of await listShards(client, streamArn)) {
    let iterator = await shardIterator(client, streamArn, shard.ShardId!, { type: 'TRIM_HORIZON' });
    while (iterator) {
      const page = await readShardPage(client, iterator);
      records.push(...page.records);
      if (page.records.length === 0) break;
      iterator = page.nextIterator;
    }
  }
  return records
    .sort((a, b) => compareSequenceNumbers(a.dynamodb?.SequenceNumber, b.dynamodb?.SequenceNumber))
    .map((record) => toLambdaStreamRecord(record, streamArn));
}

/** Sequence numbers are decimal strings of up to 40 digits: compare them as integers. */
export function compareSequenceNumbers(a: string | undefined, b: string | undefined): number {
  const left = BigInt(a ?? '0');
  const right = BigInt(b ?? '0');
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * A Streams API record as Lambda delivers it to a function: the creation time in epoch seconds
 * (the SDK parses it into a Date), binary values as base64 text, `eventSourceARN` the stream's
 * ARN, and the event version, source and view type Lambda sets.
 */
export function toLambdaStreamRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  const created = stream.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? regionOfArn(streamArn),
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) } : {}),
      ...(stream.Keys ? { Keys: toLambdaAttributeMap(stream.Keys) } : {}),
      ...(stream.NewImage ? { NewImage: toLambdaAttributeMap(stream.NewImage) } : {}),
      ...(stream.OldImage ? { OldImage: toLambdaAttributeMap(stream.OldImage) } : {}),
      SequenceNumber: stream.SequenceNumber,
      SizeBytes: stream.SizeBytes,
      StreamViewType: stream.StreamViewType,
    },
    eventSourceARN: streamArn,
    // Only on deletions by TTL: `{ type: 'Service', principalId: 'dynamodb.amazonaws.com' }`.
    ...(record.userIdentity ? { userIdentity: { ...record.userIdentity } } : {}),
  };
}

export function toLambdaAttributeMap(
  image: Record<string, StreamAttributeValue>,
): Record<string, LambdaAttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaAttribute(value)]));
}

function toLambdaAttribute(value: StreamAttributeValue): LambdaAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.SS !== undefined) return { SS: [...value.SS] };
  if (value.NS !== undefined) return { NS: [...value.NS] };
  if (value.BS !== undefined) return { BS: value.BS.map((item) => Buffer.from(item).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaAttribute) };
  if (value.M !== undefined) return { M: toLambdaAttributeMap(value.M) };
  throw new Error(`Unknown attribute value type: ${Object.keys(value).join(', ')}`);
}

function regionOfArn(arn: string): string | undefined {
  return arn.split(':')[3] || undefined;
}

/** The part of an event source mapping's settings that shapes the events a function receives. */
export interface StreamDelivery {
  readonly filterPatterns: readonly FilterPattern[];
  readonly batchSize: number;
}

/**
 * The events Lambda would invoke the function with for these records (in sequence order, one
 * shard): the records the filters drop never reach it, the rest arrive in batches of at most
 * `batchSize`. (Lambda may also cut a batch short at the end of its batching window.)
 */
export function toStreamEvents(
  records: readonly DynamoDBRecord[],
  delivery: StreamDelivery,
): DynamoDBStreamEvent[] {
  const delivered = records.filter((record) => matchesAnyFilterPattern(record, delivery.filterPatterns));
  const events: DynamoDBStreamEvent[] = [];
  for (let start = 0; start < delivered.length; start += delivery.batchSize) {
    events.push({ Records: delivered.slice(start, start + delivery.batchSize) });
  }
  return events;
}

/**
 * What Lambda does with a partial batch response on a stream: it checkpoints just before the
 * lowest failed sequence number and retries from there, so that record and every later one of
 * the batch come again. Returns those records (empty when the batch succeeded). A failure
 * naming no record of the batch fails the whole batch, as Lambda treats it.
 */
export function recordsToRetry(
  event: DynamoDBStreamEvent,
  response: DynamoDBBatchResponse | void,
): DynamoDBRecord[] {
  const failures = response?.batchItemFailures ?? [];
  if (failures.length === 0) return [];
  const failed = new Set(failures.map((failure) => failure.itemIdentifier));
  const firstFailed = event.Records.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
  return event.Records.slice(firstFailed < 0 ? 0 : firstFailed);
}
