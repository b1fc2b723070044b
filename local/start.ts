import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { aggregateSettleQueue } from '../definitions/aggregate-settle';
import { AUTHORIZER_CACHE_SECONDS, parseHealthLogUrl } from '../definitions/authentication';
import { functionEnvironment, type DeploymentValues } from '../definitions/function-settings';
import {
  healthLogAuthorizerFunction,
  routes,
  serviceFunctions,
  type FunctionDefinition,
} from '../definitions/service-functions';
import { streamConsumers, type StreamConsumerName } from '../definitions/stream-consumers';
import { createAllTables, localTableNames } from './create-tables';
import { startDelayQueue, type DelayQueue } from './delay-queue';
import {
  DynamoDbPortInUseError,
  JavaMissingError,
  localCredentials,
  localRegion,
  startDynamoDbLocal,
  type DynamoDbLocal,
} from './dynamodb-local';
import { RuntimeAlreadyRunningError, acquireRuntimeLock } from './instance-lock';
import type { LocalFunction } from './lambda-context';
import { checkBearerToken, loadOrCreateSigningKey } from './local-auth';
import { jwtAuthorizer, lambdaAuthorizer, type LocalAuthorizer } from './local-authorizer';
import { localDataDirectory } from './local-data';
import { watchLaunchers } from './launcher-watch';
import { jsonLineLog } from './runtime-log';
import { createLocalServer } from './server';
import { startStreamPoller, streamCheckpointPath, type StreamPoller } from './stream-poller';

/**
 * `npm start`: the whole service on one machine — DynamoDB Local with the stack's tables, the
 * stack's routes and handlers behind the stack's authorizer (a local JWT check, or with
 * `--healthlog-url` the HealthLog authorizer function introspecting tokens against that server),
 * the table's stream feeding the audit and daily-aggregate functions, and the aggregates' settle
 * queue feeding the latter again — until Ctrl-C or SIGTERM.
 */
const USAGE = 'Usage: npm start [-- [--fresh] [--healthlog-url <https URL of a HealthLog server>]]';
const repositoryRoot = resolve(__dirname, '..');

const log = jsonLineLog();
/** The runtime's own fatal messages; function output on stderr is redirected to stdout below. */
const writeError = process.stderr.write.bind(process.stderr);

interface Running {
  dynamoDb?: Promise<DynamoDbLocal>;
  server?: Server;
  pollers: StreamPoller[];
  settleQueue?: DelayQueue;
}

const running: Running = { pollers: [] };
let stopping: Promise<void> | undefined;

/** A reason not to start that one sentence explains; no stack trace. */
class StartError extends Error {}

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new StartError(`${name} must be a port number, got "${raw}".`);
  return port;
}

/**
 * `AGGREGATE_SETTLE_DELAY_MS`: how long the local settle queue holds a message, instead of the
 * stack's delivery delay (a test need not wait a minute for a settle recompute; DynamoDB Local's
 * index does not lag).
 */
function settleDelayFromEnv(): number {
  const raw = process.env.AGGREGATE_SETTLE_DELAY_MS;
  if (raw === undefined || raw === '') return aggregateSettleQueue.deliveryDelaySeconds * 1000;
  const delay = Number(raw);
  if (!Number.isInteger(delay) || delay < 0)
    throw new StartError(`AGGREGATE_SETTLE_DELAY_MS must be a whole number of milliseconds, got "${raw}".`);
  return delay;
}

/** Fails early and plainly when something already listens there (an earlier run, another server). */
async function assertPortFree(port: number, variable: string): Promise<void> {
  const probe = createServer();
  await new Promise<void>((resolveProbe, rejectProbe) => {
    probe.once('error', (error: NodeJS.ErrnoException) =>
      rejectProbe(
        error.code === 'EADDRINUSE'
          ? new StartError(`Port ${port} is in use: stop what listens there or set ${variable}.`)
          : error,
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolveProbe()));
  });
}

/** `--healthlog-url`, else `HEALTHLOG_URL`: the `healthlog` mode of docs/local-runtime.md. */
function healthLogSettings(flag: string | undefined): { baseUrl: string; ttlSeconds: number } | undefined {
  const raw = flag ?? process.env.HEALTHLOG_URL;
  if (raw === undefined || raw === '') return undefined;
  const url = parseHealthLogUrl(raw);
  if (!url.ok) throw new StartError(`${url.problem}.`);
  const ttlRaw = process.env.AUTHORIZER_CACHE_SECONDS;
  const ttlSeconds =
    ttlRaw === undefined || ttlRaw === '' ? AUTHORIZER_CACHE_SECONDS.default : Number(ttlRaw);
  if (
    !Number.isInteger(ttlSeconds) ||
    ttlSeconds < AUTHORIZER_CACHE_SECONDS.min ||
    ttlSeconds > AUTHORIZER_CACHE_SECONDS.max
  ) {
    throw new StartError(
      `AUTHORIZER_CACHE_SECONDS must be a whole number of seconds from ${AUTHORIZER_CACHE_SECONDS.min} to ${AUTHORIZER_CACHE_SECONDS.max}, got "${ttlRaw}".`,
    );
  }
  return { baseUrl: url.baseUrl, ttlSeconds };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { fresh: { type: 'boolean', default: false }, 'healthlog-url': { type: 'string' } },
    strict: true,
  });
  const healthLog = healthLogSettings(values['healthlog-url']);
  const settleDelayMs = settleDelayFromEnv();
  const port = portFromEnv('PORT', 3000);
  const dynamoDbPort = portFromEnv('DYNAMODB_PORT', 8000);
  const dataDirectory = localDataDirectory();
  // Before anything touches the folder (`--fresh` deletes its tables): one runtime per folder.
  mkdirSync(dataDirectory, { recursive: true });
  const lock = acquireRuntimeLock(dataDirectory);
  process.once('exit', () => lock.release());
  await assertPortFree(port, 'PORT');
  await assertPortFree(dynamoDbPort, 'DYNAMODB_PORT');
  const dbPath = join(dataDirectory, 'dynamodb');
  const consumers = Object.keys(streamConsumers) as StreamConsumerName[];
  if (values.fresh) {
    rmSync(dbPath, { recursive: true, force: true });
    for (const consumer of consumers) rmSync(streamCheckpointPath(dataDirectory, consumer), { force: true });
  }
  mkdirSync(dbPath, { recursive: true });
  const signingKey = await loadOrCreateSigningKey(dataDirectory);

  running.dynamoDb = startDynamoDbLocal({ port: dynamoDbPort, dbPath }).catch((error: unknown) => {
    if (error instanceof JavaMissingError) throw error;
    if (error instanceof DynamoDbPortInUseError) throw new StartError(error.message);
    throw new StartError(
      `DynamoDB Local did not start on port ${dynamoDbPort} (in use? set DYNAMODB_PORT): ${(error as Error).message}`,
    );
  });
  const dynamoDb = await running.dynamoDb;
  // Whatever ends this process, the Java child goes with it.
  process.once('exit', () => {
    if (dynamoDb.process.exitCode === null && dynamoDb.process.signalCode === null)
      dynamoDb.process.kill('SIGKILL');
  });
  // Without its engine the runtime can only fail every request: say so once and stop.
  dynamoDb.process.once('exit', (code, signal) => engineExited(dynamoDb, code, signal));
  if (stopping) return;

  // The daily aggregates' settle queue: its URL must be set before the function loads.
  running.settleQueue = await startDelayQueue({
    name: 'aggregate-settle',
    settings: {
      deliveryDelayMs: settleDelayMs,
      batchSize: aggregateSettleQueue.batchSize,
      visibilityTimeoutMs: aggregateSettleQueue.visibilityTimeoutSeconds * 1000,
      maxReceiveCount: aggregateSettleQueue.maxReceiveCount,
    },
    log,
  });

  // What the stack gives its functions' settings, here for the local tables and queue.
  const deployment: DeploymentValues = {
    measurementsTable: localTableNames.measurements,
    requestGuardsTable: localTableNames.requestGuards,
    dailyAggregatesTable: localTableNames.dailyAggregates,
    auditKeysTable: localTableNames.auditKeys,
    settleQueueUrl: running.settleQueue.url,
    dynamoDbEndpoint: dynamoDb.endpoint,
    // As the stack's context `defaultTimeZone`: unset, the setting's own default.
    ...(process.env.DEFAULT_TIME_ZONE ? { defaultTimeZone: process.env.DEFAULT_TIME_ZONE } : {}),
    ...(healthLog ? { healthLogUrl: healthLog.baseUrl } : {}),
  };
  Object.assign(process.env, {
    AWS_REGION: localRegion,
    AWS_DEFAULT_REGION: localRegion,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO',
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;

  const client = new DynamoDBClient({
    endpoint: dynamoDb.endpoint,
    region: localRegion,
    credentials: localCredentials,
  });
  try {
    await createAllTables(client, localTableNames);
  } finally {
    client.destroy();
  }

  // In Lambda both streams reach CloudWatch; here both reach standard output, one JSON per line.
  process.stderr.write = process.stdout.write.bind(process.stdout) as typeof process.stderr.write;
  const functions = await loadFunctions(deployment);
  if (stopping) return;

  // One stream reader per consumer the stack maps to the table's stream, with the same settings.
  for (const name of consumers) {
    const consumer = functions.get(name);
    if (!consumer) {
      log('WARN', `local-runtime: no "${name}" function to feed, its stream reader is not started`);
      continue;
    }
    running.pollers.push(
      await startStreamPoller({
        endpoint: dynamoDb.endpoint,
        tableName: localTableNames.measurements,
        consumer,
        source: streamConsumers[name],
        checkpointPath: streamCheckpointPath(dataDirectory, name),
        log,
      }),
    );
  }

  // The settle queue's event source, as the stack maps it to the daily-aggregate function.
  const aggregator = functions.get('dailyAggregates');
  if (aggregator) running.settleQueue.attach(aggregator);
  else log('WARN', 'local-runtime: no "dailyAggregates" function, its settle queue is not consumed');

  let authorizer: LocalAuthorizer;
  if (healthLog) {
    const fn = await loadFunction('healthLogAuthorizer', healthLogAuthorizerFunction, deployment);
    if (!fn) throw new StartError(`${healthLogAuthorizerFunction.entry} does not exist.`);
    authorizer = lambdaAuthorizer({ fn, ttlSeconds: healthLog.ttlSeconds, log });
  } else {
    authorizer = jwtAuthorizer((authorization) => checkBearerToken(authorization, signingKey));
  }
  if (stopping) return;

  const server = createLocalServer({ routes, functions, authorizer, log });
  running.server = server;
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  lock.update({ url, dynamoDbEndpoint: dynamoDb.endpoint, dynamoDbPid: dynamoDb.process.pid });
  log('INFO', `ready ${url}`, {
    url,
    pid: process.pid,
    dynamoDbEndpoint: dynamoDb.endpoint,
    dynamoDbPid: dynamoDb.process.pid,
    tables: localTableNames,
    dataDirectory,
    functions: [...functions.keys()],
    streamReaders: running.pollers.map((poller) => poller.consumer),
    settleQueue: { url: running.settleQueue.url, deliveryDelayMs: settleDelayMs },
    authentication: healthLog ? 'healthlog' : 'jwt',
    ...(healthLog ? { healthlogUrl: healthLog.baseUrl, authorizerCacheSeconds: healthLog.ttlSeconds } : {}),
  });
}

/** Every defined function whose entry exists, by definition name. */
async function loadFunctions(values: DeploymentValues): Promise<Map<string, LocalFunction>> {
  const loaded = new Map<string, LocalFunction>();
  const definitions = Object.entries(serviceFunctions) as [string, FunctionDefinition][];
  for (const [name, definition] of definitions) {
    const fn = await loadFunction(name, definition, values);
    if (fn) loaded.set(name, fn);
  }
  return loaded;
}

/**
 * Imports a function's entry with its own environment set while its module loads — like Lambda,
 * a function reads its configuration at cold start: its settings, from the local values.
 */
async function loadFunction(
  name: string,
  definition: FunctionDefinition,
  values: DeploymentValues,
): Promise<LocalFunction | undefined> {
  const entry = join(repositoryRoot, definition.entry);
  if (!existsSync(entry)) {
    log('WARN', `local-runtime: ${definition.entry} does not exist, ${name} is not served`);
    return undefined;
  }
  const restore = overlayEnvironment(functionEnvironment(definition, values));
  try {
    const module = (await import(pathToFileURL(entry).href)) as {
      handler?: LocalFunction['handler'];
      default?: { handler?: LocalFunction['handler'] };
    };
    const handler = module.handler ?? module.default?.handler;
    if (typeof handler !== 'function') throw new Error(`${definition.entry} does not export a handler`);
    return { name, definition, handler };
  } finally {
    restore();
  }
}

function overlayEnvironment(variables: Record<string, string>): () => void {
  const previous = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

async function stop(): Promise<void> {
  const { server, pollers, settleQueue } = running;
  if (server) {
    const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2000).unref();
    await closed;
  }
  await Promise.all(pollers.map((poller) => poller.stop()));
  await settleQueue?.stop();
  // Still starting? Wait for it, so the Java process it spawns is stopped too.
  const dynamoDb = await running.dynamoDb?.catch(() => undefined);
  await dynamoDb?.stop();
}

/**
 * DynamoDB Local ended while the runtime still needed it (killed, crashed, out of memory): every
 * read would answer 500 and every write `failed`. One line, then the rest stops and the process
 * exits 1 — the stream readers first, so none of them reports the engine it can no longer reach.
 */
function engineExited(dynamoDb: DynamoDbLocal, code: number | null, signal: NodeJS.Signals | null): void {
  if (stopping) return;
  const pollers = [...running.pollers.map((poller) => poller.stop()), running.settleQueue?.stop()];
  log(
    'ERROR',
    `local-runtime: DynamoDB Local (pid ${dynamoDb.process.pid}, ${dynamoDb.endpoint}) exited with ${signal ?? `code ${code}`}; stopping`,
    { dynamoDbPid: dynamoDb.process.pid, exitCode: code, signal },
  );
  stopping = (async () => {
    const { server } = running;
    if (server) {
      const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      server.closeAllConnections();
      await closed;
    }
    await Promise.race([Promise.all(pollers), new Promise((resolveWait) => setTimeout(resolveWait, 2000))]);
  })().finally(() => process.exit(1));
}

/** Ctrl-C, SIGTERM, a closed terminal, or the launcher gone: stop everything, once. */
function requestStop(reason: string): void {
  if (stopping) {
    // A second Ctrl-C: do not wait any longer (the 'exit' hook still kills Java).
    process.exit(1);
  }
  log('INFO', `local-runtime: ${reason}, stopping`);
  stopping = stop().then(
    () => process.exit(0),
    (error: unknown) => {
      log('ERROR', 'local-runtime: stopping failed', { error });
      process.exit(1);
    },
  );
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => requestStop(signal));
watchLaunchers((pid) => requestStop(`the process that started it (pid ${pid}) is gone`));

main().catch(async (error: unknown) => {
  // Interrupted while starting: what failed is a consequence, stopping is under way.
  if (stopping) return;
  if (
    error instanceof JavaMissingError ||
    error instanceof StartError ||
    error instanceof RuntimeAlreadyRunningError
  ) {
    writeError(`${error.message}\n`);
  } else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    writeError(`Port ${(error as { port?: number }).port} is in use: stop what listens there or set PORT.\n`);
  } else if (
    ['ERR_PARSE_ARGS_UNKNOWN_OPTION', 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'].includes(
      String((error as NodeJS.ErrnoException).code),
    )
  ) {
    writeError(`${(error as Error).message}\n${USAGE}\n`);
  } else {
    writeError(`The local runtime could not start: ${(error as Error).stack ?? String(error)}\n`);
  }
  await stop().catch(() => undefined);
  process.exit(1);
});
