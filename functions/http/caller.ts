import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DEFAULT_TIME_ZONE, SHARED_RECORD_HEADER, canonicalTimeZone } from '../../definitions/authentication';
import { isUsableUserId } from '../measurements/model/user-id';
import { notAuthenticated, sharingNotPermitted, type ResponseHeaders } from './envelope';
import { header, type HttpEvent } from './request';

/** Who is calling: the user every key is built from, and the zone their days are cut in. */
export interface Caller {
  readonly userId: string;
  /** A canonical IANA zone: the credential's, else the deployment's default. */
  readonly timeZone: string;
}

/**
 * What the HealthLog authorizer (functions/healthlog-authorizer/) hands on as its Lambda context.
 * It always allows the request through API Gateway and says here whether HealthLog knew the token:
 * the route's function answers 401 itself, in the envelope, when it did not.
 */
export type HealthLogAuthorizerContext =
  | { readonly authenticated: true; readonly userId: string; readonly timeZone?: string }
  | { readonly authenticated: false };

/**
 * The caller from the verified credential only — the JWT authorizer's claims (`sub`, `zoneinfo`)
 * or the HealthLog authorizer's context (`userId`, `timeZone`); nothing in a body or query can
 * name a user. A user id that could not be a safe key is nobody. A zone that is absent or not a
 * valid IANA zone falls back to `defaultTimeZone`.
 */
export function callerOf(event: HttpEvent, defaultTimeZone: string = DEFAULT_TIME_ZONE): Caller | undefined {
  const authorizer = event.requestContext?.authorizer;
  const identity = authorizer?.lambda
    ? fromHealthLogContext(authorizer.lambda)
    : fromJwtClaims(authorizer?.jwt?.claims);
  if (!identity || typeof identity.userId !== 'string' || !isUsableUserId(identity.userId)) return undefined;
  return {
    userId: identity.userId,
    timeZone: canonicalTimeZone(identity.timeZone) ?? canonicalTimeZone(defaultTimeZone) ?? DEFAULT_TIME_ZONE,
  };
}

function fromJwtClaims(claims: Readonly<Record<string, unknown>> | undefined) {
  return claims ? { userId: claims.sub, timeZone: claims.zoneinfo } : undefined;
}

function fromHealthLogContext(context: Readonly<Record<string, unknown>>) {
  // The authorizer returns a boolean; REST-style integrations would stringify it. Accepting both
  // means a representation change can never sign a valid user out; the context is ours, not the
  // client's.
  const authenticated = context.authenticated === true || context.authenticated === 'true';
  return authenticated ? { userId: context.userId, timeZone: context.timeZone } : undefined;
}

export type Admission =
  | { readonly admitted: true; readonly caller: Caller }
  | {
      readonly admitted: false;
      readonly response: APIGatewayProxyStructuredResultV2;
      /** For the refusal's log line; absent when nobody was authenticated. */
      readonly userId?: string;
      readonly errorCode: 'auth.not_authenticated' | 'sharing.not_permitted';
    };

/**
 * The first step of every route, before anything is read or written (rate limit and
 * Idempotency-Key records included): no usable caller → 401 `Not authenticated`; then a request
 * carrying `X-HealthLog-Account` (any case, any value, even empty) → 403 `sharing.not_permitted`,
 * because the grants behind it live in HealthLog and serving the caller's own rows instead would
 * show the wrong person's data. A bad token stays a 401 whatever else the request carries.
 */
export function admitCaller(
  event: HttpEvent,
  options: { readonly defaultTimeZone?: string; readonly headers?: ResponseHeaders } = {},
): Admission {
  const caller = callerOf(event, options.defaultTimeZone);
  if (!caller) {
    return {
      admitted: false,
      response: notAuthenticated(options.headers),
      errorCode: 'auth.not_authenticated',
    };
  }
  if (header(event, SHARED_RECORD_HEADER) !== undefined) {
    return {
      admitted: false,
      response: sharingNotPermitted(options.headers),
      userId: caller.userId,
      errorCode: 'sharing.not_permitted',
    };
  }
  return { admitted: true, caller };
}
