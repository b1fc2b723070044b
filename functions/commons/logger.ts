import { Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions, LogAttributes } from '@aws-lambda-powertools/logger/types';
import type { Context } from 'aws-lambda';

/** What an invocation logger reads of the Lambda context; tests may pass less than Lambda does. */
export type InvocationContext = Pick<Context, 'getRemainingTimeInMillis'> & Partial<Context>;

/**
 * Every function logs JSON lines through Powertools: the event name is the `message`, its
 * fields are top-level keys (what Logs Insights discovers). Nothing here ever logs a token or
 * a request body.
 */
export class ServiceLogger extends Logger {
  /**
   * A logger of its own for one invocation: every line carries the Lambda context
   * (`function_request_id`, `cold_start`, …) and `keys`, and keys appended later stay on it.
   * Keys are never set on the function's logger itself, which the local runtime shares between
   * concurrent requests: one request's user must never appear on another's line.
   */
  forInvocation(context: InvocationContext, keys: LogAttributes = {}): Logger {
    const child = this.createChild() as ServiceLogger;
    // A new logger would count its own first use as the cold start; only this one, created once
    // per execution environment, knows whether this invocation is the environment's first.
    child.coldStart = this.getColdStart();
    child.addContext(context as Context);
    child.appendKeys(keys);
    return child;
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    return new ServiceLogger(options);
  }
}

export function createLogger(serviceName?: string): ServiceLogger {
  // Without a name, Powertools takes POWERTOOLS_SERVICE_NAME, which the stack and the local
  // runtime set from the function's definition.
  return new ServiceLogger(serviceName === undefined ? {} : { serviceName });
}
