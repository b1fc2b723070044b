import type { Construct } from 'constructs';
import {
  AUTHORIZER_CACHE_SECONDS,
  DEFAULT_TIME_ZONE,
  canonicalTimeZone,
  parseHealthLogUrl,
  type AuthenticationMode,
} from '../definitions/authentication';

/** Who issues the bearer tokens the API accepts (`jwt` and `cognito` modes). */
export interface JwtSettings {
  readonly issuer: string;
  readonly audience: readonly string[];
}

/** The one way this deployment knows its users (definitions/authentication.ts). */
export type AuthenticationSettings =
  | {
      readonly mode: Extract<AuthenticationMode, 'healthlog'>;
      /** HealthLog's base URL: https, or http to a loopback host. */
      readonly healthLogUrl: string;
      readonly authorizerCacheSeconds: number;
    }
  | ({ readonly mode: Extract<AuthenticationMode, 'jwt'> } & JwtSettings)
  | { readonly mode: Extract<AuthenticationMode, 'cognito'> };

/**
 * The mode from the CDK context: `healthlogUrl` → `healthlog`; `jwtIssuer` + `jwtAudience` →
 * `jwt`; neither → `cognito`. A combination that names two modes, or a setting that belongs to a
 * mode not chosen, fails the synth with a sentence saying so — never a silent fallback.
 */
export function authenticationFromContext(scope: Construct): AuthenticationSettings {
  const healthLogUrl: unknown = scope.node.tryGetContext('healthlogUrl');
  const cacheSeconds: unknown = scope.node.tryGetContext('authorizerCacheSeconds');
  const jwtNamed =
    scope.node.tryGetContext('jwtIssuer') !== undefined ||
    scope.node.tryGetContext('jwtAudience') !== undefined;

  if (healthLogUrl === undefined) {
    if (cacheSeconds !== undefined) {
      throw new Error(
        'Context authorizerCacheSeconds applies only to the healthlog mode: set healthlogUrl as well, or drop it',
      );
    }
    const jwt = jwtSettingsFromContext(scope);
    return jwt ? { mode: 'jwt', ...jwt } : { mode: 'cognito' };
  }

  if (jwtNamed) {
    throw new Error(
      'Context healthlogUrl (healthlog mode) and jwtIssuer/jwtAudience (jwt mode) name two ways of ' +
        'knowing the user; a deployment has exactly one: set either healthlogUrl or jwtIssuer and jwtAudience',
    );
  }
  const url = parseHealthLogUrl(healthLogUrl);
  if (!url.ok) throw new Error(`Context healthlogUrl: ${url.problem}`);
  return {
    mode: 'healthlog',
    healthLogUrl: url.baseUrl,
    authorizerCacheSeconds: authorizerCacheSecondsFrom(cacheSeconds),
  };
}

function authorizerCacheSecondsFrom(raw: unknown): number {
  if (raw === undefined) return AUTHORIZER_CACHE_SECONDS.default;
  const seconds = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (
    typeof seconds !== 'number' ||
    !Number.isInteger(seconds) ||
    seconds < AUTHORIZER_CACHE_SECONDS.min ||
    seconds > AUTHORIZER_CACHE_SECONDS.max
  ) {
    throw new Error(
      `Context authorizerCacheSeconds must be a whole number of seconds from ${AUTHORIZER_CACHE_SECONDS.min} ` +
        `to ${AUTHORIZER_CACHE_SECONDS.max} (API Gateway's limits), got "${String(raw)}"`,
    );
  }
  return seconds;
}

/**
 * `jwtIssuer` and `jwtAudience` (comma-separated, or a list in cdk.json) from the CDK context;
 * undefined when neither is set. Setting only one is a mistake, not a request for Cognito.
 */
export function jwtSettingsFromContext(scope: Construct): JwtSettings | undefined {
  const issuer: unknown = scope.node.tryGetContext('jwtIssuer');
  const audience: unknown = scope.node.tryGetContext('jwtAudience');
  if (issuer === undefined && audience === undefined) return undefined;

  if (typeof issuer !== 'string' || !/^https:\/\/\S+$/.test(issuer)) {
    throw new Error('Context jwtIssuer must be the https URL of the token issuer when jwtAudience is set');
  }
  const audiences = (Array.isArray(audience) ? audience : String(audience ?? '').split(','))
    .map((value) => String(value).trim())
    .filter((value) => value.length > 0);
  if (audiences.length === 0) {
    throw new Error('Context jwtAudience must name at least one audience when jwtIssuer is set');
  }
  return { issuer, audience: audiences };
}

/**
 * Context `defaultTimeZone`: the zone of a caller whose credential names none, canonicalized;
 * Europe/Berlin (HealthLog's own default) when unset. Not an IANA zone → the synth fails.
 */
export function defaultTimeZoneFromContext(scope: Construct): string {
  const raw: unknown = scope.node.tryGetContext('defaultTimeZone');
  if (raw === undefined) return DEFAULT_TIME_ZONE;
  const zone = canonicalTimeZone(raw);
  if (zone === undefined) {
    throw new Error(
      `Context defaultTimeZone must be an IANA time zone such as Europe/Berlin, got "${String(raw)}"`,
    );
  }
  return zone;
}
