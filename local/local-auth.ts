import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  SignJWT,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  type JWK,
  type JWTPayload,
  type KeyLike,
} from 'jose';

/**
 * The local stand-in for the stack's JWT authorizer and its token issuer. The server and the
 * token script both use these constants and the key in `.local/jwt-key.json`, so a token the
 * script prints is exactly what the server accepts.
 */
export const LOCAL_JWT_ISSUER = 'https://health-ingest.local';
export const LOCAL_JWT_AUDIENCE = 'health-ingest-app';
export const LOCAL_JWT_ALGORITHM = 'ES256';
export const DEFAULT_TOKEN_TTL_SECONDS = 24 * 60 * 60;
/** Seconds of clock skew tolerated on `exp`, `nbf` and `iat`. */
export const CLOCK_TOLERANCE_SECONDS = 5;

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyLike | Uint8Array;
  readonly publicKey: KeyLike | Uint8Array;
}

export function signingKeyPath(dataDirectory: string): string {
  return join(dataDirectory, 'jwt-key.json');
}

/**
 * The key pair in `<dataDirectory>/jwt-key.json` (a private JWK), created on first use. Created
 * with an exclusive write, so a server and a token script starting at once agree on one key.
 */
export async function loadOrCreateSigningKey(dataDirectory: string): Promise<SigningKey> {
  const path = signingKeyPath(dataDirectory);
  let jwk: JWK;
  try {
    jwk = JSON.parse(readFileSync(path, 'utf8')) as JWK;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const { privateKey } = await generateKeyPair(LOCAL_JWT_ALGORITHM, { extractable: true });
    jwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: LOCAL_JWT_ALGORITHM, use: 'sig' };
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, `${JSON.stringify(jwk, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
    } catch (writeError) {
      if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError;
      return loadOrCreateSigningKey(dataDirectory);
    }
  }
  return keyFromJwk(jwk);
}

async function keyFromJwk(jwk: JWK): Promise<SigningKey> {
  if (!jwk.kid || !jwk.d) throw new Error('The local signing key file is not a private JWK with a kid');
  const { d: _private, ...publicJwk } = jwk;
  return {
    kid: jwk.kid,
    privateKey: await importJWK(jwk, LOCAL_JWT_ALGORITHM),
    publicKey: await importJWK(publicJwk, LOCAL_JWT_ALGORITHM),
  };
}

export interface TokenOptions {
  readonly ttlSeconds?: number;
  /** Defaults to the local issuer and audience; tests override them to prove they are checked. */
  readonly issuer?: string;
  readonly audience?: string;
  readonly now?: Date;
  /** The `zoneinfo` claim: the user's IANA time zone (docs/read-api.md, "The user's time zone"). */
  readonly timeZone?: string;
}

/** A bearer token for `userId` (its `sub`), as the stack's issuer would hand one to the phone. */
export async function signLocalToken(
  userId: string,
  key: Pick<SigningKey, 'kid' | 'privateKey'>,
  options: TokenOptions = {},
): Promise<string> {
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT({
    token_use: 'access',
    ...(options.timeZone === undefined ? {} : { zoneinfo: options.timeZone }),
  })
    .setProtectedHeader({ alg: LOCAL_JWT_ALGORITHM, kid: key.kid, typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(options.issuer ?? LOCAL_JWT_ISSUER)
    .setAudience(options.audience ?? LOCAL_JWT_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (options.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS))
    .setJti(randomUUID())
    .sign(key.privateKey);
}

export type AuthorizerClaims = Record<string, string>;

export type BearerCheck = { readonly ok: true; readonly claims: AuthorizerClaims } | { readonly ok: false };

/**
 * What the stack's HTTP API JWT authorizer does with `Authorization: Bearer <jwt>` (or the bare
 * `<jwt>`): the
 * signature against the issuer's key, `iss`, `exp` (required), `nbf`/`iat`, and the audience
 * (`aud`, or `client_id` as in Cognito access tokens). A token that passes hands its claims on
 * as strings, the way API Gateway puts them into `requestContext.authorizer.jwt.claims`.
 */
export async function checkBearerToken(
  authorization: string | undefined,
  key: Pick<SigningKey, 'publicKey'>,
  now: Date = new Date(),
): Promise<BearerCheck> {
  // API Gateway's JWT authorizer takes the token alone or prefixed with `Bearer `.
  const match = /^(?:Bearer +)?(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) return { ok: false };
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(match[1]!, key.publicKey, {
      algorithms: [LOCAL_JWT_ALGORITHM],
      issuer: LOCAL_JWT_ISSUER,
      requiredClaims: ['exp'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: now,
    }));
  } catch {
    return { ok: false };
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.includes(LOCAL_JWT_AUDIENCE) && payload.client_id !== LOCAL_JWT_AUDIENCE)
    return { ok: false };
  return { ok: true, claims: claimsAsStrings(payload) };
}

/** API Gateway hands every claim on as a string; arrays look like `[a b]`. */
function claimsAsStrings(payload: JWTPayload): AuthorizerClaims {
  const claims: AuthorizerClaims = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) claims[name] = `[${value.join(' ')}]`;
    else if (typeof value === 'object') claims[name] = JSON.stringify(value);
    else claims[name] = String(value);
  }
  return claims;
}
