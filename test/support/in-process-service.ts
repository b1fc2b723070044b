import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { functionEnvironment, type DeploymentValues } from '../../definitions/function-settings';
import {
  healthLogAuthorizerFunction,
  routes,
  serviceFunctions,
  type FunctionDefinition,
} from '../../definitions/service-functions';
import type { LocalFunction } from '../../local/lambda-context';
import { checkBearerToken, type SigningKey } from '../../local/local-auth';
import { jwtAuthorizer, lambdaAuthorizer } from '../../local/local-authorizer';
import type { RuntimeLogLevel } from '../../local/runtime-log';
import { createLocalServer } from '../../local/server';
import { repositoryRoot } from '../../scripts/package-scripts';

/**
 * The real service in the test's own process, as `npm start` runs it: every function imported
 * from its definition's entry (its `handler.ts`, with the wiring and configuration Lambda would
 * load), the stack's route table, and the mode's authorizer in the local API Gateway. What is
 * defined is what is tested: a new route or function is served here without a change.
 */
export interface InProcessService {
  readonly base: string;
  /** The local API Gateway's own lines (authorizer errors, say). */
  readonly gatewayLog: Array<{ level: RuntimeLogLevel; message: string; fields?: Record<string, unknown> }>;
  close(): Promise<void>;
}

/**
 * Imports a function's entry as Lambda would start it: with its environment (its settings, from
 * the deployment's values) set while the module loads, in a module registry of its own, so a
 * second load with other settings is a second cold start.
 */
export function loadFunction(
  name: string,
  definition: FunctionDefinition,
  values: DeploymentValues,
): LocalFunction {
  const environment = functionEnvironment(definition, values);
  const previous = Object.fromEntries(Object.keys(environment).map((key) => [key, process.env[key]]));
  Object.assign(process.env, environment);
  try {
    let handler: LocalFunction['handler'] | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      handler = (require(join(repositoryRoot, definition.entry)) as { handler: LocalFunction['handler'] })
        .handler;
    });
    if (typeof handler !== 'function') throw new Error(`${definition.entry} exports no handler`);
    return { name, definition, handler };
  } finally {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

export interface InProcessServiceOptions {
  readonly tableName: string;
  readonly requestGuardsTableName: string;
  readonly dailyAggregatesTableName: string;
  readonly auditKeysTableName: string;
  readonly dynamoDbEndpoint: string;
  /** `healthlog` mode against this HealthLog base URL; otherwise the JWT mode with this key. */
  readonly auth:
    | {
        readonly healthLogUrl: string;
        readonly ttlSeconds?: number;
        /** The authorizer cache's clock, to step past the TTL without waiting. */
        readonly now?: () => number;
      }
    | { readonly signingKey: Pick<SigningKey, 'publicKey'> };
}

export async function startInProcessService(options: InProcessServiceOptions): Promise<InProcessService> {
  const { auth } = options;
  const values: DeploymentValues = {
    measurementsTable: options.tableName,
    requestGuardsTable: options.requestGuardsTableName,
    dailyAggregatesTable: options.dailyAggregatesTableName,
    auditKeysTable: options.auditKeysTableName,
    // No stream reader runs here, so the daily-aggregate function is loaded but never invoked:
    // its settle queue is an address nothing listens on.
    settleQueueUrl: 'http://127.0.0.1:9/000000000000/aggregate-settle',
    dynamoDbEndpoint: options.dynamoDbEndpoint,
    ...('healthLogUrl' in auth ? { healthLogUrl: auth.healthLogUrl } : {}),
  };
  const functions = new Map<string, LocalFunction>(
    Object.entries(serviceFunctions).map(([name, definition]) => [
      name,
      loadFunction(name, definition, values),
    ]),
  );
  const gatewayLog: InProcessService['gatewayLog'] = [];
  const log = (level: RuntimeLogLevel, message: string, fields?: Record<string, unknown>) =>
    gatewayLog.push({ level, message, fields });
  const authorizer =
    'healthLogUrl' in auth
      ? lambdaAuthorizer({
          fn: loadFunction('healthLogAuthorizer', healthLogAuthorizerFunction, values),
          ttlSeconds: auth.ttlSeconds ?? 60,
          log,
          now: auth.now,
        })
      : jwtAuthorizer((authorization) => checkBearerToken(authorization, auth.signingKey));

  const server: Server = createLocalServer({ routes, functions, authorizer, log });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    gatewayLog,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
