import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { FunctionDefinition } from '../definitions/service-functions';
import { localRegion } from './dynamodb-local';

/** A Lambda function as the local runtime holds it: its definition and its imported handler. */
export interface LocalFunction {
  readonly name: string;
  readonly definition: FunctionDefinition;
  readonly handler: (event: unknown, context: Context) => unknown;
}

/** Thrown when an invocation outlives the function's timeout, as Lambda would stop it. */
export class FunctionTimeoutError extends Error {
  constructor(fn: LocalFunction) {
    super(`Task timed out after ${fn.definition.timeoutSeconds} seconds (${fn.definition.id})`);
    this.name = 'FunctionTimeoutError';
  }
}

/** The context Lambda passes alongside the event; the deadline follows the function's timeout. */
export function lambdaContext(fn: LocalFunction, startedAt = Date.now()): Context {
  const { id, memorySize, timeoutSeconds } = fn.definition;
  const deadline = startedAt + timeoutSeconds * 1000;
  const unsupported = () => {
    throw new Error('Callback-style completion is not supported by the local runtime');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: id,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${localRegion}:000000000000:function:${id}`,
    memoryLimitInMB: String(memorySize),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${id}`,
    logStreamName: `local/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/**
 * Invokes the handler once with a fresh context. Past the function's timeout the invocation
 * fails with FunctionTimeoutError (the handler's promise cannot be cancelled, as it would be by
 * Lambda freezing the sandbox; its late result is ignored).
 */
export async function invoke(fn: LocalFunction, event: unknown): Promise<unknown> {
  const context = lambdaContext(fn);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new FunctionTimeoutError(fn)), fn.definition.timeoutSeconds * 1000);
  });
  try {
    return await Promise.race([Promise.resolve().then(() => fn.handler(event, context)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
