import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import {
  healthLogAuthorizerFunction,
  serviceFunctions,
  type ServiceFunctionName,
} from '../../definitions/service-functions';
import type { HealthIngestStack } from '../../lib/health-ingest-stack';
import { logicalId, synthesize, type Resource } from '../support/synthesized-stack';

let stack: HealthIngestStack;
let template: Template;
let resources: Record<string, Resource>;
let healthlog: HealthIngestStack;
let healthlogTemplate: Template;
let healthlogResources: Record<string, Resource>;

beforeAll(() => {
  ({ stack, template, resources } = synthesize());
  ({
    stack: healthlog,
    template: healthlogTemplate,
    resources: healthlogResources,
  } = synthesize({ healthlogUrl: 'https://healthlog.example.com' }, 'HealthIngestHealthLog'));
});

const ref = (construct: IConstruct) => ({ Ref: logicalId(construct) });
const queueName = (queue: IConstruct) => [
  { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(queue), 'QueueName'] } },
];
const functionName = (fn: IConstruct) => [{ Name: 'FunctionName', Value: ref(fn) }];
const errorsOf = (fn: IConstruct) => ({
  Namespace: 'AWS/Lambda',
  MetricName: 'Errors',
  Dimensions: functionName(fn),
  Statistic: 'Sum',
  Period: 300,
  Threshold: 0,
});
const messagesIn = (queue: IConstruct) => ({
  Namespace: 'AWS/SQS',
  MetricName: 'ApproximateNumberOfMessagesVisible',
  Dimensions: queueName(queue),
  Statistic: 'Maximum',
  Period: 60,
  Threshold: 0,
});
const iteratorAgeOf = (fn: IConstruct, thresholdMs: number) => ({
  Namespace: 'AWS/Lambda',
  MetricName: 'IteratorAge',
  Dimensions: functionName(fn),
  Statistic: 'Maximum',
  Period: 60,
  Threshold: thresholdMs,
});

interface AlarmRow {
  /** The alarm in the construct tree. */
  readonly alarm: (stack: HealthIngestStack) => Alarm | undefined;
  /** What its template resource must say besides the comparison, the actions and missing data. */
  readonly expected: (stack: HealthIngestStack) => Record<string, unknown>;
  /** Consecutive periods above the threshold before it fires. */
  readonly periods?: number;
}

/** Every alarm of the stack (docs/operations.md, "Dashboard and alarms"), by what it watches. */
const alarmTable: Record<string, AlarmRow> = {
  'any message in the audit dead-letter queue': {
    alarm: (s) => s.auditPipeline.consumer.alarms.deadLetters,
    expected: (s) => messagesIn(s.auditPipeline.consumer.deadLetterQueue),
  },
  'the audit iterator age above 5 minutes': {
    alarm: (s) => s.auditPipeline.consumer.alarms.iteratorAge,
    expected: (s) => iteratorAgeOf(s.functions.auditStream, 5 * 60 * 1000),
  },
  'any ingest function error': {
    alarm: (s) => s.apiMonitoring.alarms.ingestErrors,
    expected: (s) => errorsOf(s.functions.ingestBatch),
  },
  'entries answered failed: the ingest summary’s EntriesFailed over 20 per 5 minutes, two periods in a row': {
    alarm: (s) => s.apiMonitoring.alarms.failedEntries,
    expected: (s) => ({
      Namespace: `HealthIngest/${s.stackName}`,
      MetricName: 'EntriesFailed',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 20,
    }),
    periods: 2,
  },
  'any row-API function error': {
    alarm: (s) => s.apiMonitoring.alarms.rowApiErrors,
    expected: (s) => errorsOf(s.functions.measurementsApi),
  },
  'the HTTP API answering more than 5 requests with a 5xx in 5 minutes': {
    alarm: (s) => s.apiMonitoring.alarms.apiServerErrors,
    expected: (s) => ({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: ref(s.api) }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 5,
    }),
  },
  'any message in the aggregate dead-letter queue': {
    alarm: (s) => s.aggregatePipeline.consumer.alarms.deadLetters,
    expected: (s) => messagesIn(s.aggregatePipeline.consumer.deadLetterQueue),
  },
  'the aggregate iterator age above 15 minutes': {
    alarm: (s) => s.aggregatePipeline.consumer.alarms.iteratorAge,
    expected: (s) => iteratorAgeOf(s.functions.dailyAggregates, 15 * 60 * 1000),
  },
  'any message in the settle queue’s dead-letter queue': {
    alarm: (s) => s.aggregatePipeline.settleDeadLetterAlarm,
    expected: (s) => messagesIn(s.aggregatePipeline.settleDeadLetterQueue),
  },
  '(healthlog mode) any HealthLog authorizer error': {
    alarm: (s) => s.apiMonitoring.alarms.authorizerErrors,
    expected: (s) => errorsOf(s.healthLogAuthorizer!),
  },
};

/** Both modes' stacks: the healthlog one has the authorizer and its alarm. */
const modes = () =>
  [
    ['default', stack, template, resources],
    ['healthlog', healthlog, healthlogTemplate, healthlogResources],
  ] as const;

const alarmsIn = (from: Record<string, Resource>) =>
  Object.entries(from).filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm');
const only = (from: Record<string, Resource>, type: string) => {
  const found = Object.entries(from).filter(([, resource]) => resource.Type === type);
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('every alarm of the stack is in the table, and fires as it says', () => {
  it.each(Object.entries(alarmTable))('%s', (_name, row) => {
    const having = modes().filter(([, s]) => row.alarm(s) !== undefined);
    expect(having.length).toBeGreaterThan(0);
    for (const [, s, , from] of having) {
      const periods = row.periods ?? 1;
      expect(from[logicalId(row.alarm(s)!)]!.Properties).toMatchObject({
        ...row.expected(s),
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: periods,
        DatapointsToAlarm: periods,
        // No data means nothing failed.
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it.each(modes().map(([mode]) => [mode]))(
    '%s mode: the template has exactly the alarms of the table',
    (mode) => {
      const [, s, , from] = modes().find(([candidate]) => candidate === mode)!;
      const listed = Object.values(alarmTable).flatMap((row) => {
        const alarm = row.alarm(s);
        return alarm ? [logicalId(alarm)] : [];
      });
      expect(listed).toHaveLength(mode === 'default' ? 9 : 10);
      expect(
        alarmsIn(from)
          .map(([id]) => id)
          .sort(),
      ).toEqual(listed.sort());
    },
  );

  it('no authorizer alarm without the HealthLog authorizer', () => {
    expect(stack.apiMonitoring.alarms.authorizerErrors).toBeUndefined();
  });

  it('the failed-entries metric is the one the summary line’s metric filter publishes, in that namespace', () => {
    const [filter] = Object.values(template.findResources('AWS::Logs::MetricFilter')).filter(
      (candidate) => candidate.Properties.MetricTransformations[0].MetricName === 'EntriesFailed',
    );
    expect(filter!.Properties.MetricTransformations[0]).toMatchObject({
      MetricNamespace: 'HealthIngest/HealthIngestTest',
      MetricValue: '$.failed',
    });
  });
});

describe.each(['default', 'healthlog'])(
  '%s mode: alarms notify one SNS topic, whose ARN is a stack output, and show on the dashboard',
  (mode) => {
    const of = () => modes().find(([candidate]) => candidate === mode)!;
    it('every alarm notifies the topic when it fires and when it clears', () => {
      const [, , , from] = of();
      const [topicId] = only(from, 'AWS::SNS::Topic');
      for (const [, alarm] of alarmsIn(from)) {
        expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
        expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
      }
    });

    it('the dashboard’s alarm widgets show every one of them', () => {
      const [, , , from] = of();
      const [, dashboard] = only(from, 'AWS::CloudWatch::Dashboard');
      // The body is a Fn::Join of JSON text and references: the alarm widget's entries are the ARNs.
      const parts = dashboard.Properties.DashboardBody['Fn::Join'][1] as unknown[];
      for (const [alarmId] of alarmsIn(from))
        expect(parts).toContainEqual({ 'Fn::GetAtt': [alarmId, 'Arn'] });
    });

    it('the topic refuses publishing without TLS and is an output', () => {
      const [, s, t, from] = of();
      const [topicId] = only(from, 'AWS::SNS::Topic');
      expect(topicId).toBe(logicalId(s.operations.alarmTopic));
      const [, policy] = only(from, 'AWS::SNS::TopicPolicy');
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
      t.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
    });
  },
);

describe('the operations dashboard', () => {
  let body: string;
  beforeAll(() => {
    const [, dashboard] = only(resources, 'AWS::CloudWatch::Dashboard');
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

  it('in the healthlog mode, the HealthLog authorizer’s errors too', () => {
    const [, dashboard] = only(healthlogResources, 'AWS::CloudWatch::Dashboard');
    expect(JSON.stringify(dashboard.Properties.DashboardBody)).toContain(
      `${healthLogAuthorizerFunction.id} errors`,
    );
  });

  it('graphs overwrites with an hourly period', () => {
    expect(body).toMatch(/StatsOverwrites\\",\{\\"label\\":\\"overwrites\\",\\"period\\":3600/);
  });
});
