import { requestGuardsTable } from '../../definitions/request-guards-table';
import { serviceFunctions, type ServiceFunctionName } from '../../definitions/service-functions';
import type { HealthIngestStack } from '../../lib/health-ingest-stack';
import { asList, logicalId, synthesize, type Resource, type Statement } from '../support/synthesized-stack';

/**
 * The request-guards table (Idempotency-Key records, rate-limit counters) in the template: built
 * from its definition, with TTL, reachable by the ingest and row-API functions alone and only with the calls
 * Powertools idempotency and the counter make. Synthesized with and without IAM policy
 * minimization (cdk.json turns it on for real synths; it merges statements differently).
 */

const POWERTOOLS_AND_COUNTER_ACTIONS = [
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];

describe.each([
  ['as the tests synthesize it', {}],
  [
    'with IAM policy minimization (as cdk.json synthesizes it)',
    { '@aws-cdk/aws-iam:minimizePolicies': true },
  ],
])('the request-guards table, %s', (_, context) => {
  let stack: HealthIngestStack;
  let resources: Record<string, Resource>;
  let guardsId: string;
  let guards: Resource;
  /** The functions with request guards: the batch's and the row API's writes. */
  const guarded: ServiceFunctionName[] = ['ingestBatch', 'measurementsApi'];
  let guardedRoleIds: string[];

  beforeAll(() => {
    ({ stack, resources } = synthesize(context));
    guardsId = logicalId(stack.requestGuardsTable);
    guards = resources[guardsId]!;
    guardedRoleIds = guarded.map((name) => logicalId(stack.functions[name].role!));
  });

  const mentionsGuardsTable = (value: unknown) => JSON.stringify(value).includes(`"${guardsId}"`);

  /** Every IAM statement of the template with the roles it applies to. */
  function statementsWithRoles(): Array<{ roles: string[]; statement: Statement }> {
    const found: Array<{ roles: string[]; statement: Statement }> = [];
    for (const [id, resource] of Object.entries(resources)) {
      if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
        const roles = (resource.Properties.Roles ?? []).map((role: unknown) => JSON.stringify(role));
        for (const statement of resource.Properties.PolicyDocument.Statement as Statement[]) {
          found.push({ roles, statement });
        }
      }
      if (resource.Type === 'AWS::IAM::Role') {
        for (const policy of resource.Properties.Policies ?? []) {
          for (const statement of policy.PolicyDocument.Statement as Statement[]) {
            found.push({ roles: [JSON.stringify({ Ref: id })], statement });
          }
        }
      }
    }
    return found;
  }

  describe('is built from its definition', () => {
    test('is keyed by the Powertools key attribute alone, a string', () => {
      expect(guards.Type).toBe('AWS::DynamoDB::GlobalTable');
      expect(guards.Properties.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
      expect(guards.Properties.AttributeDefinitions).toEqual([{ AttributeName: 'id', AttributeType: 'S' }]);
      expect(requestGuardsTable.partitionKey).toBe('id');
    });

    test('expires its items by TTL on `expiration`', () => {
      expect(guards.Properties.TimeToLiveSpecification).toEqual({
        AttributeName: 'expiration',
        Enabled: true,
      });
      expect(requestGuardsTable.timeToLiveAttribute).toBe('expiration');
    });

    test('bills on demand, has no stream and no index', () => {
      expect(guards.Properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(guards.Properties.StreamSpecification).toBeUndefined();
      expect(guards.Properties.GlobalSecondaryIndexes).toBeUndefined();
    });

    test('holds nothing worth keeping: no point-in-time recovery, no deletion protection, deleted with the stack', () => {
      expect(guards.Properties.Replicas).toHaveLength(1);
      expect(guards.Properties.Replicas[0].PointInTimeRecoverySpecification).toBeUndefined();
      expect(guards.Properties.Replicas[0].DeletionProtectionEnabled).toBeUndefined();
      expect(guards.DeletionPolicy).toBe('Delete');
      expect(guards.UpdateReplacePolicy).toBe('Delete');
    });

    test('is encrypted with the DynamoDB-owned key and has no resource policy', () => {
      expect(guards.Properties.SSESpecification).toEqual({ SSEEnabled: false });
      expect(guards.Properties.Replicas[0].ResourcePolicy).toBeUndefined();
    });
  });

  describe('the ingest and row-API functions, and only they, use the table', () => {
    test.each(guarded)('%s is told its name in REQUEST_GUARDS_TABLE_NAME', (name) => {
      const fn = resources[logicalId(stack.functions[name])]!;
      expect(fn.Properties.Environment.Variables.REQUEST_GUARDS_TABLE_NAME).toEqual({ Ref: guardsId });
    });

    test('no other function is told about it', () => {
      for (const name of Object.keys(serviceFunctions) as ServiceFunctionName[]) {
        if (guarded.includes(name)) continue;
        const fn = resources[logicalId(stack.functions[name])]!;
        expect(mentionsGuardsTable(fn.Properties.Environment ?? {})).toBe(false);
      }
    });

    test.each(guarded)(
      'the %s role may Get/Put/Update/DeleteItem on the table ARN, nothing more on it',
      (name) => {
        const roleId = logicalId(stack.functions[name].role!);
        const onGuards = statementsWithRoles()
          .filter(({ roles }) => roles.includes(JSON.stringify({ Ref: roleId })))
          .map(({ statement }) => statement)
          .filter((statement) => mentionsGuardsTable(statement.Resource));
        expect(onGuards.length).toBeGreaterThan(0);
        const actions = new Set<string>();
        for (const statement of onGuards) {
          expect(statement.Effect).toBe('Allow');
          // The table itself: no `/index/*`, no `/stream/*`, no wildcard.
          for (const resource of asList(statement.Resource).filter(mentionsGuardsTable)) {
            expect(resource).toEqual({ 'Fn::GetAtt': [guardsId, 'Arn'] });
          }
          for (const action of asList(statement.Action)) actions.add(action);
        }
        // A minimized statement may also name the measurements table; on the guards table these
        // are all the actions there are.
        expect([...actions].sort()).toEqual(POWERTOOLS_AND_COUNTER_ACTIONS);
      },
    );

    test('no other role has a statement naming the table, in any policy of the template', () => {
      const naming = statementsWithRoles().filter(({ statement }) => mentionsGuardsTable(statement));
      expect(naming.length).toBeGreaterThan(0);
      for (const { roles } of naming) {
        expect(roles).toHaveLength(1);
        expect(guardedRoleIds.map((id) => JSON.stringify({ Ref: id }))).toContain(roles[0]);
      }
    });

    test('no role reaches it through a wildcard: no item or table action on "*", no DynamoDB managed policy', () => {
      // Listing and describing are metadata (a stream event source needs dynamodb:ListStreams on
      // "*"); anything else on "*" would reach this table's items.
      const reachesItems = (action: string) =>
        action === '*' || (action.startsWith('dynamodb:') && !/^dynamodb:(List|Describe)\w+$/.test(action));
      for (const { statement } of statementsWithRoles()) {
        if (asList(statement.Action).some(reachesItems))
          expect(asList(statement.Resource)).not.toContain('*');
      }
      for (const resource of Object.values(resources)) {
        if (resource.Type !== 'AWS::IAM::Role') continue;
        expect(JSON.stringify(resource.Properties.ManagedPolicyArns ?? [])).not.toMatch(/DynamoDB/i);
      }
    });
  });
});
