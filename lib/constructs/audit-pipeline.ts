import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { AttributeType, Billing, TableEncryptionV2, TableV2, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, MetricFilter, QueryDefinition, QueryString } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { auditKeysTable } from '../../definitions/audit-keys-table';
import { auditStreamSource } from '../../definitions/audit-stream';
import { savedQueries } from '../audit-queries';
import { streamEventSource } from './stream-event-source';
import { logMetricFilters, type LogMetricName } from '../../definitions/log-metric-filters';
import type { ServiceFunctionName } from '../../definitions/service-functions';

export interface AuditPipelineProps {
  /** The measurements table; its stream feeds the audit function. */
  readonly table: ITable;
  /** Every function of the stack (errors and throttles of all of them are on the dashboard). */
  readonly functions: Readonly<Record<ServiceFunctionName, LambdaFunction>>;
  /** The HTTP API: its 5xx answers are graphed and alarmed on. */
  readonly api: IHttpApi;
  /** `healthlog` mode only: the Lambda authorizer in front of every route. */
  readonly healthLogAuthorizer?: LambdaFunction;
}

/**
 * A stream mapping's on-failure queue is itself a dead-letter destination; cdk-nag's SQS3 only
 * recognises queues named in a RedrivePolicy.
 */
export function acknowledgeStreamDeadLetterQueue(queue: Queue): void {
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself a dead-letter destination: the on-failure destination of a stream event source mapping, ' +
      'where Lambda puts the description of a batch of stream records it gave up on. cdk-nag only recognises ' +
      'queues named in a RedrivePolicy. Nothing consumes it (an alarm fires on its first message), so a queue ' +
      'behind it would never receive anything.',
  });
}

/** Iterator age above which the audit trail is too far behind the writes (ms). */
export const AUDIT_ITERATOR_AGE_ALARM_MS = 5 * 60 * 1000;

/**
 * The failed-entries alarm: more than this many entries answered `failed` in each of
 * FAILED_ENTRIES_ALARM_PERIODS consecutive 5-minute periods. An entry fails only after the SDK's
 * retries, so a throttled entry is rare and isolated (1), and even a throttled backfill batch is
 * one period's spike; a table that is gone, denied or unreachable fails every entry of every
 * sync (~54 per sync, docs/capacity.md), and the phones re-send them, so it breaches period after
 * period. docs/operations.md, "Dashboard and alarms".
 */
export const FAILED_ENTRIES_ALARM_THRESHOLD = 20;
export const FAILED_ENTRIES_ALARM_PERIODS = 2;
/**
 * The API's 5xx alarm: more than this many in 5 minutes. Every function error already has its
 * own alarm at the first one; this one catches what fails at the gateway itself (an integration
 * timeout, a throttled or unauthorised invocation, the authorizer) once it is more than a stray
 * request the app retries.
 */
export const API_SERVER_ERRORS_ALARM_THRESHOLD = 5;

/**
 * Everything operators need to audit overwrites and run the pipeline:
 * - the audit function's event source mapping on the table's stream, built from
 *   `definitions/audit-stream.ts`, with an encrypted on-failure queue;
 * - the audit-keys table, one key per audited user, under which the events name the user
 *   (`userRef`, docs/audit-trail.md);
 * - the saved Logs Insights queries of `definitions/audit-queries.ts`;
 * - metric filters that count the very log lines those queries read, a dashboard, and alarms
 *   that notify one SNS topic.
 * The audit function gets read access to the stream, send access to the queue, and GetItem and
 * PutItem on the audit-keys table (it reads a user's key and creates it on first use); nothing on
 * the measurements table's items, and it can neither change nor delete a key.
 */
export class AuditPipeline extends Construct {
  /** `userId` → the user's audit key; `npm run erase-user` deletes a user's key (crypto-shredding). */
  readonly keysTable: TableV2;
  readonly deadLetterQueue: Queue;
  readonly alarmTopic: Topic;
  /** Encrypts the alarm topic at rest; CloudWatch alarms may use it to publish. */
  readonly alarmTopicKey: Key;
  readonly dashboard: Dashboard;
  readonly alarms: {
    readonly deadLetters: Alarm;
    readonly iteratorAge: Alarm;
    readonly ingestErrors: Alarm;
    readonly failedEntries: Alarm;
    readonly rowApiErrors: Alarm;
    readonly apiServerErrors: Alarm;
    /** `healthlog` mode only. */
    readonly authorizerErrors?: Alarm;
  };

  constructor(scope: Construct, id: string, props: AuditPipelineProps) {
    super(scope, id);
    const { table, functions, api, healthLogAuthorizer } = props;
    const audit = functions.auditStream;
    const ingest = functions.ingestBatch;
    const stackName = Stack.of(this).stackName;

    // Lambda sends the failed batch's shard and sequence range here (not the records): enough to
    // re-read them from the stream within its 24 h retention, or to see what was dropped.
    this.deadLetterQueue = new Queue(this, 'AuditDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeStreamDeadLetterQueue(this.deadLetterQueue);

    audit.addEventSource(streamEventSource(table, auditStreamSource, this.deadLetterQueue));

    this.keysTable = new TableV2(this, 'AuditKeysTable', {
      partitionKey: { name: auditKeysTable.partitionKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      // Off on purpose: a key erasure deletes must really be gone, and a point-in-time restore
      // (35 days) would bring it back, and with it the link from the trail's events to the person.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
      // The keys are what lets an auditor find a user's events for as long as the trail keeps
      // them (years): neither a stack deletion nor a replacement may drop them.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: TableEncryptionV2.dynamoOwnedKey(),
    });
    // A key is read, and created with a conditional put on first use; never updated or deleted here.
    audit.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [this.keysTable.tableArn],
      }),
    );

    for (const query of savedQueries) {
      new QueryDefinition(this, query.id, {
        queryDefinitionName: `${stackName}/${query.name}`,
        queryString: new VerbatimQueryString(query.queryString),
        logGroups: [functions[query.logGroupOf].logGroup],
      });
    }

    // Counts come from metric filters on the structured lines the saved queries read: no extra
    // code path in the functions, and a count on the dashboard is the same fact as a line in
    // Logs Insights (docs/operations.md, "Counts on the dashboard"). definitions/log-metric-filters.ts
    // holds them, so the tests match the very patterns against the handlers' lines.
    const namespace = `HealthIngest/${stackName}`;
    const count = (
      metricName: LogMetricName,
    ): ((options?: { period?: Duration; label?: string }) => Metric) => {
      const { logGroupOf, filterPattern, metricValue } = logMetricFilters[metricName];
      const filter = new MetricFilter(this, `${metricName}Filter`, {
        logGroup: functions[logGroupOf].logGroup,
        filterPattern: FilterPattern.literal(filterPattern),
        metricNamespace: namespace,
        metricName,
        metricValue,
      });
      return (options = {}) => filter.metric({ statistic: 'Sum', ...options });
    };
    const entriesFailed = count('EntriesFailed');
    const entryOutcomes = [
      ['inserted', count('EntriesInserted')],
      ['updated', count('EntriesUpdated')],
      ['duplicate', count('EntriesDuplicate')],
      ['skipped', count('EntriesSkipped')],
      ['failed', entriesFailed],
    ] as const;
    const rejectedBatches = count('BatchesRejected');
    const overwrites = count('StatsOverwrites');
    const decreases = count('StatsOverwriteDecreases');
    const auditFailures = count('AuditRecordFailures');

    const fiveMinutes = Duration.minutes(5);
    const hour = Duration.hours(1);
    const iteratorAge = audit.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) });
    const deadLetters = this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });

    // SNS encrypts at rest only with a KMS key, and CloudWatch alarms cannot publish to a topic
    // under the AWS managed key (its policy cannot grant them): a customer managed key, rotated.
    // Nothing encrypted with it outlives the topic's delivery retries, so it goes with the stack.
    this.alarmTopicKey = new Key(this, 'AlarmTopicKey', {
      description: `${stackName}: encrypts the alarm topic at rest`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.alarmTopicKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToTheEncryptedTopic',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        // In a key policy "*" is this key.
        resources: ['*'],
      }),
    );
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: `${stackName} alarms`,
      masterKey: this.alarmTopicKey,
      enforceSSL: true,
    });
    const alarmAction = new SnsAction(this.alarmTopic);
    const alarm = (
      alarmId: string,
      metric: IMetric,
      threshold: number,
      description: string,
      periods = 1,
    ): Alarm => {
      const created = new Alarm(this, alarmId, {
        metric,
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: periods,
        datapointsToAlarm: periods,
        // No data means nothing failed (no messages, no invocations, no errors).
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(alarmAction);
      created.addOkAction(alarmAction);
      return created;
    };
    this.alarms = {
      deadLetters: alarm(
        'AuditDeadLetterAlarm',
        deadLetters,
        0,
        'A batch of stream records left the audit function unprocessed: their audit events are missing.',
      ),
      iteratorAge: alarm(
        'AuditIteratorAgeAlarm',
        iteratorAge,
        AUDIT_ITERATOR_AGE_ALARM_MS,
        'The audit function is more than 5 minutes behind the table writes.',
      ),
      ingestErrors: alarm(
        'IngestErrorsAlarm',
        ingest.metricErrors({ statistic: 'Sum', period: Duration.minutes(5) }),
        0,
        'The ingest function failed invocations (the phone got a 5xx from API Gateway).',
      ),
      failedEntries: alarm(
        'FailedEntriesAlarm',
        entriesFailed({ period: fiveMinutes }),
        FAILED_ENTRIES_ALARM_THRESHOLD,
        `More than ${FAILED_ENTRIES_ALARM_THRESHOLD} batch entries per 5 minutes were answered failed, ` +
          `${FAILED_ENTRIES_ALARM_PERIODS} periods in a row: DynamoDB refuses or cannot be reached (the reason ` +
          'in the answers and the ingest lines names the error); the phones keep re-sending.',
        FAILED_ENTRIES_ALARM_PERIODS,
      ),
      rowApiErrors: alarm(
        'RowApiErrorsAlarm',
        functions.measurementsApi.metricErrors({ statistic: 'Sum', period: fiveMinutes }),
        0,
        'The row-API function failed invocations (the app got a 5xx reading, entering, editing or deleting rows).',
      ),
      apiServerErrors: alarm(
        'ApiServerErrorsAlarm',
        api.metricServerError({ statistic: 'Sum', period: fiveMinutes }),
        API_SERVER_ERRORS_ALARM_THRESHOLD,
        `The HTTP API answered more than ${API_SERVER_ERRORS_ALARM_THRESHOLD} requests with a 5xx in 5 minutes.`,
      ),
      ...(healthLogAuthorizer
        ? {
            authorizerErrors: alarm(
              'AuthorizerErrorsAlarm',
              healthLogAuthorizer.metricErrors({ statistic: 'Sum', period: fiveMinutes }),
              0,
              'The HealthLog authorizer failed: HealthLog was unreachable, slow or answered 5xx, and the app got a 500.',
            ),
          }
        : {}),
    };

    const everyFunction = [
      ...Object.values(functions),
      ...(healthLogAuthorizer ? [healthLogAuthorizer] : []),
    ];
    this.dashboard = new Dashboard(this, 'OperationsDashboard', {
      dashboardName: `${stackName}-operations`,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new AlarmStatusWidget({
        title: 'Alarms',
        alarms: Object.values(this.alarms).filter((alarm): alarm is Alarm => alarm !== undefined),
        width: 24,
        height: 3,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Batch entries by outcome',
        left: entryOutcomes.map(([label, metric]) => metric({ period: fiveMinutes, label })),
        right: [rejectedBatches({ period: fiveMinutes, label: 'rejected batches' })],
        stacked: false,
        width: 12,
      }),
      new GraphWidget({
        title: 'Stats overwrites per hour',
        left: [
          overwrites({ period: hour, label: 'overwrites' }),
          decreases({ period: hour, label: 'of which decreases' }),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Ingest latency (ms)',
        left: ['p50', 'p99'].map((statistic) =>
          ingest.metricDuration({ statistic, period: fiveMinutes, label: statistic }),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: 'Function errors and throttles',
        left: everyFunction.map((fn) =>
          fn.metricErrors({ statistic: 'Sum', period: fiveMinutes, label: `${fn.node.id} errors` }),
        ),
        right: everyFunction.map((fn) =>
          fn.metricThrottles({ statistic: 'Sum', period: fiveMinutes, label: `${fn.node.id} throttles` }),
        ),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'HTTP API answers: 5xx and 4xx',
        left: [api.metricServerError({ statistic: 'Sum', period: fiveMinutes, label: '5xx' })],
        leftAnnotations: [{ value: API_SERVER_ERRORS_ALARM_THRESHOLD, label: 'alarm' }],
        right: [api.metricClientError({ statistic: 'Sum', period: fiveMinutes, label: '4xx' })],
        width: 12,
      }),
      new GraphWidget({
        title: 'Batch entries answered failed',
        left: [entriesFailed({ period: fiveMinutes, label: 'failed entries' })],
        leftAnnotations: [{ value: FAILED_ENTRIES_ALARM_THRESHOLD, label: 'alarm' }],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Audit iterator age (ms)',
        left: [iteratorAge.with({ label: 'max iterator age' })],
        leftAnnotations: [{ value: AUDIT_ITERATOR_AGE_ALARM_MS, label: 'alarm' }],
        width: 12,
      }),
      new GraphWidget({
        title: 'Audit dead-letter queue depth',
        left: [deadLetters.with({ label: 'messages visible' })],
        right: [auditFailures({ period: Duration.minutes(1), label: 'unreadable records' })],
        width: 12,
      }),
    );

    const topicOutput = new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topicArn,
      description: 'SNS topic of the alarms: subscribe an email or chat integration',
    });
    topicOutput.overrideLogicalId('AlarmTopicArn');
    const keysOutput = new CfnOutput(this, auditKeysTable.outputName, {
      value: this.keysTable.tableName,
      description: "The users' audit keys (npm run audit-ref reads them, npm run erase-user deletes one)",
    });
    keysOutput.overrideLogicalId(auditKeysTable.outputName);
  }
}

/**
 * A Logs Insights query as written. CDK's QueryString composes a fixed command order (fields,
 * parse, filter, stats, sort, limit, display) and has no `dedup`; the saved queries are
 * authored as text, so the console, docs/operations.md and the template show the same string.
 */
class VerbatimQueryString extends QueryString {
  constructor(private readonly text: string) {
    super();
  }

  override toString(): string {
    return this.text;
  }
}
