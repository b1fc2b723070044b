/**
 * Who is calling, as the stack, the functions and the local runtime must agree on it
 * (docs/authentication.md, "Who is calling"): the three ways a deployment knows its users, the HealthLog
 * introspection endpoint, the user's time zone and the shared-record header.
 */

/**
 * Exactly one per deployment, chosen by the CDK context:
 * - `healthlog`: `healthlogUrl` is set; each bearer token is introspected against that HealthLog
 *   server by a Lambda authorizer (the app's own tokens work unchanged);
 * - `jwt`: `jwtIssuer` and `jwtAudience` are set; the HTTP API's JWT authorizer checks the token;
 * - `cognito`: neither; as `jwt`, with a user pool the stack creates.
 */
export type AuthenticationMode = 'healthlog' | 'jwt' | 'cognito';

/** HealthLog's own default, used when the credential names no valid zone (context `defaultTimeZone`). */
export const DEFAULT_TIME_ZONE = 'Europe/Berlin';

/**
 * How long API Gateway keeps an introspection result per token (context `authorizerCacheSeconds`):
 * long enough that a sync's burst of requests costs one introspection, short enough that a
 * HealthLog logout stops working here soon after. API Gateway allows 0 (no cache) to 3600.
 */
export const AUTHORIZER_CACHE_SECONDS = { default: 60, min: 0, max: 3600 } as const;

/** Where HealthLog answers who a bearer token belongs to, relative to its base URL. */
export const HEALTHLOG_INTROSPECTION_PATH = '/api/auth/me';

/**
 * Sent by the app while its user views a record someone shared with them. The grants live in
 * HealthLog, so this service refuses every request carrying it (403 `sharing.not_permitted`).
 */
export const SHARED_RECORD_HEADER = 'X-HealthLog-Account';

/**
 * The canonical name of an IANA time zone (`europe/berlin` → `Europe/Berlin`), or undefined for
 * anything else: not a string, unknown to Intl, or a bare UTC offset (`+02:00`), which newer Intl
 * versions accept but which is no zone and has no daylight-saving rules.
 */
export function canonicalTimeZone(zone: unknown): string | undefined {
  if (typeof zone !== 'string' || !/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(zone)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

export type HealthLogUrl =
  { readonly ok: true; readonly baseUrl: string } | { readonly ok: false; readonly problem: string };

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase()) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * A HealthLog base URL the token may be sent to: https, or plain http only to a loopback host
 * (local use and tests), with no credentials, query or fragment. The base URL comes back without
 * a trailing slash; the introspection URL is it plus HEALTHLOG_INTROSPECTION_PATH.
 */
export function parseHealthLogUrl(raw: unknown): HealthLogUrl {
  const problem = (text: string): HealthLogUrl => ({ ok: false, problem: `${text}, got "${String(raw)}"` });
  if (typeof raw !== 'string' || raw.trim() === '') return problem('The HealthLog URL must be an https URL');
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return problem('The HealthLog URL must be an https URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return problem('The HealthLog URL must be https (plain http only to a loopback host such as 127.0.0.1)');
  }
  if (url.username || url.password || url.search || url.hash) {
    return problem('The HealthLog URL must not carry credentials, a query or a fragment');
  }
  return { ok: true, baseUrl: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}
