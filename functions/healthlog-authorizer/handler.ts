import { healthLogAuthorizerFunction } from '../../definitions/service-functions';
import { loadSettings } from '../commons/config';
import { createLogger } from '../commons/logger';
import { createHealthLogAuthorizerHandler } from './create-healthlog-authorizer-handler';

/** Lambda entry: wiring only, done once per cold start. */
const config = loadSettings(healthLogAuthorizerFunction);

export const handler = createHealthLogAuthorizerHandler({
  logger: createLogger(),
  introspection: { baseUrl: config.HEALTHLOG_URL, timeoutMs: config.HEALTHLOG_TIMEOUT_MS },
});
