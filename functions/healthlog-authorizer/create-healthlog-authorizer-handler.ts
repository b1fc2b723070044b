import type { Logger } from '@aws-lambda-powertools/logger';
import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { authorizerEvents } from '../../definitions/log-events';
import type { HealthLogAuthorizerContext } from '../http/caller';
import { IntrospectionFailure, introspectToken, type IntrospectionSettings } from './introspect-token';

export interface HealthLogAuthorizerDependencies {
  readonly logger: Logger;
  readonly introspection: IntrospectionSettings;
}

export type HealthLogAuthorizerResult =
  APIGatewaySimpleAuthorizerWithContextResult<HealthLogAuthorizerContext>;

type Handler = (event: APIGatewayRequestAuthorizerEventV2) => Promise<HealthLogAuthorizerResult>;

/**
 * The `healthlog` mode's Lambda REQUEST authorizer (payload 2.0, simple responses): introspects
 * the caller's bearer token against HealthLog and tells the route's function who is calling.
 *
 * It never denies. API Gateway answers a denied simple response with 403, and the app refreshes
 * its token only on 401 — with 403 it would keep an expired token forever. So a token HealthLog
 * refuses is allowed through with `{authenticated: false}`, and the function answers 401 in the
 * envelope (functions/http/caller.ts): the app's signal to refresh. That result is cached per
 * token like any other, so a sync burst with a dead token costs one introspection.
 *
 * When HealthLog cannot answer (down, slower than the timeout, a 5xx, a 200 without a usable
 * `data.id`) it throws: API Gateway answers 500, caches nothing, and the app retries and keeps
 * its session. Never a 401 for that.
 *
 * One `auth.healthlog.introspection` line per call: outcome, HealthLog's status, latency. Never
 * the token, the Authorization header or HealthLog's body.
 */
export function createHealthLogAuthorizerHandler(deps: HealthLogAuthorizerDependencies): Handler {
  const { logger } = deps;
  return async (event) => {
    const startedAt = Date.now();
    const requestId = event.requestContext?.requestId;
    const authorization = authorizationOf(event);
    if (authorization === undefined) {
      // API Gateway does not invoke the authorizer without its identity source; this is for safety.
      logger.info(authorizerEvents.introspection, { requestId, outcome: 'unauthenticated', status: null });
      return { isAuthorized: true, context: { authenticated: false } };
    }
    try {
      const result = await introspectToken(authorization, deps.introspection);
      const latencyMs = Date.now() - startedAt;
      if (result.outcome === 'unauthenticated') {
        logger.info(authorizerEvents.introspection, {
          requestId,
          outcome: result.outcome,
          status: result.status,
          latencyMs,
        });
        return { isAuthorized: true, context: { authenticated: false } };
      }
      logger.info(authorizerEvents.introspection, {
        requestId,
        outcome: result.outcome,
        status: result.status,
        latencyMs,
        userId: result.userId,
        timeZone: result.timeZone ?? null,
      });
      return {
        isAuthorized: true,
        context: {
          authenticated: true,
          userId: result.userId,
          ...(result.timeZone === undefined ? {} : { timeZone: result.timeZone }),
        },
      };
    } catch (error) {
      const failure =
        error instanceof IntrospectionFailure ? error : new IntrospectionFailure('unreachable', null);
      // Only the reason and status: a raw fetch error may carry more than an operator needs.
      logger.error(authorizerEvents.introspection, {
        requestId,
        outcome: 'failed',
        reason: failure.reason,
        status: failure.status,
        latencyMs: Date.now() - startedAt,
      });
      throw failure;
    }
  };
}

/** The header as the client sent it; API Gateway also passes it as the identity source. */
function authorizationOf(event: APIGatewayRequestAuthorizerEventV2): string | undefined {
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (name.toLowerCase() === 'authorization' && value) return value;
  }
  const identity = event.identitySource?.[0];
  return identity ? identity : undefined;
}
