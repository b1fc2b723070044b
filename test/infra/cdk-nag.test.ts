import { Validations, type Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import {
  LOG_RETENTION_DAYS,
  serviceFunctions,
  type ServiceFunctionName,
} from '../../definitions/service-functions';
import type { HealthIngestStack } from '../../lib/health-ingest-stack';
import { DEFAULT_AUDIT_LOG_RETENTION_DAYS } from '../../lib/log-retention';
import {
  asList,
  logicalId,
  synthesize as synthesizeStack,
  type Resource,
  type Statement,
} from '../support/synthesized-stack';

/**
 * Policy checks on the synthesized stack:
 * - cdk-nag's AwsSolutions rules report no unacknowledged error or warning, and every
 *   acknowledgement (made in the stack code, next to what it justifies) answers a real finding
 *   with a specific reason;
 * - the security controls SECURITY.md claims, asserted over the whole template: API access logs
 *   and throttling, encryption at rest, TLS-only queues and topics, least-privilege roles.
 * For each configuration a deployment can have: the built-in Cognito pool, an external issuer,
 * HealthLog's own tokens (the Lambda authorizer), and IAM policy minimization as cdk.json
 * synthesizes it.
 */
const configurations: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ['with the built-in Cognito user pool', {}],
  ['with an external token issuer', { jwtIssuer: 'https://auth.example.com', jwtAudience: 'healthlog-ios' }],
  ['with HealthLog tokens (Lambda authorizer)', { healthlogUrl: 'https://healthlog.example.com' }],
  [
    'with IAM policy minimization (as cdk.json synthesizes it)',
    { '@aws-cdk/aws-iam:minimizePolicies': true },
  ],
];

const synthesize = (context: Record<string, unknown>) => synthesizeStack(context, 'HealthIngestNag');

/** What cdk-nag reports: rule id (with the finding for granular rules) and construct path. */
function findings(stack: Stack, options: { ignoreAcknowledgements?: boolean } = {}) {
  const pack = new AwsSolutionsChecks();
  if (options.ignoreAcknowledgements) {
    // To prove that no acknowledgement is stale: the findings they answer must still exist.
    (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  }
  return pack.validateScope(stack).violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({
      rule: violation.ruleName,
      severity: violation.severity,
      path: resource.constructPath ?? '',
    })),
  );
}

/** Every acknowledgement in the construct tree: rule id, the construct it sits on, its reason. */
function acknowledgements(scope: IConstruct) {
  const found: Array<{ rule: string; path: string; reason: string }> = [];
  const visit = (construct: IConstruct) => {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ rule: id.replace(/^annotation::/i, ''), path: construct.node.path, reason });
      }
    }
    construct.node.children.forEach(visit);
  };
  visit(scope);
  return found;
}

/** Statements of identity policies (attached to roles), from every place a template can hold them. */
function identityStatements(resources: Record<string, Resource>) {
  const found: Array<{ roles: string[]; statement: Statement }> = [];
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      const roles = asList(resource.Properties.Roles).map((role) => (role as { Ref: string }).Ref);
      for (const statement of resource.Properties.PolicyDocument.Statement as Statement[]) {
        found.push({ roles, statement });
      }
    }
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of resource.Properties.Policies ?? []) {
        for (const statement of policy.PolicyDocument.Statement as Statement[])
          found.push({ roles: [id], statement });
      }
    }
  }
  return found;
}

const ofType = (resources: Record<string, Resource>, type: string) =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);

const isTlsDeny = (statement: Statement, action: string) =>
  statement.Effect === 'Deny' &&
  asList(statement.Action).includes(action) &&
  statement.Condition?.Bool?.['aws:SecureTransport'] === 'false' &&
  JSON.stringify(statement.Principal).includes('*');

/** The acknowledgements the stack makes, where, and why they cannot be fixed instead (SECURITY.md). */
function expectedAcknowledgements(stack: HealthIngestStack): Array<readonly [string, string]> {
  const mode = stack.authentication.mode;
  return [
    ['AwsSolutions-SQS3', 'AuditPipeline/StreamConsumer/DeadLetterQueue'],
    ['AwsSolutions-SQS3', 'AggregatePipeline/StreamConsumer/DeadLetterQueue'],
    ...(mode === 'cognito'
      ? ([
          ['AwsSolutions-COG2', 'PhoneUsers/UserPool'],
          ['AwsSolutions-COG8', 'PhoneUsers/UserPool'],
        ] as const)
      : []),
  ];
}

/** Every function the stack deploys: the defined ones, and the HealthLog authorizer in its mode. */
function deployedFunctions(stack: HealthIngestStack) {
  return [
    ...(Object.keys(serviceFunctions) as ServiceFunctionName[]).map(
      (name) => [name as string, stack.functions[name]] as const,
    ),
    ...(stack.healthLogAuthorizer ? [['healthLogAuthorizer', stack.healthLogAuthorizer] as const] : []),
  ];
}

describe.each(configurations)('cdk-nag AwsSolutions %s', (_name, context) => {
  let stack: HealthIngestStack;

  beforeAll(() => ({ stack } = synthesize(context)));

  it('reports no unacknowledged finding: zero errors and zero warnings', () => {
    expect(findings(stack)).toEqual([]);
  });

  it('every acknowledgement answers a finding that exists without it, on that very construct (none is stale)', () => {
    const made = acknowledgements(stack).map(({ rule, path }) => `${rule} @ ${path}`);
    const raised = findings(stack, { ignoreAcknowledgements: true }).map(
      ({ rule, path }) => `${rule} @ ${path.replace(/\/(Resource|Default)$/, '')}`,
    );
    expect([...new Set(raised)].sort()).toEqual([...made].sort());
  });

  it('acknowledges exactly the expected rules, each with a specific reason of its own', () => {
    const expected = expectedAcknowledgements(stack);
    const made = acknowledgements(stack);
    expect(made.map(({ rule, path }) => [rule, path.replace(`${stack.node.path}/`, '')]).sort()).toEqual(
      expected.map(([rule, path]) => [rule, path]).sort(),
    );
    for (const { reason } of made) {
      expect(reason.length).toBeGreaterThan(150);
      expect(reason).not.toMatch(/^(n\/a|todo|ok|fine|not needed|false positive)\b/i);
    }
    // One reason per rule, and no reason copied from one rule to another.
    const reasonsByRule = new Map<string, Set<string>>();
    for (const { rule, reason } of made)
      reasonsByRule.set(rule, (reasonsByRule.get(rule) ?? new Set()).add(reason));
    for (const reasons of reasonsByRule.values()) expect(reasons.size).toBe(1);
    expect(new Set(made.map(({ reason }) => reason)).size).toBe(reasonsByRule.size);
  });

  it('the checks also run as a synth-time plugin (as bin/health-ingest.ts wires them) and pass', () => {
    const { app } = synthesize(context);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth({ force: true })).not.toThrow();
  });
});

describe.each(configurations)('security controls %s', (_name, context) => {
  let stack: HealthIngestStack;
  let resources: Record<string, Resource>;

  beforeAll(() => ({ stack, resources } = synthesize(context)));

  describe('the API', () => {
    it('writes an access log line per request to a log group with the retention', () => {
      const [[, stage]] = ofType(resources, 'AWS::ApiGatewayV2::Stage') as [[string, Resource]];
      const { DestinationArn, Format } = stage.Properties.AccessLogSettings;
      const logGroup = resources[DestinationArn['Fn::GetAtt'][0]]!;
      expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
      expect(logGroup.Properties.RetentionInDays).toBe(LOG_RETENTION_DAYS);
      expect(Object.keys(JSON.parse(Format))).toEqual(
        expect.arrayContaining(['requestId', 'routeKey', 'status', 'userId', 'sourceIp']),
      );
    });

    it('throttles the whole stage', () => {
      const [[, stage]] = ofType(resources, 'AWS::ApiGatewayV2::Stage') as [[string, Resource]];
      expect(stage.Properties.DefaultRouteSettings).toEqual({
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 100,
      });
    });

    it("every route requires the mode's authorizer; functions may be invoked by this API only, route by route (the authorizer by its authorizer)", () => {
      const healthlog = stack.authentication.mode === 'healthlog';
      const [[authorizerId]] = ofType(resources, 'AWS::ApiGatewayV2::Authorizer') as [[string, Resource]];
      for (const [, route] of ofType(resources, 'AWS::ApiGatewayV2::Route')) {
        expect(route.Properties.AuthorizationType).toBe(healthlog ? 'CUSTOM' : 'JWT');
        expect(route.Properties.AuthorizerId).toEqual({ Ref: authorizerId });
      }
      const apiId = logicalId(stack.api);
      const permissions = ofType(resources, 'AWS::Lambda::Permission');
      expect(permissions.length).toBeGreaterThan(0);
      for (const [, permission] of permissions) {
        expect(permission.Properties.Principal).toBe('apigateway.amazonaws.com');
        const sourceArn = JSON.stringify(permission.Properties.SourceArn);
        expect(sourceArn).toContain(`{"Ref":"${apiId}"}`);
        const invokesAuthorizer =
          healthlog &&
          JSON.stringify(permission.Properties.FunctionName).includes(logicalId(stack.healthLogAuthorizer!));
        if (invokesAuthorizer) {
          expect(sourceArn).toMatch(new RegExp(`/authorizers/",\\{"Ref":"${authorizerId}"\\}\\]\\]\\}$`));
        } else {
          expect(sourceArn).toMatch(/\/\*\/\*\/api\/measurements[^*]*"\]\]\}$/);
        }
      }
    });
  });

  describe('data at rest is encrypted', () => {
    it('every table, with an explicitly chosen key (DynamoDB-owned; DynamoDB has no unencrypted mode)', () => {
      const tables = ofType(resources, 'AWS::DynamoDB::GlobalTable');
      expect(tables.map(([id]) => id).sort()).toEqual(
        [
          logicalId(stack.table),
          logicalId(stack.requestGuardsTable),
          logicalId(stack.aggregatePipeline.table),
          logicalId(stack.auditPipeline.keysTable),
        ].sort(),
      );
      for (const [, table] of tables)
        expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: false });
    });

    it('every queue (the dead-letter queues of the two stream mappings, the settle queue and its dead-letter queue)', () => {
      const queues = ofType(resources, 'AWS::SQS::Queue');
      expect(queues).toHaveLength(4);
      for (const [, queue] of queues) {
        expect(queue.Properties.SqsManagedSseEnabled ?? queue.Properties.KmsMasterKeyId).toBeTruthy();
      }
    });

    it('every topic (the alarm topic), with a customer managed key that rotates and CloudWatch may use', () => {
      const topics = ofType(resources, 'AWS::SNS::Topic');
      expect(topics).toHaveLength(1);
      for (const [, topic] of topics) {
        const keyId = topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0] as string;
        const key = resources[keyId]!;
        expect(key.Type).toBe('AWS::KMS::Key');
        expect(key.Properties.EnableKeyRotation).toBe(true);
        const statements = key.Properties.KeyPolicy.Statement as Statement[];
        expect(statements).toContainEqual(
          expect.objectContaining({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        );
      }
    });

    it('every log group keeps its lines for a bounded time: the audit trail 7 years, the rest 90 days', () => {
      const auditLogGroup = logicalId(stack.functions.auditStream.logGroup);
      for (const [id, logGroup] of ofType(resources, 'AWS::Logs::LogGroup')) {
        expect(logGroup.Properties.RetentionInDays).toBe(
          id === auditLogGroup ? DEFAULT_AUDIT_LOG_RETENTION_DAYS : LOG_RETENTION_DAYS,
        );
      }
    });
  });

  describe('data in transit: queues and topics refuse anything but TLS', () => {
    it('every queue has a policy denying sqs:* without aws:SecureTransport', () => {
      for (const [queueId] of ofType(resources, 'AWS::SQS::Queue')) {
        const policies = ofType(resources, 'AWS::SQS::QueuePolicy').filter(([, policy]) =>
          JSON.stringify(policy.Properties.Queues).includes(`"${queueId}"`),
        );
        const statements = policies.flatMap(
          ([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[],
        );
        expect(statements.some((statement) => isTlsDeny(statement, 'sqs:*'))).toBe(true);
      }
    });

    it('every topic has a policy denying sns:Publish without aws:SecureTransport', () => {
      for (const [topicId] of ofType(resources, 'AWS::SNS::Topic')) {
        const policies = ofType(resources, 'AWS::SNS::TopicPolicy').filter(([, policy]) =>
          JSON.stringify(policy.Properties.Topics).includes(`"${topicId}"`),
        );
        const statements = policies.flatMap(
          ([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[],
        );
        expect(statements.some((statement) => isTlsDeny(statement, 'sns:Publish'))).toBe(true);
      }
    });
  });

  describe('roles are least privilege', () => {
    it('every role is a function role: trusted by Lambda only, no AWS managed policy', () => {
      const roles = ofType(resources, 'AWS::IAM::Role');
      expect(roles).toHaveLength(deployedFunctions(stack).length);
      for (const [, role] of roles) {
        expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
        ]);
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
    });

    it('no identity policy allows a wildcard action or a wildcard resource, nor any Deny-less escape (NotAction/NotResource)', () => {
      // The one resource AWS once required "*" for here, dynamodb:ListStreams of the stream event
      // source, is granted on the table's stream ARN by this CDK version; nothing else needs "*".
      const statements = identityStatements(resources);
      expect(statements.length).toBeGreaterThan(0);
      for (const { statement } of statements) {
        expect(statement.Effect).toBe('Allow');
        expect(statement).not.toHaveProperty('NotAction');
        expect(statement).not.toHaveProperty('NotResource');
        for (const action of asList(statement.Action)) expect(action).not.toContain('*');
        for (const resource of asList(statement.Resource)) {
          expect(resource).not.toBe('*');
          // Intrinsics of this stack's resources only; a literal "*" anywhere would widen them.
          expect(JSON.stringify(resource)).not.toContain('*');
        }
      }
    });

    it.each([...Object.keys(serviceFunctions), 'healthLogAuthorizer'])(
      '%s may write logs to its own log group only (not to the audit log group of another function)',
      (name) => {
        const fn = deployedFunctions(stack).find(([deployed]) => deployed === name)?.[1];
        if (!fn) return expect(stack.authentication.mode).not.toBe('healthlog');
        const roleId = logicalId(fn.role!);
        const ownLogGroup = { 'Fn::GetAtt': [logicalId(fn.logGroup), 'Arn'] };
        const logStatements = identityStatements(resources)
          .filter(({ roles }) => roles.includes(roleId))
          .map(({ statement }) => statement)
          .filter((statement) => asList(statement.Action).some((action) => action.startsWith('logs:')));
        expect(logStatements).toEqual([
          expect.objectContaining({
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: ownLogGroup,
          }),
        ]);
      },
    );

    it('resource policies grant nothing to anyone: their Allow statements name the account or a service, never "*"', () => {
      const policies = [
        ...ofType(resources, 'AWS::SQS::QueuePolicy').map(([, p]) => p.Properties.PolicyDocument),
        ...ofType(resources, 'AWS::SNS::TopicPolicy').map(([, p]) => p.Properties.PolicyDocument),
        ...ofType(resources, 'AWS::KMS::Key').map(([, k]) => k.Properties.KeyPolicy),
      ];
      for (const document of policies) {
        for (const statement of document.Statement as Statement[]) {
          if (statement.Effect !== 'Allow') continue;
          expect(JSON.stringify(statement.Principal)).not.toMatch(/"\*"/);
        }
      }
    });
  });
});
