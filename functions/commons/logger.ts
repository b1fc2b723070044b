import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Every function logs JSON lines through Powertools: the event name is the `message`, its
 * fields are top-level keys (what Logs Insights discovers). Nothing here ever logs a token or
 * a request body.
 */
export function createLogger(serviceName?: string): Logger {
  // Without a name, Powertools takes POWERTOOLS_SERVICE_NAME, which the stack and the local
  // runtime set from the function's definition.
  return new Logger(serviceName === undefined ? {} : { serviceName });
}
