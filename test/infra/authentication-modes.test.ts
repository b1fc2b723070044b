import type { Template } from 'aws-cdk-lib/assertions';
import {
  LOG_RETENTION_DAYS,
  healthLogAuthorizerFunction,
  routes,
  serviceFunctions,
  type ServiceFunctionName,
} from '../../definitions/service-functions';
import type { HealthIngestStack } from '../../lib/health-ingest-stack';
import {
  logicalId,
  synthesize as synthesizeStack,
  type Resource,
  ownLogGroupPolicyOnly,
  tuningDefaults,
} from '../support/synthesized-stack';

/**
 * docs/authentication.md, "Who is calling": exactly one way of knowing the user per deployment, chosen by the
 * context, with every route behind it — and a context that names two ways, or a setting that
 * belongs to a mode not chosen, fails the synth instead of deploying something unintended.
 */
const synthesize = (context: Record<string, unknown> = {}) => synthesizeStack(context, 'AuthModesTest');

const ofType = (resources: Record<string, Resource>, type: string) =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);

const HEALTHLOG = 'https://healthlog.example.com';

describe('healthlog mode (context healthlogUrl): every route is behind the HealthLog Lambda authorizer', () => {
  let stack: HealthIngestStack;
  let template: Template;
  let resources: Record<string, Resource>;
  let authorizerId: string;
  let authorizer: Resource;

  beforeAll(() => {
    ({ stack, template, resources } = synthesize({
      healthlogUrl: `${HEALTHLOG}/`,
      authorizerCacheSeconds: 45,
    }));
    const authorizers = ofType(resources, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    [[authorizerId, authorizer]] = authorizers as [[string, Resource]];
  });

  test('the authorizer is a REQUEST authorizer with payload 2.0, simple responses, the Authorization header as identity source and the configured cache TTL', () => {
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 45,
    });
    expect(JSON.stringify(authorizer.Properties.AuthorizerUri)).toContain(
      JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.healthLogAuthorizer!), 'Arn'] }),
    );
  });

  test('the cache TTL defaults to 60 seconds', () => {
    synthesize({ healthlogUrl: HEALTHLOG }).template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerResultTtlInSeconds: 60,
    });
  });

  test.each(routes.map((route) => `${route.method} ${route.path}`))('%s uses that authorizer', (routeKey) => {
    const found = Object.values(
      template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }),
    );
    expect(found).toHaveLength(1);
    expect(found[0]!.Properties).toMatchObject({
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: authorizerId },
    });
  });

  test('no route exists without it, and there is no JWT authorizer and no user pool', () => {
    const routeResources = ofType(resources, 'AWS::ApiGatewayV2::Route');
    expect(routeResources).toHaveLength(routes.length);
    for (const [, route] of routeResources)
      expect(route.Properties.AuthorizerId).toEqual({ Ref: authorizerId });
    template.resourcePropertiesCountIs('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT' }, 0);
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
      'AlarmTopicArn',
      'ApiUrl',
      'AuditKeysTableName',
      'DailyAggregatesTableName',
      'RequestGuardsTableName',
      'TableName',
    ]);
  });

  test('the authorizer function is built like every function: its definition, its own log group with the retention, the HealthLog URL', () => {
    const fn = resources[logicalId(stack.healthLogAuthorizer!)]!;
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: healthLogAuthorizerFunction.memorySize,
      Timeout: healthLogAuthorizerFunction.timeoutSeconds,
      Description: healthLogAuthorizerFunction.description,
      LoggingConfig: { LogGroup: { Ref: logicalId(stack.healthLogAuthorizer!.logGroup) } },
    });
    expect(fn.Properties.Environment.Variables).toEqual({
      HEALTHLOG_URL: HEALTHLOG,
      POWERTOOLS_SERVICE_NAME: healthLogAuthorizerFunction.serviceName,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      ...tuningDefaults(healthLogAuthorizerFunction),
    });
    expect(resources[logicalId(stack.healthLogAuthorizer!.logGroup)]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: LOG_RETENTION_DAYS },
    });
  });

  test('its role writes its own logs and has no data permission at all (no table, stream, queue or key)', () => {
    const roleId = logicalId(stack.healthLogAuthorizer!.role!);
    const role = resources[roleId]!;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toEqual(ownLogGroupPolicyOnly(stack.healthLogAuthorizer!.logGroup));
    const attached = ofType(resources, 'AWS::IAM::Policy').filter(([, policy]) =>
      JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`),
    );
    expect(attached).toEqual([]);
  });

  test('only API Gateway may invoke it, and only as this API’s authorizer', () => {
    const fnId = logicalId(stack.healthLogAuthorizer!);
    const permissions = ofType(resources, 'AWS::Lambda::Permission').filter(([, permission]) =>
      JSON.stringify(permission.Properties.FunctionName).includes(`"${fnId}"`),
    );
    expect(permissions).toHaveLength(1);
    const [[, permission]] = permissions as [[string, Resource]];
    expect(permission.Properties.Principal).toBe('apigateway.amazonaws.com');
    const sourceArn = JSON.stringify(permission.Properties.SourceArn);
    expect(sourceArn).toContain(`{"Ref":"${logicalId(stack.api)}"}`);
    expect(sourceArn).toContain(`"/authorizers/",{"Ref":"${authorizerId}"}`);
  });

  test('the access log names the user the authorizer established', () => {
    const [[, stage]] = ofType(resources, 'AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    expect(JSON.parse(stage.Properties.AccessLogSettings.Format).userId).toBe('$context.authorizer.userId');
  });
});

describe('jwt and cognito modes keep the JWT authorizer and deploy no HealthLog authorizer', () => {
  test.each([
    ['cognito', {}],
    ['jwt', { jwtIssuer: 'https://auth.example.com', jwtAudience: 'healthlog-ios' }],
  ])('%s', (mode, context) => {
    const { stack, template, resources } = synthesize(context);
    expect(stack.authentication.mode).toBe(mode);
    expect(stack.healthLogAuthorizer).toBeUndefined();
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
    });
    for (const [, route] of ofType(resources, 'AWS::ApiGatewayV2::Route'))
      expect(route.Properties.AuthorizationType).toBe('JWT');
    const descriptions = ofType(resources, 'AWS::Lambda::Function').map(
      ([, fn]) => fn.Properties.Description,
    );
    expect(descriptions).not.toContain(healthLogAuthorizerFunction.description);
    expect(JSON.stringify(resources)).not.toContain('HEALTHLOG_URL');
  });
});

describe('the default time zone (context defaultTimeZone) reaches every route function', () => {
  const routeFunctions = [...new Set(routes.map((route) => route.function))] as ServiceFunctionName[];

  test.each([
    ['unset: Europe/Berlin, HealthLog’s own default', {}, 'Europe/Berlin'],
    ['set', { defaultTimeZone: 'America/New_York' }, 'America/New_York'],
    ['set in another case: canonicalized', { defaultTimeZone: 'asia/tokyo' }, 'Asia/Tokyo'],
    ['in healthlog mode too', { healthlogUrl: HEALTHLOG, defaultTimeZone: 'Europe/Vienna' }, 'Europe/Vienna'],
  ])('%s', (_case, context, zone) => {
    const { stack, resources } = synthesize(context);
    for (const name of routeFunctions) {
      const fn = resources[logicalId(stack.functions[name])]!;
      expect(fn.Properties.Environment.Variables.DEFAULT_TIME_ZONE).toBe(zone);
    }
    expect(Object.keys(serviceFunctions)).toEqual(expect.arrayContaining(routeFunctions));
  });
});

describe('a contradictory or invalid context fails the synth with a sentence saying what is wrong', () => {
  test.each([
    [
      'healthlogUrl together with an issuer',
      { healthlogUrl: HEALTHLOG, jwtIssuer: 'https://auth.example.com', jwtAudience: 'a' },
      /exactly one/,
    ],
    [
      'healthlogUrl together with an audience alone',
      { healthlogUrl: HEALTHLOG, jwtAudience: 'a' },
      /exactly one/,
    ],
    [
      'authorizerCacheSeconds without healthlogUrl',
      { authorizerCacheSeconds: 60 },
      /authorizerCacheSeconds applies only to the healthlog mode/,
    ],
    [
      'authorizerCacheSeconds with an issuer',
      { authorizerCacheSeconds: 60, jwtIssuer: 'https://a.example.com', jwtAudience: 'a' },
      /healthlog mode/,
    ],
    ['a plain-http healthlogUrl to a public host', { healthlogUrl: 'http://healthlog.example.com' }, /https/],
    ['a healthlogUrl that is no URL', { healthlogUrl: 'healthlog.example.com' }, /https/],
    ['an empty healthlogUrl', { healthlogUrl: '' }, /https/],
    [
      'a healthlogUrl with credentials',
      { healthlogUrl: 'https://user:secret@healthlog.example.com' },
      /credentials/,
    ],
    ['a healthlogUrl with a query', { healthlogUrl: 'https://healthlog.example.com/?a=1' }, /query/],
    ['a negative cache TTL', { healthlogUrl: HEALTHLOG, authorizerCacheSeconds: -1 }, /0 to 3600/],
    [
      'a cache TTL over API Gateway’s hour',
      { healthlogUrl: HEALTHLOG, authorizerCacheSeconds: '3601' },
      /0 to 3600/,
    ],
    ['a fractional cache TTL', { healthlogUrl: HEALTHLOG, authorizerCacheSeconds: 1.5 }, /whole number/],
    [
      'a cache TTL that is no number',
      { healthlogUrl: HEALTHLOG, authorizerCacheSeconds: 'a minute' },
      /whole number/,
    ],
    ['a default time zone that is no IANA zone', { defaultTimeZone: 'Mars/Olympus' }, /defaultTimeZone/],
    ['a UTC offset as default time zone', { defaultTimeZone: '+02:00' }, /defaultTimeZone/],
  ])('%s', (_case, context, message) => {
    expect(() => synthesize(context)).toThrow(message);
  });

  test.each([
    ['http to 127.0.0.1 (local use and tests)', 'http://127.0.0.1:4000'],
    ['http to localhost', 'http://localhost:4000/healthlog'],
    ['http to [::1]', 'http://[::1]:4000'],
    ['https with a path', 'https://example.com/healthlog/'],
  ])('a healthlogUrl with %s is accepted', (_case, url) => {
    expect(synthesize({ healthlogUrl: url, authorizerCacheSeconds: '0' }).stack.authentication).toMatchObject(
      {
        mode: 'healthlog',
        healthLogUrl: url.replace(/\/$/, ''),
        authorizerCacheSeconds: 0,
      },
    );
  });
});
