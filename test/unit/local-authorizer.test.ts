import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { healthLogAuthorizerFunction } from '../../definitions/service-functions';
import { toHttpApiEvent } from '../../local/http-api-event';
import type { LocalFunction } from '../../local/lambda-context';
import { jwtAuthorizer, lambdaAuthorizer } from '../../local/local-authorizer';

/**
 * The local API Gateway runs the `healthlog` mode's authorizer as an HTTP API Lambda REQUEST
 * authorizer (payload 2.0, simple responses, identity source the Authorization header, a result
 * cache per identity value), and the JWT modes' check as the JWT authorizer.
 */
const request = (headers: Record<string, string> = {}) =>
  toHttpApiEvent({
    method: 'GET',
    rawPath: '/api/measurements/abc',
    rawQueryString: 'type=WEIGHT',
    routePath: '/api/measurements/{id}',
    pathParameters: { id: 'abc' },
    headers,
    requestId: 'req-1',
  });

function stubAuthorizer(answer: (event: APIGatewayRequestAuthorizerEventV2) => unknown) {
  const events: APIGatewayRequestAuthorizerEventV2[] = [];
  const fn: LocalFunction = {
    name: 'healthLogAuthorizer',
    definition: { ...healthLogAuthorizerFunction, timeoutSeconds: 1 },
    handler: async (event) => {
      events.push(event as APIGatewayRequestAuthorizerEventV2);
      return answer(event as APIGatewayRequestAuthorizerEventV2);
    },
  };
  return { fn, events };
}

const logged: string[] = [];
const log = (_level: string, message: string) => logged.push(message);

describe('a Lambda authorizer as API Gateway runs it', () => {
  it('without an Authorization header, or with an empty one: 401 {"message":"Unauthorized"}, not invoked', async () => {
    const { fn, events } = stubAuthorizer(() => ({ isAuthorized: true, context: {} }));
    const authorize = lambdaAuthorizer({ fn, ttlSeconds: 60, log });
    for (const headers of [{}, { authorization: '' }] as Record<string, string>[]) {
      expect(await authorize(request(headers))).toEqual({
        allowed: false,
        statusCode: 401,
        body: { message: 'Unauthorized' },
      });
    }
    expect(events).toHaveLength(0);
  });

  it('is invoked with a payload 2.0 REQUEST event: route, path, query, headers and the identity source', async () => {
    const { fn, events } = stubAuthorizer(() => ({ isAuthorized: true, context: { authenticated: false } }));
    await lambdaAuthorizer({ fn, ttlSeconds: 0, log })(
      request({ authorization: 'Bearer hlk_x', 'x-other': '1' }),
    );
    expect(events[0]).toMatchObject({
      version: '2.0',
      type: 'REQUEST',
      routeKey: 'GET /api/measurements/{id}',
      routeArn: expect.stringMatching(/^arn:aws:execute-api:.+\/GET\/api\/measurements\/\{id\}$/),
      identitySource: ['Bearer hlk_x'],
      rawPath: '/api/measurements/abc',
      rawQueryString: 'type=WEIGHT',
      queryStringParameters: { type: 'WEIGHT' },
      pathParameters: { id: 'abc' },
      headers: { authorization: 'Bearer hlk_x', 'x-other': '1' },
      requestContext: { requestId: 'req-1', http: { method: 'GET' } },
    });
    expect(events[0]!.requestContext).not.toHaveProperty('authorizer');
  });

  it('isAuthorized true passes its context on as the Lambda authorizer context', async () => {
    const context = { authenticated: true, userId: 'cmabc', timeZone: 'Europe/Vienna' };
    const { fn } = stubAuthorizer(() => ({ isAuthorized: true, context }));
    expect(
      await lambdaAuthorizer({ fn, ttlSeconds: 60, log })(request({ authorization: 'Bearer t' })),
    ).toEqual({
      allowed: true,
      lambdaContext: context,
    });
  });

  it('isAuthorized false is 403 {"message":"Forbidden"} (why the HealthLog authorizer never denies)', async () => {
    const { fn } = stubAuthorizer(() => ({ isAuthorized: false }));
    expect(
      await lambdaAuthorizer({ fn, ttlSeconds: 60, log })(request({ authorization: 'Bearer t' })),
    ).toEqual({
      allowed: false,
      statusCode: 403,
      body: { message: 'Forbidden' },
    });
  });

  it.each([
    ['throws', () => Promise.reject(new Error('HealthLog introspection failed: timeout'))],
    ['answers without isAuthorized', () => ({ context: {} })],
    ['answers a context that is no object', () => ({ isAuthorized: true, context: 'x' })],
    ['answers nothing', () => undefined],
  ])(
    'an authorizer that %s is 500 {"message":"Internal Server Error"}, and nothing is cached',
    async (_case, answer) => {
      const { fn, events } = stubAuthorizer(answer);
      const authorize = lambdaAuthorizer({ fn, ttlSeconds: 60, log });
      for (let i = 0; i < 2; i++) {
        expect(await authorize(request({ authorization: 'Bearer t' }))).toEqual({
          allowed: false,
          statusCode: 500,
          body: { message: 'Internal Server Error' },
        });
      }
      expect(events).toHaveLength(2);
    },
    5000,
  );

  it('a result is cached per Authorization value for the TTL, then asked for again', async () => {
    let now = 1_000_000;
    const { fn, events } = stubAuthorizer((event) => ({
      isAuthorized: true,
      context: { authenticated: true, userId: event.identitySource[0] },
    }));
    const authorize = lambdaAuthorizer({ fn, ttlSeconds: 60, log, now: () => now });
    await authorize(request({ authorization: 'Bearer a' }));
    await authorize(request({ authorization: 'Bearer a' }));
    await authorize(request({ authorization: 'Bearer b' }));
    expect(events.map((event) => event.identitySource[0])).toEqual(['Bearer a', 'Bearer b']);
    now += 60_000;
    const again = await authorize(request({ authorization: 'Bearer a' }));
    expect(again).toEqual({ allowed: true, lambdaContext: { authenticated: true, userId: 'Bearer a' } });
    expect(events).toHaveLength(3);
  });

  it('a TTL of 0 caches nothing', async () => {
    const { fn, events } = stubAuthorizer(() => ({ isAuthorized: true, context: {} }));
    const authorize = lambdaAuthorizer({ fn, ttlSeconds: 0, log });
    await authorize(request({ authorization: 'Bearer a' }));
    await authorize(request({ authorization: 'Bearer a' }));
    expect(events).toHaveLength(2);
  });
});

describe('the JWT authorizer (jwt and cognito modes)', () => {
  it('a token the check accepts passes its claims on; any other is 401 in the envelope', async () => {
    const authorize = jwtAuthorizer(async (authorization) =>
      authorization === 'Bearer good'
        ? { ok: true, claims: { sub: 'user-a', zoneinfo: 'Asia/Tokyo' } }
        : { ok: false },
    );
    expect(await authorize(request({ authorization: 'Bearer good' }))).toEqual({
      allowed: true,
      claims: { sub: 'user-a', zoneinfo: 'Asia/Tokyo' },
    });
    expect(await authorize(request({ authorization: 'Bearer bad' }))).toEqual({
      allowed: false,
      statusCode: 401,
      body: { data: null, error: 'Not authenticated' },
    });
  });
});
