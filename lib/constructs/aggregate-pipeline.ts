import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { GraphWidget, type Alarm, type AlarmStatusWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, Billing, TableEncryptionV2, TableV2, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { aggregateSettleQueue } from '../../definitions/aggregate-settle';
import { dailyAggregatesTable } from '../../definitions/daily-aggregates-table';
import type { Operations } from './operations';
import { StreamConsumer } from './stream-consumer';

export interface AggregatePipelineProps {
  /** The measurements table: its stream feeds the function. */
  readonly table: ITable;
  /** The daily-aggregates function. */
  readonly aggregator: LambdaFunction;
  readonly operations: Operations;
}

/** Iterator age above which long-window charts lag the writes noticeably (ms). */
export const AGGREGATE_ITERATOR_AGE_ALARM_MS = 15 * 60 * 1000;

/**
 * Daily aggregates of the dense types (docs/read-api.md, "Daily aggregates"): their table, the
 * aggregate function reading the measurements table's stream (the stream's second and last
 * reader besides the audit function) with its on-failure queue and alarms, the settle queue (an
 * SQS delay queue through which every recomputed day comes back to the function once the index
 * has settled) with its dead-letter queue and alarm, and the alarm panel and graph it offers the
 * dashboard (`widgets`).
 */
export class AggregatePipeline extends Construct {
  readonly table: TableV2;
  readonly consumer: StreamConsumer;
  readonly settleQueue: Queue;
  readonly settleDeadLetterQueue: Queue;
  readonly settleDeadLetterAlarm: Alarm;
  readonly widgets: { readonly alarms: AlarmStatusWidget; readonly lag: GraphWidget };

  constructor(scope: Construct, id: string, props: AggregatePipelineProps) {
    super(scope, id);
    const { table, aggregator, operations } = props;

    this.table = new TableV2(this, 'DailyAggregatesTable', {
      partitionKey: { name: dailyAggregatesTable.partitionKey, type: AttributeType.STRING },
      sortKey: { name: dailyAggregatesTable.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      // Derived data, recomputed from the measurements table whenever a day changes: nothing here
      // is worth restoring to a point in time, and it goes with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
      encryption: TableEncryptionV2.dynamoOwnedKey(),
    });

    const panel = operations.newAlarmPanel('Daily aggregates: alarms', { width: 8, height: 6 });
    this.consumer = new StreamConsumer(this, 'StreamConsumer', {
      table,
      name: 'dailyAggregates',
      fn: aggregator,
      operations,
      alarms: {
        deadLetters:
          'Stream records left the aggregate function unprocessed: some days of long-window charts are stale.',
        iteratorAgeMs: AGGREGATE_ITERATOR_AGE_ALARM_MS,
        iteratorAge: 'The aggregate function is more than 15 minutes behind the table writes.',
        panel,
      },
    });

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

    const settleDeadLetters = this.settleDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
    this.settleDeadLetterAlarm = operations.addAlarm(
      this,
      'SettleDeadLetterAlarm',
      {
        metric: settleDeadLetters,
        threshold: 0,
        description:
          'Settle recomputes of daily aggregates failed repeatedly: some days may keep the aggregate two racing ' +
          'recomputes left until one of their rows changes or npm run rebuild-aggregates runs.',
      },
      panel,
    );
    this.widgets = {
      alarms: panel.widget,
      lag: new GraphWidget({
        title: 'Daily aggregates: iterator age (ms) and dead letters',
        left: [this.consumer.metrics.iteratorAge.with({ label: 'max iterator age' })],
        right: [
          this.consumer.metrics.deadLetters.with({ label: 'dead-letter messages' }),
          settleDeadLetters.with({ label: 'settle dead-letter messages' }),
        ],
        width: 16,
      }),
    };
  }
}
