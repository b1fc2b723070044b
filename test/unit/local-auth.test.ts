import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, generateKeyPair } from 'jose';
import {
  CLOCK_TOLERANCE_SECONDS,
  LOCAL_JWT_AUDIENCE,
  LOCAL_JWT_ISSUER,
  checkBearerToken,
  loadOrCreateSigningKey,
  signLocalToken,
  signingKeyPath,
  type SigningKey,
} from '../../local/local-auth';

let directory: string;
let key: SigningKey;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'local-auth-'));
  key = await loadOrCreateSigningKey(directory);
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const bearer = (token: string) => `Bearer ${token}`;

describe('the local signing key', () => {
  it('is created once and reused: a second load returns the same key', async () => {
    const again = await loadOrCreateSigningKey(directory);
    expect(again.kid).toBe(key.kid);
    const token = await signLocalToken('user-a', again);
    expect((await checkBearerToken(bearer(token), key)).ok).toBe(true);
  });

  it('is stored as a private JWK readable only by its owner', () => {
    const jwk = JSON.parse(readFileSync(signingKeyPath(directory), 'utf8'));
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: key.kid });
  });
});

describe('the local authorizer checks bearer tokens like the stack JWT authorizer', () => {
  it('a valid token passes and hands its claims on as strings, sub being the user', async () => {
    const check = await checkBearerToken(bearer(await signLocalToken('user-a', key)), key);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.claims).toMatchObject({ sub: 'user-a', iss: LOCAL_JWT_ISSUER, aud: LOCAL_JWT_AUDIENCE });
    expect(typeof check.claims.exp).toBe('string');
  });

  it('a token minted with a time zone carries it as the zoneinfo claim, handed on like every claim', async () => {
    const token = await signLocalToken('user-a', key, { timeZone: 'America/New_York' });
    const check = await checkBearerToken(bearer(token), key);
    expect(check.ok && check.claims.zoneinfo).toBe('America/New_York');
    const without = await checkBearerToken(bearer(await signLocalToken('user-a', key)), key);
    expect(without.ok && without.claims).not.toHaveProperty('zoneinfo');
  });

  it('the scheme is case-insensitive', async () => {
    const token = await signLocalToken('user-a', key);
    expect((await checkBearerToken(`bearer ${token}`, key)).ok).toBe(true);
  });

  it('the token alone, without the scheme, is accepted (API Gateway’s JWT authorizer takes either)', async () => {
    const token = await signLocalToken('user-a', key);
    expect(await checkBearerToken(token, key)).toMatchObject({ ok: true, claims: { sub: 'user-a' } });
  });

  it('a missing header, another scheme, two tokens or a malformed token is refused', async () => {
    const token = await signLocalToken('user-a', key);
    expect((await checkBearerToken(undefined, key)).ok).toBe(false);
    expect((await checkBearerToken('', key)).ok).toBe(false);
    expect((await checkBearerToken(`Basic ${token}`, key)).ok).toBe(false);
    expect((await checkBearerToken(`Bearer ${token},Bearer ${token}`, key)).ok).toBe(false);
    expect((await checkBearerToken('Bearer not-a-jwt', key)).ok).toBe(false);
    expect((await checkBearerToken('not-a-jwt', key)).ok).toBe(false);
  });

  it('an expired token is refused (beyond the small clock tolerance)', async () => {
    const issuedAt = new Date(Date.now() - 3600_000);
    const token = await signLocalToken('user-a', key, { now: issuedAt, ttlSeconds: 60 });
    expect((await checkBearerToken(bearer(token), key)).ok).toBe(false);
    const justExpired = await signLocalToken('user-a', key, {
      now: new Date(Date.now() - 61_000),
      ttlSeconds: 60,
    });
    expect(CLOCK_TOLERANCE_SECONDS).toBeGreaterThan(1);
    expect((await checkBearerToken(bearer(justExpired), key)).ok).toBe(true);
  });

  it('a token of another issuer is refused', async () => {
    const token = await signLocalToken('user-a', key, { issuer: 'https://elsewhere.example' });
    expect((await checkBearerToken(bearer(token), key)).ok).toBe(false);
  });

  it('a token for another audience is refused', async () => {
    const token = await signLocalToken('user-a', key, { audience: 'another-app' });
    expect((await checkBearerToken(bearer(token), key)).ok).toBe(false);
  });

  it('a token signed by another key is refused, even with the same kid, issuer and audience', async () => {
    const other = await generateKeyPair('ES256');
    const token = await signLocalToken('user-a', { kid: key.kid, privateKey: other.privateKey });
    expect((await checkBearerToken(bearer(token), key)).ok).toBe(false);
  });

  it('a token without exp is refused', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setSubject('user-a')
      .setIssuer(LOCAL_JWT_ISSUER)
      .setAudience(LOCAL_JWT_AUDIENCE)
      .sign(key.privateKey);
    expect((await checkBearerToken(bearer(token), key)).ok).toBe(false);
  });

  it('an unsigned token (alg none) is refused', async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const exp = Math.floor(Date.now() / 1000) + 600;
    const token = `${encode({ alg: 'none' })}.${encode({ sub: 'user-a', iss: LOCAL_JWT_ISSUER, aud: LOCAL_JWT_AUDIENCE, exp })}.`;
    expect((await checkBearerToken(bearer(token), key)).ok).toBe(false);
  });

  it('a Cognito-style access token naming the audience in client_id passes', async () => {
    const token = await new SignJWT({ client_id: LOCAL_JWT_AUDIENCE })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setSubject('user-a')
      .setIssuer(LOCAL_JWT_ISSUER)
      .setExpirationTime('10m')
      .sign(key.privateKey);
    expect((await checkBearerToken(bearer(token), key)).ok).toBe(true);
  });
});
