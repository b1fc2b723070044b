import { Duration } from 'aws-cdk-lib';
import { GraphWidget, type Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { ServiceFunctionName } from '../../definitions/service-functions';
import type { Operations } from './operations';

export interface ApiMonitoringProps {
  /** Every function of the stack (errors and throttles of all of them are graphed). */
  readonly functions: Readonly<Record<ServiceFunctionName, LambdaFunction>>;
  /** The HTTP API: its 5xx answers are graphed and alarmed on. */
  readonly api: IHttpApi;
  /** `healthlog` mode only: the Lambda authorizer in front of every route. */
  readonly healthLogAuthorizer?: LambdaFunction;
  readonly operations: Operations;
}

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
 * How the API and the functions behind it are doing, as the phones see it: the batch entries by
 * outcome (counted from the ingest summary lines), the ingest latency, every function's errors
 * and throttles, the API's 5xx and 4xx; alarms on the HTTP functions' errors, on entries answered
 * failed, on the API's 5xx and (`healthlog` mode) on the authorizer's errors; and the graphs it
 * offers the dashboard (`widgets`).
 */
export class ApiMonitoring extends Construct {
  readonly alarms: {
    readonly ingestErrors: Alarm;
    readonly failedEntries: Alarm;
    readonly rowApiErrors: Alarm;
    readonly apiServerErrors: Alarm;
    /** `healthlog` mode only. */
    readonly authorizerErrors?: Alarm;
  };
  readonly widgets: {
    readonly entryOutcomes: GraphWidget;
    readonly ingestLatency: GraphWidget;
    readonly functionErrors: GraphWidget;
    readonly apiAnswers: GraphWidget;
    readonly failedEntries: GraphWidget;
  };

  constructor(scope: Construct, id: string, props: ApiMonitoringProps) {
    super(scope, id);
    const { functions, api, healthLogAuthorizer, operations } = props;
    const ingest = functions.ingestBatch;
    const fiveMinutes = Duration.minutes(5);

    const entriesFailed = operations.addCount(this, 'EntriesFailed');
    const entryOutcomes = [
      ['inserted', operations.addCount(this, 'EntriesInserted')],
      ['updated', operations.addCount(this, 'EntriesUpdated')],
      ['duplicate', operations.addCount(this, 'EntriesDuplicate')],
      ['skipped', operations.addCount(this, 'EntriesSkipped')],
      ['failed', entriesFailed],
    ] as const;
    const rejectedBatches = operations.addCount(this, 'BatchesRejected');

    const functionErrors = (fn: LambdaFunction) => fn.metricErrors({ statistic: 'Sum', period: fiveMinutes });
    this.alarms = {
      ingestErrors: operations.addAlarm(this, 'IngestErrorsAlarm', {
        metric: functionErrors(ingest),
        threshold: 0,
        description: 'The ingest function failed invocations (the phone got a 5xx from API Gateway).',
      }),
      failedEntries: operations.addAlarm(this, 'FailedEntriesAlarm', {
        metric: entriesFailed({ period: fiveMinutes }),
        threshold: FAILED_ENTRIES_ALARM_THRESHOLD,
        description:
          `More than ${FAILED_ENTRIES_ALARM_THRESHOLD} batch entries per 5 minutes were answered failed, ` +
          `${FAILED_ENTRIES_ALARM_PERIODS} periods in a row: DynamoDB refuses or cannot be reached (the reason ` +
          'in the answers and the ingest lines names the error); the phones keep re-sending.',
        periods: FAILED_ENTRIES_ALARM_PERIODS,
      }),
      rowApiErrors: operations.addAlarm(this, 'RowApiErrorsAlarm', {
        metric: functionErrors(functions.measurementsApi),
        threshold: 0,
        description:
          'The row-API function failed invocations (the app got a 5xx reading, entering, editing or deleting rows).',
      }),
      apiServerErrors: operations.addAlarm(this, 'ApiServerErrorsAlarm', {
        metric: api.metricServerError({ statistic: 'Sum', period: fiveMinutes }),
        threshold: API_SERVER_ERRORS_ALARM_THRESHOLD,
        description: `The HTTP API answered more than ${API_SERVER_ERRORS_ALARM_THRESHOLD} requests with a 5xx in 5 minutes.`,
      }),
      ...(healthLogAuthorizer
        ? {
            authorizerErrors: operations.addAlarm(this, 'AuthorizerErrorsAlarm', {
              metric: functionErrors(healthLogAuthorizer),
              threshold: 0,
              description:
                'The HealthLog authorizer failed: HealthLog was unreachable, slow or answered 5xx, and the app got a 500.',
            }),
          }
        : {}),
    };

    const everyFunction = [
      ...Object.values(functions),
      ...(healthLogAuthorizer ? [healthLogAuthorizer] : []),
    ];
    this.widgets = {
      entryOutcomes: new GraphWidget({
        title: 'Batch entries by outcome',
        left: entryOutcomes.map(([label, metric]) => metric({ period: fiveMinutes, label })),
        right: [rejectedBatches({ period: fiveMinutes, label: 'rejected batches' })],
        stacked: false,
        width: 12,
      }),
      ingestLatency: new GraphWidget({
        title: 'Ingest latency (ms)',
        left: ['p50', 'p99'].map((statistic) =>
          ingest.metricDuration({ statistic, period: fiveMinutes, label: statistic }),
        ),
        width: 12,
      }),
      functionErrors: new GraphWidget({
        title: 'Function errors and throttles',
        left: everyFunction.map((fn) =>
          fn.metricErrors({ statistic: 'Sum', period: fiveMinutes, label: `${fn.node.id} errors` }),
        ),
        right: everyFunction.map((fn) =>
          fn.metricThrottles({ statistic: 'Sum', period: fiveMinutes, label: `${fn.node.id} throttles` }),
        ),
        width: 12,
      }),
      apiAnswers: new GraphWidget({
        title: 'HTTP API answers: 5xx and 4xx',
        left: [api.metricServerError({ statistic: 'Sum', period: fiveMinutes, label: '5xx' })],
        leftAnnotations: [{ value: API_SERVER_ERRORS_ALARM_THRESHOLD, label: 'alarm' }],
        right: [api.metricClientError({ statistic: 'Sum', period: fiveMinutes, label: '4xx' })],
        width: 12,
      }),
      failedEntries: new GraphWidget({
        title: 'Batch entries answered failed',
        left: [entriesFailed({ period: fiveMinutes, label: 'failed entries' })],
        leftAnnotations: [{ value: FAILED_ENTRIES_ALARM_THRESHOLD, label: 'alarm' }],
        width: 12,
      }),
    };
  }
}
