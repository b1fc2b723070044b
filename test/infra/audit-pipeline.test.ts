import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { savedQueries } from '../../lib/audit-queries';
import { auditKeysTable } from '../../definitions/audit-keys-table';
import { auditFilterPatterns, auditStreamSource } from '../../definitions/audit-stream';
import {
  healthLogAuthorizerFunction,
  serviceFunctions,
  type ServiceFunctionName,
} from '../../definitions/service-functions';
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

function only(type: string): [string, Resource] {
  const found = Object.entries(template.findResources(type)) as [string, Resource][];
  expect(found).toHaveLength(1);
  return found[0]!;
}

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
      OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stack.auditPipeline.deadLetterQueue), 'Arn'] } },
    });
  });
});

describe('the dead-letter queue', () => {
  let queueId: string;
  let queue: Resource;
  beforeAll(() => {
    queueId = logicalId(stack.auditPipeline.deadLetterQueue);
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
    const queueArn = { 'Fn::GetAtt': [logicalId(stack.auditPipeline.deadLetterQueue), 'Arn'] };
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

describe('the operations dashboard', () => {
  let body: string;
  beforeAll(() => {
    const [, dashboard] = only('AWS::CloudWatch::Dashboard');
    // The body is a Fn::Join of JSON text and references; its text is what the widgets say.
    body = JSON.stringify(dashboard.Properties.DashboardBody);
  });

  it.each([
    [
      'batch outcomes by status',
      ['EntriesInserted', 'EntriesUpdated', 'EntriesDuplicate', 'EntriesSkipped', 'EntriesFailed'],
    ],
    ['stats overwrites per hour', ['StatsOverwrites', 'StatsOverwriteDecreases']],
    ['ingest latency p50/p99', ['Duration', 'p50', 'p99']],
    ['function errors and throttles', ['Errors', 'Throttles']],
    ['the HTTP API’s 5xx and 4xx', ['5xx', '4xx']],
    ['audit iterator age', ['IteratorAge']],
    ['DLQ depth', ['ApproximateNumberOfMessagesVisible']],
  ])('shows %s', (_widget, metrics) => {
    for (const metric of metrics) expect(body).toContain(metric);
  });

  it('graphs errors and throttles of every function of the stack', () => {
    for (const name of Object.keys(serviceFunctions) as ServiceFunctionName[]) {
      expect(body).toContain(`${serviceFunctions[name].id} errors`);
      expect(body).toContain(`${serviceFunctions[name].id} throttles`);
    }
  });

  it('graphs overwrites with an hourly period', () => {
    expect(body).toMatch(/StatsOverwrites\\",\{\\"label\\":\\"overwrites\\",\\"period\\":3600/);
  });
});

describe('alarms notify one SNS topic, whose ARN is a stack output', () => {
  let topicId: string;
  // The audit pipeline's own alarms (the aggregate pipeline's are tested with it).
  const alarms = () =>
    Object.values(stack.auditPipeline.alarms).map((alarm) => resources[logicalId(alarm)]!) as Resource[];
  const alarmOf = (alarm: IConstruct | undefined) => {
    expect(alarm).toBeDefined();
    return resources[logicalId(alarm!)]!.Properties;
  };

  beforeAll(() => ([topicId] = only('AWS::SNS::Topic')));

  it('there are exactly the six alarms, each notifying the topic when it fires and when it clears; every alarm of the stack notifies it', () => {
    expect(alarms()).toHaveLength(6);
    expect(Object.keys(stack.auditPipeline.alarms).sort()).toEqual([
      'apiServerErrors',
      'deadLetters',
      'failedEntries',
      'ingestErrors',
      'iteratorAge',
      'rowApiErrors',
    ]);
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[]) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
  });

  it('any message in the audit dead-letter queue', () => {
    expect(alarmOf(stack.auditPipeline.alarms.deadLetters)).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalId(stack.auditPipeline.deadLetterQueue), 'QueueName'] },
        },
      ],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });

  it('the audit iterator age above 5 minutes', () => {
    expect(alarmOf(stack.auditPipeline.alarms.iteratorAge)).toMatchObject({
      MetricName: 'IteratorAge',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: ref(stack.functions.auditStream) }],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 300000,
    });
  });

  it('any ingest function error', () => {
    expect(alarmOf(stack.auditPipeline.alarms.ingestErrors)).toMatchObject({
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: ref(stack.functions.ingestBatch) }],
      Statistic: 'Sum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });

  it('entries answered failed: the ingest summary’s EntriesFailed over 20 per 5 minutes, two periods in a row', () => {
    expect(alarmOf(stack.auditPipeline.alarms.failedEntries)).toMatchObject({
      MetricName: 'EntriesFailed',
      Namespace: 'HealthIngest/HealthIngestTest',
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 20,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    });
    // The metric is the one the summary line's metric filter publishes, in that namespace.
    const [filter] = Object.values(template.findResources('AWS::Logs::MetricFilter')).filter(
      (candidate) => candidate.Properties.MetricTransformations[0].MetricName === 'EntriesFailed',
    );
    expect(filter!.Properties.MetricTransformations[0]).toMatchObject({
      MetricNamespace: 'HealthIngest/HealthIngestTest',
      MetricValue: '$.failed',
    });
  });

  it('any row-API function error', () => {
    expect(alarmOf(stack.auditPipeline.alarms.rowApiErrors)).toMatchObject({
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: ref(stack.functions.measurementsApi) }],
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });

  it('the HTTP API answering more than 5 requests with a 5xx in 5 minutes', () => {
    expect(alarmOf(stack.auditPipeline.alarms.apiServerErrors)).toMatchObject({
      MetricName: '5xx',
      Namespace: 'AWS/ApiGateway',
      Dimensions: [{ Name: 'ApiId', Value: ref(stack.api) }],
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 5,
    });
  });

  it('no authorizer alarm without the HealthLog authorizer', () => {
    expect(stack.auditPipeline.alarms.authorizerErrors).toBeUndefined();
  });

  it('the dashboard’s alarm widget shows every one of them', () => {
    const [, dashboard] = only('AWS::CloudWatch::Dashboard');
    // The body is a Fn::Join of JSON text and references: the alarm widget's entries are the ARNs.
    const parts = dashboard.Properties.DashboardBody['Fn::Join'][1] as unknown[];
    for (const alarm of Object.values(stack.auditPipeline.alarms)) {
      expect(parts).toContainEqual({ 'Fn::GetAtt': [logicalId(alarm), 'Arn'] });
    }
  });

  it('the topic refuses publishing without TLS and is an output', () => {
    const [, policy] = only('AWS::SNS::TopicPolicy');
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
  });
});

describe('in the healthlog mode, the HealthLog authorizer’s errors have an alarm too', () => {
  let healthlog: HealthIngestStack;
  let healthlogTemplate: Template;
  let healthlogResources: Record<string, Resource>;
  beforeAll(() => {
    ({
      stack: healthlog,
      template: healthlogTemplate,
      resources: healthlogResources,
    } = synthesize({ healthlogUrl: 'https://healthlog.example.com' }, 'HealthIngestHealthLog'));
  });

  it('any authorizer error, on the same topic and dashboard', () => {
    const alarm = healthlog.auditPipeline.alarms.authorizerErrors;
    expect(alarm).toBeDefined();
    const [topicId] = Object.keys(healthlogTemplate.findResources('AWS::SNS::Topic'));
    expect(healthlogResources[logicalId(alarm!)]!.Properties).toMatchObject({
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: ref(healthlog.healthLogAuthorizer!) }],
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
    });
    expect(Object.keys(healthlog.auditPipeline.alarms)).toHaveLength(7);
    const [dashboard] = Object.values(healthlogTemplate.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard!.Properties.DashboardBody['Fn::Join'][1]).toContainEqual({
      'Fn::GetAtt': [logicalId(alarm!), 'Arn'],
    });
    expect(JSON.stringify(dashboard!.Properties.DashboardBody)).toContain(
      `${healthLogAuthorizerFunction.id} errors`,
    );
  });
});
