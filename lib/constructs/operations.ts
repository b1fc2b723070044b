import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  TreatMissingData,
  type IMetric,
  type Metric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { FilterPattern, MetricFilter, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { logMetricFilters, type LogMetricName } from '../../definitions/log-metric-filters';
import type { ServiceFunctionName } from '../../definitions/service-functions';

export interface CountOptions {
  readonly period?: Duration;
  readonly label?: string;
}

/** An alarm: the metric, the value it must exceed, and what an operator reads when it fires. */
export interface AlarmSpec {
  readonly metric: IMetric;
  readonly threshold: number;
  readonly description: string;
  /** Consecutive periods above the threshold before it fires (1 unless said). */
  readonly periods?: number;
}

/** An alarm-status widget for the dashboard; the alarms added to it show there. */
export interface AlarmPanel {
  readonly widget: AlarmStatusWidget;
  readonly alarms: Alarm[];
}

export interface OperationsProps {
  /** Where the log metric filters read each function's lines (definitions/log-metric-filters.ts). */
  readonly functions: Readonly<Record<ServiceFunctionName, { readonly logGroup: ILogGroup }>>;
}

/**
 * What operators watch the stack with: the alarm topic (encrypted with a key of its own), the
 * operations dashboard, and `addAlarm`, which every alarm of the stack goes through, so each
 * notifies the topic when it fires and when it clears and shows in an alarm panel of the
 * dashboard (docs/operations.md, "Dashboard and alarms"). The construct that owns what an alarm
 * or a count watches adds it here and offers its graphs; the stack lays out the dashboard.
 */
export class Operations extends Construct {
  readonly alarmTopic: Topic;
  /** Encrypts the alarm topic at rest; CloudWatch alarms may use it to publish. */
  readonly alarmTopicKey: Key;
  readonly dashboard: Dashboard;
  /** Every alarm that has no panel of its own. */
  readonly alarmPanel: AlarmPanel;
  private readonly alarmAction: SnsAction;
  private readonly metricNamespace: string;
  private readonly functions: OperationsProps['functions'];

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.functions = props.functions;
    const stackName = Stack.of(this).stackName;
    // Counts of the log metric filters (definitions/log-metric-filters.ts), per stack.
    this.metricNamespace = `HealthIngest/${stackName}`;

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
    this.alarmAction = new SnsAction(this.alarmTopic);
    const topicOutput = new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topicArn,
      description: 'SNS topic of the alarms: subscribe an email or chat integration',
    });
    topicOutput.overrideLogicalId('AlarmTopicArn');

    this.dashboard = new Dashboard(this, 'OperationsDashboard', {
      dashboardName: `${stackName}-operations`,
      defaultInterval: Duration.days(1),
    });
    this.alarmPanel = this.newAlarmPanel('Alarms', { width: 24, height: 3 });
  }

  /** An alarm-status widget showing the alarms added with it as their panel. */
  newAlarmPanel(title: string, size: { width: number; height: number }): AlarmPanel {
    const alarms: Alarm[] = [];
    // The widget reads its alarms when the template is written: every alarm added later shows.
    return { widget: new AlarmStatusWidget({ title, alarms, ...size }), alarms };
  }

  /**
   * An alarm in `scope` (the construct that owns what it watches) that fires above the threshold,
   * notifies the topic when it fires and when it clears, and shows in `panel`.
   */
  addAlarm(scope: Construct, id: string, spec: AlarmSpec, panel: AlarmPanel = this.alarmPanel): Alarm {
    const periods = spec.periods ?? 1;
    const alarm = new Alarm(scope, id, {
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      // No data means nothing failed (no messages, no invocations, no errors).
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: spec.description,
    });
    alarm.addAlarmAction(this.alarmAction);
    alarm.addOkAction(this.alarmAction);
    panel.alarms.push(alarm);
    return alarm;
  }

  /**
   * A count from a log metric filter in `scope` on the structured lines the saved queries read:
   * no extra code path in the functions, and a count on the dashboard is the same fact as a line
   * in Logs Insights (docs/operations.md, "Counts on the dashboard").
   */
  addCount(scope: Construct, metricName: LogMetricName): (options?: CountOptions) => Metric {
    const { logGroupOf, filterPattern, metricValue } = logMetricFilters[metricName];
    const filter = new MetricFilter(scope, `${metricName}Filter`, {
      logGroup: this.functions[logGroupOf].logGroup,
      filterPattern: FilterPattern.literal(filterPattern),
      metricNamespace: this.metricNamespace,
      metricName,
      metricValue,
    });
    return (options = {}) => filter.metric({ statistic: 'Sum', ...options });
  }
}
