import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  GraphWidget,
  TreatMissingData,
  type Dashboard,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, Billing, TableEncryptionV2, TableV2, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { aggregateSettleQueue } from '../../definitions/aggregate-settle';
import { aggregateStreamSource } from '../../definitions/aggregate-stream';
import { dailyAggregatesTable } from '../../definitions/daily-aggregates-table';
import { measurementsTable } from '../../definitions/measurements-table';
import { acknowledgeStreamDeadLetterQueue } from './audit-pipeline';
import { streamEventSource } from './stream-event-source';

export interface AggregatePipelineProps {
  /** The measurements table: its stream feeds the function, its `byUserType` index is read. */
  readonly table: ITable;
  /** The daily-aggregates function. */
  readonly aggregator: LambdaFunction;
  /** Where its alarms notify, and the dashboard that shows them. */
  readonly alarmTopic: ITopic;
  readonly dashboard: Dashboard;
}

/** Iterator age above which long-window charts lag the writes noticeably (ms). */
export const AGGREGATE_ITERATOR_AGE_ALARM_MS = 15 * 60 * 1000;

/**
 * Daily aggregates of the dense types (docs/read-api.md, "Daily aggregates"): their table, the
 * aggregate function's event source mapping on the measurements table's stream (the stream's
 * second and last reader besides the audit function), its on-failure queue, the settle queue
 * (an SQS delay queue through which every recomputed day comes back to the function once the
 * index has settled) with its dead-letter queue, and three alarms. The function may read the
 * day's rows through one index, write aggregates, and send to and consume the settle queue;
 * nothing else.
 */
export class AggregatePipeline extends Construct {
  readonly table: TableV2;
  readonly deadLetterQueue: Queue;
  readonly settleQueue: Queue;
  readonly settleDeadLetterQueue: Queue;
  readonly alarms: {
    readonly deadLetters: Alarm;
    readonly iteratorAge: Alarm;
    readonly settleDeadLetters: Alarm;
  };

  constructor(scope: Construct, id: string, props: AggregatePipelineProps) {
    super(scope, id);
    const { table, aggregator } = props;

    this.table = new TableV2(this, 'DailyAggregatesTable', {
      partitionKey: { name: dailyAggregatesTable.partitionKey, type: AttributeType.STRING },
      sortKey: { name: dailyAggregatesTable.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      // Derived data, recomputed from the measurements table whenever a day changes: nothing here
      // is worth restoring to a point in time, and it goes with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
      encryption: TableEncryptionV2.dynamoOwnedKey(),
    });

    this.deadLetterQueue = new Queue(this, 'AggregateDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeStreamDeadLetterQueue(this.deadLetterQueue);

    aggregator.addEventSource(streamEventSource(table, aggregateStreamSource, this.deadLetterQueue));
    aggregator.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${table.tableArn}/index/${measurementsTable.indexes.byUserType.indexName}`],
      }),
    );
    // A recompute replaces the day's aggregate (a conditional PutItem); it never reads it.
    aggregator.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:PutItem'], resources: [this.table.tableArn] }),
    );

    // A settle message that failed maxReceiveCount times lands here; nothing consumes it (an
    // alarm fires on its first message, and the rebuild repairs the day).
    this.settleDeadLetterQueue = new Queue(this, 'SettleDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.settleQueue = new Queue(this, 'SettleQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deliveryDelay: Duration.seconds(aggregateSettleQueue.deliveryDelaySeconds),
      visibilityTimeout: Duration.seconds(aggregateSettleQueue.visibilityTimeoutSeconds),
      deadLetterQueue: {
        queue: this.settleDeadLetterQueue,
        maxReceiveCount: aggregateSettleQueue.maxReceiveCount,
      },
    });
    // The event source grants the function what consuming takes (receive, delete, change visibility).
    aggregator.addEventSource(
      new SqsEventSource(this.settleQueue, {
        batchSize: aggregateSettleQueue.batchSize,
        maxBatchingWindow: Duration.seconds(aggregateSettleQueue.maxBatchingWindowSeconds),
        reportBatchItemFailures: true,
      }),
    );
    // SendMessageBatch is authorised as sqs:SendMessage; the function needs no queue attributes.
    aggregator.addToRolePolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.settleQueue.queueArn] }),
    );

    const alarmAction = new SnsAction(props.alarmTopic);
    const alarm = (alarmId: string, metric: Alarm['metric'], threshold: number, description: string) => {
      const created = new Alarm(this, alarmId, {
        metric,
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(alarmAction);
      created.addOkAction(alarmAction);
      return created;
    };
    const deadLetters = this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
    const iteratorAge = aggregator.metric('IteratorAge', {
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
    const settleDeadLetters = this.settleDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
    this.alarms = {
      deadLetters: alarm(
        'AggregateDeadLetterAlarm',
        deadLetters,
        0,
        'Stream records left the aggregate function unprocessed: some days of long-window charts are stale.',
      ),
      iteratorAge: alarm(
        'AggregateIteratorAgeAlarm',
        iteratorAge,
        AGGREGATE_ITERATOR_AGE_ALARM_MS,
        'The aggregate function is more than 15 minutes behind the table writes.',
      ),
      settleDeadLetters: alarm(
        'SettleDeadLetterAlarm',
        settleDeadLetters,
        0,
        'Settle recomputes of daily aggregates failed repeatedly: some days may keep the aggregate two racing ' +
          'recomputes left until one of their rows changes or npm run rebuild-aggregates runs.',
      ),
    };
    props.dashboard.addWidgets(
      new AlarmStatusWidget({
        title: 'Daily aggregates: alarms',
        alarms: Object.values(this.alarms),
        width: 8,
        height: 6,
      }),
      new GraphWidget({
        title: 'Daily aggregates: iterator age (ms) and dead letters',
        left: [iteratorAge.with({ label: 'max iterator age' })],
        right: [
          deadLetters.with({ label: 'dead-letter messages' }),
          settleDeadLetters.with({ label: 'settle dead-letter messages' }),
        ],
        width: 16,
      }),
    );
  }
}
