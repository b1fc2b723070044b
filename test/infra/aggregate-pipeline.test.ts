import type { IConstruct } from 'constructs';
import { aggregateFilterPatterns, aggregateStreamSource } from '../../definitions/aggregate-stream';
import { dailyAggregatesTable } from '../../definitions/daily-aggregates-table';
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
  const mappings = () =>
    Object.values(template.findResources('AWS::Lambda::EventSourceMapping')) as Resource[];

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
          Destination: { 'Fn::GetAtt': [logicalId(stack.aggregatePipeline.deadLetterQueue), 'Arn'] },
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

  it('no Scan, GetItem, UpdateItem or DeleteItem anywhere', () => {
    const text = JSON.stringify(statements);
    for (const action of ['Scan', 'GetItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', '*']) {
      expect(text).not.toContain(`dynamodb:${action}`);
    }
  });
});

describe('its alarms notify the stack’s alarm topic', () => {
  const alarm = (construct: IConstruct) => resources[logicalId(construct)]!.Properties;

  it('any message in its dead-letter queue', () => {
    expect(alarm(stack.aggregatePipeline.alarms.deadLetters)).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalId(stack.aggregatePipeline.deadLetterQueue), 'QueueName'] },
        },
      ],
      Threshold: 0,
      AlarmActions: [{ Ref: logicalId(stack.auditPipeline.alarmTopic) }],
    });
  });

  it('its iterator age above 15 minutes', () => {
    expect(alarm(stack.aggregatePipeline.alarms.iteratorAge)).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack.functions.dailyAggregates) } }],
      Threshold: 15 * 60 * 1000,
      AlarmActions: [{ Ref: logicalId(stack.auditPipeline.alarmTopic) }],
    });
  });
});
