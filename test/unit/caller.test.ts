import { canonicalTimeZone, parseHealthLogUrl } from '../../definitions/authentication';
import { admitCaller, callerOf } from '../../functions/http/caller';
import type { HttpEvent } from '../../functions/http/request';
import { toHttpApiEvent } from '../../local/http-api-event';

/**
 * docs/authentication.md, "Who is calling" (in every mode; the user's time zone): the caller comes only from the verified
 * credential — the JWT authorizer's claims or the HealthLog authorizer's context — and a zone
 * that is absent or not an IANA zone falls back to the deployment's default.
 */
const DEFAULT = 'Europe/Berlin';

const withClaims = (claims: Record<string, string>, headers: Record<string, string> = {}): HttpEvent =>
  toHttpApiEvent({
    method: 'GET',
    rawPath: '/api/measurements',
    routePath: '/api/measurements',
    claims,
    headers,
  });

const withHealthLogContext = (
  lambdaContext: Record<string, unknown>,
  headers: Record<string, string> = {},
): HttpEvent =>
  toHttpApiEvent({
    method: 'GET',
    rawPath: '/api/measurements',
    routePath: '/api/measurements',
    lambdaContext,
    headers,
  });

describe('the caller from the JWT authorizer (jwt and cognito modes): sub and zoneinfo', () => {
  it('the user is the sub; the zone is zoneinfo', () => {
    expect(callerOf(withClaims({ sub: 'user-a', zoneinfo: 'America/New_York' }), DEFAULT)).toEqual({
      userId: 'user-a',
      timeZone: 'America/New_York',
    });
  });

  it('without zoneinfo the zone is the deployment default', () => {
    expect(callerOf(withClaims({ sub: 'user-a' }), 'Asia/Tokyo')).toEqual({
      userId: 'user-a',
      timeZone: 'Asia/Tokyo',
    });
  });

  it('no sub is nobody', () => {
    expect(callerOf(withClaims({ zoneinfo: 'Europe/Berlin' }), DEFAULT)).toBeUndefined();
  });

  it('a userId in the HealthLog shape of the context is not read in jwt mode (claims only)', () => {
    const event = withClaims({ userId: 'user-b', authenticated: 'true' });
    expect(callerOf(event, DEFAULT)).toBeUndefined();
  });
});

describe('the caller from the HealthLog authorizer (healthlog mode): its context', () => {
  it('an authenticated context names the user (HealthLog’s data.id) and the zone', () => {
    expect(
      callerOf(
        withHealthLogContext({ authenticated: true, userId: 'cmabc123', timeZone: 'Europe/Vienna' }),
        DEFAULT,
      ),
    ).toEqual({ userId: 'cmabc123', timeZone: 'Europe/Vienna' });
  });

  it('without a zone in the context the zone is the deployment default', () => {
    expect(callerOf(withHealthLogContext({ authenticated: true, userId: 'cmabc123' }), 'Asia/Tokyo')).toEqual(
      {
        userId: 'cmabc123',
        timeZone: 'Asia/Tokyo',
      },
    );
  });

  it('authenticated as the string "true" (a stringifying integration) still names the user', () => {
    expect(
      callerOf(withHealthLogContext({ authenticated: 'true', userId: 'cmabc123' }), DEFAULT)?.userId,
    ).toBe('cmabc123');
  });

  it.each([
    ['a token HealthLog refused', { authenticated: false }],
    ['a refusal that somehow names a user', { authenticated: false, userId: 'cmabc123' }],
    ['no authenticated flag', { userId: 'cmabc123' }],
    ['an empty context', {}],
  ])('%s is nobody', (_case, context) => {
    expect(callerOf(withHealthLogContext(context), DEFAULT)).toBeUndefined();
  });

  it('the HealthLog context wins over any JWT claims: one credential per deployment', () => {
    const event = withHealthLogContext({ authenticated: false });
    (event.requestContext.authorizer as { jwt?: unknown }).jwt = { claims: { sub: 'user-a' } };
    expect(callerOf(event, DEFAULT)).toBeUndefined();
  });
});

describe('a user id that cannot be a safe key is no user (401), from either source', () => {
  it.each([
    ['empty', ''],
    ['257 characters', 'u'.repeat(257)],
    ['containing # (the key separator)', 'user#ACTIVITY_STEPS'],
    ['ending in a lone high surrogate', 'user-\ud800'],
    ['starting with a lone low surrogate', '\udc00user'],
  ])('%s', (_case, userId) => {
    expect(callerOf(withClaims({ sub: userId }), DEFAULT)).toBeUndefined();
    expect(callerOf(withHealthLogContext({ authenticated: true, userId }), DEFAULT)).toBeUndefined();
  });

  it.each([
    ['256 characters', 'u'.repeat(256)],
    ['a surrogate pair (an emoji is text)', 'user-\ud83d\ude00'],
  ])('%s is a user', (_case, userId) => {
    expect(callerOf(withClaims({ sub: userId }), DEFAULT)?.userId).toBe(userId);
    expect(callerOf(withHealthLogContext({ authenticated: true, userId }), DEFAULT)?.userId).toBe(userId);
  });

  it('a user id that is not a string is nobody', () => {
    expect(callerOf(withHealthLogContext({ authenticated: true, userId: 42 }), DEFAULT)).toBeUndefined();
  });
});

describe('a zone that is absent or not a valid IANA zone falls back to the default', () => {
  it.each([
    ['an IANA zone', 'America/New_York', 'America/New_York'],
    ['UTC', 'UTC', 'UTC'],
    ['a zone in another case: canonicalized', 'europe/vienna', 'Europe/Vienna'],
    ['empty', '', DEFAULT],
    ['unknown', 'Mars/Olympus_Mons', DEFAULT],
    ['a bare UTC offset (no zone: no daylight-saving rules)', '+02:00', DEFAULT],
    ['a zone with a path trick', '../../etc/passwd', DEFAULT],
    ['far too long', `Europe/${'x'.repeat(100)}`, DEFAULT],
  ])('%s: %p → %p', (_case, zone, expected) => {
    expect(callerOf(withClaims({ sub: 'user-a', zoneinfo: zone }), DEFAULT)?.timeZone).toBe(expected);
    expect(
      callerOf(withHealthLogContext({ authenticated: true, userId: 'u', timeZone: zone }), DEFAULT)?.timeZone,
    ).toBe(expected);
  });

  it('a non-string zone in the context falls back too', () => {
    expect(
      callerOf(withHealthLogContext({ authenticated: true, userId: 'u', timeZone: 2 }), DEFAULT)?.timeZone,
    ).toBe(DEFAULT);
  });

  it('an invalid default falls back to Europe/Berlin, HealthLog’s own', () => {
    expect(callerOf(withClaims({ sub: 'user-a' }), 'Nowhere/Land')?.timeZone).toBe('Europe/Berlin');
  });
});

describe('admission: 401 before the shared-record header, 403 for the header', () => {
  const SHARING = {
    data: null,
    error: 'Shared records are not available on this endpoint',
    meta: { errorCode: 'sharing.not_permitted' },
  };

  it('no usable caller → 401 Not authenticated, even with X-HealthLog-Account', () => {
    const admission = admitCaller(withClaims({}, { 'x-healthlog-account': 'cmacc' }));
    expect(admission.admitted).toBe(false);
    if (admission.admitted) return;
    expect(admission.response.statusCode).toBe(401);
    expect(JSON.parse(admission.response.body!)).toEqual({ data: null, error: 'Not authenticated' });
    expect(admission.userId).toBeUndefined();
  });

  it.each([
    ['X-HealthLog-Account', 'cmacc'],
    ['x-healthlog-account', 'cmacc'],
    ['X-HEALTHLOG-ACCOUNT', ''],
  ])('a caller with %s: %p → 403 sharing.not_permitted, with the echoed headers', (name, value) => {
    const admission = admitCaller(
      withHealthLogContext({ authenticated: true, userId: 'cmabc' }, { [name]: value }),
      {
        headers: { 'x-request-id': 'r-1' },
      },
    );
    expect(admission.admitted).toBe(false);
    if (admission.admitted) return;
    expect(admission.response.statusCode).toBe(403);
    expect(admission.response.headers).toMatchObject({ 'x-request-id': 'r-1' });
    expect(JSON.parse(admission.response.body!)).toEqual(SHARING);
    expect(admission).toMatchObject({ userId: 'cmabc', errorCode: 'sharing.not_permitted' });
  });

  it('a caller without the header is admitted with user and zone', () => {
    expect(admitCaller(withClaims({ sub: 'user-a', zoneinfo: 'Asia/Tokyo' }))).toEqual({
      admitted: true,
      caller: { userId: 'user-a', timeZone: 'Asia/Tokyo' },
    });
  });
});

describe('the HealthLog URL: https, or http to a loopback host only; no credentials, query or fragment', () => {
  it.each([
    ['https://healthlog.example.com', 'https://healthlog.example.com'],
    ['https://healthlog.example.com/', 'https://healthlog.example.com'],
    ['https://example.com/healthlog/', 'https://example.com/healthlog'],
    ['http://127.0.0.1:4000', 'http://127.0.0.1:4000'],
    ['http://127.1.2.3:4000', 'http://127.1.2.3:4000'],
    ['http://localhost:4000/', 'http://localhost:4000'],
    ['http://[::1]:4000', 'http://[::1]:4000'],
  ])('%s is accepted as %s', (raw, baseUrl) => {
    expect(parseHealthLogUrl(raw)).toEqual({ ok: true, baseUrl });
  });

  it.each([
    ['plain http to a public host', 'http://healthlog.example.com'],
    ['plain http to a private address', 'http://10.0.0.5:3000'],
    ['a host that only starts like loopback', 'http://127.0.0.1.example.com'],
    ['another scheme', 'ftp://healthlog.example.com'],
    ['no URL', 'healthlog.example.com'],
    ['empty', ''],
    ['credentials', 'https://user:pw@healthlog.example.com'],
    ['a query', 'https://healthlog.example.com/?x=1'],
    ['a fragment', 'https://healthlog.example.com/#x'],
  ])('%s is refused', (_case, raw) => {
    expect(parseHealthLogUrl(raw).ok).toBe(false);
  });
});

describe('canonicalTimeZone', () => {
  it('returns the canonical IANA name or undefined', () => {
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone(undefined)).toBeUndefined();
    expect(canonicalTimeZone(null)).toBeUndefined();
    expect(canonicalTimeZone('Not/AZone')).toBeUndefined();
  });
});
