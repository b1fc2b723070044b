import { freePort } from '../../local/dynamodb-local';
import { stepsDay } from '../support/batch-client';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import {
  startHealthLogStandIn,
  type HealthLogStandIn,
  type StandInUser,
} from '../support/healthlog-stand-in';
import { callService } from '../support/http-call';
import { startInProcessService, type InProcessService } from '../support/in-process-service';
import { createLocalRequestGuardsTable, type LocalRequestGuardsTable } from '../support/local-request-guards';
import { createLocalTable, dynamoDbLocalEndpoint, type LocalTable } from '../support/local-table';

/**
 * docs/authentication.md, "The healthlog mode", with the real parts: the HealthLog authorizer function and the
 * route functions imported from their definitions (handler.ts, as Lambda loads them), the local
 * API Gateway running the authorizer as an HTTP API Lambda authorizer, DynamoDB Local, and a
 * stand-in HealthLog server on a loopback port answering /api/auth/me as HealthLog does.
 * The same over `npm start -- --healthlog-url`: local-runtime-healthlog.test.ts.
 */
const INTROSPECTION_TIMEOUT_MS = 2000; // HEALTHLOG_TIMEOUT_MS in the authorizer's definition

let standIn: HealthLogStandIn;
let table: LocalTable;
let guards: LocalRequestGuardsTable;
let service: InProcessService;
let logs: CapturedLogs;
/** Every token a test sent; afterEach checks that none reached a log line. */
const tokensSent = new Set<string>();

let clock = Date.now();

beforeAll(async () => {
  [standIn, table, guards] = await Promise.all([
    startHealthLogStandIn(),
    createLocalTable(),
    createLocalRequestGuardsTable(),
  ]);
  service = await startInProcessService({
    tableName: table.tableName,
    requestGuardsTableName: guards.tableName,
    dailyAggregatesTableName: table.aggregatesTableName,
    auditKeysTableName: table.auditKeysTableName,
    dynamoDbEndpoint: dynamoDbLocalEndpoint(),
    auth: { healthLogUrl: standIn.url, ttlSeconds: 60, now: () => clock },
  });
});
afterAll(async () => {
  await service?.close();
  await standIn?.close();
  await Promise.all([table?.drop(), guards?.drop()]);
});
beforeEach(() => {
  logs = captureLogs();
  standIn.received.length = 0;
  clock = Date.now();
});
afterEach(() => {
  logs.restore();
  const lines = [...logs.lines, ...service.gatewayLog].map((line) => JSON.stringify(line));
  for (const token of tokensSent) {
    expect(lines.filter((line) => line.includes(token) || line.includes(token.slice(4)))).toEqual([]);
  }
});

let userSeq = 0;
function newUser(timezone: string | null = 'Europe/Berlin'): StandInUser & { token: string } {
  const user = { id: `cmhl${++userSeq}x${Date.now().toString(36)}`, timezone };
  return { ...user, token: standIn.issueToken(user) };
}

async function call(
  method: string,
  path: string,
  options: { authorization?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  if (options.token) tokensSent.add(options.token);
  return callService(service.base, method, path, options);
}

const introspections = () => standIn.received.filter((request) => request.url === '/api/auth/me');

describe('a token HealthLog knows: the app works unchanged, as that HealthLog user', () => {
  it('a valid hlk_ token posts a batch and reads it back; the row belongs to HealthLog’s data.id', async () => {
    const user = newUser();
    expect(user.token).toMatch(/^hlk_[0-9a-f]{64}$/);
    const posted = await call('POST', '/api/measurements/batch', {
      token: user.token,
      body: { entries: [stepsDay('2026-05-24', 4200)] },
    });
    expect(posted.status).toBe(200);
    expect(posted.body.data).toMatchObject({ processed: 1, inserted: 1 });

    const read = await call('GET', '/api/measurements?type=ACTIVITY_STEPS', { token: user.token });
    expect(read.status).toBe(200);
    expect(read.body.data.measurements).toEqual([
      expect.objectContaining({ id: posted.body.data.entries[0].id, value: 4200 }),
    ]);
    expect(
      await table.item(user.id, 'ACTIVITY_STEPS', 'stats:HKQuantityTypeIdentifierStepCount:2026-05-24'),
    ).toMatchObject({
      userId: user.id,
      value: 4200,
    });

    const other = newUser();
    const seenByOther = await call('GET', '/api/measurements?type=ACTIVITY_STEPS', { token: other.token });
    expect(seenByOther.body.data.measurements).toEqual([]);
  });

  it('HealthLog is asked with the caller’s Authorization header byte for byte, and with no header of the caller’s besides', async () => {
    const user = newUser();
    await call('GET', '/api/measurements', {
      token: user.token,
      headers: { 'x-request-id': 'req-forwarding', 'x-app-version': '9.9', cookie: 'session=abc' },
    });
    // A scheme in another case is not HealthLog's to be told about: it gets exactly what was sent.
    const lowerCase = `bearer ${user.token}`;
    await call('GET', '/api/measurements', { authorization: lowerCase });
    tokensSent.add(user.token);

    const [first, second] = introspections();
    expect(first!.method).toBe('GET');
    expect(headerLines(first!.rawHeaders, 'authorization')).toEqual([`Bearer ${user.token}`]);
    expect(headerLines(second!.rawHeaders, 'authorization')).toEqual([lowerCase]);
    for (const request of [first!, second!]) {
      for (const name of ['x-healthlog-account', 'x-request-id', 'x-app-version', 'cookie', 'content-type'])
        expect(request.headers[name]).toBeUndefined();
    }
  });

  it('a sync’s burst of requests costs one introspection (the result is cached per token)', async () => {
    const user = newUser();
    for (let i = 0; i < 5; i++) {
      expect((await call('GET', '/api/measurements', { token: user.token })).status).toBe(200);
    }
    expect(introspections()).toHaveLength(1);
  });
});

describe('the user’s time zone comes from HealthLog’s data.timezone, else the default', () => {
  it.each([
    ['a valid IANA zone', 'America/New_York', 'America/New_York'],
    ['a zone in another case (canonicalized)', 'Asia/Tokyo', 'asia/tokyo'],
    ['null (HealthLog then uses its own default)', 'Europe/Berlin', null],
    ['an empty string', 'Europe/Berlin', ''],
    ['not a zone', 'Europe/Berlin', 'Mars/Olympus_Mons'],
    ['a bare UTC offset', 'Europe/Berlin', '+02:00'],
  ])('%s → the request runs in %s (the request line names the zone)', async (_case, expected, timezone) => {
    const user = newUser(timezone);
    expect((await call('GET', '/api/measurements', { token: user.token })).status).toBe(200);
    expect(logs.events('measurement.api.request').filter((line) => line.userId === user.id)).toEqual([
      expect.objectContaining({ timeZone: expected, status: 200 }),
    ]);
  });
});

describe('a token HealthLog refuses is 401 — the app’s signal to refresh it', () => {
  it('an unknown token (HealthLog: 401 "Nicht angemeldet") → 401 Not authenticated, and nothing is written', async () => {
    const token = standIn.issueToken({ id: 'revoked-at-once', timezone: null });
    standIn.revoke(token);
    const answer = await call('POST', '/api/measurements/batch', {
      token,
      body: { entries: [stepsDay('2026-05-24', 1)] },
    });
    expect(answer).toMatchObject({ status: 401, body: { data: null, error: 'Not authenticated' } });
    expect(await table.items()).not.toContainEqual(expect.objectContaining({ userId: 'revoked-at-once' }));
    expect(await guards.items()).not.toContainEqual(
      expect.objectContaining({ id: expect.stringContaining('revoked-at-once') }),
    );
  });

  it('a narrow-scope token (HealthLog: 403 "Insufficient permissions") → 401, never 403', async () => {
    const answer = await call('GET', '/api/measurements', { token: standIn.narrowScopeToken });
    expect(answer).toMatchObject({ status: 401, body: { data: null, error: 'Not authenticated' } });
  });

  it('the refusal is cached like any result: a burst with a dead token costs one introspection', async () => {
    const token = standIn.issueToken({ id: 'dead', timezone: null });
    standIn.revoke(token);
    for (let i = 0; i < 3; i++) expect((await call('GET', '/api/measurements', { token })).status).toBe(401);
    expect(introspections()).toHaveLength(1);
  });

  it('a logout at HealthLog stops working here once the cached result expires (the TTL)', async () => {
    const user = newUser();
    expect((await call('GET', '/api/measurements', { token: user.token })).status).toBe(200);
    standIn.revoke(user.token);
    clock += 59_000;
    expect((await call('GET', '/api/measurements', { token: user.token })).status).toBe(200);
    clock += 2_000;
    expect((await call('GET', '/api/measurements', { token: user.token })).status).toBe(401);
    expect(introspections()).toHaveLength(2);
  });

  it('no Authorization header → API Gateway’s own 401, without asking HealthLog', async () => {
    const answer = await call('GET', '/api/measurements');
    expect(answer).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
    expect(introspections()).toHaveLength(0);
  });
});

describe('HealthLog cannot answer → a 5xx the app retries with its session kept, never 401', () => {
  it('HealthLog answers 500 → 500, and the failure is not cached (the next request asks again)', async () => {
    tokensSent.add(standIn.failingToken);
    for (let i = 0; i < 2; i++) {
      const answer = await call('GET', '/api/measurements', { token: standIn.failingToken });
      expect(answer).toMatchObject({ status: 500, body: { message: 'Internal Server Error' } });
    }
    expect(introspections()).toHaveLength(2);
    expect(logs.events('auth.healthlog.introspection')).toContainEqual(
      expect.objectContaining({ level: 'ERROR', outcome: 'failed', reason: 'status', status: 500 }),
    );
  });

  it('HealthLog never answers → 500 once the introspection timeout has passed: no 401, no hang', async () => {
    tokensSent.add(standIn.hangingToken);
    const answer = await call('POST', '/api/measurements/batch', {
      token: standIn.hangingToken,
      body: { entries: [stepsDay('2026-05-24', 1)] },
    });
    expect(answer).toMatchObject({ status: 500, body: { message: 'Internal Server Error' } });
    expect(answer.ms).toBeGreaterThanOrEqual(INTROSPECTION_TIMEOUT_MS - 50);
    expect(answer.ms).toBeLessThan(INTROSPECTION_TIMEOUT_MS + 2500);
    expect(logs.events('auth.healthlog.introspection')).toContainEqual(
      expect.objectContaining({ outcome: 'failed', reason: 'timeout' }),
    );
  });

  it('HealthLog answers 200 without a usable data.id → 500 (a broken answer says nothing about the token)', async () => {
    tokensSent.add(standIn.idlessToken);
    const answer = await call('GET', '/api/measurements', { token: standIn.idlessToken });
    expect(answer).toMatchObject({ status: 500, body: { message: 'Internal Server Error' } });
  });

  it.each([
    ['containing #', 'user#1'],
    ['empty', ''],
    ['over 256 characters', 'c'.repeat(257)],
    ['with a lone surrogate', 'cm\ud800x'],
  ])('HealthLog names a user id %s → 401 (no user, as in every mode), nothing written', async (_name, id) => {
    const token = standIn.issueToken({ id, timezone: null });
    tokensSent.add(token);
    const answer = await call('POST', '/api/measurements/batch', {
      token,
      body: { entries: [stepsDay('2026-05-24', 1)] },
    });
    expect(answer).toMatchObject({ status: 401, body: { data: null, error: 'Not authenticated' } });
    expect(logs.events('auth.healthlog.introspection')).toContainEqual(
      expect.objectContaining({ outcome: 'unauthenticated', status: 200 }),
    );
    expect(await table.items()).not.toContainEqual(expect.objectContaining({ userId: id }));
  });

  it('HealthLog unreachable (nothing listens) → 500', async () => {
    const unreachable = await startInProcessService({
      tableName: table.tableName,
      requestGuardsTableName: guards.tableName,
      dailyAggregatesTableName: table.aggregatesTableName,
      auditKeysTableName: table.auditKeysTableName,
      dynamoDbEndpoint: dynamoDbLocalEndpoint(),
      auth: { healthLogUrl: `http://127.0.0.1:${await freePort()}` },
    });
    try {
      const user = newUser();
      tokensSent.add(user.token);
      const response = await fetch(`${unreachable.base}/api/measurements`, {
        headers: { authorization: `Bearer ${user.token}` },
      });
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ message: 'Internal Server Error' });
      expect(logs.events('auth.healthlog.introspection')).toContainEqual(
        expect.objectContaining({ outcome: 'failed', reason: 'unreachable' }),
      );
    } finally {
      await unreachable.close();
    }
  });
});

describe('the introspection is logged without the token, the header or HealthLog’s body', () => {
  it('one line per introspection: outcome, HealthLog’s status, latency and the user — nothing else of the exchange', async () => {
    const user = newUser('America/New_York');
    await call('GET', '/api/measurements', { token: user.token });
    const [line] = logs.events('auth.healthlog.introspection');
    expect(line).toMatchObject({
      level: 'INFO',
      service: 'healthlog-authorizer',
      outcome: 'authenticated',
      status: 200,
      userId: user.id,
      timeZone: 'America/New_York',
      latencyMs: expect.any(Number),
    });
    expect(JSON.stringify(line)).not.toMatch(/hlk_|Bearer|username|email|modules/);
  });
});

/** The values of one header, exactly as they came over the wire. */
function headerLines(rawHeaders: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === name) values.push(rawHeaders[i + 1]!);
  }
  return values;
}

describe('HealthLog’s answer is read up to 64 KiB', () => {
  const CAP = 64 * 1024; // MAX_INTROSPECTION_BODY_BYTES

  it.each(['content-length', 'chunked'] as const)(
    'an answer of exactly 64 KiB (%s) is read; one byte more is a broken answer → 500, never 401',
    async (framing) => {
      const fits = standIn.issuePaddedToken({ id: `cmcap${framing}a`, timezone: null }, CAP, framing);
      const over = standIn.issuePaddedToken({ id: `cmcap${framing}b`, timezone: null }, CAP + 1, framing);
      tokensSent.add(fits).add(over);
      expect((await call('GET', '/api/measurements', { token: fits })).status).toBe(200);
      const answer = await call('GET', '/api/measurements', { token: over });
      expect(answer).toMatchObject({ status: 500, body: { message: 'Internal Server Error' } });
      expect(logs.events('auth.healthlog.introspection')).toContainEqual(
        expect.objectContaining({ outcome: 'failed', reason: 'malformed', status: 200 }),
      );
    },
  );

  it('a 16 MiB answer is refused without reading it all', async () => {
    const huge = standIn.issuePaddedToken({ id: 'cmcaphuge', timezone: null }, 16 * 1024 * 1024, 'chunked');
    tokensSent.add(huge);
    const answer = await call('GET', '/api/measurements', { token: huge });
    expect(answer).toMatchObject({ status: 500, body: { message: 'Internal Server Error' } });
  });
});

describe('a burst of first requests with one token', () => {
  it('20 concurrent first requests cost one introspection locally (a single-flight per token)', async () => {
    const user = newUser();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => call('GET', '/api/measurements', { token: user.token })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(introspections()).toHaveLength(1);
  });

  it('a failed introspection is shared by the requests that waited for it, and not cached', async () => {
    tokensSent.add(standIn.failingToken);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => call('GET', '/api/measurements', { token: standIn.failingToken })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(5).fill(500));
    expect(introspections()).toHaveLength(1);
    await call('GET', '/api/measurements', { token: standIn.failingToken });
    expect(introspections()).toHaveLength(2);
  });
});
