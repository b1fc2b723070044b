import {
  startHealthLogStandIn,
  type HealthLogStandIn,
  type StandInUser,
} from '../support/healthlog-stand-in';
import { stepsDay } from '../support/batch-client';
import { callService } from '../support/http-call';
import { spawnRuntime, startRuntime, type RunningRuntime } from '../support/runtime-process';

/**
 * `npm start -- --healthlog-url <HealthLog>` end to end (docs/local-runtime.md): the runtime
 * process started as a developer starts it, a stand-in HealthLog on a loopback port of this
 * process, and nothing but HTTP and the runtime's standard output. The tokens are HealthLog's own
 * (`hlk_` + 64 hex), as the unchanged app sends them. Every case uses users of its own, so the
 * cases pass in any order.
 */
const INTROSPECTION_TIMEOUT_MS = 2000;

let standIn: HealthLogStandIn;
let runtime: RunningRuntime;

beforeAll(async () => {
  standIn = await startHealthLogStandIn();
  runtime = await startRuntime({ args: ['--healthlog-url', standIn.url] });
}, 90000);

afterAll(async () => {
  await runtime?.dispose();
  await standIn?.close();
});

let userSeq = 0;
function newUser(timezone: string | null = null): StandInUser & { token: string } {
  const user = { id: `cme2e${++userSeq}x${Date.now().toString(36)}`, timezone };
  return { ...user, token: standIn.issueToken(user) };
}

async function call(
  method: string,
  path: string,
  token: string | undefined,
  options: { body?: unknown; headers?: Record<string, string> } = {},
) {
  return callService(runtime.base, method, path, { ...options, ...(token === undefined ? {} : { token }) });
}

const stepsOfTheDay = (day: string, value: number) => ({ entries: [stepsDay(day, value)] });

const introspectionsWith = (token: string) =>
  standIn.received.filter((request) => request.headers.authorization?.includes(token));

describe('npm start -- --healthlog-url: HealthLog’s own tokens work against the local service', () => {
  it('says so in its ready line', () => {
    expect(runtime.ready).toMatchObject({
      authentication: 'healthlog',
      healthlogUrl: standIn.url,
      authorizerCacheSeconds: 60,
    });
  });

  it('a valid hlk_ token posts a batch and reads it back as that HealthLog user', async () => {
    const user = newUser();
    const posted = await call('POST', '/api/measurements/batch', user.token, {
      body: stepsOfTheDay('2026-05-24', 4321),
    });
    expect(posted.status).toBe(200);
    expect(posted.body.data.entries).toEqual([{ index: 0, status: 'inserted', id: expect.any(String) }]);
    const rowId = posted.body.data.entries[0].id;

    const read = await call('GET', `/api/measurements/${rowId}`, user.token);
    expect(read.status).toBe(200);
    expect(read.body.data).toMatchObject({ id: rowId, type: 'ACTIVITY_STEPS', value: 4321 });
    const ingested = runtime.output.find(
      (line) => line.json?.message === 'measurement.batch.ingest' && line.json.userId === user.id,
    );
    expect(ingested?.json).toMatchObject({ inserted: 1 });

    const other = newUser();
    expect((await call('GET', `/api/measurements/${rowId}`, other.token)).status).toBe(404);
  });

  it('HealthLog saw the bearer byte for byte and no X-HealthLog-Account', async () => {
    const user = newUser();
    await call('GET', '/api/measurements', user.token, { headers: { 'x-request-id': 'e2e-1' } });
    const [introspection] = introspectionsWith(user.token);
    expect(introspection).toBeDefined();
    expect(introspection!.url).toBe('/api/auth/me');
    const authorization = introspection!.rawHeaders.filter(
      (_value, index, all) => index % 2 === 1 && all[index - 1]!.toLowerCase() === 'authorization',
    );
    expect(authorization).toEqual([`Bearer ${user.token}`]);
    expect(introspection!.headers['x-healthlog-account']).toBeUndefined();
    expect(introspection!.headers['x-request-id']).toBeUndefined();
  });

  it('the time zone HealthLog names reaches the handler (its request line)', async () => {
    const user = newUser('America/Los_Angeles');
    expect((await call('GET', '/api/measurements', user.token)).status).toBe(200);
    const line = await runtime.waitForLine(
      (candidate) =>
        candidate.json?.message === 'measurement.api.request' && candidate.json.userId === user.id,
      5000,
    );
    expect(line.json).toMatchObject({ timeZone: 'America/Los_Angeles', status: 200 });
  });

  it('with X-HealthLog-Account: 403 sharing.not_permitted, and HealthLog never sees that header', async () => {
    const user = newUser();
    const answer = await call('GET', '/api/measurements', user.token, {
      headers: { 'X-HealthLog-Account': 'cmshared1' },
    });
    expect(answer).toMatchObject({
      status: 403,
      body: {
        data: null,
        error: 'Shared records are not available on this endpoint',
        meta: { errorCode: 'sharing.not_permitted' },
      },
    });
    for (const request of introspectionsWith(user.token))
      expect(request.headers['x-healthlog-account']).toBeUndefined();
  });
});

describe('npm start -- --healthlog-url: what the app sees when the token or HealthLog fails', () => {
  it('an unknown token → 401 Not authenticated', async () => {
    const user = newUser();
    standIn.revoke(user.token);
    expect(await call('GET', '/api/measurements', user.token)).toMatchObject({
      status: 401,
      body: { data: null, error: 'Not authenticated' },
    });
  });

  it('no Authorization header → 401 {"message":"Unauthorized"}, HealthLog not asked', async () => {
    const before = standIn.received.length;
    expect(await call('GET', '/api/measurements', undefined)).toMatchObject({
      status: 401,
      body: { message: 'Unauthorized' },
    });
    expect(standIn.received).toHaveLength(before);
  });

  it('HealthLog answers 500 → 500, never 401', async () => {
    const answer = await call('GET', '/api/measurements', standIn.failingToken);
    expect(answer).toMatchObject({ status: 500, body: { message: 'Internal Server Error' } });
  });

  it('HealthLog hangs → 500 within the introspection timeout, never 401 and never a hang', async () => {
    const answer = await call('POST', '/api/measurements/batch', standIn.hangingToken, {
      body: stepsOfTheDay('2026-05-24', 1),
    });
    expect(answer).toMatchObject({ status: 500, body: { message: 'Internal Server Error' } });
    expect(answer.ms).toBeGreaterThanOrEqual(INTROSPECTION_TIMEOUT_MS - 50);
    expect(answer.ms).toBeLessThan(INTROSPECTION_TIMEOUT_MS + 2500);
  });

  it('no line on standard output carries a token it was sent', async () => {
    const user = newUser();
    await call('GET', '/api/measurements', user.token);
    await call('GET', '/api/measurements', standIn.failingToken);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const tokens = [user.token, standIn.failingToken, standIn.hangingToken];
    const leaks = runtime.output.filter((line) => tokens.some((token) => line.text.includes(token.slice(4))));
    expect(leaks).toEqual([]);
    expect(runtime.output.some((line) => line.json?.message === 'auth.healthlog.introspection')).toBe(true);
  });
});

describe('npm start refuses a HealthLog URL it must not send tokens to', () => {
  it.each([
    ['plain http to a public host', 'http://healthlog.example.com'],
    ['no URL at all', 'healthlog'],
  ])(
    '%s: one clear line on standard error, exit code 1',
    async (_case, url) => {
      const refused = await spawnRuntime({ args: ['--healthlog-url', url] });
      try {
        const exit = await refused.exited;
        expect(exit.code).toBe(1);
        const errors = refused.output.filter((line) => line.text.startsWith('stderr: '));
        expect(errors.map((line) => line.text).join('\n')).toMatch(/HealthLog URL must be (an )?https/);
      } finally {
        await refused.dispose();
      }
    },
    30000,
  );
});
