import { Duration, Validations } from 'aws-cdk-lib';
import type { Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, StartingPosition, type Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { streamConsumers, type StreamConsumerName } from '../../definitions/stream-consumers';
import type { AlarmPanel, Operations } from './operations';

export interface StreamConsumerProps {
  /** The table whose stream feeds the function. */
  readonly table: ITable;
  /** Which entry of definitions/stream-consumers.ts, and its function. */
  readonly name: StreamConsumerName;
  readonly fn: LambdaFunction;
  readonly operations: Operations;
  readonly alarms: {
    /** What a message in the dead-letter queue means for the consumer's output. */
    readonly deadLetters: string;
    /** Iterator age above which the function is too far behind the writes (ms), and what that means. */
    readonly iteratorAgeMs: number;
    readonly iteratorAge: string;
    /** Where they show on the dashboard (the stack's alarm panel unless said). */
    readonly panel?: AlarmPanel;
  };
}

/**
 * A function reading the table's stream: its event source mapping as its entry of
 * definitions/stream-consumers.ts states it (the local runtime's stream reader applies the same),
 * the mapping's encrypted on-failure queue, and two alarms — any message in that queue, and the
 * iterator age. DynamoEventSource grants the function read access to the stream and send access
 * to the queue; the function's data grants are the stack's.
 */
export class StreamConsumer extends Construct {
  /**
   * Lambda sends a failed batch's shard and sequence range here (not the records): enough to
   * re-read them from the stream within its 24 h retention, or to see what was dropped.
   */
  readonly deadLetterQueue: Queue;
  readonly alarms: { readonly deadLetters: Alarm; readonly iteratorAge: Alarm };
  /** For the owner's graphs: messages in the dead-letter queue, and the iterator age, per minute. */
  readonly metrics: { readonly deadLetters: Metric; readonly iteratorAge: Metric };

  constructor(scope: Construct, id: string, props: StreamConsumerProps) {
    super(scope, id);
    const { table, fn, operations, alarms } = props;
    const source = streamConsumers[props.name];

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter destination: the on-failure destination of a stream event source mapping, ' +
        'where Lambda puts the description of a batch of stream records it gave up on. cdk-nag only recognises ' +
        'queues named in a RedrivePolicy. Nothing consumes it (an alarm fires on its first message), so a queue ' +
        'behind it would never receive anything.',
    });

    fn.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: StartingPosition[source.startingPosition],
        batchSize: source.batchSize,
        maxBatchingWindow: Duration.seconds(source.maxBatchingWindowSeconds),
        bisectBatchOnError: source.bisectBatchOnError,
        reportBatchItemFailures: source.reportBatchItemFailures,
        retryAttempts: source.retryAttempts,
        maxRecordAge: Duration.seconds(source.maxRecordAgeSeconds),
        parallelizationFactor: source.parallelizationFactor,
        // FilterCriteria.filter turns a pattern into the JSON string Lambda expects; a raw object
        // would synthesize as `{}` and let every record through.
        filters: source.filterPatterns.map((pattern) => FilterCriteria.filter(pattern as any)),
        onFailure: new SqsDlq(this.deadLetterQueue),
      }),
    );

    this.metrics = {
      deadLetters: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: Duration.minutes(1),
      }),
      iteratorAge: fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
    };
    this.alarms = {
      deadLetters: operations.addAlarm(
        this,
        'DeadLetterAlarm',
        { metric: this.metrics.deadLetters, threshold: 0, description: alarms.deadLetters },
        alarms.panel,
      ),
      iteratorAge: operations.addAlarm(
        this,
        'IteratorAgeAlarm',
        {
          metric: this.metrics.iteratorAge,
          threshold: alarms.iteratorAgeMs,
          description: alarms.iteratorAge,
        },
        alarms.panel,
      ),
    };
  }
}
