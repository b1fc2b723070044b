import type { IConstruct } from 'constructs';
import { INDEX_SETTLE_MS, aggregateSettleQueue } from '../../definitions/aggregate-settle';
import { aggregateFilterPatterns, aggregateStreamSource } from '../../definitions/aggregate-stream';
import { dailyAggregatesTable } from '../../definitions/daily-aggregates-table';
import { serviceFunctions } from '../../definitions/service-functions';
import { streamConsumers } from '../../definitions/stream-consumers';
import type { Template } from 'aws-cdk-lib/assertions';
import type { HealthIngestStack } from '../../lib/health-ingest-stack';
import {
  asList,
  logicalId,
  statementsOf,
  synthesize,
  type Resource,
  type Statement,
} from '../support/synthesized-stack';

let stack: HealthIngestStack;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => ({ stack, template, resources } = synthesize()));

describe('the daily-aggregates table', () => {
  let table: Resource;
  beforeAll(() => (table = resources[logicalId(stack.aggregatePipeline.table)]!));

  it('is keyed by userId#type and the UTC day, both strings, billed on demand, encrypted, without a stream', () => {
    expect(table.Type).toBe('AWS::DynamoDB::GlobalTable');
    expect(table.Properties.KeySchema).toEqual([
      { AttributeName: dailyAggregatesTable.partitionKey, KeyType: 'HASH' },
      { AttributeName: dailyAggregatesTable.sortKey, KeyType: 'RANGE' },
    ]);
    expect(table.Properties.AttributeDefinitions).toEqual([
      { AttributeName: dailyAggregatesTable.partitionKey, AttributeType: 'S' },
      { AttributeName: dailyAggregatesTable.sortKey, AttributeType: 'S' },
    ]);
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: false });
    expect(table.Properties.StreamSpecification).toBeUndefined();
  });

  it('is derived data: it goes with the stack', () => {
    expect(table.DeletionPolicy).toBe('Delete');
  });
});

describe('the measurements table stream feeds exactly the two consumers of stream-consumers.ts', () => {
  const onStream = (mapping: Resource) =>
    JSON.stringify(mapping.Properties.EventSourceArn).includes('StreamArn');
  const mappings = () =>
    (Object.values(template.findResources('AWS::Lambda::EventSourceMapping')) as Resource[]).filter(onStream);

  it('the only other mapping is the settle queue’s', () => {
    const others = (
      Object.values(template.findResources('AWS::Lambda::EventSourceMapping')) as Resource[]
    ).filter((mapping) => !onStream(mapping));
    expect(others.map((mapping) => mapping.Properties.EventSourceArn)).toEqual([
      { 'Fn::GetAtt': [logicalId(stack.aggregatePipeline.settleQueue), 'Arn'] },
    ]);
  });

  it('one mapping per consumer, each on the measurements table stream', () => {
    expect(
      mappings()
        .map((mapping) => mapping.Properties.FunctionName)
        .sort((a, b) => (a.Ref < b.Ref ? -1 : 1)),
    ).toEqual(
      Object.keys(streamConsumers)
        .map((name) => ({ Ref: logicalId(stack.functions[name as keyof typeof streamConsumers]) }))
        .sort((a, b) => (a.Ref < b.Ref ? -1 : 1)),
    );
    for (const mapping of mappings()) {
      expect(mapping.Properties.EventSourceArn).toEqual({
        'Fn::GetAtt': [logicalId(stack.table), 'StreamArn'],
      });
    }
  });

  it('the aggregate function’s mapping applies every setting of aggregate-stream.ts and its filter JSON', () => {
    const mapping = mappings().find(
      (candidate) => candidate.Properties.FunctionName.Ref === logicalId(stack.functions.dailyAggregates),
    )!;
    expect(mapping.Properties).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: aggregateStreamSource.batchSize,
      MaximumBatchingWindowInSeconds: aggregateStreamSource.maxBatchingWindowSeconds,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: aggregateStreamSource.retryAttempts,
      MaximumRecordAgeInSeconds: aggregateStreamSource.maxRecordAgeSeconds,
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [logicalId(stack.aggregatePipeline.consumer.deadLetterQueue), 'Arn'] },
        },
      },
    });
    expect(
      mapping.Properties.FilterCriteria.Filters.map((filter: { Pattern: string }) =>
        JSON.parse(filter.Pattern),
      ),
    ).toEqual(aggregateFilterPatterns);
  });
});

describe('the settle queue: every recomputed day comes back to the function once the index has settled', () => {
  let queue: Resource;
  let deadLetters: Resource;
  beforeAll(() => {
    queue = resources[logicalId(stack.aggregatePipeline.settleQueue)]!;
    deadLetters = resources[logicalId(stack.aggregatePipeline.settleDeadLetterQueue)]!;
  });

  it('holds each message for the index settle time (the delivery delay), encrypted', () => {
    expect(queue.Properties).toMatchObject({
      DelaySeconds: INDEX_SETTLE_MS / 1000,
      SqsManagedSseEnabled: true,
    });
  });

  it('hides a delivered message for six function timeouts plus the batching window, so no invocation still holding it sees it again', () => {
    expect(queue.Properties.VisibilityTimeout).toBe(
      6 * serviceFunctions.dailyAggregates.timeoutSeconds + aggregateSettleQueue.maxBatchingWindowSeconds,
    );
  });

  it('a message delivered five times without success goes to its encrypted dead-letter queue, kept 14 days', () => {
    expect(queue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: {
        'Fn::GetAtt': [logicalId(stack.aggregatePipeline.settleDeadLetterQueue), 'Arn'],
      },
      maxReceiveCount: aggregateSettleQueue.maxReceiveCount,
    });
    expect(deadLetters.Properties).toEqual({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  it('feeds the daily-aggregate function in batches, reporting failed messages one by one', () => {
    const mapping = (
      Object.values(template.findResources('AWS::Lambda::EventSourceMapping')) as Resource[]
    ).find(
      (candidate) =>
        JSON.stringify(candidate.Properties.EventSourceArn) ===
        JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.aggregatePipeline.settleQueue), 'Arn'] }),
    )!;
    expect(mapping.Properties).toEqual({
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.aggregatePipeline.settleQueue), 'Arn'] },
      FunctionName: { Ref: logicalId(stack.functions.dailyAggregates) },
      BatchSize: aggregateSettleQueue.batchSize,
      MaximumBatchingWindowInSeconds: aggregateSettleQueue.maxBatchingWindowSeconds,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('the function finds it through the variable of aggregate-settle.ts', () => {
    const fn = resources[logicalId(stack.functions.dailyAggregates)]!;
    expect(fn.Properties.Environment.Variables[aggregateSettleQueue.queueUrlVariable]).toEqual({
      Ref: logicalId(stack.aggregatePipeline.settleQueue),
    });
  });
});

describe('the aggregate function may read a day’s rows and write aggregates, nothing else', () => {
  let statements: Statement[];
  beforeAll(() => (statements = statementsOf(template, stack.functions.dailyAggregates.role!)));

  it('Query on the byUserType index, PutItem on its own table; the stream through its mapping', () => {
    // The stream actions on the stream ARN come with the mapping (DynamoEventSource).
    const onStream = (statement: Statement) => JSON.stringify(statement.Resource).includes('StreamArn');
    const dynamo = statements.filter(
      (statement) =>
        asList(statement.Action).some((action) => action.startsWith('dynamodb:')) && !onStream(statement),
    );
    for (const statement of statements.filter(onStream)) {
      expect(
        asList(statement.Action).every((action) =>
          /^dynamodb:(DescribeStream|GetRecords|GetShardIterator|ListStreams)$/.test(action),
        ),
      ).toBe(true);
    }
    expect(dynamo.map((statement) => [asList(statement.Action), asList(statement.Resource)])).toEqual([
      [
        ['dynamodb:Query'],
        [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(stack.table), 'Arn'] }, '/index/byUserType']] }],
      ],
      [['dynamodb:PutItem'], [{ 'Fn::GetAtt': [logicalId(stack.aggregatePipeline.table), 'Arn'] }]],
    ]);
  });

  it('sends to the settle queue and consumes it; sends to its stream dead-letter queue; no other queue action', () => {
    const sqs = statements.filter((statement) =>
      asList(statement.Action).some((action) => action.startsWith('sqs:')),
    );
    const arn = (queue: IConstruct) => ({ 'Fn::GetAtt': [logicalId(queue), 'Arn'] });
    const { settleQueue, settleDeadLetterQueue } = stack.aggregatePipeline;
    const { deadLetterQueue } = stack.aggregatePipeline.consumer;
    expect(sqs.map((statement) => [asList(statement.Action).sort(), statement.Resource])).toEqual([
      // The stream mapping's on-failure destination (DynamoEventSource's grant).
      [['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], arn(deadLetterQueue)],
      // The settle queue's event source (SqsEventSource's grant).
      [
        [
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
        ],
        arn(settleQueue),
      ],
      // SendMessageBatch is authorised as SendMessage.
      [['sqs:SendMessage'], arn(settleQueue)],
    ]);
    expect(JSON.stringify(statements)).not.toContain(logicalId(settleDeadLetterQueue));
  });

  it('no Scan, GetItem, UpdateItem or DeleteItem anywhere', () => {
    const text = JSON.stringify(statements);
    for (const action of ['Scan', 'GetItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', '*']) {
      expect(text).not.toContain(`dynamodb:${action}`);
    }
  });
});
