import type { Template } from 'aws-cdk-lib/assertions';
import { aggregateSettleQueue } from '../../definitions/aggregate-settle';
import { measurementsTable, measurementsTableStringAttributes } from '../../definitions/measurements-table';
import { dailyAggregatesTable } from '../../definitions/daily-aggregates-table';
import { requestGuardsTable } from '../../definitions/request-guards-table';
import {
  LOG_RETENTION_DAYS,
  routes,
  serviceFunctions,
  type ServiceFunctionName,
} from '../../definitions/service-functions';
import type { HealthIngestStack } from '../../lib/health-ingest-stack';
import { DEFAULT_AUDIT_LOG_RETENTION_DAYS } from '../../lib/log-retention';
import {
  asList,
  logicalId,
  synthesize,
  type Resource,
  ownLogGroupPolicyOnly,
  tuningDefaults,
} from '../support/synthesized-stack';

function onlyResource(template: Template, type: string, props?: Record<string, unknown>): [string, Resource] {
  const found = Object.entries(template.findResources(type, props ? { Properties: props } : undefined));
  expect(found).toHaveLength(1);
  return found[0] as [string, Resource];
}

const functionNames = Object.keys(serviceFunctions) as ServiceFunctionName[];

describe('with the default configuration (no issuer in the context)', () => {
  let stack: HealthIngestStack;
  let template: Template;
  let tableId: string;
  let table: Resource;

  beforeAll(() => {
    ({ stack, template } = synthesize());
    // The other table of the stack, the request guards', is tested in request-guards.test.ts.
    tableId = logicalId(stack.table);
    table = template.toJSON().Resources[tableId] as Resource;
  });

  describe('the measurements table is built from its definition', () => {
    test('is keyed by the composite partition key alone', () => {
      expect(table.Properties.KeySchema).toEqual([
        { AttributeName: measurementsTable.partitionKey, KeyType: 'HASH' },
      ]);
      expect(measurementsTable.partitionKey).toBe('pk');
    });

    test('declares exactly the key attributes of the table and its indexes, all strings', () => {
      expect(table.Properties.AttributeDefinitions).toEqual(
        measurementsTableStringAttributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      );
    });

    test('has the three list indexes and the owner index of the definition with their keys and projections', () => {
      expect(table.Properties.GlobalSecondaryIndexes).toEqual(
        Object.values(measurementsTable.indexes).map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            ...(index.sortKey ? [{ AttributeName: index.sortKey, KeyType: 'RANGE' }] : []),
          ],
          Projection: { ProjectionType: index.projection },
        })),
      );
      expect(
        table.Properties.GlobalSecondaryIndexes.map((index: { IndexName: string }) => index.IndexName),
      ).toEqual(['byUser', 'byUserType', 'byUserExternalId', 'byOwner']);
    });

    test('streams new and old images (the audit function compares them)', () => {
      expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    });

    test('bills on demand', () => {
      expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    });

    test('has point-in-time recovery and deletion protection', () => {
      expect(table.Properties.Replicas).toHaveLength(1);
      expect(table.Properties.Replicas[0]).toMatchObject({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      });
    });

    test('is retained when the stack is deleted or the resource replaced', () => {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
    });

    test('is encrypted with the DynamoDB-owned key (SSEEnabled false means owned, not unencrypted)', () => {
      expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: false });
    });
  });

  describe('every function of the template runs Node.js 24', () => {
    test('each AWS::Lambda::Function, defined or not, is on nodejs24.x', () => {
      const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Resource[];
      expect(functions.length).toBeGreaterThanOrEqual(functionNames.length);
      expect(functions.map((fn) => fn.Properties.Runtime)).toEqual(functions.map(() => 'nodejs24.x'));
    });
  });

  describe('every defined function gets the shared defaults', () => {
    test.each(functionNames)('%s runs Node.js 24 on arm64 with the settings of its definition', (name) => {
      const definition = serviceFunctions[name];
      const fn = template.toJSON().Resources[logicalId(stack.functions[name])] as Resource;
      expect(fn.Type).toBe('AWS::Lambda::Function');
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: definition.memorySize,
        Timeout: definition.timeoutSeconds,
        Description: definition.description,
      });
      const aggregatesTable = { Ref: logicalId(stack.aggregatePipeline.table) };
      // The tables (and the queue) a function uses beyond the measurements table, and nothing else.
      const tablesOf: Record<typeof name, Record<string, unknown>> = {
        ingestBatch: { REQUEST_GUARDS_TABLE_NAME: { Ref: logicalId(stack.requestGuardsTable) } },
        measurementsApi: {
          REQUEST_GUARDS_TABLE_NAME: { Ref: logicalId(stack.requestGuardsTable) },
          DAILY_AGGREGATES_TABLE_NAME: aggregatesTable,
        },
        auditStream: { AUDIT_KEYS_TABLE_NAME: { Ref: logicalId(stack.auditPipeline.keysTable) } },
        dailyAggregates: {
          DAILY_AGGREGATES_TABLE_NAME: aggregatesTable,
          [aggregateSettleQueue.queueUrlVariable]: { Ref: logicalId(stack.aggregatePipeline.settleQueue) },
        },
      };
      expect(fn.Properties.Environment.Variables).toEqual({
        TABLE_NAME: { Ref: tableId },
        DEFAULT_TIME_ZONE: 'Europe/Berlin',
        POWERTOOLS_SERVICE_NAME: definition.serviceName,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...tuningDefaults(definition),
        ...tablesOf[name],
      });
    });

    test.each(functionNames)('%s logs to its own log group with its retention', (name) => {
      const fn = template.toJSON().Resources[logicalId(stack.functions[name])] as Resource;
      const logGroupId = logicalId(stack.functions[name].logGroup);
      expect(fn.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: logGroupId } });
      expect(template.toJSON().Resources[logGroupId]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: {
          RetentionInDays: name === 'auditStream' ? DEFAULT_AUDIT_LOG_RETENTION_DAYS : LOG_RETENTION_DAYS,
        },
        DeletionPolicy: 'Retain',
      });
    });

    test('no log group of the stack keeps logs forever: the audit trail 7 years, every other 90 days', () => {
      const logGroups = Object.entries(template.findResources('AWS::Logs::LogGroup'));
      expect(logGroups.length).toBeGreaterThanOrEqual(functionNames.length + 1);
      const auditLogGroup = logicalId(stack.functions.auditStream.logGroup);
      for (const [id, logGroup] of logGroups) {
        expect(logGroup.Properties.RetentionInDays).toBe(id === auditLogGroup ? 2557 : LOG_RETENTION_DAYS);
      }
      expect(LOG_RETENTION_DAYS).toBe(90);
    });
  });

  describe('the ingest function may only put items into the table', () => {
    let roleId: string;
    let statements: Array<{ Effect: string; Action: string | string[]; Resource: unknown }>;

    beforeAll(() => {
      roleId = logicalId(stack.functions.ingestBatch.role!);
      const attached = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
        (policy.Properties.Roles as unknown[]).some(
          (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId }),
        ),
      );
      statements = attached.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    });

    test('on the measurements table its policies allow exactly dynamodb:PutItem, and nothing else', () => {
      const tableArn = JSON.stringify({ 'Fn::GetAtt': [tableId, 'Arn'] });
      const onTable = statements.filter((statement) =>
        asList(statement.Resource).some((resource) => JSON.stringify(resource) === tableArn),
      );
      const actions = new Set(onTable.flatMap((statement) => asList(statement.Action)));
      expect([...actions]).toEqual(['dynamodb:PutItem']);
      for (const statement of statements) expect(statement.Effect).toBe('Allow');
    });

    test('on table ARNs only (its request-guards table: request-guards.test.ts): no index ARNs, no stream, no wildcard', () => {
      const allowed = [
        { 'Fn::GetAtt': [tableId, 'Arn'] },
        { 'Fn::GetAtt': [logicalId(stack.requestGuardsTable), 'Arn'] },
      ];
      for (const statement of statements) {
        for (const resource of asList(statement.Resource)) expect(allowed).toContainEqual(resource);
      }
    });

    test('its role has no managed policy; its one inline policy writes to its own log group only', () => {
      const role = template.toJSON().Resources[roleId] as Resource;
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.Policies).toEqual(ownLogGroupPolicyOnly(stack.functions.ingestBatch.logGroup));
    });
  });

  describe('the HTTP API serves exactly the defined routes, each behind the JWT authorizer', () => {
    let authorizerId: string;

    beforeAll(() => {
      [authorizerId] = onlyResource(template, 'AWS::ApiGatewayV2::Authorizer');
    });

    test('the authorizer reads the bearer token from the Authorization header', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
      });
    });

    test('POST /api/measurements/batch exists', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: 'POST /api/measurements/batch',
      });
    });

    test.each(routes.map((route) => [`${route.method} ${route.path}`, route.function] as const))(
      '%s requires a valid token and invokes %s',
      (routeKey, functionName) => {
        const [, route] = onlyResource(template, 'AWS::ApiGatewayV2::Route', { RouteKey: routeKey });
        expect(route.Properties.AuthorizationType).toBe('JWT');
        expect(route.Properties.AuthorizerId).toEqual({ Ref: authorizerId });

        const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref as string;
        const integration = template.toJSON().Resources[integrationId] as Resource;
        expect(integration.Properties).toMatchObject({
          IntegrationType: 'AWS_PROXY',
          PayloadFormatVersion: '2.0',
          IntegrationUri: { 'Fn::GetAtt': [logicalId(stack.functions[functionName]), 'Arn'] },
        });
      },
    );

    test('there is no route other than the defined ones', () => {
      const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
        (route) => route.Properties.RouteKey,
      );
      expect(routeKeys.sort()).toEqual(routes.map((route) => `${route.method} ${route.path}`).sort());
    });

    test('the $default stage deploys automatically and throttles the whole API', () => {
      onlyResource(template, 'AWS::ApiGatewayV2::Stage');
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      });
    });

    test('the audit trail’s retention comes from context auditLogRetentionDays; every other log group keeps 90 days', () => {
      for (const [days, expected] of [
        [3653, 3653],
        ['1827', 1827],
        [365, 365],
      ] as const) {
        const configured = synthesize({ auditLogRetentionDays: days });
        const auditLogGroup = logicalId(configured.stack.functions.auditStream.logGroup);
        for (const [id, logGroup] of Object.entries(
          configured.template.findResources('AWS::Logs::LogGroup'),
        )) {
          expect(logGroup.Properties.RetentionInDays).toBe(
            id === auditLogGroup ? expected : LOG_RETENTION_DAYS,
          );
        }
      }
    });

    test.each([100, 0, -1, 9999, 2557.5, 'seven years', ''])(
      'auditLogRetentionDays %p is no retention CloudWatch Logs supports: the synth fails saying which are',
      (days) => {
        expect(() => synthesize({ auditLogRetentionDays: days })).toThrow(
          /Context auditLogRetentionDays must be a retention period CloudWatch Logs supports, in days: one of 1, 3, 5, 7, 14, 30, 60, 90, .*2557, .*3653 \(got /,
        );
      },
    );

    test('the stage throttle grows with the user base through context apiRateLimit / apiBurstLimit', () => {
      const scaled = synthesize({ apiRateLimit: '2500', apiBurstLimit: 5000 }).template;
      scaled.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        DefaultRouteSettings: { ThrottlingRateLimit: 2500, ThrottlingBurstLimit: 5000 },
      });
      expect(() => synthesize({ apiRateLimit: 0 })).toThrow(/apiRateLimit/);
      expect(() => synthesize({ apiRateLimit: 100, apiBurstLimit: 10 })).toThrow(/apiBurstLimit/);
    });

    test('access logs are JSON lines of context variables: no bodies, no headers, no token', () => {
      const [, stage] = onlyResource(template, 'AWS::ApiGatewayV2::Stage');
      const { DestinationArn, Format } = stage.Properties.AccessLogSettings;
      const [logGroupId] = DestinationArn['Fn::GetAtt'];
      expect(template.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(LOG_RETENTION_DAYS);

      const fields = JSON.parse(Format) as Record<string, string>;
      expect(fields.requestId).toBe('$context.requestId');
      for (const value of Object.values(fields)) {
        expect(value).toMatch(/^\$context\.[A-Za-z.]+$/);
        expect(value).not.toMatch(/body|header|authorization/i);
      }
    });
  });

  describe('without an issuer in the context the stack creates the phone users pool', () => {
    let userPoolId: string;
    let clientId: string;

    beforeAll(() => {
      [userPoolId] = onlyResource(template, 'AWS::Cognito::UserPool');
      [clientId] = onlyResource(template, 'AWS::Cognito::UserPoolClient');
    });

    test('the pool takes no self sign-ups, signs in by email, demands strong passwords and is retained', () => {
      const pool = template.toJSON().Resources[userPoolId] as Resource;
      expect(pool.Properties).toMatchObject({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        UsernameAttributes: ['email'],
        Policies: {
          PasswordPolicy: {
            MinimumLength: 12,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          },
        },
        DeletionProtection: 'ACTIVE',
      });
      expect(pool.Properties.UserPoolAddOns).toBeUndefined();
      expect(pool.DeletionPolicy).toBe('Retain');
    });

    test('the phone client is public (no secret), signs in with SRP and refreshes tokens, no OAuth flows', () => {
      const client = template.toJSON().Resources[clientId] as Resource;
      expect(client.Properties).toMatchObject({
        UserPoolId: { Ref: userPoolId },
        GenerateSecret: false,
        PreventUserExistenceErrors: 'ENABLED',
      });
      expect([...client.Properties.ExplicitAuthFlows].sort()).toEqual([
        'ALLOW_REFRESH_TOKEN_AUTH',
        'ALLOW_USER_SRP_AUTH',
      ]);
      expect(client.Properties.AllowedOAuthFlows).toBeUndefined();
    });

    test('the authorizer trusts that pool as issuer and its client as audience', () => {
      const [, authorizer] = onlyResource(template, 'AWS::ApiGatewayV2::Authorizer');
      const { Issuer, Audience } = authorizer.Properties.JwtConfiguration;
      expect(Audience).toEqual([{ Ref: clientId }]);
      expect(Issuer).toEqual({
        'Fn::Join': [
          '',
          [
            'https://cognito-idp.',
            { Ref: 'AWS::Region' },
            '.',
            { Ref: 'AWS::URLSuffix' },
            '/',
            { Ref: userPoolId },
          ],
        ],
      });
    });

    test('outputs the API URL, the table names and what the app needs to sign in', () => {
      template.hasOutput('ApiUrl', { Value: { 'Fn::GetAtt': [logicalId(stack.api), 'ApiEndpoint'] } });
      template.hasOutput('TableName', { Value: { Ref: tableId } });
      // What `npm run rebuild-aggregates -- --aggregates-table` takes.
      template.hasOutput('DailyAggregatesTableName', {
        Value: { Ref: logicalId(stack.aggregatePipeline.table) },
      });
      // What the operator tools' `--stack` reads (docs/data-lifecycle.md): each output is named by
      // its table's definition.
      template.hasOutput(measurementsTable.outputName, { Value: { Ref: tableId } });
      template.hasOutput(dailyAggregatesTable.outputName, {
        Value: { Ref: logicalId(stack.aggregatePipeline.table) },
      });
      template.hasOutput(requestGuardsTable.outputName, {
        Value: { Ref: logicalId(stack.requestGuardsTable) },
      });
      template.hasOutput('UserPoolId', { Value: { Ref: userPoolId } });
      template.hasOutput('UserPoolClientId', { Value: { Ref: clientId } });
      const [, authorizer] = onlyResource(template, 'AWS::ApiGatewayV2::Authorizer');
      template.hasOutput('JwtIssuer', { Value: authorizer.Properties.JwtConfiguration.Issuer });
    });
  });
});

describe('with jwtIssuer and jwtAudience in the context', () => {
  const issuer = 'https://auth.example.com/realms/health';
  let template: Template;

  beforeAll(() => {
    ({ template } = synthesize({ jwtIssuer: issuer, jwtAudience: 'healthlog-ios, healthlog-ios-beta' }));
  });

  test('creates no Cognito user pool', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
  });

  test('the authorizer trusts that issuer and every listed audience', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: issuer, Audience: ['healthlog-ios', 'healthlog-ios-beta'] },
    });
  });

  test('every route still requires a token', () => {
    const defined = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(defined).toHaveLength(routes.length);
    for (const route of defined) expect(route.Properties.AuthorizationType).toBe('JWT');
  });

  test('outputs the API URL and table name but no user pool', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs.sort()).toEqual([
      'AlarmTopicArn',
      'ApiUrl',
      'AuditKeysTableName',
      'DailyAggregatesTableName',
      'RequestGuardsTableName',
      'TableName',
    ]);
  });
});

describe('an incomplete issuer configuration fails the synth instead of falling back to Cognito', () => {
  test('an audience without an issuer', () => {
    expect(() => synthesize({ jwtAudience: 'healthlog-ios' })).toThrow(/jwtIssuer/);
  });

  test('an issuer without an audience', () => {
    expect(() => synthesize({ jwtIssuer: 'https://auth.example.com' })).toThrow(/jwtAudience/);
  });

  test('an issuer that is not an https URL', () => {
    expect(() => synthesize({ jwtIssuer: 'auth.example.com', jwtAudience: 'healthlog-ios' })).toThrow(
      /https/,
    );
  });
});
