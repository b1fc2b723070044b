// The Lambda Node.js runtime's side of a shipped function, in a child process of its own (plain
// node, no loader, started by lambda-sandbox.ts with the Node.js binary under test). It loads the
// handler the way the nodejs24.x runtime interface client does — `_HANDLER` relative to
// LAMBDA_TASK_ROOT, extensions tried in its order, nested names, the default export as fallback,
// callback-style handlers refused — then serves the invocations its parent sends over IPC.
// Results travel as JSON, as Lambda serializes them. After each invocation a marker line on
// stdout and stderr (the text is the first argument) tells the parent which log lines belong to it.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

const [endMarker] = process.argv.slice(2);

function describeError(error) {
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, stack: error.stack ?? '' };
  }
  return { errorType: typeof error, errorMessage: String(error), stack: '' };
}

class RuntimeError extends Error {
  constructor(name, message, options) {
    super(message, options);
    this.name = name;
  }
}

/** `dir/index.handler` → module root `dir`, module `index`, handler path `handler`. */
function parseHandlerString(handlerString) {
  if (handlerString.includes('..'))
    throw new RuntimeError('Runtime.MalformedHandlerName', `'${handlerString}' is not a valid handler name`);
  const last = basename(handlerString);
  const moduleRoot = handlerString.slice(0, handlerString.length - last.length).replace(/\/$/, '');
  const match = /^([^.]*)\.(.*)$/.exec(last);
  if (!match) throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  return { moduleRoot, moduleName: match[1], handlerName: match[2] };
}

async function loadModule(appRoot, moduleRoot, moduleName) {
  const withoutExtension = resolve(appRoot, moduleRoot, moduleName);
  for (const extension of ['', '.js', '.mjs', '.cjs']) {
    const path = `${withoutExtension}${extension}`;
    if (existsSync(path)) return import(pathToFileURL(path).href);
  }
  try {
    const require = createRequire(pathToFileURL(resolve(appRoot, 'index.js')).href);
    return require(require.resolve(moduleName, { paths: [appRoot, resolve(appRoot, moduleRoot)] }));
  } catch (error) {
    throw new RuntimeError('Runtime.ImportModuleError', `Cannot find module '${moduleName}'`, {
      cause: error,
    });
  }
}

function findIn(path, module) {
  return path
    .split('.')
    .reduce((nested, key) => (nested && typeof nested === 'object' ? nested[key] : undefined), module);
}

async function loadHandler(appRoot, handlerString) {
  const { moduleRoot, moduleName, handlerName } = parseHandlerString(handlerString);
  let module;
  try {
    module = await loadModule(appRoot, moduleRoot, moduleName);
  } catch (error) {
    if (error instanceof RuntimeError) throw error;
    const name = error instanceof SyntaxError ? 'Runtime.UserCodeSyntaxError' : 'Runtime.ImportModuleError';
    throw new RuntimeError(name, `${error?.name ?? 'Error'}: ${error?.message ?? error}`, { cause: error });
  }
  let handler = findIn(handlerName, module);
  if (!handler && module && typeof module === 'object' && 'default' in module)
    handler = findIn(handlerName, module.default);
  if (!handler)
    throw new RuntimeError('Runtime.HandlerNotFound', `${handlerString} is undefined or not exported`);
  if (typeof handler !== 'function')
    throw new RuntimeError('Runtime.HandlerNotFound', `${handlerString} is not a function`);
  // nodejs24.x no longer supports callback-style handlers: (event, context, callback) fails at init.
  if (handler.length >= 3 && !handler[Symbol.for('aws.lambda.runtime.handler.streaming')])
    throw new RuntimeError(
      'Runtime.CallbackHandlerDeprecated',
      `${handlerString} takes a callback; the Node.js 24 runtime supports only async handlers`,
    );
  return handler;
}

/** The context object of the nodejs24.x runtime: no callback helpers, no callbackWaitsForEmptyEventLoop. */
function contextFor(invocation) {
  const env = process.env;
  return {
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: invocation.invokedFunctionArn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: invocation.awsRequestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => invocation.deadlineMs - Date.now(),
  };
}

function send(message) {
  return new Promise((done) => process.send(message, done));
}

/** Writes the invocation's end marker to stdout and stderr and waits until both have taken it. */
function markEnd(id) {
  const mark = (stream) => new Promise((done) => stream.write(`\n${endMarker} ${id}\n`, done));
  return Promise.all([mark(process.stdout), mark(process.stderr)]);
}

const initStart = performance.now();
let handler;
try {
  handler = await loadHandler(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), process.env._HANDLER ?? '');
} catch (error) {
  await send({ type: 'init-error', error: describeError(error) });
  process.exit(1);
}
process.on('message', async (message) => {
  if (message?.type !== 'invoke') return;
  let reply;
  try {
    const result = await handler(JSON.parse(message.event), contextFor(message));
    reply = { type: 'result', id: message.id, ok: true, payload: JSON.stringify(result ?? null) };
  } catch (error) {
    reply = { type: 'result', id: message.id, ok: false, error: describeError(error) };
  }
  await markEnd(message.id);
  await send(reply);
});
process.on('disconnect', () => process.exit(0));
await send({ type: 'ready', initMs: performance.now() - initStart, nodeVersion: process.version });
