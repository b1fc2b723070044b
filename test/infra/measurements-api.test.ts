import type { Template } from 'aws-cdk-lib/assertions';
import { routes, serviceFunctions } from '../../definitions/service-functions';
import type { HealthIngestStack } from '../../lib/health-ingest-stack';
import {
  asList,
  logicalId,
  statementsOf,
  synthesize,
  tuningDefaults,
  type Statement,
} from '../support/synthesized-stack';

let stack: HealthIngestStack;
let template: Template;
let tableId: string;

beforeAll(() => {
  // No bundling: esbuild is what `npm run synth` checks; here only the template matters.
  ({ stack, template } = synthesize({}, 'MeasurementsApiTest'));
  tableId = logicalId(stack.table);
});

const indexArn = (indexName: string) => ({
  'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, `/index/${indexName}`]],
});

describe('the row API routes', () => {
  test('are all defined, served by the measurementsApi function', () => {
    expect(
      routes.filter((route) => route.function === 'measurementsApi').map((r) => `${r.method} ${r.path}`),
    ).toEqual([
      'GET /api/measurements',
      'GET /api/measurements/series',
      'POST /api/measurements',
      'GET /api/measurements/{id}',
      'PUT /api/measurements/{id}',
      'PATCH /api/measurements/{id}',
      'DELETE /api/measurements/{id}',
      'DELETE /api/measurements/by-external-ids',
      'POST /api/measurements/bulk-delete',
    ]);
  });

  test.each(routes.map((route) => `${route.method} ${route.path}`))(
    '%s requires a token: JWT authorization with the stack’s authorizer',
    (routeKey) => {
      const [authorizerId] = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'));
      const found = Object.values(
        template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }),
      );
      expect(found).toHaveLength(1);
      expect(found[0]!.Properties.AuthorizationType).toBe('JWT');
      expect(found[0]!.Properties.AuthorizerId).toEqual({ Ref: authorizerId });
    },
  );

  test('the function has its definition’s settings', () => {
    const definition = serviceFunctions.measurementsApi;
    const fn = template.toJSON().Resources[logicalId(stack.functions.measurementsApi)];
    expect(fn.Properties).toMatchObject({
      MemorySize: definition.memorySize,
      Timeout: definition.timeoutSeconds,
      Description: definition.description,
    });
    expect(fn.Properties.Environment.Variables).toMatchObject({
      TABLE_NAME: { Ref: tableId },
      REQUEST_GUARDS_TABLE_NAME: { Ref: logicalId(stack.requestGuardsTable) },
      POWERTOOLS_SERVICE_NAME: 'measurement-api',
      ...tuningDefaults(definition),
    });
  });

  test('its delete concurrency is a setting of its own, DELETE_CONCURRENCY, 16 (docs/row-api.md, "Deletes")', () => {
    const fn = template.toJSON().Resources[logicalId(stack.functions.measurementsApi)];
    expect(fn.Properties.Environment.Variables.DELETE_CONCURRENCY).toBe('16');
    expect(fn.Properties.Environment.Variables.WRITE_CONCURRENCY).toBeUndefined();
  });
});

describe('the row API function may read by key, query the list indexes and write single items', () => {
  let statements: Statement[];
  const onTable = (statement: Statement) => JSON.stringify(statement.Resource).includes(`"${tableId}"`);

  beforeAll(() => {
    statements = statementsOf(template, stack.functions.measurementsApi.role!);
  });

  test('on the measurements table: exactly GetItem, PutItem, UpdateItem, DeleteItem and Query, all Allow', () => {
    const actions = new Set(statements.filter(onTable).flatMap((statement) => asList(statement.Action)));
    // PutItem and DeleteItem are the actions a hand entry's and a reading move's transactions
    // contain (row and marker puts, the old marker's delete): a transaction is authorised per action.
    expect([...actions].sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    for (const statement of statements) expect(statement.Effect).toBe('Allow');
  });

  test('the item actions on the table ARN only, never an index or the stream', () => {
    for (const statement of statements.filter(onTable)) {
      const actions = asList(statement.Action);
      if (actions.includes('dynamodb:Query')) continue;
      expect(actions.sort()).toEqual([
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ]);
      expect(asList(statement.Resource)).toEqual([{ 'Fn::GetAtt': [tableId, 'Arn'] }]);
    }
  });

  test('Query on the three list indexes and the daily-aggregates table only: not the table, not the owner index, not the stream', () => {
    const query = statements.filter((statement) => asList(statement.Action).includes('dynamodb:Query'));
    for (const statement of query) expect(asList(statement.Action)).toEqual(['dynamodb:Query']);
    expect(query.flatMap((statement) => asList(statement.Resource))).toEqual([
      ...['byUser', 'byUserType', 'byUserExternalId'].map(indexArn),
      { 'Fn::GetAtt': [logicalId(stack.aggregatePipeline.table), 'Arn'] },
    ]);
  });

  test('nothing that scans, batches or reads the stream; no ConditionCheckItem it does not use', () => {
    const text = JSON.stringify(statements);
    for (const action of ['Scan', 'BatchWriteItem', 'BatchGetItem', 'ConditionCheckItem', 'Stream', '*']) {
      expect(text).not.toContain(`dynamodb:${action}`);
    }
  });
});

describe('the ingest function is still limited to PutItem on the measurements table', () => {
  test('whatever else it may use, on this table it may only PutItem, and on no index or stream', () => {
    const statements = statementsOf(template, stack.functions.ingestBatch.role!);
    const dynamo = statements.filter((statement) => JSON.stringify(statement.Resource).includes(tableId));
    expect([...new Set(dynamo.flatMap((statement) => asList(statement.Action)))]).toEqual([
      'dynamodb:PutItem',
    ]);
    for (const statement of dynamo) {
      expect(asList(statement.Resource)).toEqual([{ 'Fn::GetAtt': [tableId, 'Arn'] }]);
    }
  });
});
