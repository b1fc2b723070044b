import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Every function logs JSON lines through Powertools: the event name is the `message`, its
 * fields are top-level keys (what Logs Insights discovers). Nothing here ever logs a token or
 * a request body.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}
