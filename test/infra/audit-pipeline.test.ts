import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { savedQueries } from '../../lib/audit-queries';
import { auditKeysTable } from '../../definitions/audit-keys-table';
import { auditFilterPatterns, auditStreamSource } from '../../definitions/audit-stream';
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

/** The event source mapping that invokes `fn` (the stack has one per stream consumer). */
function mappingOf(fn: IConstruct): Resource {
  const found = (
    Object.values(template.findResources('AWS::Lambda::EventSourceMapping')) as Resource[]
  ).filter(
    (mapping) => JSON.stringify(mapping.Properties.FunctionName) === JSON.stringify({ Ref: logicalId(fn) }),
  );
  expect(found).toHaveLength(1);
  return found[0]!;
}

const ref = (construct: IConstruct) => ({ Ref: logicalId(construct) });

describe('the event source mapping: the table stream → the audit function, as audit-stream.ts defines it', () => {
  let mapping: Resource;
  beforeAll(() => (mapping = mappingOf(stack.functions.auditStream)));

  it('reads the measurements table stream into the audit function', () => {
    expect(mapping.Properties.EventSourceArn).toEqual({
      'Fn::GetAtt': [logicalId(stack.table), 'StreamArn'],
    });
    expect(mapping.Properties.FunctionName).toEqual(ref(stack.functions.auditStream));
  });

  it('applies every setting of the definition', () => {
    expect(mapping.Properties).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: auditStreamSource.batchSize,
      MaximumBatchingWindowInSeconds: auditStreamSource.maxBatchingWindowSeconds,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: auditStreamSource.retryAttempts,
      MaximumRecordAgeInSeconds: auditStreamSource.maxRecordAgeSeconds,
      ParallelizationFactor: auditStreamSource.parallelizationFactor,
    });
    // Finite retries and record age: a poison record cannot block its shard for a day.
    expect(auditStreamSource.retryAttempts).toBeGreaterThan(0);
    expect(auditStreamSource.maxRecordAgeSeconds).toBeLessThan(24 * 60 * 60);
  });

  it('filters with exactly the JSON of the definition’s patterns (not `{}`)', () => {
    const patterns = mapping.Properties.FilterCriteria.Filters.map(
      (filter: { Pattern: string }) => filter.Pattern,
    );
    expect(patterns).toEqual(auditFilterPatterns.map((pattern) => JSON.stringify(pattern)));
    expect(patterns).toEqual([
      '{"eventName":["INSERT"],"dynamodb":{"NewImage":{"kind":{"S":["manual"]},"writer":{"S":["create"]}}}}',
      '{"eventName":["MODIFY"],"dynamodb":{"NewImage":{"kind":{"S":["stats"]},"writer":{"S":["batch"]}}}}',
      '{"eventName":["MODIFY"],"dynamodb":{"NewImage":{"writer":{"S":["edit","delete"]}}}}',
      '{"eventName":["REMOVE"],"dynamodb":{"OldImage":{"kind":{"S":["stats","sample","manual"]}}}}',
      '{"eventName":["INSERT"],"dynamodb":{"NewImage":{"kind":{"S":["lifecycle"]}}}}',
    ]);
    for (const pattern of patterns) expect(pattern).not.toBe('{}');
  });

  it('sends what fails for good to the dead-letter queue', () => {
    expect(mapping.Properties.DestinationConfig).toEqual({
      OnFailure: {
        Destination: { 'Fn::GetAtt': [logicalId(stack.auditPipeline.consumer.deadLetterQueue), 'Arn'] },
      },
    });
  });
});

describe('the dead-letter queue', () => {
  let queueId: string;
  let queue: Resource;
  beforeAll(() => {
    queueId = logicalId(stack.auditPipeline.consumer.deadLetterQueue);
    queue = resources[queueId]!;
  });

  it('is encrypted at rest and keeps messages 14 days', () => {
    expect(queue.Properties.SqsManagedSseEnabled ?? queue.Properties.KmsMasterKeyId).toBeTruthy();
    expect(queue.Properties.MessageRetentionPeriod).toBe(14 * 24 * 60 * 60);
  });

  it('refuses every request that is not over TLS', () => {
    const policy = (Object.values(template.findResources('AWS::SQS::QueuePolicy')) as Resource[]).find(
      (candidate) => JSON.stringify(candidate.Properties.Queues) === JSON.stringify([{ Ref: queueId }]),
    )!;
    expect(policy).toBeDefined();
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'sqs:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
      }),
    );
  });
});

describe('the audit-keys table: one pseudonym key per audited user, gone for good when deleted', () => {
  let tableId: string;
  let table: Resource;
  beforeAll(() => {
    tableId = logicalId(stack.auditPipeline.keysTable);
    table = resources[tableId]!;
  });

  it('is keyed by the user id, on demand, encrypted with the DynamoDB-owned key', () => {
    expect(table.Type).toBe('AWS::DynamoDB::GlobalTable');
    expect(table.Properties.KeySchema).toEqual([
      { AttributeName: auditKeysTable.partitionKey, KeyType: 'HASH' },
    ]);
    expect(table.Properties.AttributeDefinitions).toEqual([
      { AttributeName: auditKeysTable.partitionKey, AttributeType: 'S' },
    ]);
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: false });
    expect(table.Properties.StreamSpecification).toBeUndefined();
    expect(table.Properties.GlobalSecondaryIndexes).toBeUndefined();
  });

  it('has point-in-time recovery off, explicitly: a restore must not bring back a deleted key', () => {
    for (const replica of table.Properties.Replicas as Array<Record<string, any>>) {
      expect(replica.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: false });
    }
    // The measurements table, by contrast, keeps its 35 days of recovery.
    const measurements = resources[logicalId(stack.table)]!;
    expect(
      (measurements.Properties.Replicas as Array<Record<string, any>>)[0]!.PointInTimeRecoverySpecification,
    ).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  it('outlives the stack and refuses deletion: the keys are what finds a user’s events for years', () => {
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    for (const replica of table.Properties.Replicas as Array<Record<string, any>>) {
      expect(replica.DeletionProtectionEnabled).toBe(true);
    }
  });

  it('is named by the stack output the operator tools read', () => {
    template.hasOutput(auditKeysTable.outputName, { Value: { Ref: tableId } });
  });

  it('the audit function is told its name, and may only read a key and create one (GetItem, PutItem)', () => {
    const fn = resources[logicalId(stack.functions.auditStream)]!;
    expect(fn.Properties.Environment.Variables.AUDIT_KEYS_TABLE_NAME).toEqual({ Ref: tableId });
    const onKeys = statementsOf(template, stack.functions.auditStream.role!).filter((statement) =>
      JSON.stringify(statement.Resource).includes(`"${tableId}"`),
    );
    expect(onKeys).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      }),
    ]);
  });

  it('no other role can touch it', () => {
    const roles = Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::IAM::Role');
    for (const [roleId] of roles) {
      if (roleId === logicalId(stack.functions.auditStream.role!)) continue;
      const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
        JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`),
      );
      expect(JSON.stringify(policies)).not.toContain(`"${tableId}"`);
      expect(JSON.stringify(resources[roleId])).not.toContain(`"${tableId}"`);
    }
  });
});

describe('the audit function may read the stream and send to its queue, nothing else', () => {
  let statements: Statement[];
  const streamArn = () => ({ 'Fn::GetAtt': [logicalId(stack.table), 'StreamArn'] });

  beforeAll(() => (statements = statementsOf(template, stack.functions.auditStream.role!)));

  it('can read the table stream', () => {
    const streamActions = statements
      .filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(streamArn()))
      .flatMap((statement) => asList(statement.Action));
    expect(streamActions).toEqual(
      expect.arrayContaining(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator']),
    );
  });

  it('can send to the dead-letter queue', () => {
    const queueArn = { 'Fn::GetAtt': [logicalId(stack.auditPipeline.consumer.deadLetterQueue), 'Arn'] };
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: expect.arrayContaining(['sqs:SendMessage']),
        Resource: queueArn,
      }),
    );
  });

  it('cannot read or write the measurements table’s items, on any resource; on items it may only read and create an audit key', () => {
    const keysTableArn = JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.auditPipeline.keysTable), 'Arn'] });
    for (const statement of statements) {
      const actions = asList(statement.Action);
      expect(actions).not.toContain('dynamodb:*');
      expect(actions).not.toContain('*');
      const onItems = actions.filter((action) =>
        [
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:Query',
          'dynamodb:Scan',
        ].includes(action),
      );
      if (onItems.length > 0) {
        expect(onItems).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
        expect(JSON.stringify(statement.Resource)).toBe(keysTableArn);
      }
      expect(JSON.stringify(statement.Resource)).not.toEqual(
        JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.table), 'Arn'] }),
      );
    }
  });
});

describe('the saved Logs Insights queries', () => {
  let definitions: Resource[];
  beforeAll(
    () => (definitions = Object.values(template.findResources('AWS::Logs::QueryDefinition')) as Resource[]),
  );

  it('are the eight of audit-queries.ts', () => {
    expect(definitions).toHaveLength(8);
    expect(savedQueries).toHaveLength(8);
  });

  it('name the user by userRef, never by userId (the audit events carry no user id)', () => {
    const audit = definitions.filter(
      (definition) =>
        JSON.stringify(definition.Properties.LogGroupNames) ===
        JSON.stringify([ref(stack.functions.auditStream.logGroup)]),
    );
    expect(audit).toHaveLength(7);
    for (const definition of audit) expect(definition.Properties.QueryString).not.toMatch(/\buserId\b/);
    for (const id of ['RowHistoryByExternalIdQuery', 'RowHistoryByIdQuery']) {
      const query = savedQueries.find((candidate) => candidate.id === id)!;
      expect(query.queryString).toContain('filter userRef = "REPLACE_WITH_USER_REF" and ');
    }
  });

  it.each(savedQueries.map((query) => [query.name, query] as const))(
    '“%s” is saved with its exact text on the right log group',
    (name, query) => {
      const definition = definitions.find(
        (candidate) => candidate.Properties.Name === `HealthIngestTest/${name}`,
      );
      expect(definition).toBeDefined();
      expect(definition!.Properties.QueryString).toBe(query.queryString);
      expect(definition!.Properties.LogGroupNames).toEqual([ref(stack.functions[query.logGroupOf].logGroup)]);
    },
  );

  it('read the audit function’s log group for overwrites and history, the ingest one for outcomes', () => {
    const logGroupOf = Object.fromEntries(savedQueries.map((query) => [query.id, query.logGroupOf]));
    expect(logGroupOf).toEqual({
      RecentStatsOverwritesQuery: 'auditStream',
      StatsOverwritesPerTypeQuery: 'auditStream',
      CumulativeDecreasesQuery: 'auditStream',
      RowHistoryByExternalIdQuery: 'auditStream',
      RowHistoryByIdQuery: 'auditStream',
      RepostsUndidEditQuery: 'auditStream',
      ImportsAndErasuresQuery: 'auditStream',
      IngestOutcomesPerHourQuery: 'ingestBatch',
    });
  });
});

describe('metric filters count the structured log lines', () => {
  const filterFor = (metricName: string) => {
    const found = Object.values(template.findResources('AWS::Logs::MetricFilter')).filter(
      (filter) => filter.Properties.MetricTransformations[0].MetricName === metricName,
    );
    expect(found).toHaveLength(1);
    return found[0]!.Properties;
  };

  it.each([
    ['EntriesInserted', '$.inserted'],
    ['EntriesUpdated', '$.updated'],
    ['EntriesDuplicate', '$.duplicates'],
    ['EntriesSkipped', '$.skipped'],
    ['EntriesFailed', '$.failed'],
  ])('%s sums %s of every measurement.batch.ingest line', (metricName, value) => {
    const filter = filterFor(metricName);
    expect(filter.LogGroupName).toEqual(ref(stack.functions.ingestBatch.logGroup));
    expect(filter.FilterPattern).toBe('{ $.message = "measurement.batch.ingest" }');
    expect(filter.MetricTransformations[0].MetricValue).toBe(value);
  });

  it('StatsOverwrites counts the overwrite events, StatsOverwriteDecreases the decreases among them', () => {
    const overwrites = filterFor('StatsOverwrites');
    expect(overwrites.LogGroupName).toEqual(ref(stack.functions.auditStream.logGroup));
    expect(overwrites.FilterPattern).toBe('{ $.message = "measurement.batch.stats-overwrite" }');
    expect(filterFor('StatsOverwriteDecreases').FilterPattern).toBe(
      '{ ($.message = "measurement.batch.stats-overwrite") && ($.direction = "decrease") }',
    );
  });
});
