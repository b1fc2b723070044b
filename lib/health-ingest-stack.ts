import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import {
  HttpJwtAuthorizer,
  HttpLambdaAuthorizer,
  HttpLambdaResponseType,
} from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { UserPool, UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import {
  AttributeType,
  Billing,
  ProjectionType,
  StreamViewType,
  TableEncryptionV2,
  TableV2,
  type Attribute,
} from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { AggregatePipeline } from './constructs/aggregate-pipeline';
import {
  authenticationFromContext,
  defaultTimeZoneFromContext,
  type AuthenticationSettings,
  type JwtSettings,
} from './authentication-settings';
import { ApiMonitoring } from './constructs/api-monitoring';
import { AuditPipeline } from './constructs/audit-pipeline';
import { keepDeployedLogicalIds, policyOf, type DeployedLogicalId } from './deployed-logical-ids';
import { Operations } from './constructs/operations';
import { auditLogRetentionFromContext } from './log-retention';
import { PhoneUserPool } from './constructs/phone-user-pool';
import { ServiceFunction, retentionDays } from './constructs/service-function';
import {
  measurementsTable,
  measurementsTableStringAttributes,
  rowApiIndexes,
} from '../definitions/measurements-table';
import { requestGuardsTable } from '../definitions/request-guards-table';
import { dailyAggregatesTable } from '../definitions/daily-aggregates-table';
import type { DeploymentValues } from '../definitions/function-settings';
import {
  LOG_RETENTION_DAYS,
  healthLogAuthorizerFunction,
  routes,
  serviceFunctions,
  type ServiceFunctionName,
} from '../definitions/service-functions';

/** The identity source of every authorizer: the bearer token, and in `healthlog` mode the cache key. */
const IDENTITY_SOURCE = '$request.header.Authorization';

/**
 * The whole service in one stack: the measurements table, one function per definition in
 * `definitions/service-functions.ts`, and an HTTP API that serves exactly the defined routes,
 * every one behind the deployment's authorizer. Environment-agnostic, so `cdk synth` needs no
 * credentials.
 *
 * The authorizer follows the context (lib/authentication-settings.ts): `healthlogUrl` → a Lambda
 * authorizer introspecting HealthLog's own tokens (`authorizerCacheSeconds`, default 60);
 * `jwtIssuer` + `jwtAudience` (comma-separated) → a JWT authorizer for that issuer; neither → a
 * JWT authorizer for a Cognito user pool the stack creates. `defaultTimeZone` (default
 * Europe/Berlin) is the zone of a caller whose credential names none.
 */
export class HealthIngestStack extends Stack {
  readonly table: TableV2;
  /** Idempotency-Key records and rate-limit counters: short-lived, used by the ingest and row-API functions. */
  readonly requestGuardsTable: TableV2;
  readonly functions: Readonly<Record<ServiceFunctionName, ServiceFunction>>;
  readonly operations: Operations;
  readonly auditPipeline: AuditPipeline;
  readonly apiMonitoring: ApiMonitoring;
  readonly aggregatePipeline: AggregatePipeline;
  /** Resources kept at the logical ids deployed stacks hold them under. */
  readonly deployedLogicalIds: readonly DeployedLogicalId[];
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly authentication: AuthenticationSettings;
  /** `healthlog` mode only: the Lambda authorizer in front of every route. */
  readonly healthLogAuthorizer?: ServiceFunction;
  /** `cognito` mode only. */
  readonly userPool?: UserPool;
  readonly userPoolClient?: UserPoolClient;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    // First, so a contradictory context fails the synth before anything is built.
    this.authentication = authenticationFromContext(this);
    const defaultTimeZone = defaultTimeZoneFromContext(this);

    this.table = new TableV2(this, 'MeasurementsTable', {
      partitionKey: stringAttribute(measurementsTable.partitionKey),
      billing: Billing.onDemand(),
      dynamoStream: StreamViewType[measurementsTable.streamViewType],
      globalSecondaryIndexes: Object.values(measurementsTable.indexes).map((index) => ({
        indexName: index.indexName,
        partitionKey: stringAttribute(index.partitionKey),
        ...(index.sortKey ? { sortKey: stringAttribute(index.sortKey) } : {}),
        projectionType: ProjectionType[index.projection],
      })),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Health data: neither a stack deletion nor a replacement may drop the table.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // Encrypted at rest with the DynamoDB-owned key: no KMS cost and no key grants for the
      // functions. Switching to the AWS managed key later (CloudTrail records of key use) is an
      // in-place table update.
      encryption: TableEncryptionV2.dynamoOwnedKey(),
    });

    this.requestGuardsTable = new TableV2(this, 'RequestGuardsTable', {
      partitionKey: { name: requestGuardsTable.partitionKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      timeToLiveAttribute: requestGuardsTable.timeToLiveAttribute,
      // Nothing here outlives a day (replays 24 h, counters a minute) and nothing is worth restoring,
      // so no point-in-time recovery, and the table goes with the stack: a retained copy would only
      // keep the last day's answers (with their health values) around without an owner.
      removalPolicy: RemovalPolicy.DESTROY,
      encryption: TableEncryptionV2.dynamoOwnedKey(),
    });

    // The audit trail is kept for years (context auditLogRetentionDays); every other log 90 days.
    const auditLogRetentionDays = auditLogRetentionFromContext(this);
    const functions = {} as Record<ServiceFunctionName, ServiceFunction>;
    for (const name of Object.keys(serviceFunctions) as ServiceFunctionName[]) {
      functions[name] = new ServiceFunction(this, {
        definition: serviceFunctions[name],
        logRetentionDays: name === 'auditStream' ? auditLogRetentionDays : LOG_RETENTION_DAYS,
      });
    }
    this.functions = functions;
    let authorizer: IHttpRouteAuthorizer;
    if (this.authentication.mode === 'healthlog') {
      // A function of the service like the others: same construct, its own log group, and a role
      // that writes its own logs and nothing else (no data grant: it only calls HealthLog).
      this.healthLogAuthorizer = new ServiceFunction(this, {
        definition: healthLogAuthorizerFunction,
        logRetentionDays: LOG_RETENTION_DAYS,
      });
      // Payload 2.0 with simple responses; it always answers isAuthorized: true and tells the
      // function who is calling (create-healthlog-authorizer-handler.ts says why). A request
      // without the Authorization header gets API Gateway's 401 without an invocation.
      authorizer = new HttpLambdaAuthorizer('HealthLogAuthorizer', this.healthLogAuthorizer, {
        responseTypes: [HttpLambdaResponseType.SIMPLE],
        identitySource: [IDENTITY_SOURCE],
        resultsCacheTtl: Duration.seconds(this.authentication.authorizerCacheSeconds),
      });
    } else {
      let jwt: JwtSettings;
      if (this.authentication.mode === 'jwt') {
        jwt = this.authentication;
      } else {
        const phoneUsers = new PhoneUserPool(this, 'PhoneUsers');
        this.userPool = phoneUsers.userPool;
        this.userPoolClient = phoneUsers.client;
        jwt = phoneUsers;
        new CfnOutput(this, 'UserPoolId', { value: phoneUsers.userPool.userPoolId });
        new CfnOutput(this, 'UserPoolClientId', { value: phoneUsers.client.userPoolClientId });
        new CfnOutput(this, 'JwtIssuer', { value: phoneUsers.issuer });
      }
      authorizer = new HttpJwtAuthorizer('JwtAuthorizer', jwt.issuer, {
        jwtAudience: [...jwt.audience],
        identitySource: [IDENTITY_SOURCE],
      });
    }

    this.api = new HttpApi(this, 'HttpApi', {
      apiName: this.stackName,
      description: 'Health ingest API for the HealthLog iOS app',
      // Also the default of any route added without one: no route is ever public by omission.
      defaultAuthorizer: authorizer,
      createDefaultStage: false,
    });

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: retentionDays(LOG_RETENTION_DAYS),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      // A ceiling for the whole API, not per user (the function enforces 60 batches per user per
      // minute). The default 50 requests/s is thousands of phones syncing every few minutes, and
      // the burst of 100 absorbs many apps coming to the foreground at once. What it stops is a
      // runaway client multiplying Lambda concurrency and DynamoDB writes (one batch is up to 500
      // writes); above it API Gateway answers 429 before the function runs. It must grow with the
      // user base (docs/capacity.md): context apiRateLimit / apiBurstLimit.
      throttle: stageThrottleFromContext(this),
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: accessLogFormat(this.authentication),
      },
    });

    const integrations = new Map<ServiceFunctionName, HttpLambdaIntegration>();
    for (const route of routes) {
      let integration = integrations.get(route.function);
      if (!integration) {
        integration = new HttpLambdaIntegration(
          `${serviceFunctions[route.function].id}Integration`,
          functions[route.function],
        );
        integrations.set(route.function, integration);
      }
      this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration, authorizer });
    }

    // What operators watch: the alarm topic, the dashboard, and every alarm through it.
    this.operations = new Operations(this, 'Operations', { functions });

    // Stream → audit function, its alarms (first on the alarm panel), the audit keys, saved queries.
    this.auditPipeline = new AuditPipeline(this, 'AuditPipeline', {
      table: this.table,
      functions,
      operations: this.operations,
    });

    // The API and its functions as the phones see them.
    this.apiMonitoring = new ApiMonitoring(this, 'ApiMonitoring', {
      functions,
      api: this.api,
      ...(this.healthLogAuthorizer ? { healthLogAuthorizer: this.healthLogAuthorizer } : {}),
      operations: this.operations,
    });

    // Stream → daily aggregates of the dense types, which long chart windows read.
    this.aggregatePipeline = new AggregatePipeline(this, 'AggregatePipeline', {
      table: this.table,
      aggregator: functions.dailyAggregates,
      operations: this.operations,
    });

    // Each function's data access, stated in full, one entry per function. Typed over every
    // defined function, so a new definition does not compile until someone decides what it may
    // touch. Reading the stream, sending to an on-failure queue and consuming the settle queue
    // come with the event sources (StreamConsumer, AggregatePipeline); the authorizer has none.
    const tableArn = this.table.tableArn;
    const indexArn = (indexName: string) => `${tableArn}/index/${indexName}`;
    // Powertools idempotency reads, writes, completes and releases its records (Get/Put/Update/
    // DeleteItem); a rate-limit counter is one UpdateItem. No Query or Scan.
    const requestGuards = new PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      resources: [this.requestGuardsTable.tableArn],
    });
    const dataGrants: Record<ServiceFunctionName, PolicyStatement[]> = {
      // Both write paths are a single PutItem (conditional for samples); nothing reads, and the
      // table-level grant helpers would add the index ARNs as well.
      ingestBatch: [
        new PolicyStatement({ actions: ['dynamodb:PutItem'], resources: [tableArn] }),
        requestGuards,
      ],
      // Reads by key and through the three list indexes; edits and soft deletes are one conditional
      // UpdateItem each. A hand entry is one TransactWriteItems of conditional PutItems (row and
      // uniqueness marker); moving a hand-entered reading's instant is one of UpdateItem, DeleteItem
      // (its old marker) and PutItem (the new one) — a transaction is authorised per action it
      // contains. No Scan, no BatchWriteItem, nothing on the stream. Long chart windows query the
      // daily aggregates.
      measurementsApi: [
        new PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
          resources: [tableArn],
        }),
        new PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: rowApiIndexes.map((index) => indexArn(index.indexName)),
        }),
        requestGuards,
        new PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: [this.aggregatePipeline.table.tableArn],
        }),
      ],
      // Never the measurements table's items. A user's audit key is read, and created with a
      // conditional put on first use; never updated or deleted here.
      auditStream: [
        new PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
          resources: [this.auditPipeline.keysTable.tableArn],
        }),
      ],
      // The day's rows through byUserType; a recompute replaces the day's aggregate (a conditional
      // PutItem) and never reads it; its settle messages are sent in batches (SendMessageBatch is
      // authorised as sqs:SendMessage, and no queue attributes are needed).
      dailyAggregates: [
        new PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: [indexArn(measurementsTable.indexes.byUserType.indexName)],
        }),
        new PolicyStatement({
          actions: ['dynamodb:PutItem'],
          resources: [this.aggregatePipeline.table.tableArn],
        }),
        new PolicyStatement({
          actions: ['sqs:SendMessage'],
          resources: [this.aggregatePipeline.settleQueue.queueArn],
        }),
      ],
    };
    for (const name of Object.keys(functions) as ServiceFunctionName[])
      for (const statement of dataGrants[name]) functions[name].addToRolePolicy(statement);

    // Every function's settings (definitions/function-settings.ts), now that every resource
    // they name exists: typed over every value, so a new one does not compile until it is given.
    const values: StackValues = {
      measurementsTable: this.table.tableName,
      requestGuardsTable: this.requestGuardsTable.tableName,
      dailyAggregatesTable: this.aggregatePipeline.table.tableName,
      auditKeysTable: this.auditPipeline.keysTable.tableName,
      settleQueueUrl: this.aggregatePipeline.settleQueue.queueUrl,
      defaultTimeZone,
      ...(this.authentication.mode === 'healthlog' ? { healthLogUrl: this.authentication.healthLogUrl } : {}),
    };
    for (const fn of [
      ...Object.values(functions),
      ...(this.healthLogAuthorizer ? [this.healthLogAuthorizer] : []),
    ])
      fn.useDeployment(values);

    // The dashboard, top to bottom: the alarms, how the phones' syncs fare, the functions, the
    // audit trail's lag, then the daily aggregates.
    const api = this.apiMonitoring.widgets;
    const audit = this.auditPipeline.widgets;
    const aggregates = this.aggregatePipeline.widgets;
    const { dashboard } = this.operations;
    dashboard.addWidgets(this.operations.alarmPanel.widget);
    dashboard.addWidgets(api.entryOutcomes, audit.overwrites);
    dashboard.addWidgets(api.ingestLatency, api.functionErrors);
    dashboard.addWidgets(api.apiAnswers, api.failedEntries);
    dashboard.addWidgets(audit.iteratorAge, audit.deadLetters);
    dashboard.addWidgets(aggregates.alarms, aggregates.lag);

    // What a replacement would lose keeps the id it was first deployed under (lib/deployed-logical-ids.ts).
    this.deployedLogicalIds = [
      { resource: this.operations.alarmTopic, logicalId: 'AuditPipelineAlarmTopicA32DD533' },
      { resource: policyOf(this.operations.alarmTopic), logicalId: 'AuditPipelineAlarmTopicPolicy12585F4E' },
      { resource: this.operations.alarmTopicKey, logicalId: 'AuditPipelineAlarmTopicKey98AE9604' },
      { resource: dashboard, logicalId: 'AuditPipelineOperationsDashboard9A1C4C64' },
      {
        resource: this.auditPipeline.consumer.deadLetterQueue,
        logicalId: 'AuditPipelineAuditDeadLetterQueueB1CAA87A',
      },
      {
        resource: policyOf(this.auditPipeline.consumer.deadLetterQueue),
        logicalId: 'AuditPipelineAuditDeadLetterQueuePolicy9BD399C1',
      },
      {
        resource: this.aggregatePipeline.consumer.deadLetterQueue,
        logicalId: 'AggregatePipelineAggregateDeadLetterQueue289D5047',
      },
      {
        resource: policyOf(this.aggregatePipeline.consumer.deadLetterQueue),
        logicalId: 'AggregatePipelineAggregateDeadLetterQueuePolicy20EFA14B',
      },
    ];
    keepDeployedLogicalIds(this.deployedLogicalIds);

    // The `$default` stage serves at the root of the endpoint: `${ApiUrl}/api/measurements/batch`.
    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint, description: 'Base URL of the API' });
    // The operator tools' `--stack` reads the tables' names from these outputs (names defined once).
    new CfnOutput(this, measurementsTable.outputName, { value: this.table.tableName });
    new CfnOutput(this, dailyAggregatesTable.outputName, {
      value: this.aggregatePipeline.table.tableName,
      description: 'The daily aggregates (npm run rebuild-aggregates writes them)',
    });
    new CfnOutput(this, requestGuardsTable.outputName, {
      value: this.requestGuardsTable.tableName,
      description: 'Idempotency-Key records and rate-limit counters (npm run erase-user deletes a user’s)',
    });
  }
}

/**
 * What the stack gives its functions' settings: every resource's value and the context's; only
 * DynamoDB Local's endpoint is never deployed, and HealthLog's URL only in its mode.
 */
type StackValues = Required<Omit<DeploymentValues, 'dynamoDbEndpoint' | 'healthLogUrl'>> &
  Pick<DeploymentValues, 'healthLogUrl'>;

/** Every key attribute of the table is a string (the definition says so, and lists them). */
function stringAttribute(name: string): Attribute {
  if (!measurementsTableStringAttributes.includes(name)) {
    throw new Error(`Key attribute ${name} is not among the table's string attributes`);
  }
  return { name, type: AttributeType.STRING };
}

/** Stage throttle from context `apiRateLimit` / `apiBurstLimit` (requests per second), else 50 / 100. */
export function stageThrottleFromContext(scope: Construct): { rateLimit: number; burstLimit: number } {
  const read = (key: string, fallback: number): number => {
    const raw: unknown = scope.node.tryGetContext(key);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`Context ${key} must be a positive whole number`);
    return value;
  };
  const rateLimit = read('apiRateLimit', 50);
  const burstLimit = read('apiBurstLimit', Math.max(100, rateLimit * 2));
  if (burstLimit < rateLimit) throw new Error('Context apiBurstLimit must not be below apiRateLimit');
  return { rateLimit, burstLimit };
}

/**
 * One JSON object per request. Deliberately no request or response bodies and no headers (the
 * Authorization header is a bearer token); the user is the one the authorizer established (the
 * token's `sub`, or the HealthLog user id), as in the audit events.
 */
function accessLogFormat(authentication: AuthenticationSettings): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: '$context.requestId',
      requestTime: '$context.requestTime',
      routeKey: '$context.routeKey',
      status: '$context.status',
      protocol: '$context.protocol',
      responseLength: '$context.responseLength',
      responseLatency: '$context.responseLatency',
      integrationStatus: '$context.integrationStatus',
      integrationLatency: '$context.integrationLatency',
      integrationError: '$context.integrationErrorMessage',
      error: '$context.error.message',
      authorizerError: '$context.authorizer.error',
      userId:
        authentication.mode === 'healthlog' ? '$context.authorizer.userId' : '$context.authorizer.claims.sub',
      sourceIp: '$context.identity.sourceIp',
    }),
  );
}
