import { loadHealthLogAuthorizerConfig } from '../commons/config';
import { createLogger } from '../commons/logger';
import { createHealthLogAuthorizerHandler } from './create-healthlog-authorizer-handler';

/** Lambda entry: wiring only, done once per cold start. */
const config = loadHealthLogAuthorizerConfig();

export const handler = createHealthLogAuthorizerHandler({
  logger: createLogger(),
  introspection: { baseUrl: config.HEALTHLOG_URL, timeoutMs: config.HEALTHLOG_TIMEOUT_MS },
});
