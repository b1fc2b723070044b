import { functionEnvironment, type DeploymentValues } from '../../definitions/function-settings';
import {
  deployableFunctions,
  healthLogAuthorizerFunction,
  serviceFunctions,
  type FunctionDefinition,
} from '../../definitions/service-functions';
import { loadSettings } from '../../functions/commons/config';

/** Every value a deployment can give, as the local runtime gives them. */
const everyValue: Required<DeploymentValues> = {
  measurementsTable: 'measurements',
  requestGuardsTable: 'guards',
  dailyAggregatesTable: 'aggregates',
  auditKeysTable: 'audit-keys',
  settleQueueUrl: 'http://127.0.0.1:9324/000000000000/settle',
  defaultTimeZone: 'Europe/Lisbon',
  healthLogUrl: 'https://healthlog.example.com',
  dynamoDbEndpoint: 'http://127.0.0.1:8000',
};

describe('a function’s environment is its settings, filled from the deployment', () => {
  test('resources by name, tuning at its defaults, the Powertools service name, nothing else', () => {
    expect(functionEnvironment(serviceFunctions.measurementsApi, everyValue)).toEqual({
      POWERTOOLS_SERVICE_NAME: 'measurement-api',
      TABLE_NAME: 'measurements',
      DEFAULT_TIME_ZONE: 'Europe/Lisbon',
      REQUEST_GUARDS_TABLE_NAME: 'guards',
      DAILY_AGGREGATES_TABLE_NAME: 'aggregates',
      DYNAMODB_MAX_ATTEMPTS: '3',
      DYNAMODB_REQUEST_TIMEOUT_MS: '3000',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      DELETE_CONCURRENCY: '16',
    });
  });

  test('a value the deployment lacks falls back to the setting’s default, or is left out when optional', () => {
    const { defaultTimeZone: _zone, dynamoDbEndpoint: _endpoint, ...deployed } = everyValue;
    const environment = functionEnvironment(serviceFunctions.ingestBatch, deployed);
    expect(environment.DEFAULT_TIME_ZONE).toBe('Europe/Berlin');
    expect(environment).not.toHaveProperty('DYNAMODB_ENDPOINT');
  });

  test('a required value the deployment lacks is an error naming the function and the variable', () => {
    const { settleQueueUrl: _queue, ...deployed } = everyValue;
    expect(() => functionEnvironment(serviceFunctions.dailyAggregates, deployed)).toThrow(
      'DailyAggregatesFunction reads AGGREGATE_SETTLE_QUEUE_URL, but the deployment gives no settleQueueUrl for it',
    );
  });

  test('the row API deletes with a concurrency of its own, not the ingest function’s writes', () => {
    const environment = functionEnvironment(serviceFunctions.measurementsApi, everyValue);
    expect(environment).not.toHaveProperty('WRITE_CONCURRENCY');
    expect(loadSettings(serviceFunctions.measurementsApi, environment).DELETE_CONCURRENCY).toBe(16);
  });
});

describe('a function’s configuration is read from the variables its definition declares', () => {
  const environmentOf = (name: keyof typeof serviceFunctions) =>
    functionEnvironment(serviceFunctions[name], everyValue);

  test('every function loads the environment every deployment derives for it', () => {
    for (const definition of Object.values(deployableFunctions) as FunctionDefinition[]) {
      expect(() => loadSettings(definition, functionEnvironment(definition, everyValue))).not.toThrow();
    }
  });

  test('typed values: numbers coerced, the zone canonicalized, undeclared variables ignored', () => {
    const config = loadSettings(serviceFunctions.ingestBatch, {
      ...environmentOf('ingestBatch'),
      WRITE_CONCURRENCY: '4',
      DEFAULT_TIME_ZONE: 'europe/berlin',
      HEALTHLOG_URL: 'https://healthlog.example.com',
    });
    expect(config.WRITE_CONCURRENCY).toBe(4);
    expect(config.DEFAULT_TIME_ZONE).toBe('Europe/Berlin');
    expect(config).not.toHaveProperty('HEALTHLOG_URL');
    // @ts-expect-error: the ingest function does not declare the authorizer's variable
    void config.HEALTHLOG_URL;
  });

  test('an unset tuning variable takes the default the deployments write', () => {
    const { WRITE_CONCURRENCY: _concurrency, ...environment } = environmentOf('dailyAggregates');
    expect(loadSettings(serviceFunctions.dailyAggregates, environment).WRITE_CONCURRENCY).toBe(8);
  });

  test.each([
    ['WRITE_CONCURRENCY', '0'],
    ['WRITE_CONCURRENCY', '129'],
    ['DYNAMODB_MAX_ATTEMPTS', 'three'],
    ['DEFAULT_TIME_ZONE', 'Mars/Olympus'],
    ['TABLE_NAME', ''],
  ])('%s=%j fails the cold start', (variable, value) => {
    expect(() =>
      loadSettings(serviceFunctions.ingestBatch, { ...environmentOf('ingestBatch'), [variable]: value }),
    ).toThrow();
  });

  test('a missing table name fails the cold start', () => {
    const { TABLE_NAME: _table, ...environment } = environmentOf('auditStream');
    expect(() => loadSettings(serviceFunctions.auditStream, environment)).toThrow();
  });

  test.each([
    ['http://healthlog.example.com', 'not https to a remote host'],
    ['https://healthlog.example.com', undefined],
  ])('HEALTHLOG_URL=%s', (url, problem) => {
    const load = () =>
      loadSettings(healthLogAuthorizerFunction, { HEALTHLOG_URL: url, HEALTHLOG_TIMEOUT_MS: '2000' });
    if (problem) expect(load).toThrow();
    else expect(load().HEALTHLOG_URL).toBe(url);
  });

  test('HEALTHLOG_TIMEOUT_MS above 2 s fails the cold start', () => {
    expect(() =>
      loadSettings(healthLogAuthorizerFunction, {
        HEALTHLOG_URL: 'https://healthlog.example.com',
        HEALTHLOG_TIMEOUT_MS: '2001',
      }),
    ).toThrow();
  });
});
