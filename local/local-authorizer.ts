import type { HttpEvent } from '../functions/http/request';
import { header } from '../functions/http/request';
import { toAuthorizerEvent } from './http-api-event';
import { invoke, type LocalFunction } from './lambda-context';
import type { BearerCheck } from './local-auth';
import type { RuntimeLog } from './runtime-log';

/** What the local API Gateway's authorizer decided about one request, before any route runs. */
export type Authorization =
  | {
      readonly allowed: true;
      /** A JWT authorizer's claims… */
      readonly claims?: Record<string, string>;
      /** …or a Lambda authorizer's context, passed to the function as `requestContext.authorizer.lambda`. */
      readonly lambdaContext?: Record<string, unknown>;
    }
  | { readonly allowed: false; readonly statusCode: number; readonly body: unknown };

/** The request as the authorizer sees it: routed, with headers and query, without its body. */
export type LocalAuthorizer = (request: HttpEvent) => Promise<Authorization>;

/**
 * The `jwt`/`cognito` modes: the stack's JWT authorizer, checked with the local key. A refusal is
 * 401 in the envelope (docs/local-runtime.md, "Differences from AWS").
 */
export function jwtAuthorizer(
  check: (authorization: string | undefined) => Promise<BearerCheck>,
): LocalAuthorizer {
  return async (request) => {
    const result = await check(header(request, 'authorization'));
    return result.ok
      ? { allowed: true, claims: result.claims }
      : { allowed: false, statusCode: 401, body: { data: null, error: 'Not authenticated' } };
  };
}

export interface LambdaAuthorizerOptions {
  /** The authorizer function, loaded from its definition like every other function. */
  readonly fn: LocalFunction;
  /** API Gateway's result cache per identity source value; 0 turns it off. */
  readonly ttlSeconds: number;
  readonly log: RuntimeLog;
  readonly now?: () => number;
}

const UNAUTHORIZED = { statusCode: 401, body: { message: 'Unauthorized' } } as const;
const FORBIDDEN = { statusCode: 403, body: { message: 'Forbidden' } } as const;
const INTERNAL_SERVER_ERROR = { statusCode: 500, body: { message: 'Internal Server Error' } } as const;

type Decision =
  { readonly allowed: true; readonly context: Record<string, unknown> } | { readonly allowed: false };

/**
 * The `healthlog` mode: an HTTP API Lambda REQUEST authorizer (payload 2.0, simple responses,
 * identity source `$request.header.Authorization`) as API Gateway runs it
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html):
 * - a missing or empty Authorization header is 401 `{"message":"Unauthorized"}`, and the
 *   authorizer is not invoked;
 * - otherwise the function gets a REQUEST event, and its result is cached per header value for
 *   the TTL (an allow and a deny alike; an error never);
 * - `isAuthorized: true` passes its `context` on; `false` is 403 `{"message":"Forbidden"}`;
 * - an authorizer that throws, times out or answers in another shape is 500
 *   `{"message":"Internal Server Error"}`.
 */
export function lambdaAuthorizer(options: LambdaAuthorizerOptions): LocalAuthorizer {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { readonly expiresAt: number; readonly decision: Decision }>();
  /** Invocations still running, per identity: concurrent misses wait for the same one. */
  const inFlight = new Map<string, Promise<Decision | undefined>>();

  const invokeOnce = async (request: HttpEvent, identity: string): Promise<Decision | undefined> => {
    let result: unknown;
    try {
      result = await invoke(options.fn, toAuthorizerEvent(request, [identity]));
    } catch (error) {
      options.log('ERROR', 'local-runtime.authorizer.error', {
        function: options.fn.definition.id,
        requestId: request.requestContext.requestId,
        error,
      });
      return undefined;
    }
    const decision = simpleResponse(result);
    if (!decision) {
      options.log('ERROR', 'local-runtime.authorizer.invalid-response', {
        function: options.fn.definition.id,
      });
      return undefined;
    }
    if (options.ttlSeconds > 0) {
      for (const [key, entry] of cache) if (entry.expiresAt <= now()) cache.delete(key);
      cache.set(identity, { expiresAt: now() + options.ttlSeconds * 1000, decision });
    }
    return decision;
  };

  // With the cache on, concurrent first requests with one token share one invocation (a
  // single-flight per identity): a burst costs one introspection here. API Gateway documents no
  // such coalescing — on AWS each concurrent miss may invoke the authorizer
  // (docs/request-guards.md, "A burst of first requests in healthlog mode").
  const decide = async (request: HttpEvent, identity: string): Promise<Decision | undefined> => {
    const cached = cache.get(identity);
    if (cached && cached.expiresAt > now()) return cached.decision;
    if (options.ttlSeconds <= 0) return invokeOnce(request, identity);
    const running = inFlight.get(identity);
    if (running) return running;
    const invocation = invokeOnce(request, identity).finally(() => inFlight.delete(identity));
    inFlight.set(identity, invocation);
    return invocation;
  };

  return async (request) => {
    const identity = header(request, 'authorization');
    if (!identity) return { allowed: false, ...UNAUTHORIZED };
    const decision = await decide(request, identity);
    if (!decision) return { allowed: false, ...INTERNAL_SERVER_ERROR };
    return decision.allowed
      ? { allowed: true, lambdaContext: decision.context }
      : { allowed: false, ...FORBIDDEN };
  };
}

function simpleResponse(result: unknown): Decision | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const { isAuthorized, context } = result as { isAuthorized?: unknown; context?: unknown };
  if (typeof isAuthorized !== 'boolean') return undefined;
  if (context !== undefined && (typeof context !== 'object' || context === null || Array.isArray(context)))
    return undefined;
  return isAuthorized
    ? { allowed: true, context: { ...(context as Record<string, unknown>) } }
    : { allowed: false };
}
