import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateKeyPair } from 'jose';
import { aggregateSettleQueue } from '../../definitions/aggregate-settle';
import { loadOrCreateSigningKey, signLocalToken } from '../../local/local-auth';
import { heartRateBucket, stepsDay } from '../support/batch-client';
import { callService } from '../support/http-call';
import { repositoryRoot } from '../../scripts/package-scripts';
import {
  isAlive,
  spawnRuntime,
  startRuntime,
  type Exit,
  type RunningRuntime,
} from '../support/runtime-process';

/**
 * `npm start` end to end: the same entry point (tsx running local/start.ts) on free ports and a
 * temporary data directory, tokens from `npm run token`, and nothing but HTTP and the process's
 * standard output — the way a developer or a reviewer uses it (docs/local-runtime.md).
 * Independent of the integration project's shared DynamoDB Local: it starts its own. Every case
 * sets up its own rows (a user of its own), so the cases pass in any order (`jest --randomize`).
 */
const DAY = '2026-05-24';
const STEPS_OF_THE_DAY = `stats:HKQuantityTypeIdentifierStepCount:${DAY}`;

let runtime: RunningRuntime;
let base: string;
let tokenA: string;
let tokenB: string;

async function mintToken(userId: string): Promise<string> {
  const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'token', '--', userId], {
    cwd: repositoryRoot,
    env: runtime.env,
  });
  return stdout.trim().split('\n').at(-1)!;
}

/** The settle queue's delay here: a settle recompute follows within a second, not a minute. */
const SETTLE_DELAY_MS = 300;

beforeAll(async () => {
  runtime = await startRuntime({ env: { AGGREGATE_SETTLE_DELAY_MS: String(SETTLE_DELAY_MS) } });
  base = runtime.base;
  [tokenA, tokenB] = await Promise.all([mintToken('e2e-user-a'), mintToken('e2e-user-b')]);
}, 90000);

afterAll(() => runtime?.dispose());

async function call(method: string, path: string, token?: string, body?: unknown) {
  const answer = await callService(base, method, path, {
    ...(token ? { token } : {}),
    ...(body === undefined ? {} : { body }),
  });
  return { status: answer.status, body: answer.body };
}

/** A day's step total as the phone posts it: one `stats:` row per local day. */
const stepsOfTheDay = (day: string, value: number) => ({ entries: [stepsDay(day, value)] });

const functionLines = (service: string) => runtime.output.filter((line) => line.json?.service === service);

/**
 * The user's pseudonym in the audit events, as `npm run audit-ref -- --local` prints it against
 * the running runtime, once the audit function has created the user's key (on its first event).
 */
async function userRefOf(userId: string): Promise<string> {
  const deadline = Date.now() + 10000;
  for (;;) {
    const { stdout } = await promisify(execFile)(
      'npm',
      ['run', '--silent', 'audit-ref', '--', '--local', '--user', userId],
      { cwd: repositoryRoot, env: runtime.env },
    );
    const { userRef } = JSON.parse(stdout.trim().split('\n').at(-1)!) as { userRef: string | null };
    if (userRef !== null) return userRef;
    if (Date.now() > deadline) throw new Error(`no audit key for ${userId} within 10 s`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
}

let users = 0;
/** A user of its own for one test, with a token signed by the runtime's key in its data directory. */
async function newUser(): Promise<{ userId: string; token: string }> {
  const userId = `e2e-user-${++users}`;
  return { userId, token: await signLocalToken(userId, await loadOrCreateSigningKey(runtime.dataDirectory)) };
}

/** Each case sets up its own rows: a user of its own whose steps of DAY went from 300 to 5300. */
async function stepsOverwritten(): Promise<{
  userId: string;
  token: string;
  rowId: string;
  overwrittenAt: number;
}> {
  const { userId, token } = await newUser();
  const morning = await call('POST', '/api/measurements/batch', token, stepsOfTheDay(DAY, 300));
  expect(morning.body.data.entries).toEqual([{ index: 0, status: 'inserted', id: expect.any(String) }]);
  const rowId: string = morning.body.data.entries[0].id;
  const evening = await call('POST', '/api/measurements/batch', token, stepsOfTheDay(DAY, 5300));
  const overwrittenAt = Date.now();
  expect(evening.body.data.entries).toEqual([{ index: 0, status: 'updated', id: rowId }]);
  return { userId, token, rowId, overwrittenAt };
}

describe('npm start serves the whole service on one machine', () => {
  it('prints one ready line with the base URL, and the DynamoDB Local process it started', () => {
    expect(runtime.output.filter((line) => line.text.includes('ready http://')).length).toBe(1);
    expect(runtime.ready.dynamoDbPid).toEqual(expect.any(Number));
    expect(isAlive(runtime.ready.dynamoDbPid)).toBe(true);
  });

  it("a token from `npm run token` posts a day's steps as 300, then 5300: inserted, then updated with the same id", async () => {
    const day = '2026-05-23';
    const morning = await call('POST', '/api/measurements/batch', tokenA, stepsOfTheDay(day, 300));
    expect(morning.status).toBe(200);
    expect(morning.body.data.entries).toEqual([{ index: 0, status: 'inserted', id: expect.any(String) }]);
    const rowId = morning.body.data.entries[0].id;

    const evening = await call('POST', '/api/measurements/batch', tokenA, stepsOfTheDay(day, 5300));
    expect(evening.status).toBe(200);
    expect(evening.body.data.entries).toEqual([{ index: 0, status: 'updated', id: rowId }]);
  });

  it('the overwrite appears on standard output as measurement.batch.stats-overwrite within 2 s, naming the userRef `npm run audit-ref -- --local` prints', async () => {
    const { userId, rowId, overwrittenAt } = await stepsOverwritten();
    const userRef = await userRefOf(userId);
    const line = await runtime.waitForLine(
      (candidate) =>
        candidate.json?.message === 'measurement.batch.stats-overwrite' && candidate.json.userRef === userRef,
      5000,
    );
    expect(line.json).not.toHaveProperty('userId');
    expect(line.json).toMatchObject({
      externalId: STEPS_OF_THE_DAY,
      previousValue: 300,
      value: 5300,
      id: rowId,
    });
    expect(line.at - overwrittenAt).toBeLessThan(2000);
  });

  it('a reading entered by hand appears on standard output as measurement.created within 2 s; its note never does', async () => {
    const { userId, token } = await newUser();
    const note = `felt faint on the stairs ${userId}`;
    const posted = await call('POST', '/api/measurements', token, {
      type: 'BLOOD_PRESSURE_SYS',
      value: 128,
      measuredAt: '2026-05-24T07:30:00Z',
      notes: note,
      externalId: 'E2E-BP-1',
    });
    const createdAt = Date.now();
    expect(posted.status).toBe(201);
    expect(posted.body.data).toMatchObject({
      type: 'BLOOD_PRESSURE_SYS',
      unit: 'mmHg',
      notes: note,
      externalId: null,
    });
    const id = posted.body.data.id;

    const userRef = await userRefOf(userId);
    const line = await runtime.waitForLine(
      (candidate) => candidate.json?.message === 'measurement.created' && candidate.json.userRef === userRef,
      5000,
    );
    expect(line.json).toMatchObject({
      level: 'INFO',
      service: 'measurement-audit',
      id,
      type: 'BLOOD_PRESSURE_SYS',
      value: 128,
      unit: 'mmHg',
      measuredAt: '2026-05-24T07:30:00.000Z',
      source: 'MANUAL',
    });
    expect(line.at - createdAt).toBeLessThan(2000);

    const edited = await call('PUT', `/api/measurements/${id}`, token, { notes: `${note}, twice` });
    expect(edited.status).toBe(200);
    const update = await runtime.waitForLine(
      (candidate) =>
        candidate.json?.message === 'measurement.value.updated' && candidate.json.userRef === userRef,
      5000,
    );
    expect(update.json).toMatchObject({ id, changedFields: ['notes'] });
    expect(runtime.output.filter((output) => output.text.includes('felt faint'))).toEqual([]);
  });

  it('heart-rate buckets reach the daily-aggregate function through its own stream reader, and a long chart reads the aggregate', async () => {
    const { userId, token } = await newUser();
    const day = Date.UTC(2026, 9, 5);
    const buckets = [0, 1, 2].map((b) =>
      heartRateBucket(new Date(day + (8 * 60 + b * 10) * 60_000).toISOString(), 60 + b),
    );
    const postedAt = Date.now();
    expect((await call('POST', '/api/measurements/batch', token, { entries: buckets })).status).toBe(200);
    // The aggregate lags the write by the stream reader's batching window: ask until it is there.
    let series = await call('GET', '/api/measurements/series?kind=pulse&days=3650', token);
    for (let attempt = 0; attempt < 40 && series.body.data?.points.length === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      series = await call('GET', '/api/measurements/series?kind=pulse&days=3650', token);
    }
    expect(series.status).toBe(200);
    expect(series.body.data.points).toEqual([expect.objectContaining({ id: 'day:2026-10-05', value: 61 })]);
    expect(series.body.data.stats).toMatchObject({ count: 3, mean: 61, min: 60, max: 62 });
    const requests = runtime.output.filter(
      (line) => line.json?.message === 'measurement.api.request' && line.json.userId === userId,
    );
    expect(requests.at(-1)?.json).toMatchObject({ kind: 'pulse', itemsRead: 1 });
    // The function logs its batch after writing the aggregate, so the line may follow the answer;
    // and the day's settle pass is awaited too, so none of this test's lines reach the next one.
    const aggregated = await runtime.waitForLine(
      (line) => line.at >= postedAt && line.json?.message === 'measurement.aggregate.batch',
      10_000,
    );
    expect(aggregated.json).toMatchObject({ failed: 0 });
    expect(aggregated.json!.settleQueued).toBeGreaterThanOrEqual(1);
    await runtime.waitForLine(
      (line) => line.at >= aggregated.at && line.json?.message === 'measurement.aggregate.settle-batch',
      10_000,
    );
  });

  it('the day the stream recomputed comes back through the settle queue to the same function, once the delay has passed', async () => {
    expect(runtime.ready.settleQueue).toEqual({
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/\d{12}\/aggregate-settle$/),
      deliveryDelayMs: SETTLE_DELAY_MS,
    });
    const { token } = await newUser();
    const bucket = heartRateBucket(new Date(Date.UTC(2026, 9, 6, 8)).toISOString(), 64);
    const postedAt = Date.now();
    expect((await call('POST', '/api/measurements/batch', token, { entries: [bucket] })).status).toBe(200);
    const queued = await runtime.waitForLine(
      (line) =>
        line.at >= postedAt &&
        line.json?.message === 'measurement.aggregate.batch' &&
        line.json.settleQueued >= 1,
      10_000,
    );
    const settle = await runtime.waitForLine(
      (line) =>
        line.at >= queued.at &&
        line.json?.message === 'measurement.aggregate.settle-batch' &&
        line.json.service === 'measurement-aggregates',
      10_000,
    );
    expect(settle.json).toMatchObject({ failed: 0 });
    expect(settle.json!.written + settle.json!.superseded).toBeGreaterThanOrEqual(1);
    // Timed by the function's own log timestamps (one clock, no pipe between): the queue holds
    // the message for the delay from its send, which the `queued` line follows by moments.
    const loggedAt = (line: typeof queued) => Date.parse(String(line.json!.timestamp));
    expect(loggedAt(settle) - loggedAt(queued)).toBeGreaterThanOrEqual(SETTLE_DELAY_MS - 50);
    const series = await call('GET', '/api/measurements/series?kind=pulse&days=3650', token);
    expect(series.body.data.points).toEqual([expect.objectContaining({ id: 'day:2026-10-06', value: 64 })]);
  });

  it('GET /api/measurements/{id} reads 5300 back', async () => {
    const { token, rowId } = await stepsOverwritten();
    const answer = await call('GET', `/api/measurements/${rowId}`, token);
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ id: rowId, type: 'ACTIVITY_STEPS', value: 5300 });
  });

  it('GET /api/measurements?type=ACTIVITY_STEPS lists the row with 5300', async () => {
    const { token, rowId } = await stepsOverwritten();
    const answer = await call('GET', '/api/measurements?type=ACTIVITY_STEPS', token);
    expect(answer.status).toBe(200);
    expect(answer.body.data.measurements).toEqual([expect.objectContaining({ id: rowId, value: 5300 })]);
  });

  it("another user's token gets 404 for the same id", async () => {
    const { rowId } = await stepsOverwritten();
    const answer = await call('GET', `/api/measurements/${rowId}`, tokenB);
    expect(answer.status).toBe(404);
    expect(answer.body.data).toBeNull();
  });

  it('no token, or a token signed by another key: 401 in the envelope before any handler runs', async () => {
    const { userId, token, rowId } = await stepsOverwritten();
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await signLocalToken(userId, { kid: 'forged', privateKey });
    const handled = functionLines('measurement-ingest').length;
    for (const bearer of [undefined, forged, 'not-a-jwt']) {
      const answer = await call('POST', '/api/measurements/batch', bearer, stepsOfTheDay(DAY, 9999));
      expect(answer).toEqual({ status: 401, body: { data: null, error: 'Not authenticated' } });
    }
    const read = await call('GET', `/api/measurements/${rowId}`, forged);
    expect(read.status).toBe(401);
    expect(functionLines('measurement-ingest')).toHaveLength(handled);
    expect((await call('GET', `/api/measurements/${rowId}`, token)).body.data.value).toBe(5300);
  });

  it('a route the stack does not define: 404 in the envelope', async () => {
    const { token } = await newUser();
    expect(await call('GET', '/api/nothing-here', token)).toEqual({
      status: 404,
      body: { data: null, error: 'Not found' },
    });
    expect((await call('PATCH', '/api/measurements/batch/extra', token)).status).toBe(404);
  });
});

describe('npm run token -- <user> --tz <zone>: the zoneinfo claim reaches the handler', () => {
  it('a token minted with --tz runs its requests in that zone (the request line names it)', async () => {
    const userId = `e2e-zone-${Date.now()}`;
    const { stdout } = await promisify(execFile)(
      'npm',
      ['run', '--silent', 'token', '--', userId, '--tz', 'America/New_York'],
      { cwd: repositoryRoot, env: runtime.env },
    );
    const token = stdout.trim().split('\n').at(-1)!;
    expect((await call('GET', '/api/measurements', token)).status).toBe(200);
    const line = await runtime.waitForLine(
      (candidate) =>
        candidate.json?.message === 'measurement.api.request' && candidate.json.userId === userId,
      5000,
    );
    expect(line.json).toMatchObject({ timeZone: 'America/New_York' });
  });

  it('a --tz that is no IANA zone mints nothing: exit code 2 and a sentence saying why', async () => {
    const minted = promisify(execFile)(
      'npm',
      ['run', '--silent', 'token', '--', 'someone', '--tz', 'Mars/Base'],
      {
        cwd: repositoryRoot,
        env: runtime.env,
      },
    );
    await expect(minted).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--tz must be an IANA'),
    });
  });
});

describe('npm start stops cleanly', () => {
  it('SIGTERM stops it: the process exits, the port is released, no Java process is left', async () => {
    // A runtime of its own: stopping the shared one would end every other case.
    const own = await startRuntime();
    try {
      // Started without AGGREGATE_SETTLE_DELAY_MS: its settle queue holds messages as the stack's does.
      expect(own.ready.settleQueue.deliveryDelayMs).toBe(aggregateSettleQueue.deliveryDelaySeconds * 1000);
      own.child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const exit = await Promise.race([
        own.exited,
        new Promise<never>(
          (_resolve, reject) => (timer = setTimeout(() => reject(new Error('still running')), 15000)),
        ),
      ]).finally(() => clearTimeout(timer));
      expect(exit).toEqual({ code: 0, signal: null });
      expect(isAlive(own.ready.dynamoDbPid)).toBe(false);
      await expect(fetch(`${own.base}/api/measurements`)).rejects.toThrow();
    } finally {
      await own.dispose();
    }
  }, 60000);
});

/** The process's exit, or a failure after `ms`. */
async function exitWithin(exited: Promise<Exit>, ms: number): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    exited,
    new Promise<never>(
      (_resolve, reject) => (timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms)),
    ),
  ]).finally(() => clearTimeout(timer));
}

describe('npm start only ever talks to a DynamoDB Local it started, and stops when it is gone', () => {
  it('its DynamoDB Local killed: one clear line, exit code 1 within a few seconds, no process left, the folder free again', async () => {
    const own = await startRuntime();
    try {
      expect(own.ready.pid).toEqual(expect.any(Number));
      // The lines read from here on (by position: the ready line can be read in the same
      // millisecond as the kill).
      const linesBefore = own.output.length;
      const killedAt = Date.now();
      process.kill(own.ready.dynamoDbPid, 'SIGKILL');
      const exit = await exitWithin(own.exited, 10000);
      expect(Date.now() - killedAt).toBeLessThan(5000);
      expect(exit).toEqual({ code: 1, signal: null });

      const after = own.output.slice(linesBefore);
      expect(after.map((line) => line.json?.message ?? line.text)).toEqual([
        `local-runtime: DynamoDB Local (pid ${own.ready.dynamoDbPid}, ${own.ready.dynamoDbEndpoint}) exited with SIGKILL; stopping`,
      ]);
      expect(after[0]!.json).toMatchObject({ level: 'ERROR', service: 'local-runtime' });

      expect(isAlive(own.ready.pid)).toBe(false);
      expect(isAlive(own.ready.dynamoDbPid)).toBe(false);
      await expect(fetch(`${own.base}/api/measurements`)).rejects.toThrow();
      expect(existsSync(join(own.dataDirectory, 'runtime.lock'))).toBe(false);
    } finally {
      await own.dispose();
    }
  }, 90000);

  it('a second npm start in the same folder refuses in one line naming the running one, and the first keeps serving', async () => {
    const second = await spawnRuntime({ dataDirectory: runtime.dataDirectory });
    let exit: Exit;
    try {
      exit = await exitWithin(second.exited, 30000);
    } finally {
      await second.dispose();
    }
    expect(exit.code).toBe(1);
    const refusals = second.output.filter((line) => /already running/.test(line.text));
    expect(refusals.map((line) => line.text)).toEqual([
      `stderr: npm start is already running for ${runtime.dataDirectory} (pid ${runtime.ready.pid}, API ${runtime.base}, DynamoDB Local ${runtime.ready.dynamoDbEndpoint}): stop it first, or set LOCAL_DATA_DIR to another folder.`,
    ]);
    expect(second.output.filter((line) => /ready http|DynamoDB Local \(pid/.test(line.text))).toEqual([]);

    // The first is untouched: its engine, its lock, its data.
    expect(isAlive(runtime.ready.dynamoDbPid)).toBe(true);
    expect(JSON.parse(readFileSync(join(runtime.dataDirectory, 'runtime.lock'), 'utf8'))).toMatchObject({
      pid: runtime.ready.pid,
      url: runtime.base,
    });
    const { token, rowId } = await stepsOverwritten();
    expect((await call('GET', `/api/measurements/${rowId}`, token)).body.data).toMatchObject({ value: 5300 });
  }, 60000);
});
